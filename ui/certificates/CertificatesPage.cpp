// SPDX-License-Identifier: GPL-3.0-or-later
#include "CertificatesPage.h"

#include "ChainView.h"
#include "KeyCsrWizard.h"
#include "StoredList.h"
#include "crypto/CertificateDetails.h"
#include "crypto/CertificateReader.h"
#include "crypto/ChainJob.h"
#include "crypto/ServedChainFetcher.h"
#include "inventory/Store.h"
#include "revocation/RevocationCheck.h"
#include "ui/common/Background.h"
#include "ui/common/StoreTask.h"
#include "ui/common/highlight/TextHighlighting.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::crypto;

namespace {

struct FileLoad
{
    Result<CertificateBundle> bundle;
    Result<TrustStore> trust;
};

// A stored certificate's recorded chain and the name it is checked for.
struct StoredLoad
{
    QList<Certificate> chain;
    QString host; ///< the endpoint it is current on, when exactly one
    /// That endpoint's trust anchors (its bundle or its group's), if any.
    QByteArray bundlePem;
    QString bundleName;
};

Result<StoredLoad> loadStored(const inventory::Store& store, qint64 id)
{
    auto records = store.certificates().chain(id);
    if (!records) {
        return tl::unexpected(records.error());
    }
    StoredLoad out;
    for (const inventory::CertificateRecord& r : std::as_const(*records)) {
        auto c = Certificate::fromDer(r.der);
        if (!c) {
            return tl::unexpected(c.error());
        }
        out.chain << *c;
    }
    auto current = store.certificates().current();
    if (!current) {
        return tl::unexpected(current.error());
    }
    QList<qint64> endpoints;
    for (auto it = current->cbegin(); it != current->cend(); ++it) {
        if (it->id == id) {
            endpoints << it.key();
        }
    }
    // The anchors of the endpoints it is current on, when they all agree.
    QSet<qint64> bundles;
    for (qint64 endpointId : std::as_const(endpoints)) {
        auto e = store.endpoints().get(endpointId);
        if (!e) {
            return tl::unexpected(e.error());
        }
        if (endpoints.size() == 1) {
            out.host = e->sniName.isEmpty() ? e->host : e->sniName;
        }
        auto bundle = store.trustBundles().effectiveFor(*e);
        if (!bundle) {
            return tl::unexpected(bundle.error());
        }
        bundles.insert(bundle->has_value() ? (*bundle)->id : 0);
        if (bundle->has_value()) {
            out.bundlePem = (*bundle)->pem;
            out.bundleName = (*bundle)->name;
        }
    }
    if (bundles.size() != 1) {
        out.bundlePem.clear();
        out.bundleName.clear();
    }
    return out;
}

void addField(QTreeWidgetItem* parent, QTreeWidget* tree, const CertificateField& f)
{
    QString name = f.name;
    if (f.critical) {
        name += QObject::tr(" (critical)");
    }
    auto* item = parent != nullptr ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    item->setText(0, name);
    item->setText(1, f.value);
    item->setToolTip(0, f.oid);
    item->setToolTip(1, f.value);
    for (const CertificateField& c : f.children) {
        addField(item, tree, c);
    }
}

bool isDark(const QWidget* w)
{
    return w->palette().color(QPalette::Window).lightness() < 128;
}

} // namespace

