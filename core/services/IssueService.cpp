// SPDX-License-Identifier: GPL-3.0-or-later
// Issue -> store: an ACME order whose certificate key is sealed in the vault
// and whose certificate is recorded in the inventory (and attached to its
// endpoint) in one transaction, before the service reports done.
#include "services/IssueService.h"

#include "common/SecureFile.h"
#include "crypto/Certificate.h"
#include "crypto/CertificateReader.h"
#include "inventory/KeyVault.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"
#include "services/LocalCaRecord.h"
#include "services/internal/Log.h"

#include <QFileInfo>
#include <openssl/crypto.h>

namespace certdeck::services {

using acme::AcmeAccountStore;
using acme::AcmeIdentifier;
using acme::AcmeIssueFlow;
using acme::AcmeIssueSpec;
using acme::IssuedCertificate;

namespace {

/// The work of an IssueService on its worker thread: the inventory steps
/// before and after are short blocking calls on that thread (scrypt, key
/// generation, SQL); the issuance between them is an AcmeIssueFlow on its
/// event loop, so a cancel aborts the request in flight at once.
class IssueFlow : public TypedOperation<IssuedCertificate>
{
public:
    IssueFlow(IssueTask task, WorkerLink link)
        : TypedOperation<IssuedCertificate>(nullptr)
        , m_task(std::move(task))
        , m_link(std::move(link))
    {}

    /// Called on the worker thread with where the certificate went.
    std::function<void(const IssuedRecord&)> onRecorded;

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
        acme::AcmeIssueJob::forwardAuthorizations(*m_issue, m_link);
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
            IssuedRecord recorded;
            auto saved = save(*issued, &recorded);
            if (saved && onRecorded) {
                onRecorded(recorded); // delivered before the result
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
    Status checkEndpoint(const AcmeIssueSpec& spec);
    Status checkFiles() const;
    Result<IssuedCertificate> save(const IssuedCertificate& issued, IssuedRecord* recorded);
    Status writeFiles(const IssuedCertificate& issued, IssuedRecord* recorded) const;

    IssueTask m_task;
    WorkerLink m_link;
    std::unique_ptr<inventory::Store> m_store;
    std::unique_ptr<inventory::KeyVault> m_vault;
    QString m_accountName;
    QString m_endpointName;
    AcmeIssueSpec m_spec;
    std::unique_ptr<AcmeIssueFlow> m_issue;
};

Result<AcmeIssueSpec> IssueFlow::prepare()
{
    const IssueTask& task = m_task;
    reportProgress(QStringLiteral("Opening the inventory"), 0.0, task.storeLocation);
    auto store = inventory::Store::openUrl(task.storeLocation);
    if (!store) {
        return tl::unexpected(store.error());
    }
    m_store = std::move(*store);
    AcmeIssueSpec spec = task.issue;
    if (auto s = checkEndpoint(spec); !s) {
        return tl::unexpected(s.error());
    }
    if (auto s = checkFiles(); !s) {
        return tl::unexpected(s.error());
    }
    if (!task.files && task.vaultPassphrase.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the certificate key would be kept nowhere: unlock the vault "
                                   "or name a key file"));
    }
    if (!task.vaultPassphrase.isEmpty()) {
        m_vault = std::make_unique<inventory::KeyVault>(*m_store);
        reportProgress(QStringLiteral("Unlocking the key vault"), 0.0,
                       QStringLiteral("deriving the master key"));
        if (auto unlocked = m_vault->unlock(task.vaultPassphrase); !unlocked) {
            return tl::unexpected(unlocked.error());
        }
    }
    if (task.accountId) {
        if (!m_vault) {
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("the stored account's key is in the vault: the vault "
                                       "passphrase is needed"));
        }
        AcmeAccountStore accounts(*m_store, *m_vault);
        auto account = accounts.find(QString::number(*task.accountId));
        if (!account) {
            return tl::unexpected(account.error());
        }
        if (account->status == QLatin1String("deactivated") ||
            account->status == QLatin1String("revoked")) {
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("the ACME account '%1' is %2: it cannot order certificates")
                            .arg(account->name, account->status));
        }
        m_accountName = account->name;
        // Options given with the task (a directory named on the command
        // line) win over the stored ones.
        if (spec.client.directoryUrl.isEmpty()) {
            auto options = AcmeAccountStore::clientOptions(*account);
            if (!options) {
                return tl::unexpected(options.error());
            }
            spec.client = *options;
        }
        auto key = accounts.loadKey(*account);
        if (!key) {
            return tl::unexpected(key.error());
        }
        spec.accountKey = key->privateKey();
        spec.createAccount = false;
    }
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

