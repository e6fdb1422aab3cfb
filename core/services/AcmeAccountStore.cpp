// SPDX-License-Identifier: GPL-3.0-or-later
#include "services/AcmeAccountStore.h"

#include "inventory/KeyVault.h"
#include "inventory/Store.h"

namespace certdeck::acme {

using inventory::IssuerRecord;

namespace {

// Directory URLs compare without a trailing slash or case in the host.
QString normalized(const QUrl& url)
{
    return url.adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments)
        .toString()
        .toLower();
}

} // namespace

AcmeAccountStore::AcmeAccountStore(inventory::Store& store, inventory::KeyVault& vault)
    : m_store(store)
    , m_vault(vault)
{}

Result<QList<IssuerRecord>> AcmeAccountStore::list() const
{
    auto all = m_store.issuers().list();
    if (!all) {
        return tl::unexpected(all.error());
    }
    QList<IssuerRecord> out;
    for (const IssuerRecord& i : std::as_const(*all)) {
        if (i.kind == IssuerRecord::Kind::AcmeAccount) {
            out << i;
        }
    }
    return out;
}

Result<IssuerRecord> AcmeAccountStore::find(const QString& nameOrId) const
{
    auto all = list();
    if (!all) {
        return tl::unexpected(all.error());
    }
    bool numeric = false;
    const qint64 id = nameOrId.toLongLong(&numeric);
    for (const IssuerRecord& i : std::as_const(*all)) {
        if (i.name == nameOrId.trimmed() || (numeric && i.id == id)) {
            return i;
        }
    }
    QStringList names;
    for (const IssuerRecord& i : std::as_const(*all)) {
        names << i.name;
    }
    return fail(ErrorCode::NotFound,
                QStringLiteral("no stored ACME account is named '%1' (stored: %2)")
                    .arg(nameOrId, names.isEmpty() ? QStringLiteral("none")
                                                   : names.join(QStringLiteral(", "))));
}

Result<IssuerRecord> AcmeAccountStore::onlyFor(const QUrl& directory) const
{
    auto all = list();
    if (!all) {
        return tl::unexpected(all.error());
    }
    QList<IssuerRecord> matching;
    for (const IssuerRecord& i : std::as_const(*all)) {
        if (normalized(QUrl(i.directoryUrl)) == normalized(directory)) {
            matching << i;
        }
    }
    if (matching.isEmpty()) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("no ACME account for %1 is stored: make one with 'acme account "
                                   "new' or give --account-key FILE")
                        .arg(directory.toString()));
    }
    if (matching.size() > 1) {
        QStringList names;
        for (const IssuerRecord& i : std::as_const(matching)) {
            names << i.name;
        }
        return fail(ErrorCode::Conflict,
                    QStringLiteral("%1 ACME accounts for %2 are stored (%3): pick one with "
                                   "--account NAME")
                        .arg(matching.size())
                        .arg(directory.toString(), names.join(QStringLiteral(", "))));
    }
    return matching.constFirst();
}

Result<QString> AcmeAccountStore::freeName(const QString& base) const
{
    auto all = m_store.issuers().list();
    if (!all) {
        return tl::unexpected(all.error());
    }
    QSet<QString> taken;
    for (const IssuerRecord& i : std::as_const(*all)) {
        taken.insert(i.name);
    }
    QString name = base.trimmed();
    for (int n = 2; taken.contains(name); ++n) {
        name = QStringLiteral("%1 (%2)").arg(base.trimmed()).arg(n);
    }
    return name;
}

Result<IssuerRecord> AcmeAccountStore::add(const QString& name, const QUrl& directory,
                                           const QString& trustFile, const AccountInfo& info,
                                           const JwsKey& key)
{
    IssuerRecord r;
    r.kind = IssuerRecord::Kind::AcmeAccount;
    r.name = name.trimmed();
    r.directoryUrl = directory.toString();
    r.accountUrl = info.url.toString();
    r.contact = info.contact;
    r.status = info.status;
    r.trustFile = trustFile;
    r.keyAlgorithm = jwsAlgorithmName(key.algorithm());
    r.keyThumbprint = QString::fromLatin1(key.thumbprint());
    qint64 id = 0;
    const Status s = m_store.transaction([&]() -> Status {
        auto keyId =
            m_vault.storeKey(key.privateKey(), QStringLiteral("ACME account key (%1)").arg(r.name));
        if (!keyId) {
            return tl::unexpected(keyId.error());
        }
        r.accountKeyId = *keyId;
        auto added = m_store.issuers().add(r);
        if (!added) {
            return tl::unexpected(added.error());
        }
        id = *added;
        return {};
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return m_store.issuers().get(id);
}

Result<JwsKey> AcmeAccountStore::loadKey(const IssuerRecord& account) const
{
    if (!account.accountKeyId) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("the ACME account '%1' has no stored key").arg(account.name));
    }
    auto key = m_vault.loadKey(*account.accountKeyId);
    if (!key) {
        Error e = key.error();
        e.message = QStringLiteral("the key of ACME account '%1': %2").arg(account.name, e.message);
        return tl::unexpected(e);
    }
    auto jws = JwsKey::fromPrivateKey(*key);
    if (!jws) {
        return tl::unexpected(jws.error());
    }
    if (!account.keyThumbprint.isEmpty() &&
        QString::fromLatin1(jws->thumbprint()) != account.keyThumbprint) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("the stored key of ACME account '%1' is not the key it was "
                                   "registered with")
                        .arg(account.name));
    }
    return *jws;
}

Result<IssuerRecord> AcmeAccountStore::updateFromServer(IssuerRecord account,
                                                        const AccountInfo& info)
{
    if (!info.url.isEmpty()) {
        account.accountUrl = info.url.toString();
    }
    if (!info.status.isEmpty()) {
        account.status = info.status;
    }
    account.contact = info.contact;
    if (auto s = m_store.issuers().update(account); !s) {
        return tl::unexpected(s.error());
    }
    return m_store.issuers().get(account.id);
}

Result<IssuerRecord> AcmeAccountStore::adoptKey(IssuerRecord account, const JwsKey& newKey)
{
    const std::optional<qint64> oldKeyId = account.accountKeyId;
    account.keyAlgorithm = jwsAlgorithmName(newKey.algorithm());
    account.keyThumbprint = QString::fromLatin1(newKey.thumbprint());
    const Status s = m_store.transaction([&]() -> Status {
        auto keyId = m_vault.storeKey(newKey.privateKey(),
                                      QStringLiteral("ACME account key (%1)").arg(account.name));
        if (!keyId) {
            return tl::unexpected(keyId.error());
        }
        account.accountKeyId = *keyId;
        if (auto u = m_store.issuers().update(account); !u) {
            return u;
        }
        if (oldKeyId) {
            return m_store.keys().remove(*oldKeyId);
        }
        return {};
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return m_store.issuers().get(account.id);
}

Result<AcmeClientOptions> AcmeAccountStore::clientOptions(const IssuerRecord& account)
{
    AcmeClientOptions o;
    o.directoryUrl = QUrl(account.directoryUrl);
    if (!o.directoryUrl.isValid() || o.directoryUrl.scheme() != QLatin1String("https")) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the ACME account '%1' has no https directory URL ('%2')")
                        .arg(account.name, account.directoryUrl));
    }
    if (!account.trustFile.isEmpty()) {
        auto anchors = AcmeClient::loadTrustAnchors(account.trustFile);
        if (!anchors) {
            return tl::unexpected(anchors.error());
        }
        o.trustAnchors = *anchors;
    }
    return o;
}

} // namespace certdeck::acme