CertificatesPage::CertificatesPage(QWidget* parent)
    : QWidget(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    setObjectName(QStringLiteral("certificatesPage"));
    setAcceptDrops(true);
    m_prompt = [this](const QString& question) -> std::optional<QByteArray> {
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("Passphrase"), question,
                                                   QLineEdit::Password, QString(), &ok);
        if (!ok) {
            return std::nullopt;
        }
        return text.toUtf8();
    };

    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto* open = new QPushButton(tr("&Open file…"), this);
    open->setObjectName(QStringLiteral("openButton"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a PEM, DER, PKCS#7 or PKCS#12 file (Ctrl+O); or drop files here"));
    connect(open, &QPushButton::clicked, this, &CertificatesPage::chooseFile);
    bar->addWidget(open);
    auto* newKey = new QPushButton(tr("&New key and CSR…"), this);
    newKey->setObjectName(QStringLiteral("newKeyButton"));
    newKey->setShortcut(QKeySequence::New);
    newKey->setToolTip(tr("Generate a private key and a certificate signing request (Ctrl+N)"));
    connect(newKey, &QPushButton::clicked, this, [this] {
        auto* wizard = new KeyCsrWizard(this);
        wizard->setAttribute(Qt::WA_DeleteOnClose);
        wizard->open();
    });
    bar->addWidget(newKey);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Check for host:"), this));
    m_host = new QLineEdit(this);
    m_host->setObjectName(QStringLiteral("hostEdit"));
    m_host->setPlaceholderText(tr("name or IP the certificate must match"));
    m_host->setClearButtonEnabled(true);
    bar->addWidget(m_host, 1);
    m_trustButton = new QPushButton(this);
    m_trustButton->setObjectName(QStringLiteral("trustButton"));
    m_trustButton->setToolTip(
        tr("Trust anchors: the system store, or a bundle of your own (an internal CA)"));
    connect(m_trustButton, &QPushButton::clicked, this, [this] {
        if (!m_trustBundle.isEmpty()) {
            setTrustBundle({});
            return;
        }
        const QString path = QFileDialog::getOpenFileName(this, tr("Trust anchors"), m_lastPath,
                                                          tr("PEM bundles (*.pem *.crt);;All "
                                                             "files (*)"));
        if (!path.isEmpty()) {
            setTrustBundle(path);
        }
    });
    bar->addWidget(m_trustButton);
    bar->addSpacing(12);
    m_endpoint = new QLineEdit(this);
    m_endpoint->setObjectName(QStringLiteral("endpointEdit"));
    m_endpoint->setPlaceholderText(tr("host:port of a live endpoint"));
    m_endpoint->setClearButtonEnabled(true);
    bar->addWidget(m_endpoint, 1);
    auto* fetch = new QPushButton(tr("&Inspect endpoint"), this);
    fetch->setObjectName(QStringLiteral("inspectButton"));
    connect(fetch, &QPushButton::clicked, this, [this] { openEndpoint(m_endpoint->text()); });
    connect(m_endpoint, &QLineEdit::returnPressed, this,
            [this] { openEndpoint(m_endpoint->text()); });
    bar->addWidget(fetch);
    v->addLayout(bar);

    m_status = new QLabel(tr("Open or drop a certificate, a bundle (fullchain.pem), a .p7b or a "
                             ".p12 file, or inspect a live endpoint."),
                          this);
    m_status->setObjectName(QStringLiteral("certStatus"));
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    setTrustBundle({});

    auto* outer = new QSplitter(Qt::Horizontal, this);
    outer->setObjectName(QStringLiteral("certificatesSplit"));
    auto* storedBox = new QWidget(outer);
    auto* sv = new QVBoxLayout(storedBox);
    sv->setContentsMargins(0, 0, 0, 0);
    auto* storedTitle = new QLabel(tr("<b>Stored</b> in the inventory"), storedBox);
    sv->addWidget(storedTitle);
    m_stored = new StoredList(QString(), storedBox);
    sv->addWidget(m_stored, 1);
    connect(m_stored, &StoredList::certificateSelected, this, [this](qint64 id) {
        if (id != m_storedShown) {
            openStoredCertificate(id);
        }
    });
    outer->addWidget(storedBox);
    auto* split = new QSplitter(Qt::Horizontal, outer);
    m_chain = new ChainView(split);
    connect(m_chain, &ChainView::certificateActivated, this, &CertificatesPage::showCertificate);
    m_tabs = new QTabWidget(split);
    m_fields = new QTreeWidget(m_tabs);
    m_fields->setObjectName(QStringLiteral("fieldTree"));
    m_fields->setHeaderLabels({tr("Field"), tr("Value")});
    m_fields->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tabs->addTab(m_fields, tr("&Fields"));
    m_pem = new QPlainTextEdit(m_tabs);
    m_pem->setObjectName(QStringLiteral("pemView"));
    m_pem->setReadOnly(true);
    m_pem->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    TextHighlighting::attach(m_pem->document(), TextLanguage::Pem, isDark(this));
    m_tabs->addTab(m_pem, tr("&PEM"));
    split->addWidget(m_chain);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    outer->addWidget(split);
    outer->setStretchFactor(0, 2);
    outer->setStretchFactor(1, 5);
    // Wide enough for a name and where it is used.
    outer->setSizes({420, 900});
    v->addWidget(outer, 1);
}

void CertificatesPage::setStoreLocation(const QString& location)
{
    m_storeLocation = location;
    m_stored->setStoreLocation(location);
}

void CertificatesPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Certificates are issued, imported and attached elsewhere meanwhile.
    if (!m_storeLocation.isEmpty()) {
        m_stored->reload();
    }
}

