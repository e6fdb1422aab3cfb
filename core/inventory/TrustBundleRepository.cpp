// SPDX-License-Identifier: GPL-3.0-or-later
// Trust bundles (an internal CA's roots kept in the inventory) and
// which endpoints and groups they apply to. The verdict of an endpoint's
// chain depends on them, so a bundle is checked when it is stored: a bundle
// that does not parse would otherwise turn every check into UNKNOWN later.
#include "TrustBundleRepository.h"

#include "Store.h"
#include "crypto/TrustStore.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

namespace {

const QString kBundleColumns = QStringLiteral("id, name, pem, created_utc, updated_utc");

Result<int> countCertificates(const QString& name, const QByteArray& pem)
{
    if (pem.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Trust bundle '%1' holds no certificate").arg(name));
    }
    auto trust = crypto::TrustStore::fromPem(pem, QStringLiteral("trust bundle '%1'").arg(name));
    if (!trust) {
        return tl::unexpected(trust.error());
    }
    if (trust->isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Trust bundle '%1' holds no certificate").arg(name));
    }
    return int(trust->anchors().size());
}

Status validName(const QString& name)
{
    if (name.trimmed().isEmpty() || name.trimmed() != name || name.startsWith(u'#')) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A trust bundle needs a name without surrounding spaces that "
                                   "does not start with '#'"),
                    name);
    }
    return {};
}

TrustBundle bundleFromRow(const QSqlQuery& q)
{
    TrustBundle b;
    b.id = q.value(0).toLongLong();
    b.name = q.value(1).toString();
    b.pem = q.value(2).toString().toUtf8();
    b.createdUtc = internal::timeFromText(q.value(3).toString());
    b.updatedUtc = internal::timeFromText(q.value(4).toString());
    auto n = countCertificates(b.name, b.pem);
    b.certificates = n ? *n : 0;
    return b;
}

} // namespace

Result<TrustBundle> TrustBundleRepository::add(const QString& name, const QByteArray& pem)
{
    if (auto v = validName(name); !v) {
        return tl::unexpected(v.error());
    }
    auto count = countCertificates(name, pem);
    if (!count) {
        return tl::unexpected(count.error());
    }
    const Status s =
        mutate(QStringLiteral("trust-bundle.add"),
               QStringLiteral("%1 (%2 certificate(s))").arg(name).arg(*count), [&]() -> Status {
                   QSqlQuery q(db());
                   q.prepare(QStringLiteral("INSERT INTO trust_bundles (name, pem, created_utc, "
                                            "updated_utc) VALUES (?, ?, ?, ?)"));
                   const QString now = internal::nowText();
                   q.addBindValue(name);
                   q.addBindValue(QString::fromUtf8(pem));
                   q.addBindValue(now);
                   q.addBindValue(now);
                   if (!internal::execBound(q)) {
                       if (internal::isUniqueViolation(q.lastError())) {
                           return fail(ErrorCode::Conflict,
                                       QStringLiteral("A trust bundle named '%1' "
                                                      "exists already")
                                           .arg(name),
                                       QStringLiteral("replace it instead"));
                       }
                       return tl::unexpected(internal::dbError(
                           QStringLiteral("Cannot store trust bundle '%1'").arg(name),
                           q.lastError(), location()));
                   }
                   return {};
               });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return get(name);
}

Result<TrustBundle> TrustBundleRepository::replace(const QString& name, const QByteArray& pem)
{
    auto existing = get(name);
    if (!existing) {
        return tl::unexpected(existing.error());
    }
    auto count = countCertificates(name, pem);
    if (!count) {
        return tl::unexpected(count.error());
    }
    const Status s = mutate(
        QStringLiteral("trust-bundle.replace"),
        QStringLiteral("%1 (%2 certificate(s))").arg(existing->name).arg(*count), [&]() -> Status {
            QSqlQuery q(db());
            q.prepare(
                QStringLiteral("UPDATE trust_bundles SET pem = ?, updated_utc = ? WHERE id = ?"));
            q.addBindValue(QString::fromUtf8(pem));
            q.addBindValue(internal::nowText());
            q.addBindValue(existing->id);
            return execPrepared(q, QStringLiteral("Cannot replace trust bundle '%1'").arg(name));
        });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return byId(existing->id);
}

Result<QList<TrustBundle>> TrustBundleRepository::list() const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM trust_bundles ORDER BY name").arg(kBundleColumns));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the trust bundles")); !s) {
        return tl::unexpected(s.error());
    }
    QList<TrustBundle> out;
    while (q.next()) {
        out << bundleFromRow(q);
    }
    return out;
}

