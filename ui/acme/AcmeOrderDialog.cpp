// SPDX-License-Identifier: GPL-3.0-or-later
#include "AcmeOrderDialog.h"

#include "common/HostPort.h"
#include "dns/Tsig.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "ui/common/OperationProgress.h"
#include "ui/common/StatusColours.h"
#include "ui/common/StoreTask.h"
#include "ui/common/VaultSession.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHeaderView>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::acme;

namespace {

enum Column
{
    ColIdentifier,
    ColChallenge,
    ColState,
    ColumnCount
};

// "ADDR:PORT", "[v6]:PORT" or "ADDR" (then `defaultPort`), by the shared
// parser, so the dialog refuses what the CLI refuses, in the same words.
Result<std::pair<QHostAddress, quint16>> hostPort(const QString& text, quint16 defaultPort,
                                                  const QString& what)
{
    auto hp = parseAddressPort(text.trimmed(), defaultPort);
    if (!hp) {
        return fail(ErrorCode::InvalidInput, QObject::tr("%1: %2").arg(what, hp.error().message));
    }
    return std::make_pair(QHostAddress(hp->host), hp->port);
}

QString stateText(const AuthorizationState& s)
{
    switch (s.stage) {
    case AuthorizationStage::Fetched:
        return QObject::tr("pending");
    case AuthorizationStage::Publishing:
        return QObject::tr("publishing the challenge");
    case AuthorizationStage::Published:
        return QObject::tr("challenge published");
    case AuthorizationStage::Processing:
        return QObject::tr("processing: the CA is checking");
    case AuthorizationStage::Done:
        break;
    }
    if (s.status == QLatin1String("valid")) {
        return s.reused ? QObject::tr("valid (already authorized)") : QObject::tr("valid");
    }
    return s.error.isEmpty() ? s.status : QObject::tr("%1: %2").arg(s.status, s.error);
}

void paintState(QTableWidgetItem* item, bool good, bool bad)
{
    // Colour only alongside the word itself.
    if (good) {
        paintTone(item, Tone::Good, QGuiApplication::palette());
    } else if (bad) {
        paintTone(item, Tone::Bad, QGuiApplication::palette());
    } else {
        clearTone(item);
    }
}

} // namespace