void CertificatesPage::openStoredCertificate(qint64 id)
{
    if (m_storeLocation.isEmpty()) {
        fail(tr("No inventory is open"));
        return;
    }
    m_storedShown = id;
    m_stored->selectCertificate(id);
    const QString origin = tr("stored certificate #%1").arg(id);
    m_status->setText(tr("Reading %1…").arg(origin));
    const QString bundle = m_trustBundle;
    runOnStore<StoredLoad>(
        this, m_storeLocation, [id](inventory::Store& s) { return loadStored(s, id); },
        [this, id, origin, bundle](const Result<StoredLoad>& r) {
            if (id != m_storedShown) {
                return; // another certificate was asked for since
            }
            if (!r) {
                fail(r.error().toString());
                return;
            }
            if (r->chain.isEmpty()) {
                fail(tr("%1 has no certificate recorded").arg(origin));
                return;
            }
            // The name the certificate serves, not the one typed for the
            // last file: a stale host would give a false mismatch.
            m_host->setText(r->host);
            const QList<Certificate> chain = r->chain;
            // A bundle chosen on the page wins; else the endpoint's own
            // anchors (an internal CA), as its probes verify it.
            const QByteArray pem = r->bundlePem;
            const QString pemName = r->bundleName;
            runInBackground(
                this,
                [bundle, pem, pemName] {
                    if (!bundle.isEmpty()) {
                        return TrustStore::fromFile(bundle);
                    }
                    return pem.isEmpty() ? TrustStore::system() : TrustStore::fromPem(pem, pemName);
                },
                [this, id, chain, origin](const Result<TrustStore>& trust) {
                    if (id != m_storedShown) {
                        return;
                    }
                    if (!trust) {
                        fail(trust.error().toString());
                        return;
                    }
                    inspect(chain, true, origin, *trust);
                });
        });
}

void CertificatesPage::setTrustBundle(const QString& bundlePath)
{
    m_trustBundle = bundlePath;
    m_trustButton->setText(bundlePath.isEmpty()
                               ? tr("Trust: system store")
                               : tr("Trust: %1").arg(QFileInfo(bundlePath).fileName()));
}

void CertificatesPage::setHost(const QString& host)
{
    m_host->setText(host);
}

QString CertificatesPage::statusText() const
{
    return m_status->text();
}

void CertificatesPage::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open certificates"), m_lastPath,
        tr("Certificates (*.pem *.crt *.cer *.der *.p7b *.p7c *.p12 *.pfx);;All files (*)"));
    if (!path.isEmpty()) {
        openFile(path);
    }
}

void CertificatesPage::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) {
        event->acceptProposedAction();
    }
}

void CertificatesPage::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            openFile(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
    }
}

void CertificatesPage::openFile(const QString& path)
{
    m_storedShown = 0;
    m_stored->table()->clearSelection();
    m_lastPath = path;
    load(path, {});
}

void CertificatesPage::fail(const QString& message)
{
    m_status->setText(tr("ERROR: %1").arg(message));
    m_chain->clear();
    emit loaded(false, message);
}

void CertificatesPage::load(const QString& path, const QByteArray& passphrase)
{
    m_status->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    const QString bundle = m_trustBundle;
    runInBackground(
        this,
        [path, passphrase, bundle] {
            return FileLoad{CertificateReader::readFile(path, passphrase),
                            bundle.isEmpty() ? TrustStore::system() : TrustStore::fromFile(bundle)};
        },
        [this, path](const FileLoad& r) {
            if (!r.bundle) {
                const Error& e = r.bundle.error();
                const bool needs = e.code == ErrorCode::InvalidInput &&
                                   e.message.contains(QLatin1String("needs a passphrase"));
                const bool wrong = e.message.startsWith(QLatin1String("Wrong passphrase"));
                if (needs || wrong) {
                    const QString q = wrong ? tr("Wrong passphrase. Passphrase for %1:")
                                            : tr("Passphrase for %1:");
                    const std::optional<QByteArray> pass =
                        m_prompt(q.arg(QFileInfo(path).fileName()));
                    if (pass) {
                        load(path, *pass);
                        return;
                    }
                    fail(tr("%1: no passphrase given").arg(QFileInfo(path).fileName()));
                    return;
                }
                fail(e.toString());
                return;
            }
            if (r.bundle->certificates.isEmpty()) {
                fail(tr("%1 holds no certificate").arg(QFileInfo(path).fileName()));
                return;
            }
            if (!r.trust) {
                fail(r.trust.error().toString());
                return;
            }
            inspect(r.bundle->certificates, false, QFileInfo(path).fileName(), *r.trust);
        });
}

