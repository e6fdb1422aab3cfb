// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyPage.h"

#include "inventory/KeyVault.h"
#include "proxy/Proxy.h"
#include "services/ProxyCertificates.h"
#include "ui/common/Background.h"
#include "ui/common/StoreTask.h"
#include "ui/common/VaultSession.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::proxy;

namespace {

// An endpoint item of the certificate list keeps its --cert spec here; a
// file item's spec is its text.
constexpr int kSpecRole = Qt::UserRole + 1;

QLabel* valueLabel(const QString& name, QWidget* parent)
{
    auto* l = new QLabel(QStringLiteral("–"), parent);
    l->setObjectName(name);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}

} // namespace

ProxyPage::ProxyPage(QWidget* parent)
    : QWidget(parent)
{
    auto* form = new QFormLayout;
    m_listen = new QLineEdit(QStringLiteral("127.0.0.1:8443"), this);
    m_listen->setObjectName(QStringLiteral("proxyListen"));
    m_backend = new QLineEdit(QStringLiteral("127.0.0.1:8080"), this);
    m_backend->setObjectName(QStringLiteral("proxyBackend"));
    form->addRow(tr("&Listen on"), m_listen);
    form->addRow(tr("&Backend"), m_backend);

    m_certs = new QListWidget(this);
    m_certs->setObjectName(QStringLiteral("proxyCertificates"));
    m_certs->setMaximumHeight(90);
    auto* addCert = new QPushButton(tr("&Add…"), this);
    auto* removeCert = new QPushButton(tr("Re&move"), this);
    auto* certButtons = new QVBoxLayout;
    certButtons->addWidget(addCert);
    certButtons->addWidget(removeCert);
    certButtons->addStretch();
    auto* certRow = new QHBoxLayout;
    certRow->addWidget(m_certs, 1);
    certRow->addLayout(certButtons);
    form->addRow(tr("Certificates\n(PEM: chain + key;\nthe first is the default)"), certRow);
    m_endpoints = new QComboBox(this);
    m_endpoints->setObjectName(QStringLiteral("proxyEndpoint"));
    m_endpoints->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_addEndpoint = new QPushButton(tr("Add &endpoint"), this);
    m_addEndpoint->setObjectName(QStringLiteral("proxyAddEndpoint"));
    auto* endpointRow = new QHBoxLayout;
    endpointRow->addWidget(m_endpoints, 1);
    endpointRow->addWidget(m_addEndpoint);
    m_endpointsLabel = new QLabel(tr("From the &inventory"), this);
    m_endpointsLabel->setBuddy(m_endpoints);
    form->addRow(m_endpointsLabel, endpointRow);
    // Only with a store (setInventory()).
    for (QWidget* w : {static_cast<QWidget*>(m_endpointsLabel), static_cast<QWidget*>(m_endpoints),
                       static_cast<QWidget*>(m_addEndpoint)}) {
        w->setVisible(false);
    }

    m_workers = new QSpinBox(this);
    m_workers->setObjectName(QStringLiteral("proxyWorkers"));
    m_workers->setRange(1, QThread::idealThreadCount() * 2);
    m_workers->setValue(1);
    form->addRow(tr("&Workers"), m_workers);
    m_policy = new QComboBox(this);
    m_policy->addItem(tr("Intermediate (TLS 1.2 and 1.3)"),
                      static_cast<int>(TlsPolicy::Intermediate));
    m_policy->addItem(tr("Modern (TLS 1.3 only)"), static_cast<int>(TlsPolicy::Modern));
    form->addRow(tr("&Policy"), m_policy);
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("TCP relay"), static_cast<int>(ProxyMode::Tcp));
    m_mode->addItem(tr("HTTP/1.1 (HSTS, X-Forwarded-For/-Proto)"),
                    static_cast<int>(ProxyMode::Http));
    form->addRow(tr("M&ode"), m_mode);

    m_start = new QPushButton(tr("&Start"), this);
    m_start->setObjectName(QStringLiteral("proxyStart"));
    m_start->setShortcut(QKeySequence(QStringLiteral("Ctrl+Return")));
    m_reload = new QPushButton(tr("&Reload certificates"), this);
    m_reload->setObjectName(QStringLiteral("proxyReload"));
    m_stop = new QPushButton(tr("S&top"), this);
    m_stop->setObjectName(QStringLiteral("proxyStop"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_reload);
    buttons->addWidget(m_stop);
    buttons->addStretch();

    m_status = new QLabel(tr("Stopped."), this);
    m_status->setObjectName(QStringLiteral("proxyStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* stats = new QGroupBox(tr("Live statistics"), this);
    auto* statsForm = new QFormLayout(stats);
    m_open = valueLabel(QStringLiteral("statOpen"), stats);
    m_fullRate = valueLabel(QStringLiteral("statFullRate"), stats);
    m_resumedRate = valueLabel(QStringLiteral("statResumedRate"), stats);
    m_handshakes = valueLabel(QStringLiteral("statHandshakes"), stats);
    m_protocols = valueLabel(QStringLiteral("statProtocols"), stats);
    m_suites = valueLabel(QStringLiteral("statSuites"), stats);
    m_bytes = valueLabel(QStringLiteral("statBytes"), stats);
    m_errors = valueLabel(QStringLiteral("statErrors"), stats);
    statsForm->addRow(tr("Open connections"), m_open);
    statsForm->addRow(tr("Full handshakes per second"), m_fullRate);
    statsForm->addRow(tr("Resumed handshakes per second"), m_resumedRate);
    statsForm->addRow(tr("Handshakes (full / resumed)"), m_handshakes);
    statsForm->addRow(tr("Protocols"), m_protocols);
    statsForm->addRow(tr("Cipher suites"), m_suites);
    statsForm->addRow(tr("Received (clients / backend)"), m_bytes);
    statsForm->addRow(tr("Connections ended early"), m_errors);

    m_hardware = new QLabel(this);
    m_hardware->setObjectName(QStringLiteral("proxyHardware"));
    m_hardware->setWordWrap(true);
    m_hardware->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->addLayout(form);
    v->addLayout(buttons);
    v->addWidget(m_status);
    v->addWidget(stats);
    v->addWidget(m_hardware);
    v->addStretch();

    connect(addCert, &QPushButton::clicked, this, &ProxyPage::addCertificates);
    connect(m_addEndpoint, &QPushButton::clicked, this, &ProxyPage::addEndpoint);
    connect(removeCert, &QPushButton::clicked, this,
            [this] { qDeleteAll(m_certs->selectedItems()); });
    connect(m_start, &QPushButton::clicked, this, &ProxyPage::start);
    connect(m_reload, &QPushButton::clicked, this, &ProxyPage::reload);
    connect(m_stop, &QPushButton::clicked, this, &ProxyPage::stop);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &ProxyPage::refreshStats);
    setBusy(false);
}

ProxyPage::~ProxyPage()
{
    // Closing the console stops the proxy at once, on the pool, so that
    // closing never waits for a drain.
    if (m_proxy) {
        auto proxy = std::move(m_proxy);
        (void)QtConcurrent::run([proxy] { proxy->stop(false); });
    }
}

void ProxyPage::setListen(const QString& address)
{
    m_listen->setText(address);
}

void ProxyPage::setBackend(const QString& address)
{
    m_backend->setText(address);
}

void ProxyPage::setCertificateFiles(const QStringList& files)
{
    m_certs->clear();
    m_certs->addItems(files);
}

void ProxyPage::setInventory(const QString& storePath, VaultSession* vault)
{
    m_storePath = storePath;
    m_vault = vault;
    for (QWidget* w : {static_cast<QWidget*>(m_endpointsLabel), static_cast<QWidget*>(m_endpoints),
                       static_cast<QWidget*>(m_addEndpoint)}) {
        w->setVisible(true);
    }
    // Read when shown (showEvent), not while the console starts up.
    if (isVisible()) {
        refreshEndpoints();
    }
}

void ProxyPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // A certificate issued or imported since the page was last shown.
    if (!m_storePath.isEmpty() && !m_busy && !m_proxy) {
        refreshEndpoints();
    }
}