Status IssueFlow::checkEndpoint(const AcmeIssueSpec& spec)
{
    if (!m_task.endpointId) {
        return {};
    }
    auto endpoint = m_store->endpoints().get(*m_task.endpointId);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    m_endpointName = inventory::endpointAddress(endpoint->host, endpoint->port);
    // The name clients ask for: a certificate that does not cover it would be
    // attached only to be reported as a name mismatch by the next probe.
    const QString name = endpoint->sniName.isEmpty() ? endpoint->host : endpoint->sniName;
    if (!IssueService::covers(spec.order.identifiers, name)) {
        QStringList names;
        for (const AcmeIdentifier& id : spec.order.identifiers) {
            names << id.value;
        }
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the order (%1) does not cover %2, the name clients of %3 ask "
                                   "for: add it, or attach the certificate elsewhere")
                        .arg(names.join(QStringLiteral(", ")), name, m_endpointName));
    }
    return {};
}

Status IssueFlow::checkFiles() const
{
    if (!m_task.files) {
        return {};
    }
    const IssueFiles& f = *m_task.files;
    for (const QString& path : {f.keyPath, f.chainPath}) {
        if (path.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("both the key file and the certificate file are needed"));
        }
        if (!f.overwrite && QFileInfo::exists(path)) {
            return fail(ErrorCode::Conflict,
                        QStringLiteral("%1 exists already; it was left as it is").arg(path));
        }
    }
    return {};
}

