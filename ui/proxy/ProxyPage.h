// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "proxy/CertificateSource.h"
#include "proxy/ProxyConfig.h"
#include "proxy/ProxyStats.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace certdeck::proxy {
class Proxy;
}

namespace certdeck::ui {

class VaultSession;

/// Proxy: starts and stops the local TLS-termination proxy and shows its
/// live statistics (handshakes per second, open connections, protocol and
/// suite mix, errors by reason) and the crypto hardware it runs on.
/// Starting, reloading and stopping (which drains connections) run off the
/// GUI thread; the statistics are read from the proxy's counters once a
/// second. With an inventory (setInventory()) the certificates can also be
/// endpoints': their current certificate with its key from the key vault,
/// taken in memory (the passphrase asked through the console's vault
/// session) and taken again on reload, so a renewed one is served.
class ProxyPage : public QWidget
{
    Q_OBJECT
public:
    explicit ProxyPage(QWidget* parent = nullptr);
    ~ProxyPage() override;

    void setListen(const QString& address);
    void setBackend(const QString& address);
    void setCertificateFiles(const QStringList& files);
    /// Offers the endpoints of this store with a current certificate as
    /// sources; `vault` (not owned) asks for the master passphrase.
    void setInventory(const QString& storePath, VaultSession* vault);
    /// Reads the endpoints offered again (also done when the page is shown).
    void refreshEndpoints();
    [[nodiscard]] bool isRunning() const { return m_proxy != nullptr; }

    void start();
    void reload();
    void stop();

signals:
    /// After start(): ok, or why not (the message names the field or file).
    void started(bool ok, const QString& message);
    void reloaded(bool ok, const QString& message);
    void stopped();
    /// After refreshEndpoints(): how many endpoints are offered, or why none.
    void endpointsLoaded(int count, const QString& problem);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void addCertificates();
    void addEndpoint();
    [[nodiscard]] QStringList certificateSpecs() const;
    /// Resolves the endpoint sources (asking the vault passphrase if need
    /// be) and calls `then` with what to serve; tells problems itself.
    void withSources(const QString& doing,
                     std::function<void(const QList<proxy::CertificateSource>&)> then);
    void launch(const proxy::ProxyConfig& config);
    void refreshStats();
    void setBusy(bool busy);
    void showStatus(const QString& text, bool problem);

    QLineEdit* m_listen = nullptr;
    QLineEdit* m_backend = nullptr;
    QListWidget* m_certs = nullptr;
    QLabel* m_endpointsLabel = nullptr;
    QComboBox* m_endpoints = nullptr;
    QPushButton* m_addEndpoint = nullptr;
    QSpinBox* m_workers = nullptr;
    QComboBox* m_policy = nullptr;
    QComboBox* m_mode = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_reload = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_hardware = nullptr;
    QLabel* m_open = nullptr;
    QLabel* m_fullRate = nullptr;
    QLabel* m_resumedRate = nullptr;
    QLabel* m_handshakes = nullptr;
    QLabel* m_protocols = nullptr;
    QLabel* m_suites = nullptr;
    QLabel* m_bytes = nullptr;
    QLabel* m_errors = nullptr;
    QTimer m_tick;
    std::shared_ptr<proxy::Proxy> m_proxy;
    proxy::ProxyStatsSnapshot m_last;
    QElapsedTimer m_lastAt;
    bool m_busy = false;
    QString m_storePath;
    QPointer<VaultSession> m_vault;
};

} // namespace certdeck::ui