void ProxyPage::refreshEndpoints()
{
    if (m_storePath.isEmpty()) {
        return;
    }
    runOnStore<QList<services::ProxyEndpointChoice>>(
        this, m_storePath,
        [](inventory::Store& store) { return services::proxyEndpointChoices(store); },
        [this](const Result<QList<services::ProxyEndpointChoice>>& choices) {
            const QVariant kept = m_endpoints->currentData();
            m_endpoints->clear();
            if (!choices) {
                m_endpoints->addItem(
                    tr("Cannot read the inventory: %1").arg(choices.error().message));
                m_endpoints->setEnabled(false);
                m_addEndpoint->setEnabled(false);
                emit endpointsLoaded(0, choices.error().message);
                return;
            }
            for (const auto& c : *choices) {
                QString text = tr("%1 — %2, until %3")
                                   .arg(c.address, c.subject,
                                        QLocale().toString(c.notAfter.toLocalTime().date(),
                                                           QLocale::ShortFormat));
                if (!c.hasKey) {
                    text += tr(" (its key is not in the vault)");
                }
                m_endpoints->addItem(text, c.endpointId);
            }
            if (choices->isEmpty()) {
                m_endpoints->addItem(tr("No endpoint has a certificate in the inventory"));
            }
            const int at = m_endpoints->findData(kept);
            m_endpoints->setCurrentIndex(at >= 0 ? at : 0);
            const bool any = !choices->isEmpty();
            m_endpoints->setEnabled(any && !m_busy && !m_proxy);
            m_addEndpoint->setEnabled(any && !m_busy && !m_proxy);
            emit endpointsLoaded(static_cast<int>(choices->size()), QString());
        });
}