void CertificatesPage::openEndpoint(const QString& endpoint)
{
    m_storedShown = 0;
    m_stored->table()->clearSelection();
    auto options = ServedChainFetcher::parseEndpoint(endpoint.trimmed());
    if (!options) {
        fail(options.error().toString());
        return;
    }
    if (m_host->text().trimmed().isEmpty()) {
        m_host->setText(options->host);
    }
    m_status->setText(tr("Connecting to %1…").arg(endpoint.trimmed()));
    const QString origin = endpoint.trimmed();
    ServedChainFetcher::fetchAsync(
        *options, this, [this, origin](const Result<ServedChain>& served) {
            // The bundle is read off the GUI thread, like the system store.
            if (!served) {
                fail(served.error().toString());
                return;
            }
            const QList<Certificate> certs = served->certificates;
            const QString bundle = m_trustBundle;
            runInBackground(
                this,
                [bundle] {
                    return bundle.isEmpty() ? TrustStore::system() : TrustStore::fromFile(bundle);
                },
                [this, certs, origin](const Result<TrustStore>& trust) {
                    if (!trust) {
                        fail(trust.error().toString());
                        return;
                    }
                    inspect(certs, true, origin, *trust);
                });
        });
}

void CertificatesPage::inspect(const QList<Certificate>& served, bool fromServer,
                               const QString& origin, const TrustStore& trust)
{
    ChainInput input;
    input.served = served;
    input.host = m_host->text().trimmed();
    ChainJobOptions options;
    options.verify.leafPosition = fromServer ? ChainVerifyOptions::LeafPosition::First
                                             : ChainVerifyOptions::LeafPosition::Detect;
    const QDateTime now = m_clock();
    m_status->setText(tr("Verifying the chain of %1…").arg(origin));
    if (m_revocation) {
        // A new chain: the old check's answer would land on the wrong cards.
        m_revocation->disconnect(this);
        m_revocation->cancel();
        m_revocation->deleteLater();
    }
    const quint64 inspection = ++m_inspection;
    ChainJob* job =
        ChainJob::run(input, trust, now, options, this,
                      [this, now, origin, inspection](const ChainReport& report) {
                          if (inspection != m_inspection) {
                              return; // another chain was opened since: this one is not shown
                          }
                          m_chain->setReport(report, now);
                          if (!report.built.isEmpty()) {
                              showCertificate(report.built.first().certificate);
                          }
                          // Revocation next: requests on this loop, verification on worker
                          // threads; the cards are shown meanwhile and redrawn after.
                          m_status->setText(tr("%1: checking revocation…").arg(origin));
                          auto* check = new revocation::RevocationCheck(report, {}, this);
                          m_revocation = check;
                          connect(check, &revocation::RevocationCheck::progress, m_status,
                                  [this](const QString&, double, const QString& message) {
                                      m_status->setText(message);
                                  });
                          connect(check, &revocation::RevocationCheck::finished, this,
                                  [this, check, now, origin](const Status& status) {
                                      const ChainReport& checked = check->report();
                                      if (status) {
                                          m_chain->setReport(checked, now);
                                      }
                                      m_status->setText(tr("%1: %n certificate(s) served", nullptr,
                                                           int(checked.served.size()))
                                                            .arg(origin));
                                      check->deleteLater();
                                      emit loaded(true, checked.summary);
                                  });
                          check->start();
                      });
    connect(job, &ChainJob::progress, m_status, &QLabel::setText);
}

void CertificatesPage::showCertificate(const Certificate& certificate)
{
    m_fields->clear();
    const CertificateDetails d = CertificateDetails::decode(certificate, m_clock());
    for (const CertificateField& f : d.fields) {
        addField(nullptr, m_fields, f);
    }
    m_fields->expandToDepth(0);
    m_pem->setPlainText(QString::fromLatin1(certificate.toPem()));
}

} // namespace certdeck::ui