Result<IssuedCertificate> IssueFlow::save(const IssuedCertificate& issued, IssuedRecord* recorded)
{
    const AcmeIssueSpec& spec = m_spec;
    reportProgress(QStringLiteral("Saving"), 1.0, QStringLiteral("recording the certificate"));
    // From here on the CA has issued: every error says where it can be
    // downloaded again.
    auto issuedError = [&](const Error& e) {
        Error out = e;
        out.message = QStringLiteral("the CA issued the certificate, but %1").arg(e.message);
        out.detail = QStringLiteral("certificate URL %1%2")
                         .arg(issued.certificateUrl.toString(),
                              e.detail.isEmpty() ? QString() : QStringLiteral("; ") + e.detail);
        return tl::unexpected(out);
    };
    auto bundle =
        crypto::CertificateReader::readBytes(issued.chainPem, QStringLiteral("the issued chain"));
    if (!bundle) {
        return issuedError(bundle.error());
    }
    if (bundle->certificates.isEmpty()) {
        return issuedError(
            Error{ErrorCode::Protocol, QStringLiteral("its chain holds no certificate"), {}});
    }
    const crypto::Certificate& leaf = bundle->certificates.constFirst();
    IssuedRecord out;
    out.leaf = leaf;
    out.endpointId = m_task.endpointId;
    out.endpointName = m_endpointName;
    const Status saved = m_store->transaction([&]() -> Status {
        inventory::CertificateOrigin origin;
        origin.source = inventory::CertificateSource::Acme;
        origin.issuerId = m_task.accountId;
        if (m_vault) {
            auto keyId = m_vault->storeKey(spec.order.certificateKey,
                                           QStringLiteral("certificate key of %1")
                                               .arg(leaf.dnsNames().value(0, leaf.subject())));
            if (!keyId) {
                return tl::unexpected(keyId.error());
            }
            origin.keyId = *keyId;
            out.keyId = *keyId;
        }
        auto certId = m_store->certificates().record(bundle->certificates, origin);
        if (!certId) {
            return tl::unexpected(certId.error());
        }
        out.certificateId = *certId;
        if (m_task.endpointId) {
            auto v = m_store->certificates().addVersion(*m_task.endpointId, *certId,
                                                        inventory::VersionState::Issued);
            if (!v) {
                return tl::unexpected(v.error());
            }
        }
        QString subject =
            QStringLiteral("certificate %1 serial %2 by %3")
                .arg((leaf.dnsNames() + leaf.ipAddresses()).join(u','), leaf.serialHex(),
                     m_accountName.isEmpty() ? spec.client.directoryUrl.toString()
                                             : QStringLiteral("account ") + m_accountName);
        if (!m_endpointName.isEmpty()) {
            subject += QStringLiteral(" for ") + m_endpointName;
        }
        return m_store->activity().audit(m_store->actor(), QStringLiteral("certificate.issued"),
                                         subject, QStringLiteral("ok"),
                                         issued.certificateUrl.toString());
    });
    if (!saved) {
        return issuedError(saved.error());
    }
    if (auto record = m_store->certificates().get(out.certificateId)) {
        out.sha256Hex = record->sha256Hex;
        out.subject = record->subject;
        out.serialHex = record->serialHex;
        out.notAfterUtc = record->notAfterUtc;
    }
    if (auto w = writeFiles(issued, &out); !w) {
        // Recorded already (with the key in the vault when it was unlocked).
        return issuedError(w.error());
    }
    qCInfo(lcServices).noquote() << "issued" << out.subject << "recorded as certificate"
                                 << out.certificateId;
    *recorded = out;
    return issued;
}

Status IssueFlow::writeFiles(const IssuedCertificate& issued, IssuedRecord* recorded) const
{
    if (!m_task.files) {
        return {};
    }
    const IssueFiles& f = *m_task.files;
    WriteOptions pub;
    pub.overwrite = f.overwrite;
    if (auto w = writeFileAtomically(f.chainPath, issued.chainPem, pub); !w) {
        return w;
    }
    recorded->files << f.chainPath;
    const crypto::PrivateKey& key = m_spec.order.certificateKey;
    QByteArray pem;
    if (f.keyPassphrase.isEmpty()) {
        pem = key.toPkcs8Pem();
    } else {
        auto enc = key.toEncryptedPkcs8Pem(f.keyPassphrase);
        if (!enc) {
            return tl::unexpected(enc.error());
        }
        pem = *enc;
    }
    WriteOptions secret;
    secret.secret = true;
    secret.overwrite = f.overwrite;
    auto w = writeFileAtomically(f.keyPath, pem, secret);
    OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
    if (!w) {
        return w;
    }
    recorded->files << f.keyPath;
    return {};
}

} // namespace

IssueService::IssueService(IssueTask task, QObject* parent)
    : AcmeIssueJob(
          [task = std::move(task)](
              const WorkerLink& link) -> std::unique_ptr<TypedOperation<IssuedCertificate>> {
              auto flow = std::make_unique<IssueFlow>(task, link);
              flow->onRecorded = [link](const IssuedRecord& recorded) {
                  // Posted before the result, so recorded() is set by finished().
                  link.post([recorded](Operation& front) {
                      if (auto* service = qobject_cast<IssueService*>(&front)) {
                          service->m_recorded = recorded;
                      }
                  });
              };
              return flow;
          },
          parent)
{}

bool IssueService::covers(const QList<AcmeIdentifier>& identifiers, const QString& name)
{
    QStringList names;
    for (const AcmeIdentifier& id : identifiers) {
        names << id.value;
    }
    return namesCover(names, name);
}

} // namespace certdeck::services
