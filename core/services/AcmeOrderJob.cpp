// SPDX-License-Identifier: GPL-3.0-or-later
#include "services/AcmeOrderJob.h"

#include "common/SecureFile.h"
#include "crypto/Certificate.h"
#include "crypto/CertificateReader.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <QDir>
#include <QFileInfo>
#include <openssl/crypto.h>

namespace certdeck::acme {

namespace {

/// The work of an AcmeOrderJob on its worker thread: the inventory steps
/// before and after are short blocking calls on that thread (scrypt, key
/// generation, SQL); the issuance between them is an AcmeIssueFlow on its
/// event loop, so a cancel aborts the request in flight at once.
class StoredOrderFlow : public TypedOperation<IssuedCertificate>
{
public:
    StoredOrderFlow(AcmeOrderTask task, WorkerLink link)
        : TypedOperation<IssuedCertificate>(nullptr)
        , m_task(std::move(task))
        , m_link(std::move(link))
    {}

    /// Called on the worker thread with where the certificate went.
    std::function<void(const AcmeOrderStored&)> onStored;

protected:
    void onStart() override
    {
        auto spec = prepare();
        if (!spec) {
            finishWith(tl::unexpected(spec.error()));
            return;
        }
        m_spec = *spec;
        m_issue = std::make_unique<AcmeIssueFlow>(*spec);
        AcmeIssueJob::forwardAuthorizations(*m_issue, m_link);
        connect(m_issue.get(), &Operation::progress, this,
                [this](const QString& step, double fraction, const QString& message) {
                    reportProgress(step, fraction, message);
                });
        connect(m_issue.get(), &Operation::finished, this, [this](const Status&) {
            auto issued = m_issue->result();
            if (!issued || isEnding()) {
                finishWith(issued);
                return;
            }
            AcmeOrderStored stored;
            auto saved = save(*issued, &stored);
            if (saved && onStored) {
                onStored(stored); // delivered before the result
            }
            finishWith(saved);
        });
        m_issue->start();
    }

    void onCancel() override
    {
        if (m_issue) {
            m_issue->cancel(); // finished() follows once the tokens are withdrawn
            return;
        }
        finishWith(fail(ErrorCode::Cancelled, QStringLiteral("the order was cancelled")));
    }

private:
    Result<AcmeIssueSpec> prepare();
    Result<IssuedCertificate> save(const IssuedCertificate& issued, AcmeOrderStored* stored);

    AcmeOrderTask m_task;
    WorkerLink m_link;
    std::unique_ptr<inventory::Store> m_store;
    std::unique_ptr<inventory::KeyVault> m_vault;
    AcmeIssueSpec m_spec;
    std::unique_ptr<AcmeIssueFlow> m_issue;
};

Result<AcmeIssueSpec> StoredOrderFlow::prepare()
{
    const AcmeOrderTask& task = m_task;
    reportProgress(QStringLiteral("Opening the inventory"), 0.0, task.storeLocation);
    auto store = inventory::Store::openUrl(task.storeLocation);
    if (!store) {
        return tl::unexpected(store.error());
    }
    m_store = std::move(*store);
    m_vault = std::make_unique<inventory::KeyVault>(*m_store);
    reportProgress(QStringLiteral("Unlocking the key vault"), 0.0,
                   QStringLiteral("deriving the master key"));
    if (auto unlocked = m_vault->unlock(task.vaultPassphrase); !unlocked) {
        return tl::unexpected(unlocked.error());
    }
    AcmeAccountStore accounts(*m_store, *m_vault);
    auto account = accounts.find(QString::number(task.accountId));
    if (!account) {
        return tl::unexpected(account.error());
    }
    if (account->status == QLatin1String("deactivated") ||
        account->status == QLatin1String("revoked")) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("the ACME account '%1' is %2: it cannot order certificates")
                        .arg(account->name, account->status));
    }
    auto options = AcmeAccountStore::clientOptions(*account);
    if (!options) {
        return tl::unexpected(options.error());
    }
    auto key = accounts.loadKey(*account);
    if (!key) {
        return tl::unexpected(key.error());
    }
    if (!task.outputFolder.isEmpty()) {
        for (const char* name : {"fullchain.pem", "privkey.pem"}) {
            const QString path = QDir(task.outputFolder).filePath(QLatin1String(name));
            if (QFileInfo::exists(path)) {
                return fail(ErrorCode::Conflict,
                            QStringLiteral("%1 exists already; pick an empty folder").arg(path));
            }
        }
    }
    AcmeIssueSpec spec = task.issue;
    spec.client = *options;
    spec.accountKey = key->privateKey();
    spec.createAccount = false;
    if (spec.order.certificateKey.isNull()) {
        reportProgress(QStringLiteral("Certificate key"), 0.0,
                       QStringLiteral("generating the certificate key (%1)")
                           .arg(crypto::keyTypeName(task.certificateKeyType)));
        auto made = crypto::PrivateKey::generate(task.certificateKeyType);
        if (!made) {
            return tl::unexpected(made.error());
        }
        spec.order.certificateKey = *made;
    }
    return spec;
}

