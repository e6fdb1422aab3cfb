// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"
#include "crypto/TrustStore.h"

#include <QByteArray>
#include <QDateTime>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;

namespace certdeck::revocation {
class RevocationCheck;
} // namespace certdeck::revocation

namespace certdeck::ui {

class ChainView;
class StoredList;

/// "Certificates & Keys": open or drop a certificate, bundle, PKCS#7 or
/// PKCS#12 file; the chain inspector shows the chain as built and as served
/// with a verdict per link; the field tree and the PEM text show the
/// certificate picked in the chain. Reading and verifying run off the GUI
/// thread.
class CertificatesPage : public QWidget
{
    Q_OBJECT
public:
    explicit CertificatesPage(QWidget* parent = nullptr);

    /// Reads `path` and verifies its chain in the background; loaded() tells
    /// when done.
    void openFile(const QString& path);

    /// Fetches the chain a live endpoint serves ("host[:port]") in the
    /// background and inspects it; loaded() tells when done.
    void openEndpoint(const QString& endpoint);

    /// The inventory whose certificates and keys the Stored list shows.
    void setStoreLocation(const QString& location);
    /// Shows stored certificate `id` with its recorded chain (read off the
    /// GUI thread), checked for the endpoint it is current on (if one); the
    /// Stored list selects it. loaded() tells when done.
    void openStoredCertificate(qint64 id);

    /// Verify against the anchors in `bundlePath` instead of the system store
    /// (an internal CA); empty for the system store.
    void setTrustBundle(const QString& bundlePath);
    /// The host name or IP the leaf must be valid for.
    void setHost(const QString& host);

    /// The clock verdicts are made against; tests move time without sleeping.
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

    /// Asks the user for a passphrase (PKCS#12, encrypted keys); nullopt when
    /// cancelled. Tests replace it; the default shows a password dialog.
    using PassphrasePrompt = std::function<std::optional<QByteArray>(const QString& question)>;
    void setPassphrasePrompt(PassphrasePrompt prompt) { m_prompt = std::move(prompt); }

    [[nodiscard]] ChainView* chainView() const { return m_chain; }
    [[nodiscard]] StoredList* storedList() const { return m_stored; }
    [[nodiscard]] QString statusText() const;
    /// Shows one certificate's fields and PEM (a card was double-clicked).
    void showCertificate(const crypto::Certificate& certificate);

signals:
    /// A file was read and verified (`ok`), or failed with `message`.
    void loaded(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void chooseFile();
    void load(const QString& path, const QByteArray& passphrase);
    void inspect(const QList<crypto::Certificate>& served, bool fromServer, const QString& origin,
                 const crypto::TrustStore& trust);
    void fail(const QString& message);

    QString m_storeLocation;
    StoredList* m_stored = nullptr;
    qint64 m_storedShown = 0; ///< the stored certificate asked for last (0: none)
    quint64 m_inspection = 0; ///< bumped per chain inspected; older results are dropped
    PassphrasePrompt m_prompt;
    std::function<QDateTime()> m_clock;
    QLineEdit* m_endpoint = nullptr;
    QLineEdit* m_host = nullptr;
    QLabel* m_status = nullptr;
    ChainView* m_chain = nullptr;
    QTabWidget* m_tabs = nullptr;
    QTreeWidget* m_fields = nullptr;
    QPlainTextEdit* m_pem = nullptr;
    QString m_lastPath;
    QString m_trustBundle;
    QPushButton* m_trustButton = nullptr;
    /// The revocation check of the chain shown, if one is running.
    QPointer<revocation::RevocationCheck> m_revocation;
};

} // namespace certdeck::ui