AcmeOrderDialog::AcmeOrderDialog(QString storePath, VaultSession* vault,
                                 const QList<inventory::IssuerRecord>& accounts, qint64 accountId,
                                 QWidget* parent)
    : QDialog(parent)
    , m_storePath(std::move(storePath))
    , m_vault(vault)
{
    setObjectName(QStringLiteral("acmeOrderDialog"));
    setWindowTitle(tr("New ACME order"));
    resize(820, 680);
    auto* v = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_account = new QComboBox(this);
    m_account->setObjectName(QStringLiteral("orderAccount"));
    for (const inventory::IssuerRecord& a : accounts) {
        m_account->addItem(QStringLiteral("%1 — %2").arg(a.name, a.directoryUrl), a.id);
        if (a.id == accountId) {
            m_account->setCurrentIndex(m_account->count() - 1);
        }
    }
    form->addRow(tr("&Account"), m_account);
    m_endpoint = new QComboBox(this);
    m_endpoint->setObjectName(QStringLiteral("orderEndpoint"));
    m_endpoint->addItem(tr("none: only record the certificate"), qint64(0));
    m_endpoint->setToolTip(tr("The endpoint the certificate is for: it becomes its current "
                              "certificate (issued; deployed once a probe sees it served). Its "
                              "name must be among the names ordered."));
    form->addRow(tr("&For endpoint"), m_endpoint);
    connect(m_endpoint, &QComboBox::activated, this, &AcmeOrderDialog::endpointPicked);
    m_names = new QPlainTextEdit(this);
    m_names->setObjectName(QStringLiteral("orderNames"));
    m_names->setPlaceholderText(tr("api.example.com\nwww.example.com\n192.0.2.10"));
    m_names->setTabChangesFocus(true);
    m_names->setFixedHeight(90);
    form->addRow(tr("&Names (one per line)"), m_names);

    m_challenge = new QComboBox(this);
    m_challenge->setObjectName(QStringLiteral("orderChallenge"));
    m_challenge->addItems({tr("HTTP-01, built-in responder"), tr("HTTP-01, webroot folder"),
                           tr("DNS-01, RFC 2136 update"), tr("TLS-ALPN-01, built-in responder")});
    form->addRow(tr("&Challenge"), m_challenge);
    m_settings = new QStackedWidget(this);
    auto page = [this](QLineEdit** edit, const QString& label, const QString& name,
                       const QString& placeholder) {
        auto* w = new QWidget(m_settings);
        auto* f = new QFormLayout(w);
        f->setContentsMargins(0, 0, 0, 0);
        *edit = new QLineEdit(w);
        (*edit)->setObjectName(name);
        (*edit)->setPlaceholderText(placeholder);
        f->addRow(label, *edit);
        m_settings->addWidget(w);
        return f;
    };
    page(&m_responder, tr("Listen on"), QStringLiteral("orderResponder"),
         QStringLiteral("0.0.0.0:80"));
    page(&m_webroot, tr("Webroot folder"), QStringLiteral("orderWebroot"),
         QStringLiteral("/var/www/html"));
    QFormLayout* dns = page(&m_dnsServer, tr("DNS primary"), QStringLiteral("orderDnsServer"),
                            QStringLiteral("192.0.2.53:53"));
    m_dnsZone = new QLineEdit(m_settings);
    m_dnsZone->setObjectName(QStringLiteral("orderDnsZone"));
    m_dnsZone->setPlaceholderText(tr("empty: asked from the server"));
    dns->addRow(tr("Zone"), m_dnsZone);
    m_tsigName = new QLineEdit(m_settings);
    m_tsigName->setObjectName(QStringLiteral("orderTsigName"));
    m_tsigName->setPlaceholderText(QStringLiteral("acme-update."));
    dns->addRow(tr("TSIG key name"), m_tsigName);
    m_tsigSecret = new QLineEdit(m_settings);
    m_tsigSecret->setObjectName(QStringLiteral("orderTsigSecret"));
    m_tsigSecret->setEchoMode(QLineEdit::Password);
    m_tsigSecret->setPlaceholderText(tr("hmac-sha256 secret, base64"));
    dns->addRow(tr("TSIG secret"), m_tsigSecret);
    page(&m_tlsAlpn, tr("Listen on"), QStringLiteral("orderTlsAlpn"),
         QStringLiteral("0.0.0.0:443"));
    form->addRow(QString(), m_settings);
    // The settings take the height of the challenge shown, not of the
    // tallest one.
    const auto showSettings = [this](int index) {
        for (int i = 0; i < m_settings->count(); ++i) {
            m_settings->widget(i)->setSizePolicy(
                QSizePolicy::Preferred, i == index ? QSizePolicy::Preferred : QSizePolicy::Ignored);
        }
        m_settings->setCurrentIndex(index);
        m_settings->adjustSize();
    };
    connect(m_challenge, &QComboBox::currentIndexChanged, this, showSettings);
    showSettings(0);

    m_keyType = new QComboBox(this);
    m_keyType->setObjectName(QStringLiteral("orderKeyType"));
    for (const auto& [label, type] : {std::pair{tr("ECDSA P-256"), crypto::KeyType::EcdsaP256},
                                      std::pair{tr("ECDSA P-384"), crypto::KeyType::EcdsaP384},
                                      std::pair{tr("RSA 2048"), crypto::KeyType::Rsa2048},
                                      std::pair{tr("RSA 3072"), crypto::KeyType::Rsa3072},
                                      std::pair{tr("Ed25519"), crypto::KeyType::Ed25519}}) {
        m_keyType->addItem(label, static_cast<int>(type));
    }
    form->addRow(tr("Certificate &key"), m_keyType);
    m_output = new QLineEdit(this);
    m_output->setObjectName(QStringLiteral("orderOutput"));
    m_output->setPlaceholderText(
        tr("optional: also write fullchain.pem and privkey.pem (0600) here"));
    form->addRow(tr("&Files"), m_output);
    v->addLayout(form);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("orderProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(
        QStringLiteral("color: %1").arg(toneText(Tone::Bad, palette()).name()));
    v->addWidget(m_problem);
    m_step = new QLabel(tr("Not started"), this);
    m_step->setObjectName(QStringLiteral("orderStep"));
    m_step->setWordWrap(true);
    v->addWidget(m_step);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("orderProgress"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    v->addWidget(m_progress);
    m_rows = new QTableWidget(0, ColumnCount, this);
    m_rows->setObjectName(QStringLiteral("orderAuthorizations"));
    m_rows->setHorizontalHeaderLabels({tr("Identifier"), tr("Challenge"), tr("State")});
    m_rows->horizontalHeader()->setSectionResizeMode(ColIdentifier, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setSectionResizeMode(ColChallenge, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setStretchLastSection(true);
    m_rows->verticalHeader()->setVisible(false);
    m_rows->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rows->setWordWrap(true);
    v->addWidget(m_rows, 1);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("orderResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_result);

    auto* buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("&Start order"), QDialogButtonBox::ActionRole);
    m_start->setObjectName(QStringLiteral("orderStart"));
    m_start->setDefault(true);
    m_cancel = buttons->addButton(tr("Cancel order"), QDialogButtonBox::ActionRole);
    m_cancel->setObjectName(QStringLiteral("orderCancel"));
    m_cancel->setEnabled(false);
    m_open = buttons->addButton(tr("Open in Certificates"), QDialogButtonBox::ActionRole);
    m_open->setObjectName(QStringLiteral("orderOpen"));
    m_open->setEnabled(false);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    v->addWidget(buttons);
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_cancel, &QPushButton::clicked, this, &AcmeOrderDialog::cancel);
    connect(m_close, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_open, &QPushButton::clicked, this, [this] {
        emit openCertificateRequested(m_stored.leaf);
        accept();
    });
    loadEndpoints();
}

void AcmeOrderDialog::loadEndpoints()
{
    runOnStore<QList<inventory::Endpoint>>(
        this, m_storePath, [](inventory::Store& s) { return s.endpoints().list(); },
        [this](const Result<QList<inventory::Endpoint>>& r) {
            if (!r) {
                m_endpoint->setToolTip(
                    tr("The endpoints could not be read: %1").arg(r.error().message));
                emit endpointsLoaded(false);
                return;
            }
            for (const inventory::Endpoint& e : *r) {
                QString label = inventory::endpointAddress(e.host, e.port);
                const QString name = e.sniName.isEmpty() ? e.host : e.sniName;
                if (name != e.host) {
                    label += tr(" (SNI %1)").arg(name);
                }
                if (!e.group.isEmpty()) {
                    label += QStringLiteral(" · ") + e.group;
                }
                m_endpoint->addItem(label, e.id);
                m_endpoint->setItemData(m_endpoint->count() - 1, name, Qt::UserRole + 1);
            }
            m_endpointsRead = true;
            setEndpoint(m_wantedEndpoint);
            emit endpointsLoaded(true);
        });
}

void AcmeOrderDialog::setEndpoint(qint64 endpointId)
{
    m_wantedEndpoint = endpointId;
    if (!m_endpointsRead) {
        return;
    }
    const int index = m_endpoint->findData(endpointId);
    m_endpoint->setCurrentIndex(std::max(0, index));
    endpointPicked();
}

qint64 AcmeOrderDialog::endpointId() const
{
    return m_endpointsRead ? m_endpoint->currentData().toLongLong() : m_wantedEndpoint;
}

void AcmeOrderDialog::endpointPicked()
{
    // The endpoint's name is what must be ordered; put it in when the admin
    // has not typed names yet.
    const QString name = m_endpoint->currentData(Qt::UserRole + 1).toString();
    if (!name.isEmpty() && m_names->toPlainText().trimmed().isEmpty()) {
        m_names->setPlainText(name);
    }
}

AcmeOrderDialog::~AcmeOrderDialog()
{
    m_tsigSecret->clear();
    if (m_job) {
        m_job->cancel();
    }
}

void AcmeOrderDialog::setChallenge(Challenge challenge)
{
    m_challenge->setCurrentIndex(static_cast<int>(challenge));
}

Result<services::IssueTask> AcmeOrderDialog::task() const
{
    services::IssueTask t;
    t.storeLocation = m_storePath;
    if (m_account->currentIndex() < 0) {
        return fail(ErrorCode::InvalidInput, tr("Make an ACME account first."));
    }
    t.accountId = m_account->currentData().toLongLong();
    if (const qint64 endpoint = endpointId(); endpoint > 0) {
        t.endpointId = endpoint;
    }
    const auto challenge = static_cast<Challenge>(m_challenge->currentIndex());
    const QStringList lines = m_names->toPlainText().split(u'\n', Qt::SkipEmptyParts);
    for (const QString& raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty()) {
            continue;
        }
        const bool isIp = !QHostAddress(line).isNull();
        auto id = isIp ? AcmeIdentifier::ip(line) : AcmeIdentifier::dns(line);
        if (!id) {
            return fail(ErrorCode::InvalidInput, tr("'%1': %2").arg(line, id.error().message));
        }
        if (line.startsWith(QLatin1String("*.")) && challenge != Challenge::Dns01) {
            return fail(ErrorCode::InvalidInput,
                        tr("'%1' is a wildcard: only DNS-01 can prove it.").arg(line));
        }
        if (isIp && challenge == Challenge::Dns01) {
            return fail(ErrorCode::InvalidInput,
                        tr("'%1' is an IP address: DNS-01 cannot prove it; use HTTP-01 or "
                           "TLS-ALPN-01.")
                            .arg(line));
        }
        t.issue.order.identifiers << *id;
    }
    if (t.issue.order.identifiers.isEmpty()) {
        return fail(ErrorCode::InvalidInput, tr("Enter at least one name, one per line."));
    }
    switch (challenge) {
    case Challenge::Http01Responder:
    case Challenge::TlsAlpn01: {
        const bool alpn = challenge == Challenge::TlsAlpn01;
        QLineEdit* edit = alpn ? m_tlsAlpn : m_responder;
        const QString text =
            edit->text().trimmed().isEmpty() ? edit->placeholderText() : edit->text();
        auto hp = hostPort(text, alpn ? 443 : 80, tr("Listen on"));
        if (!hp) {
            return tl::unexpected(hp.error());
        }
        t.issue.httpAddress = hp->first;
        if (alpn) {
            t.issue.tlsAlpnPort = hp->second;
        } else {
            t.issue.httpPort = hp->second;
        }
        break;
    }
    case Challenge::Http01Webroot:
        if (m_webroot->text().trimmed().isEmpty()) {
            return fail(ErrorCode::InvalidInput, tr("Enter the webroot folder."));
        }
        t.issue.webroot = m_webroot->text().trimmed();
        break;
    case Challenge::Dns01: {
        auto hp = hostPort(m_dnsServer->text(), 53, tr("DNS primary"));
        if (!hp) {
            return tl::unexpected(hp.error());
        }
        auto key =
            dns::TsigKey::fromBase64(m_tsigName->text().trimmed(), QStringLiteral("hmac-sha256"),
                                     m_tsigSecret->text().trimmed().toLatin1());
        if (!key) {
            return fail(ErrorCode::InvalidInput, tr("TSIG key: %1").arg(key.error().message));
        }
        Dns01Settings dns;
        dns.server = dns::DnsServer{hp->first, hp->second};
        dns.key = *key;
        dns.zone = m_dnsZone->text().trimmed();
        t.issue.dns01 = dns;
        break;
    }
    }
    t.certificateKeyType = static_cast<crypto::KeyType>(m_keyType->currentData().toInt());
    if (const QString folder = m_output->text().trimmed(); !folder.isEmpty()) {
        const QDir dir(folder);
        t.files = services::IssueFiles{dir.filePath(QStringLiteral("privkey.pem")),
                                       dir.filePath(QStringLiteral("fullchain.pem")),
                                       false,
                                       {}};
    }
    return t;
}

QString AcmeOrderDialog::rowState(const QString& identifier) const
{
    const int row = m_rowOf.value(identifier, -1);
    return row < 0 ? QString() : m_rows->item(row, ColState)->text();
}

QString AcmeOrderDialog::resultText() const
{
    return m_result->text();
}

QString AcmeOrderDialog::problemText() const
{
    return m_problem->text();
}

int AcmeOrderDialog::rowFor(const AcmeIdentifier& identifier)
{
    const QString key = identifier.toString();
    if (m_rowOf.contains(key)) {
        return m_rowOf.value(key);
    }
    const int row = m_rows->rowCount();
    m_rows->insertRow(row);
    m_rows->setItem(row, ColIdentifier, new QTableWidgetItem(identifier.value));
    m_rows->setItem(row, ColChallenge, new QTableWidgetItem);
    m_rows->setItem(row, ColState, new QTableWidgetItem(tr("waiting")));
    m_rowOf.insert(key, row);
    return row;
}

bool AcmeOrderDialog::start()
{
    if (m_job) {
        return false;
    }
    auto t = task();
    if (!t) {
        m_problem->setText(tr("Error: %1").arg(t.error().message));
        return false;
    }
    m_problem->clear();
    if (!m_vault) {
        return false;
    }
    m_vault->withPassphrase(
        this, [this, t = *t](const QByteArray& passphrase, bool) { run(t, passphrase); });
    return true;
}

void AcmeOrderDialog::run(services::IssueTask task, const QByteArray& passphrase)
{
    if (m_job) {
        return;
    }
    task.vaultPassphrase = passphrase;
    m_rows->setRowCount(0);
    m_rowOf.clear();
    m_result->clear();
    m_open->setEnabled(false);
    m_stored = {};
    for (const AcmeIdentifier& id : std::as_const(task.issue.order.identifiers)) {
        rowFor(id);
    }
    m_job = new services::IssueService(std::move(task), this);
    showProgress(*m_job, m_progress, m_step);
    connect(m_job, &AcmeIssueJob::authorizationChanged, this,
            [this](int, int, const AuthorizationState& state) { showAuthorization(state); });
    connect(m_job, &Operation::finished, this, [this](const Status&) {
        const auto result = m_job->result();
        m_stored = m_job->recorded();
        m_job->deleteLater();
        m_job = nullptr;
        finish(result);
    });
    setRunning(true);
    m_step->setText(tr("Starting…"));
    m_job->start();
}

void AcmeOrderDialog::cancel()
{
    if (m_job) {
        m_step->setText(tr("Cancelling: withdrawing the published challenges…"));
        m_job->cancel();
    }
}

void AcmeOrderDialog::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_close->setEnabled(!running);
    for (QWidget* w : std::initializer_list<QWidget*>{m_account, m_endpoint, m_names, m_challenge,
                                                      m_settings, m_keyType, m_output}) {
        w->setEnabled(!running);
    }
}