void ProxyPage::addEndpoint()
{
    const QVariant id = m_endpoints->currentData();
    if (!id.isValid()) {
        return;
    }
    const QString spec = QStringLiteral("endpoint:%1").arg(id.toLongLong());
    for (int i = 0; i < m_certs->count(); ++i) {
        if (m_certs->item(i)->data(kSpecRole).toString() == spec) {
            return; // once is enough: the same certificate twice is refused
        }
    }
    auto* item = new QListWidgetItem(
        tr("Endpoint %1").arg(m_endpoints->currentText().section(QStringLiteral(" — "), 0, 0)),
        m_certs);
    item->setData(kSpecRole, spec);
    item->setToolTip(tr("The endpoint's current certificate, with its key from the key vault; "
                        "taken again on reload."));
}

QStringList ProxyPage::certificateSpecs() const
{
    QStringList specs;
    for (int i = 0; i < m_certs->count(); ++i) {
        const QListWidgetItem* item = m_certs->item(i);
        const QString spec = item->data(kSpecRole).toString();
        specs << (spec.isEmpty() ? item->text() : spec);
    }
    return specs;
}

void ProxyPage::withSources(const QString& doing,
                            std::function<void(const QList<CertificateSource>&)> then)
{
    const QStringList specs = certificateSpecs();
    bool fromInventory = false;
    for (int i = 0; i < m_certs->count(); ++i) {
        fromInventory = fromInventory || !m_certs->item(i)->data(kSpecRole).toString().isEmpty();
    }
    if (!fromInventory) {
        QList<CertificateSource> files;
        for (const QString& f : specs) {
            files << CertificateSource::fromFile(f);
        }
        then(files);
        return;
    }
    const auto failed = [this, doing](const QString& why) {
        setBusy(false);
        if (doing == QLatin1String("start")) {
            showStatus(why, true);
            emit started(false, why);
        } else {
            showStatus(tr("reload failed, still serving the previous certificates: %1").arg(why),
                       true);
            emit reloaded(false, why);
        }
    };
    if (!m_vault) {
        failed(tr("certificates from the inventory need the key vault, which this page has not"));
        return;
    }
    setBusy(true);
    showStatus(tr("Taking the certificates and keys from the inventory…"), false);
    m_vault->withPassphrase(this, [this, specs, failed, then](const QByteArray& passphrase,
                                                              bool initialize) {
        setBusy(true);
        if (initialize) {
            // A vault without a passphrase holds no key to serve.
            m_vault->forget();
            failed(tr("the key vault is not set up yet, so it holds no key to serve"));
            return;
        }
        runOnStore<services::ProxyCertificates>(
            this, m_storePath,
            [passphrase, specs](inventory::Store& store) -> Result<services::ProxyCertificates> {
                inventory::KeyVault vault(store);
                if (auto st = vault.unlock(passphrase); !st) {
                    return fail(st.error().code,
                                QStringLiteral("the key vault: ") + st.error().message,
                                st.error().detail);
                }
                return services::proxyCertificatesFor(store, vault, specs);
            },
            [this, failed, then](const Result<services::ProxyCertificates>& resolved) {
                if (!resolved) {
                    if (resolved.error().code == ErrorCode::Crypto &&
                        resolved.error().message.startsWith(QLatin1String("the key vault:"))) {
                        m_vault->forget(); // asked again next time
                    }
                    failed(resolved.error().toString());
                    return;
                }
                then(resolved->sources);
            });
    });
    // The passphrase is asked (window-modal): if the user cancels, nothing
    // comes back, so the page must not stay busy meanwhile.
    if (!m_vault->isHeld()) {
        setBusy(false);
        showStatus(tr("Waiting for the key vault's master passphrase…"), false);
    }
}

