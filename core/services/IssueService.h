// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/order/AcmeIssueJob.h"
#include "crypto/Certificate.h"
#include "crypto/PrivateKey.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::services {

/// Files an issued certificate is also written to.
struct IssueFiles
{
    QString keyPath;   ///< the certificate key, PKCS#8 PEM, 0600
    QString chainPath; ///< the leaf and the chain the CA sent, PEM
    /// Replace files that exist; otherwise an existing file is refused
    /// before the order starts.
    bool overwrite = false;
    /// Encrypts the key file (PKCS#8) when not empty.
    QByteArray keyPassphrase;
};

/// One certificate to issue through ACME and record.
struct IssueTask
{
    /// Where the inventory is (Store::openUrl); the service's thread
    /// connects to it (checked once per process, not per order).
    QString storeLocation;
    /// The stored account that orders; its key is unsealed from the vault.
    /// Unset: `issue.client` and `issue.accountKey` are used as given (an
    /// account key file) and the certificate is recorded without issuer.
    std::optional<qint64> accountId;
    /// Unlocks the vault: needed for a stored account, and to seal the new
    /// certificate key. Empty with no stored account: the key is written to
    /// `files` only and the record says it has no key in the vault.
    QByteArray vaultPassphrase;
    /// The order and how to answer its challenges; a null
    /// order.certificateKey is generated as `certificateKeyType`.
    acme::AcmeIssueSpec issue;
    crypto::KeyType certificateKeyType = crypto::KeyType::EcdsaP256;
    /// The endpoint the certificate is for: it becomes the endpoint's
    /// current certificate (an "issued" version, "deployed" once a probe
    /// sees it served). Its name must be among the order's identifiers.
    std::optional<qint64> endpointId;
    std::optional<IssueFiles> files;
};

/// Where an issued certificate went.
struct IssuedRecord
{
    qint64 certificateId = 0;    ///< the leaf in the inventory's certificates
    std::optional<qint64> keyId; ///< its key, sealed in the vault
    std::optional<qint64> endpointId;
    QString endpointName; ///< "host:port" of the attached endpoint
    QString sha256Hex;
    QString subject;
    QString serialHex;
    QDateTime notAfterUtc;
    QStringList files; ///< written, key last
    crypto::Certificate leaf;
};

/// Issue -> store, written once: opens the inventory, unlocks the vault,
/// loads the stored account key, checks the endpoint and the files, runs the
/// ACME order (each authorization reported by authorizationChanged()), then
/// in one transaction seals the certificate key in the vault, records the
/// leaf and its chain (source "acme", issuer the account), attaches it to
/// the endpoint and audits "certificate.issued"; the files are written after
/// the commit. recorded() says where it went once finished() succeeded.
/// When saving fails after the CA issued, the error says so and carries the
/// certificate URL, so it can be downloaded again.
///
/// The CLI (`certdeckctl acme issue`) and the console's order dialog both run
/// it; renew & deploy will. A ThreadedOperation: the flow runs on a worker
/// thread of its own; cancel() aborts the request in flight.
class IssueService : public acme::AcmeIssueJob
{
    Q_OBJECT
public:
    explicit IssueService(IssueTask task, QObject* parent = nullptr);

    [[nodiscard]] const IssuedRecord& recorded() const { return m_recorded; }

    /// Whether `name` (a DNS name or IP address) is covered by the order's
    /// identifiers: exactly, or by a wildcard one label deep.
    [[nodiscard]] static bool covers(const QList<acme::AcmeIdentifier>& identifiers,
                                     const QString& name);

private:
    IssuedRecord m_recorded;
};

} // namespace certdeck::services
