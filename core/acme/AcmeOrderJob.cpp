// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/AcmeOrderJob.h"

#include "acme/AcmeAccountStore.h"
#include "common/SecureFile.h"
#include "crypto/Certificate.h"
#include "crypto/CertificateReader.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFileInfo>
#include <openssl/crypto.h>

namespace certdeck::acme {

AcmeOrderJob::AcmeOrderJob(AcmeOrderTask task, QObject* parent)
    : AcmeIssueJob(
          [task = std::move(task)](const JobControl& control) -> Result<IssuedCertificate> {
              AcmeOrderStored stored;
              auto issued = run(task, &control, &stored);
              if (issued) {
                  // Delivered before the result, so stored() is set by finished().
                  control.post([stored](Job& job) {
                      if (auto* self = qobject_cast<AcmeOrderJob*>(&job)) {
                          self->m_stored = stored;
                      }
                  });
              }
              return issued;
          },
          parent)
{}

Result<IssuedCertificate> AcmeOrderJob::run(const AcmeOrderTask& task, const JobControl* control,
                                            AcmeOrderStored* stored)
{
    const auto report = [control](const QString& step, double fraction, const QString& message) {
        if (control != nullptr) {
            control->reportProgress(step, fraction, message);
        }
    };
    report(QStringLiteral("Opening the inventory"), 0.0, task.storeLocation);
    auto store = inventory::Store::openUrl(task.storeLocation);
    if (!store) {
        return tl::unexpected(store.error());
    }
    inventory::KeyVault vault(**store);
    report(QStringLiteral("Unlocking the key vault"), 0.0,
           QStringLiteral("deriving the master key"));
    if (auto unlocked = vault.unlock(task.vaultPassphrase); !unlocked) {
        return tl::unexpected(unlocked.error());
    }
    AcmeAccountStore accounts(**store, vault);
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
        report(QStringLiteral("Certificate key"), 0.0,
               QStringLiteral("generating the certificate key (%1)")
                   .arg(crypto::keyTypeName(task.certificateKeyType)));
        auto made = crypto::PrivateKey::generate(task.certificateKeyType);
        if (!made) {
            return tl::unexpected(made.error());
        }
        spec.order.certificateKey = *made;
    }
    auto issued = AcmeIssueJob::run(spec, control);
    if (!issued) {
        return issued;
    }

    report(QStringLiteral("Saving"), 1.0, QStringLiteral("recording the certificate"));
    auto bundle =
        crypto::CertificateReader::readBytes(issued->chainPem, QStringLiteral("the issued chain"));
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
    const Status saved = (*store)->transaction([&]() -> Status {
        auto keyId = vault.storeKey(spec.order.certificateKey);
        if (!keyId) {
            return tl::unexpected(keyId.error());
        }
        auto certId = (*store)->upsertCertificate(leaf, *keyId);
        if (!certId) {
            return tl::unexpected(certId.error());
        }
        for (qsizetype i = 1; i < bundle->certificates.size(); ++i) {
            if (auto id = (*store)->upsertCertificate(bundle->certificates.at(i)); !id) {
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
    auto record = (*store)->certificate(out.certificateId);
    if (record) {
        out.sha256Hex = record->sha256Hex;
        out.subject = record->subject;
    }
    if (!task.outputFolder.isEmpty()) {
        const QDir dir(task.outputFolder);
        const QString chainPath = dir.filePath(QStringLiteral("fullchain.pem"));
        if (auto w = writeFileAtomically(chainPath, issued->chainPem, WriteOptions{}); !w) {
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
    if (stored != nullptr) {
        *stored = out;
    }
    return issued;
}

} // namespace certdeck::acme
