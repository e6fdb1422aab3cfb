// SPDX-License-Identifier: GPL-3.0-or-later
#include "AcmeAccountDialog.h"

#include "acme/protocol/AcmeClient.h"
#include "acme/protocol/AcmeDirectory.h"
#include "acme/protocol/Base64Url.h"
#include "ui/common/Background.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::acme;

AcmeAccountDialog::AcmeAccountDialog(QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("acmeAccountDialog"));
    setWindowTitle(tr("New ACME account"));
    setMinimumWidth(560);
    auto* v = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_directory = new QLineEdit(this);
    m_directory->setObjectName(QStringLiteral("acmeDirectory"));
    m_directory->setPlaceholderText(
        QStringLiteral("https://acme-v02.api.letsencrypt.org/directory"));
    form->addRow(tr("CA &directory URL"), m_directory);
    m_trustFile = new QLineEdit(this);
    m_trustFile->setObjectName(QStringLiteral("acmeTrustFile"));
    m_trustFile->setPlaceholderText(tr("empty: the system's roots"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* trustRow = new QHBoxLayout;
    trustRow->addWidget(m_trustFile, 1);
    trustRow->addWidget(browse);
    form->addRow(tr("CA TLS roots (PEM)"), trustRow);
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("acmeAccountName"));
    m_name->setPlaceholderText(tr("empty: the CA's host name"));
    form->addRow(tr("&Name"), m_name);
    m_contact = new QLineEdit(this);
    m_contact->setObjectName(QStringLiteral("acmeContact"));
    m_contact->setPlaceholderText(QStringLiteral("ops@example.com, security@example.com"));
    form->addRow(tr("&Contact e-mail"), m_contact);
    m_terms = new QLabel(tr("Terms of service: enter the directory URL"), this);
    m_terms->setObjectName(QStringLiteral("acmeTerms"));
    m_terms->setOpenExternalLinks(true);
    m_terms->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_terms->setWordWrap(true);
    form->addRow(QString(), m_terms);
    m_agree = new QCheckBox(tr("I &agree to the CA's terms of service"), this);
    m_agree->setObjectName(QStringLiteral("acmeAgree"));
    form->addRow(QString(), m_agree);
    v->addLayout(form);

    auto* eab = new QGroupBox(tr("External account binding (only if the CA asks for it)"), this);
    auto* eabForm = new QFormLayout(eab);
    m_eabKid = new QLineEdit(eab);
    m_eabKid->setObjectName(QStringLiteral("acmeEabKid"));
    eabForm->addRow(tr("&Key ID"), m_eabKid);
    m_eabMac = new QLineEdit(eab);
    m_eabMac->setObjectName(QStringLiteral("acmeEabMac"));
    m_eabMac->setEchoMode(QLineEdit::Password);
    m_eabMac->setPlaceholderText(tr("base64url, as the CA hands it out"));
    eabForm->addRow(tr("&MAC key"), m_eabMac);
    v->addWidget(eab);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("acmeAccountProblem"));
    m_problem->setWordWrap(true);
    v->addWidget(m_problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_create = buttons->addButton(tr("Create account"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(QStringLiteral("acmeCreateAccount"));
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &AcmeAccountDialog::chooseTrustFile);

    m_readDelay = new QTimer(this);
    m_readDelay->setSingleShot(true);
    m_readDelay->setInterval(600);
    connect(m_readDelay, &QTimer::timeout, this, &AcmeAccountDialog::readDirectory);
    for (QLineEdit* e : {m_directory, m_trustFile}) {
        connect(e, &QLineEdit::textChanged, this, [this] {
            m_readDelay->start();
            check();
        });
    }
    for (QLineEdit* e : {m_contact, m_eabKid, m_eabMac, m_name}) {
        connect(e, &QLineEdit::textChanged, this, &AcmeAccountDialog::check);
    }
    connect(m_agree, &QCheckBox::toggled, this, &AcmeAccountDialog::check);
    check();
}

AcmeAccountDialog::~AcmeAccountDialog()
{
    m_eabMac->clear();
}

QString AcmeAccountDialog::termsText() const
{
    return m_terms->text();
}

void AcmeAccountDialog::chooseTrustFile()
{
    auto* dialog = new QFileDialog(this, tr("Roots trusted for the CA's TLS"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setNameFilters({tr("PEM certificates (*.pem *.crt)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString& path) { m_trustFile->setText(path); });
    dialog->open();
}

void AcmeAccountDialog::readDirectory()
{
    const int generation = ++m_generation;
    m_client.reset();
    const QUrl url(m_directory->text().trimmed());
    if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty()) {
        m_terms->setText(tr("Terms of service: enter the CA's https directory URL"));
        return;
    }
    m_terms->setText(tr("Terms of service: reading the directory…"));
    const QString trustFile = m_trustFile->text().trimmed();
    // The trust file is read off the GUI thread, then the client works
    // asynchronously on this one.
    runInBackground(
        this,
        [trustFile]() -> Result<QList<QSslCertificate>> {
            if (trustFile.isEmpty()) {
                return QList<QSslCertificate>();
            }
            return AcmeClient::loadTrustAnchors(trustFile);
        },
        [this, url, generation](const Result<QList<QSslCertificate>>& anchors) {
            if (generation != m_generation) {
                return;
            }
            if (!anchors) {
                m_terms->setText(tr("Cannot read the directory: %1")
                                     .arg(anchors.error().message.toHtmlEscaped()));
                emit directoryRead(false);
                return;
            }
            AcmeClientOptions options;
            options.directoryUrl = url;
            options.trustAnchors = *anchors;
            options.timeoutMs = 15000;
            m_client = std::make_unique<AcmeClient>(options);
            m_client->directory([this, generation](const Result<AcmeDirectory>& d) {
                if (generation != m_generation) {
                    return;
                }
                if (!d) {
                    m_terms->setText(
                        tr("Cannot read the directory: %1").arg(d.error().message.toHtmlEscaped()));
                    emit directoryRead(false);
                    return;
                }
                m_eabRequired = d->externalAccountRequired;
                QString text =
                    d->termsOfService.isEmpty()
                        ? tr("This CA publishes no terms of service.")
                        : tr("Terms of service: <a href=\"%1\">%2</a>")
                              .arg(d->termsOfService.toString(QUrl::FullyEncoded).toHtmlEscaped(),
                                   d->termsOfService.toString().toHtmlEscaped());
                if (m_eabRequired) {
                    text += tr("<br>This CA requires external account binding: enter the "
                               "key ID and MAC key it gave you.");
                }
                m_terms->setText(text);
                check();
                emit directoryRead(true);
            });
        });
}

Result<AcmeAccountTask> AcmeAccountDialog::task() const
{
    AcmeAccountTask t;
    t.action = AcmeAccountTask::Action::Create;
    t.directoryUrl = QUrl(m_directory->text().trimmed());
    if (!t.directoryUrl.isValid() || t.directoryUrl.scheme() != QLatin1String("https") ||
        t.directoryUrl.host().isEmpty()) {
        return fail(ErrorCode::InvalidInput, tr("The directory must be an https URL."));
    }
    t.trustFile = m_trustFile->text().trimmed();
    t.name = m_name->text().trimmed();
    const QStringList contacts =
        m_contact->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString& c : contacts) {
        const QString uri =
            c.startsWith(QLatin1String("mailto:")) ? c : QStringLiteral("mailto:") + c;
        if (!uri.contains(u'@') || uri.endsWith(u'@')) {
            return fail(ErrorCode::InvalidInput, tr("'%1' is not an e-mail address.").arg(c));
        }
        t.request.contact << uri;
    }
    if (!m_agree->isChecked()) {
        return fail(ErrorCode::InvalidInput, tr("Agree to the CA's terms of service first."));
    }
    t.request.termsOfServiceAgreed = true;
    const QString kid = m_eabKid->text().trimmed();
    const QByteArray mac = m_eabMac->text().trimmed().toLatin1();
    if (kid.isEmpty() != mac.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    tr("External account binding needs both the key ID and the MAC key."));
    }
    if (!kid.isEmpty()) {
        auto decoded = fromBase64Url(mac);
        if (!decoded || decoded->isEmpty()) {
            return fail(ErrorCode::InvalidInput, tr("The MAC key is not base64url."));
        }
        t.request.eab = EabCredentials{kid, *decoded};
    } else if (m_eabRequired) {
        return fail(ErrorCode::InvalidInput,
                    tr("This CA requires external account binding: enter the key ID and MAC "
                       "key."));
    }
    return t;
}

void AcmeAccountDialog::check()
{
    const auto t = task();
    m_problem->setText(t ? QString() : t.error().message);
    m_create->setEnabled(t.has_value());
}

} // namespace certdeck::ui