Result<IssuedCertificate> StoredOrderFlow::save(const IssuedCertificate& issued,
                                                AcmeOrderStored* stored)
{
    const AcmeOrderTask& task = m_task;
    const AcmeIssueSpec& spec = m_spec;
    inventory::KeyVault& vault = *m_vault;
    reportProgress(QStringLiteral("Saving"), 1.0, QStringLiteral("recording the certificate"));
    auto bundle =
        crypto::CertificateReader::readBytes(issued.chainPem, QStringLiteral("the issued chain"));
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    if (bundle->certificates.isEmpty()) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("the CA sent a chain without certificates"));
    }
    const crypto::Certificate& leaf = bundle->certificates.constFirst();
    AcmeOrderStored out;
    out.leaf = leaf;
    const Status saved = m_store->transaction([&]() -> Status {
        auto keyId = vault.storeKey(spec.order.certificateKey);
        if (!keyId) {
            return tl::unexpected(keyId.error());
        }
        auto certId = m_store->certificates().upsert(leaf, *keyId);
        if (!certId) {
            return tl::unexpected(certId.error());
        }
        for (qsizetype i = 1; i < bundle->certificates.size(); ++i) {
            if (auto id = m_store->certificates().upsert(bundle->certificates.at(i)); !id) {
                return tl::unexpected(id.error());
            }
        }
        out.keyId = *keyId;
        out.certificateId = *certId;
        return {};
    });
    if (!saved) {
        return tl::unexpected(saved.error());
    }
    auto record = m_store->certificates().get(out.certificateId);
    if (record) {
        out.sha256Hex = record->sha256Hex;
        out.subject = record->subject;
    }
    if (!task.outputFolder.isEmpty()) {
        const QDir dir(task.outputFolder);
        const QString chainPath = dir.filePath(QStringLiteral("fullchain.pem"));
        if (auto w = writeFileAtomically(chainPath, issued.chainPem, WriteOptions{}); !w) {
            return tl::unexpected(w.error());
        }
        out.files << chainPath;
        QByteArray pem = spec.order.certificateKey.toPkcs8Pem();
        WriteOptions secret;
        secret.secret = true;
        const QString keyPath = dir.filePath(QStringLiteral("privkey.pem"));
        auto w = writeFileAtomically(keyPath, pem, secret);
        OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
        if (!w) {
            return tl::unexpected(w.error());
        }
        out.files << keyPath;
    }
    *stored = out;
    return issued;
}

} // namespace

AcmeOrderJob::AcmeOrderJob(AcmeOrderTask task, QObject* parent)
    : AcmeIssueJob(
          [task = std::move(task)](
              const WorkerLink& link) -> std::unique_ptr<TypedOperation<IssuedCertificate>> {
              auto flow = std::make_unique<StoredOrderFlow>(task, link);
              flow->onStored = [link](const AcmeOrderStored& stored) {
                  // Posted before the result, so stored() is set by finished().
                  link.post([stored](Operation& front) {
                      if (auto* job = qobject_cast<AcmeOrderJob*>(&front)) {
                          job->m_stored = stored;
                      }
                  });
              };
              return flow;
          },
          parent)
{}

} // namespace certdeck::acme