Result<TrustBundle> TrustBundleRepository::byId(qint64 id) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM trust_bundles WHERE id = ?").arg(kBundleColumns));
    q.addBindValue(id);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read trust bundle #%1").arg(id)); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("No trust bundle #%1 in the inventory").arg(id), location());
    }
    return bundleFromRow(q);
}

Result<TrustBundle> TrustBundleRepository::get(const QString& nameOrId) const
{
    if (nameOrId.startsWith(u'#')) {
        bool ok = false;
        const qint64 id = nameOrId.mid(1).toLongLong(&ok);
        if (ok) {
            return byId(id);
        }
    }
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM trust_bundles WHERE name = ?").arg(kBundleColumns));
    q.addBindValue(nameOrId);
    if (auto s = execPrepared(q, QStringLiteral("Cannot read trust bundle '%1'").arg(nameOrId));
        !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("No trust bundle named '%1' in the inventory").arg(nameOrId),
                    QStringLiteral("certdeckctl fleet trust list shows them"));
    }
    return bundleFromRow(q);
}

Status TrustBundleRepository::remove(const QString& name)
{
    auto bundle = get(name);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    QStringList users;
    {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("SELECT host, port FROM endpoints WHERE trust_bundle_id = ? "
                                 "ORDER BY host, port"));
        q.addBindValue(bundle->id);
        if (auto s = execPrepared(q, QStringLiteral("Cannot read the endpoints")); !s) {
            return s;
        }
        while (q.next()) {
            users << QStringLiteral("%1:%2").arg(q.value(0).toString()).arg(q.value(1).toInt());
        }
        QSqlQuery g(db());
        g.prepare(QStringLiteral("SELECT group_name FROM group_settings WHERE trust_bundle_id = ? "
                                 "ORDER BY group_name"));
        g.addBindValue(bundle->id);
        if (auto s = execPrepared(g, QStringLiteral("Cannot read the groups")); !s) {
            return s;
        }
        while (g.next()) {
            users << QStringLiteral("group %1").arg(g.value(0).toString());
        }
    }
    if (!users.isEmpty()) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("Trust bundle '%1' is still used by %2")
                        .arg(bundle->name, users.join(QStringLiteral(", "))),
                    QStringLiteral("set another bundle (or none) on those first"));
    }
    return mutate(QStringLiteral("trust-bundle.remove"), bundle->name, [&]() -> Status {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("DELETE FROM trust_bundles WHERE id = ?"));
        q.addBindValue(bundle->id);
        return execPrepared(q, QStringLiteral("Cannot remove trust bundle '%1'").arg(name));
    });
}

Status TrustBundleRepository::setForGroup(const QString& group,
                                          const std::optional<qint64>& bundleId)
{
    if (group.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("Name the group"));
    }
    QString subject = group;
    if (bundleId) {
        auto bundle = byId(*bundleId);
        if (!bundle) {
            return tl::unexpected(bundle.error());
        }
        subject += QStringLiteral(" -> ") + bundle->name;
    } else {
        subject += QStringLiteral(" -> system trust store");
    }
    return mutate(QStringLiteral("group.trust"), subject, [&]() -> Status {
        QSqlQuery del(db());
        del.prepare(QStringLiteral("DELETE FROM group_settings WHERE group_name = ?"));
        del.addBindValue(group);
        if (auto s = execPrepared(del, QStringLiteral("Cannot change group %1").arg(group)); !s) {
            return s;
        }
        if (!bundleId) {
            return {};
        }
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO group_settings (group_name, trust_bundle_id, "
                                 "updated_utc) VALUES (?, ?, ?)"));
        q.addBindValue(group);
        q.addBindValue(*bundleId);
        q.addBindValue(internal::nowText());
        return execPrepared(q, QStringLiteral("Cannot change group %1").arg(group));
    });
}

Result<QHash<QString, qint64>> TrustBundleRepository::byGroup() const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT group_name, trust_bundle_id FROM group_settings "
                             "WHERE trust_bundle_id IS NOT NULL"));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the group settings")); !s) {
        return tl::unexpected(s.error());
    }
    QHash<QString, qint64> out;
    while (q.next()) {
        out.insert(q.value(0).toString(), q.value(1).toLongLong());
    }
    return out;
}

Result<std::optional<TrustBundle>>
TrustBundleRepository::effectiveFor(const Endpoint& endpoint) const
{
    std::optional<qint64> id = endpoint.trustBundleId;
    if (!id && !endpoint.group.isEmpty()) {
        auto groups = byGroup();
        if (!groups) {
            return tl::unexpected(groups.error());
        }
        if (auto it = groups->constFind(endpoint.group); it != groups->constEnd()) {
            id = it.value();
        }
    }
    if (!id) {
        return std::optional<TrustBundle>();
    }
    auto bundle = byId(*id);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    return std::optional<TrustBundle>(*bundle);
}

} // namespace certdeck::inventory