void ProxyPage::addCertificates()
{
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Certificate and key (PEM)"), {},
                                      tr("PEM files (*.pem *.crt *.key);;All files (*)"));
    m_certs->addItems(files);
}

void ProxyPage::setBusy(bool busy)
{
    m_busy = busy;
    const bool running = m_proxy != nullptr;
    m_start->setEnabled(!busy && !running);
    m_reload->setEnabled(!busy && running);
    m_stop->setEnabled(!busy && running);
    for (QWidget* w : {static_cast<QWidget*>(m_listen), static_cast<QWidget*>(m_backend),
                       static_cast<QWidget*>(m_certs), static_cast<QWidget*>(m_workers),
                       static_cast<QWidget*>(m_policy), static_cast<QWidget*>(m_mode)}) {
        w->setEnabled(!busy && !running);
    }
    const bool endpoints = m_endpoints->currentData().isValid();
    m_endpoints->setEnabled(!busy && !running && endpoints);
    m_addEndpoint->setEnabled(!busy && !running && endpoints);
}

void ProxyPage::showStatus(const QString& text, bool problem)
{
    // The word "Problem:" carries the meaning, not a colour alone.
    m_status->setText(problem ? tr("Problem: %1").arg(text) : text);
}

void ProxyPage::start()
{
    if (m_busy || m_proxy) {
        return;
    }
    ProxyConfig c;
    auto listen = parseSocketAddress(m_listen->text().trimmed(), true);
    auto backend = parseSocketAddress(m_backend->text().trimmed(), false);
    QString problem;
    if (!listen) {
        problem = tr("Listen on: %1").arg(listen.error().message);
    } else if (!backend) {
        problem = tr("Backend: %1").arg(backend.error().message);
    } else if (m_certs->count() == 0) {
        problem = tr("add at least one certificate (a file or an endpoint)");
    }
    if (!problem.isEmpty()) {
        showStatus(problem, true);
        emit started(false, problem);
        return;
    }
    c.listen = *listen;
    c.backend = *backend;
    c.workers = m_workers->value();
    c.policy = static_cast<TlsPolicy>(m_policy->currentData().toInt());
    c.mode = static_cast<ProxyMode>(m_mode->currentData().toInt());
    if (c.mode == ProxyMode::Http) {
        c.alpn = {QStringLiteral("http/1.1")};
    }
    withSources(QStringLiteral("start"), [this, c](const QList<CertificateSource>& sources) {
        if (m_proxy) {
            return;
        }
        ProxyConfig config = c;
        config.certificates = sources;
        launch(config);
    });
}

void ProxyPage::launch(const ProxyConfig& c)
{
    setBusy(true);
    showStatus(tr("Starting…"), false);
    runInBackground(
        this,
        [c] {
            auto p = std::make_shared<Proxy>(c);
            const Status st = p->start();
            return std::make_pair(st ? p : nullptr, st ? QString() : st.error().toString());
        },
        [this](const std::pair<std::shared_ptr<Proxy>, QString>& result) {
            m_proxy = result.first;
            if (!m_proxy) {
                setBusy(false);
                showStatus(result.second, true);
                emit started(false, result.second);
                return;
            }
            const SocketAddress at{m_proxy->config().listen.address, m_proxy->port()};
            const QString text = tr("Listening on %1, relaying to %2 (%n worker(s), %3 policy).",
                                    "", m_proxy->config().workers)
                                     .arg(at.toString(), m_proxy->config().backend.toString(),
                                          policyName(m_proxy->config().policy));
            showStatus(text, false);
            m_hardware->setText(m_proxy->hardware().lines().join(u'\n'));
            m_last = {};
            m_lastAt.start();
            m_tick.start();
            setBusy(false);
            refreshStats();
            emit started(true, text);
        });
}

