// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "acme/order/AcmeIssueJob.h"
#include "crypto/Certificate.h"
#include "crypto/PrivateKey.h"

#include <QString>
#include <QStringList>

namespace certdeck::acme {

/// An order with an account stored in the inventory.
struct AcmeOrderTask
{
    /// Where the inventory is (Store::openUrl); the flow's thread connects to
    /// it (checked once per process, not per order).
    QString storeLocation;
    QByteArray vaultPassphrase;
    qint64 accountId = 0;
    /// The order and how to answer its challenges; `client` and `accountKey`
    /// are filled from the stored account, and a null
    /// order.certificateKey is generated as `certificateKeyType`.
    AcmeIssueSpec issue;
    crypto::KeyType certificateKeyType = crypto::KeyType::EcdsaP256;
    /// When set: fullchain.pem and privkey.pem (0600) are also written here;
    /// existing files are not replaced.
    QString outputFolder;
};

/// Where an issued certificate went.
struct AcmeOrderStored
{
    qint64 certificateId = 0; ///< the leaf in the inventory's certificates
    qint64 keyId = 0;         ///< its key, sealed in the vault
    QString sha256Hex;
    QString subject;
    QStringList files; ///< written to outputFolder
    crypto::Certificate leaf;
};

/// An ACME order with a stored account, on a worker thread of its own (as
/// AcmeIssueJob): opens the inventory, unlocks the vault, loads the account
/// key, runs the order (each authorization reported by
/// authorizationChanged()), then seals the new certificate key in the vault
/// and records the certificate, before it reports done. stored() says where
/// it went once finished() succeeded.
class AcmeOrderJob : public AcmeIssueJob
{
    Q_OBJECT
public:
    explicit AcmeOrderJob(AcmeOrderTask task, QObject* parent = nullptr);

    [[nodiscard]] const AcmeOrderStored& stored() const { return m_stored; }

private:
    AcmeOrderStored m_stored;
};

} // namespace certdeck::acme