void AcmeOrderDialog::showAuthorization(const AuthorizationState& state)
{
    const int row = rowFor(state.identifier);
    m_rows->item(row, ColChallenge)->setText(state.challengeType);
    QTableWidgetItem* item = m_rows->item(row, ColState);
    item->setText(stateText(state));
    item->setToolTip(state.error);
    const bool done = state.stage == AuthorizationStage::Done;
    paintState(item, done && state.status == QLatin1String("valid"),
               done && state.status != QLatin1String("valid"));
    m_rows->resizeRowToContents(row);
}

void AcmeOrderDialog::finish(const Result<IssuedCertificate>& result)
{
    setRunning(false);
    if (!result) {
        const Error& e = result.error();
        const bool cancelled = e.code == ErrorCode::Cancelled;
        if (e.code == ErrorCode::Crypto && e.message.contains(QLatin1String("passphrase")) &&
            m_vault) {
            m_vault->forget();
        }
        // A short OS or server reason ("The bound address is already in
        // use") belongs with the message; URLs stay in the tooltip.
        const QString why =
            e.detail.isEmpty() || e.detail.size() > 160 || e.detail.contains(QLatin1String("://"))
                ? e.message
                : QStringLiteral("%1 (%2)").arg(e.message, e.detail);
        // Rows the order never finished say why they stopped: the shared
        // cause, or the name whose proof failed first.
        QStringList failed;
        for (int row = 0; row < m_rows->rowCount(); ++row) {
            if (m_rows->item(row, ColState)->text().startsWith(QLatin1String("invalid"))) {
                failed << m_rows->item(row, ColIdentifier)->text();
            }
        }
        for (int row = 0; row < m_rows->rowCount(); ++row) {
            QTableWidgetItem* item = m_rows->item(row, ColState);
            if (item->text().startsWith(QLatin1String("valid")) ||
                item->text().startsWith(QLatin1String("invalid"))) {
                continue;
            }
            if (cancelled) {
                item->setText(tr("cancelled"));
            } else if (!failed.isEmpty()) {
                item->setText(tr("not attempted: the order stopped when %1 failed")
                                  .arg(failed.join(tr(", "))));
            } else {
                item->setText(tr("not proved: %1").arg(why));
            }
            item->setToolTip(e.detail);
            // Red only for a name that failed itself.
            paintState(item, false, !cancelled && failed.isEmpty());
            m_rows->resizeRowToContents(row);
        }
        m_step->setText(cancelled ? tr("Cancelled") : tr("Failed"));
        m_result->setText(cancelled ? tr("The order was cancelled; nothing was stored.")
                                    : tr("Error: %1").arg(why));
        m_result->setToolTip(e.detail);
        emit orderFinished(false, e.message);
        return;
    }
    m_progress->setRange(0, 100);
    m_progress->setValue(100);
    m_step->setText(tr("Done"));
    QString text = tr("Issued. Stored in the inventory as certificate #%1 (%2, SHA-256 %3); "
                      "its private key is sealed in the key vault (key #%4).")
                       .arg(m_stored.certificateId)
                       .arg(m_stored.subject, m_stored.sha256Hex.left(16) + QStringLiteral("…"))
                       .arg(m_stored.keyId.value_or(0));
    if (m_stored.endpointId) {
        text += QLatin1Char(' ') +
                tr("It is now the current certificate of %1.").arg(m_stored.endpointName);
    }
    if (!m_stored.files.isEmpty()) {
        text += QLatin1Char(' ') + tr("Files written: %1.").arg(m_stored.files.join(tr(", ")));
    }
    m_result->setText(text);
    m_open->setEnabled(!m_stored.leaf.isNull());
    emit certificateStored(m_stored.certificateId, m_stored.endpointId.value_or(0));
    emit orderFinished(true, text);
}

} // namespace certdeck::ui