void ProxyPage::reload()
{
    if (m_busy || !m_proxy) {
        return;
    }
    // Endpoints are resolved again: a renewal since the start is served.
    withSources(QStringLiteral("reload"), [this](const QList<CertificateSource>& sources) {
        if (!m_proxy) {
            return;
        }
        setBusy(true);
        runInBackground(
            this,
            [p = m_proxy, sources, policy = m_proxy->config().policy] {
                const Status st = p->reload(sources, policy);
                return st ? QString() : st.error().toString();
            },
            [this](const QString& error) {
                setBusy(false);
                if (error.isEmpty()) {
                    showStatus(tr("Certificates reloaded; handshakes in flight finished on the "
                                  "previous ones."),
                               false);
                } else {
                    showStatus(
                        tr("reload failed, still serving the previous certificates: %1").arg(error),
                        true);
                }
                emit reloaded(error.isEmpty(), error);
            });
    });
}

void ProxyPage::stop()
{
    if (m_busy || !m_proxy) {
        return;
    }
    m_tick.stop();
    refreshStats();
    setBusy(true);
    showStatus(tr("Stopping: open connections finish first…"), false);
    auto proxy = std::move(m_proxy);
    runInBackground(
        this,
        [proxy] {
            proxy->stop(true);
            return true;
        },
        [this](bool) {
            setBusy(false);
            showStatus(tr("Stopped."), false);
            emit stopped();
        });
}

void ProxyPage::refreshStats()
{
    if (!m_proxy) {
        return;
    }
    const ProxyStatsSnapshot s = m_proxy->stats();
    const double secs = std::max(0.001, static_cast<double>(m_lastAt.restart()) / 1000.0);
    const QLocale locale;
    m_open->setText(locale.toString(static_cast<qlonglong>(s.open)));
    m_fullRate->setText(locale.toString(
        static_cast<double>(s.handshakesFull - m_last.handshakesFull) / secs, 'f', 1));
    m_resumedRate->setText(locale.toString(
        static_cast<double>(s.handshakesResumed - m_last.handshakesResumed) / secs, 'f', 1));
    m_handshakes->setText(QStringLiteral("%1 / %2").arg(
        locale.toString(static_cast<qulonglong>(s.handshakesFull)),
        locale.toString(static_cast<qulonglong>(s.handshakesResumed))));
    m_protocols->setText(tr("TLS 1.3: %1, TLS 1.2: %2")
                             .arg(locale.toString(static_cast<qulonglong>(s.tls13)),
                                  locale.toString(static_cast<qulonglong>(s.tls12))));
    QStringList suites;
    for (auto it = s.suites.cbegin(); it != s.suites.cend(); ++it) {
        suites << QStringLiteral("%1: %2").arg(
            it.key(), locale.toString(static_cast<qulonglong>(it.value())));
    }
    m_suites->setText(suites.isEmpty() ? tr("none yet") : suites.join(u'\n'));
    m_bytes->setText(QStringLiteral("%1 / %2").arg(
        locale.formattedDataSize(static_cast<qint64>(s.bytesFromClients)),
        locale.formattedDataSize(static_cast<qint64>(s.bytesFromBackend))));
    QStringList errors;
    for (int i = 0; i < static_cast<int>(CloseReason::Count_); ++i) {
        if (s.closed[i] > 0) {
            errors << QStringLiteral("%1: %2").arg(
                closeReasonName(static_cast<CloseReason>(i)),
                locale.toString(static_cast<qulonglong>(s.closed[i])));
        }
    }
    m_errors->setText(errors.isEmpty() ? tr("none") : errors.join(u'\n'));
    m_last = s;
}

} // namespace certdeck::ui
