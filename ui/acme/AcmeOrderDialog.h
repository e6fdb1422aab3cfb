// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "services/IssueService.h"

#include <QDialog>
#include <QHash>
#include <QPointer>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace certdeck::ui {

class VaultSession;

/// "New order": the names (one per line; IP addresses too; wildcards only
/// with DNS-01), the challenge and its settings (HTTP-01 responder
/// address:port or webroot folder, DNS-01 RFC 2136 server, zone and TSIG key,
/// TLS-ALPN-01 address:port), the key type and an optional folder for the
/// files. Start runs an IssueService off the GUI thread and shows every
/// authorization as a row whose state changes live (pending, challenge
/// published, processing, valid or invalid with the CA's reason), overall
/// progress, Cancel, and at the end where the certificate went. The endpoint
/// the certificate is for (the one the dialog was opened from, or one picked
/// from the inventory's, or none) gets it attached in the same transaction
/// (IssueTask::endpointId); certificateStored() tells whoever shows it.
class AcmeOrderDialog : public QDialog
{
    Q_OBJECT
public:
    /// Challenge choices, in the order of the challenge box.
    enum class Challenge
    {
        Http01Responder,
        Http01Webroot,
        Dns01,
        TlsAlpn01
    };

    AcmeOrderDialog(QString storePath, VaultSession* vault,
                    const QList<inventory::IssuerRecord>& accounts, qint64 accountId,
                    QWidget* parent = nullptr);
    ~AcmeOrderDialog() override;

    /// The endpoint to attach the certificate to (0: none); its name goes
    /// into an empty names box. The inventory's endpoints are read off the
    /// GUI thread (endpointsLoaded()).
    void setEndpoint(qint64 endpointId);
    [[nodiscard]] qint64 endpointId() const;
    [[nodiscard]] QComboBox* endpointBox() const { return m_endpoint; }

    /// The task the fields describe, or what is wrong with them.
    [[nodiscard]] Result<services::IssueTask> task() const;
    /// Starts the order (as the Start button does); false with the problem
    /// shown when the fields are incomplete.
    bool start();
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_job != nullptr; }

    void setChallenge(Challenge challenge);
    [[nodiscard]] QPlainTextEdit* namesEdit() const { return m_names; }
    [[nodiscard]] QLineEdit* responderEdit() const { return m_responder; }
    [[nodiscard]] QLineEdit* webrootEdit() const { return m_webroot; }
    [[nodiscard]] QLineEdit* tlsAlpnEdit() const { return m_tlsAlpn; }
    [[nodiscard]] QLineEdit* dnsServerEdit() const { return m_dnsServer; }
    [[nodiscard]] QLineEdit* dnsZoneEdit() const { return m_dnsZone; }
    [[nodiscard]] QLineEdit* tsigNameEdit() const { return m_tsigName; }
    [[nodiscard]] QLineEdit* tsigSecretEdit() const { return m_tsigSecret; }
    [[nodiscard]] QLineEdit* outputFolderEdit() const { return m_output; }
    [[nodiscard]] QTableWidget* authorizations() const { return m_rows; }
    /// The state column of the row for `identifier` ("dns:a.example"), or
    /// empty when there is no such row.
    [[nodiscard]] QString rowState(const QString& identifier) const;
    [[nodiscard]] QString resultText() const;
    [[nodiscard]] QString problemText() const;
    [[nodiscard]] QPushButton* openButton() const { return m_open; }
    /// Where the last successful order went.
    [[nodiscard]] const services::IssuedRecord& stored() const { return m_stored; }

signals:
    /// The order ended: ok, or the error's message.
    void orderFinished(bool ok, const QString& message);
    /// The order succeeded and the certificate is in the inventory, attached
    /// to `endpointId` unless that is 0.
    void certificateStored(qint64 certificateId, qint64 endpointId);
    /// The inventory's endpoints are in the endpoint box.
    void endpointsLoaded(bool ok);
    /// "Open in Certificates" was pressed.
    void openCertificateRequested(const certdeck::crypto::Certificate& leaf);

private:
    void run(services::IssueTask task, const QByteArray& passphrase);
    void setRunning(bool running);
    void showAuthorization(const acme::AuthorizationState& state);
    int rowFor(const acme::AcmeIdentifier& identifier);
    void finish(const Result<acme::IssuedCertificate>& result);
    void loadEndpoints();
    void endpointPicked();

    QString m_storePath;
    QPointer<VaultSession> m_vault;
    QComboBox* m_account = nullptr;
    QComboBox* m_endpoint = nullptr;
    qint64 m_wantedEndpoint = 0; ///< asked for before the list was read
    bool m_endpointsRead = false;
    QPlainTextEdit* m_names = nullptr;
    QComboBox* m_challenge = nullptr;
    QStackedWidget* m_settings = nullptr;
    QLineEdit* m_responder = nullptr;
    QLineEdit* m_webroot = nullptr;
    QLineEdit* m_dnsServer = nullptr;
    QLineEdit* m_dnsZone = nullptr;
    QLineEdit* m_tsigName = nullptr;
    QLineEdit* m_tsigSecret = nullptr;
    QLineEdit* m_tlsAlpn = nullptr;
    QComboBox* m_keyType = nullptr;
    QLineEdit* m_output = nullptr;
    QLabel* m_problem = nullptr;
    QLabel* m_step = nullptr;
    QProgressBar* m_progress = nullptr;
    QTableWidget* m_rows = nullptr;
    QLabel* m_result = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_close = nullptr;
    QHash<QString, int> m_rowOf;
    QPointer<services::IssueService> m_job;
    services::IssuedRecord m_stored;
};

} // namespace certdeck::ui
