// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoints and deploy targets, with optimistic concurrency: every
// UPDATE names the revision it read, so two admins editing the same record
// get a Conflict instead of a lost update.
#include "EndpointRepository.h"

#include "RecordNames.h"
#include "Store.h"
#include "common/HostPort.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::dbError;
using internal::execPrepared;

namespace {

const QString kEndpointColumns = QStringLiteral(
    "id, host, port, sni_name, address_override, endpoint_group, tags, server_kind, notes, "
    "deploy_target_id, revision, created_utc, updated_utc, updated_by, trust_bundle_id");

Endpoint endpointFromRow(const QSqlQuery& q)
{
    Endpoint e;
    e.id = q.value(0).toLongLong();
    e.host = q.value(1).toString();
    e.port = static_cast<quint16>(q.value(2).toInt());
    e.sniName = q.value(3).toString();
    e.addressOverride = q.value(4).toString();
    e.group = q.value(5).toString();
    e.tags = q.value(6).toString().split(u',', Qt::SkipEmptyParts);
    e.serverKind = serverKindFromName(q.value(7).toString()).value_or(ServerKind::Unknown);
    e.notes = q.value(8).toString();
    e.deployTargetId = internal::idFrom(q.value(9));
    e.revision = q.value(10).toLongLong();
    e.createdUtc = internal::timeFromText(q.value(11).toString());
    e.updatedUtc = internal::timeFromText(q.value(12).toString());
    e.updatedBy = q.value(13).toString();
    e.trustBundleId = internal::idFrom(q.value(14));
    return e;
}

// Host and SNI names are case-insensitive; an SNI name equal to the host is
// stored empty, so "api:443" and "api:443 --sni api" are the same endpoint.
Endpoint normalized(Endpoint e)
{
    e.host = e.host.trimmed().toLower();
    e.sniName = e.sniName.trimmed().toLower();
    if (e.sniName == e.host) {
        e.sniName.clear();
    }
    return e;
}

QString describe(const Endpoint& e)
{
    QString s = endpointAddress(e.host, e.port);
    if (!e.sniName.isEmpty() && e.sniName != e.host) {
        s += QStringLiteral(" (SNI %1)").arg(e.sniName);
    }
    return s;
}

Status validate(const Endpoint& e)
{
    auto bad = [&](const QString& what) {
        return fail(ErrorCode::InvalidInput, what, describe(e));
    };
    if (e.host.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("An endpoint needs a host name"));
    }
    for (const QString& field : {e.host, e.sniName, e.addressOverride}) {
        for (const QChar c : field) {
            if (c.isSpace() || c.category() == QChar::Other_Control || c == u'/') {
                return bad(QStringLiteral("Host, SNI and address may not contain spaces, "
                                          "slashes or control characters"));
            }
        }
    }
    if (e.port == 0) {
        return bad(QStringLiteral("Port 0 is not a TCP port; use 1-65535"));
    }
    for (const QString& tag : e.tags) {
        if (tag.isEmpty() || tag.contains(u',') || tag.trimmed() != tag) {
            return bad(
                QStringLiteral("Tag '%1' is empty, has a comma or surrounding spaces").arg(tag));
        }
    }
    return {};
}

void bindEndpoint(QSqlQuery& q, const Endpoint& e)
{
    q.addBindValue(e.host);
    q.addBindValue(int(e.port));
    q.addBindValue(e.sniName);
    q.addBindValue(e.addressOverride);
    q.addBindValue(e.group);
    q.addBindValue(e.tags.join(u','));
    q.addBindValue(serverKindName(e.serverKind));
    q.addBindValue(e.notes);
    q.addBindValue(internal::idOrNull(e.deployTargetId));
    q.addBindValue(internal::idOrNull(e.trustBundleId));
}

const QString kTargetColumns = QStringLiteral(
    "id, ssh_host, ssh_port, ssh_user, key_path, cert_path, fullchain_path, combined_pem_path, "
    "file_owner, file_group, key_mode, cert_mode, validate_command, reload_command, revision, "
    "updated_utc, updated_by, local_files");

DeployTarget targetFromRow(const QSqlQuery& q)
{
    DeployTarget t;
    t.id = q.value(0).toLongLong();
    t.sshHost = q.value(1).toString();
    if (!q.value(2).isNull()) {
        t.sshPort = static_cast<quint16>(q.value(2).toInt());
    }
    t.sshUser = q.value(3).toString();
    t.keyPath = q.value(4).toString();
    t.certPath = q.value(5).toString();
    t.fullchainPath = q.value(6).toString();
    t.combinedPemPath = q.value(7).toString();
    t.owner = q.value(8).toString();
    t.group = q.value(9).toString();
    t.keyMode = q.value(10).toInt();
    t.certMode = q.value(11).toInt();
    t.validateCommand = q.value(12).toString();
    t.reloadCommand = q.value(13).toString();
    t.revision = q.value(14).toLongLong();
    t.updatedUtc = internal::timeFromText(q.value(15).toString());
    t.updatedBy = q.value(16).toString();
    t.local = q.value(17).toInt() != 0;
    return t;
}

QString describe(const DeployTarget& t)
{
    return deployTargetWhere(t);
}

// A target may lack its host (an import that was not told it): the admin
// fills it in; deploys refuse a target that has neither a host nor `local`.
Status validate(const DeployTarget& t)
{
    if (t.local && (!t.sshHost.trimmed().isEmpty() || !t.sshUser.isEmpty() || t.sshPort)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A deploy target on this machine has no SSH host, user or "
                                   "port"),
                    describe(t));
    }
    if (t.sshPort && *t.sshPort == 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("SSH port 0 is not a TCP port"),
                    describe(t));
    }
    if (t.keyPath.isEmpty() && t.combinedPemPath.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A deploy target needs a key path or a combined PEM path"),
                    describe(t));
    }
    if (t.certPath.isEmpty() && t.fullchainPath.isEmpty() && t.combinedPemPath.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A deploy target needs a cert, fullchain or combined PEM path"),
                    describe(t));
    }
    for (const QString& p : {t.keyPath, t.certPath, t.fullchainPath, t.combinedPemPath}) {
        if (!p.isEmpty() && !p.startsWith(u'/')) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("Deploy target paths must be absolute: '%1'").arg(p),
                        describe(t));
        }
    }
    for (const int mode : {t.keyMode, t.certMode}) {
        if (mode < 0 || mode > 07777) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("File mode %1 is not a Unix mode").arg(mode, 0, 8),
                        describe(t));
        }
    }
    if (t.keyMode & 0007) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A private key file must not be readable by others (mode %1)")
                        .arg(t.keyMode, 4, 8, QLatin1Char('0')),
                    describe(t));
    }
    return {};
}

void bindTarget(QSqlQuery& q, const DeployTarget& t)
{
    q.addBindValue(t.sshHost.trimmed());
    q.addBindValue(t.sshPort ? QVariant(int(*t.sshPort)) : QVariant(QMetaType::fromType<int>()));
    q.addBindValue(t.sshUser);
    q.addBindValue(t.keyPath);
    q.addBindValue(t.certPath);
    q.addBindValue(t.fullchainPath);
    q.addBindValue(t.combinedPemPath);
    q.addBindValue(t.owner);
    q.addBindValue(t.group);
    q.addBindValue(t.keyMode);
    q.addBindValue(t.certMode);
    q.addBindValue(t.validateCommand);
    q.addBindValue(t.reloadCommand);
    q.addBindValue(t.local ? 1 : 0);
}

// LIKE pattern for a user's text: % and _ are literal.
QString likePattern(const QString& text)
{
    QString escaped = text.toLower();
    escaped.replace(u'\\', QLatin1String("\\\\"));
    escaped.replace(u'%', QLatin1String("\\%"));
    escaped.replace(u'_', QLatin1String("\\_"));
    return u'%' + escaped + u'%';
}

} // namespace

Result<Endpoint> EndpointRepository::add(const Endpoint& input)
{
    const Endpoint endpoint = normalized(input);
    if (auto v = validate(endpoint); !v) {
        return tl::unexpected(v.error());
    }
    const auto id = mutateReturningId(
        QStringLiteral("endpoint.add"), describe(endpoint), [&]() -> Result<qint64> {
            QSqlQuery q(db());
            q.prepare(
                QStringLiteral("INSERT INTO endpoints (host, port, sni_name, address_override, "
                               "endpoint_group, tags, server_kind, notes, deploy_target_id, "
                               "trust_bundle_id, revision, created_utc, updated_utc, "
                               "updated_by) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id"));
            bindEndpoint(q, endpoint);
            const QString now = internal::nowText();
            q.addBindValue(now);
            q.addBindValue(now);
            q.addBindValue(actor());
            if (!internal::execBound(q)) {
                if (internal::isUniqueViolation(q.lastError())) {
                    return fail(
                        ErrorCode::Conflict,
                        QStringLiteral("%1 is already in the inventory").arg(describe(endpoint)),
                        QStringLiteral("edit the existing endpoint, or give another --sni"));
                }
                return tl::unexpected(
                    dbError(QStringLiteral("Cannot add %1").arg(describe(endpoint)), q.lastError(),
                            location()));
            }
            return returnedId(q);
        });
    if (!id) {
        return tl::unexpected(id.error());
    }
    return get(*id);
}

Result<Endpoint> EndpointRepository::get(qint64 id) const
{
    QSqlQuery q(db());
    if (auto s = readById(q, kEndpointColumns, QStringLiteral("endpoints"),
                          QStringLiteral("endpoint"), id);
        !s) {
        return tl::unexpected(s.error());
    }
    return endpointFromRow(q);
}

Result<QList<Endpoint>> EndpointRepository::at(const QString& host, quint16 port) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM endpoints WHERE host = ? AND port = ? ORDER BY id")
                  .arg(kEndpointColumns));
    q.addBindValue(host.trimmed().toLower());
    q.addBindValue(int(port));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the endpoints")); !s) {
        return tl::unexpected(s.error());
    }
    QList<Endpoint> out;
    while (q.next()) {
        out << endpointFromRow(q);
    }
    return out;
}

Result<QList<Endpoint>> EndpointRepository::list(const EndpointFilter& filter) const
{
    QString sql = QStringLiteral("SELECT %1 FROM endpoints WHERE 1 = 1").arg(kEndpointColumns);
    if (!filter.group.isEmpty()) {
        sql += QStringLiteral(" AND endpoint_group = ?");
    }
    if (!filter.text.isEmpty()) {
        sql += QStringLiteral(" AND (lower(host) LIKE ? ESCAPE '\\' OR lower(sni_name) LIKE ? "
                              "ESCAPE '\\' OR lower(endpoint_group) LIKE ? ESCAPE '\\' OR "
                              "lower(tags) LIKE ? ESCAPE '\\' OR lower(notes) LIKE ? ESCAPE '\\')");
    }
    sql += QStringLiteral(" ORDER BY endpoint_group, host, port, sni_name");
    QSqlQuery q(db());
    q.prepare(sql);
    if (!filter.group.isEmpty()) {
        q.addBindValue(filter.group);
    }
    if (!filter.text.isEmpty()) {
        const QString pattern = likePattern(filter.text);
        for (int i = 0; i < 5; ++i) {
            q.addBindValue(pattern);
        }
    }
    if (auto s = execPrepared(q, QStringLiteral("Cannot list the endpoints")); !s) {
        return tl::unexpected(s.error());
    }
    QList<Endpoint> out;
    while (q.next()) {
        out << endpointFromRow(q);
    }
    return out;
}

Result<Endpoint> EndpointRepository::update(const Endpoint& input)
{
    const Endpoint endpoint = normalized(input);
    if (auto v = validate(endpoint); !v) {
        return tl::unexpected(v.error());
    }
    const Status s = mutate(QStringLiteral("endpoint.edit"), describe(endpoint), [&]() -> Status {
        QSqlQuery q(db());
        q.prepare(QStringLiteral(
            "UPDATE endpoints SET host = ?, port = ?, sni_name = ?, "
            "address_override = ?, endpoint_group = ?, tags = ?, "
            "server_kind = ?, notes = ?, deploy_target_id = ?, "
            "trust_bundle_id = ?, revision = revision + 1, updated_utc = ?, updated_by = ? "
            "WHERE id = ? AND revision = ?"));
        bindEndpoint(q, endpoint);
        q.addBindValue(internal::nowText());
        q.addBindValue(actor());
        q.addBindValue(endpoint.id);
        q.addBindValue(endpoint.revision);
        if (!internal::execBound(q)) {
            if (internal::isUniqueViolation(q.lastError())) {
                return fail(
                    ErrorCode::Conflict,
                    QStringLiteral("%1 is already in the inventory").arg(describe(endpoint)),
                    QStringLiteral("another endpoint has that host, port and SNI name"));
            }
            return tl::unexpected(dbError(QStringLiteral("Cannot save %1").arg(describe(endpoint)),
                                          q.lastError(), location()));
        }
        if (q.numRowsAffected() == 1) {
            return {};
        }
        const auto current = get(endpoint.id);
        if (!current) {
            return tl::unexpected(current.error());
        }
        return fail(ErrorCode::Conflict,
                    QStringLiteral("%1 was changed by %2 at %3 after you read it; nothing was "
                                   "saved")
                        .arg(describe(*current), current->updatedBy,
                             internal::timeText(current->updatedUtc)),
                    QStringLiteral("your revision %1, stored revision %2: reload it and apply "
                                   "your edit again")
                        .arg(endpoint.revision)
                        .arg(current->revision));
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return get(endpoint.id);
}

Status EndpointRepository::remove(qint64 id)
{
    const auto existing = get(id);
    if (!existing) {
        return tl::unexpected(existing.error());
    }
    return mutate(QStringLiteral("endpoint.remove"), describe(*existing), [&]() -> Status {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("DELETE FROM endpoints WHERE id = ?"));
        q.addBindValue(id);
        if (auto s = execPrepared(q, QStringLiteral("Cannot remove %1").arg(describe(*existing)));
            !s) {
            return s;
        }
        if (q.numRowsAffected() != 1) {
            return fail(ErrorCode::Conflict,
                        QStringLiteral("%1 was removed by someone else meanwhile")
                            .arg(describe(*existing)));
        }
        return {};
    });
}

Status EndpointRepository::checkDeployTarget(const DeployTarget& target)
{
    return validate(target);
}

Result<DeployTarget> EndpointRepository::addDeployTarget(const DeployTarget& target)
{
    if (auto v = validate(target); !v) {
        return tl::unexpected(v.error());
    }
    const QString subject = QStringLiteral("deploy target %1").arg(describe(target));
    const auto id =
        mutateReturningId(QStringLiteral("deploy-target.add"), subject, [&]() -> Result<qint64> {
            QSqlQuery q(db());
            q.prepare(
                QStringLiteral("INSERT INTO deploy_targets (ssh_host, ssh_port, ssh_user, "
                               "key_path, cert_path, fullchain_path, combined_pem_path, "
                               "file_owner, file_group, key_mode, cert_mode, validate_command, "
                               "reload_command, local_files, revision, updated_utc, updated_by) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
                               "RETURNING id"));
            bindTarget(q, target);
            q.addBindValue(internal::nowText());
            q.addBindValue(actor());
            return insertReturningId(q, QStringLiteral("Cannot add the deploy target"));
        });
    if (!id) {
        return tl::unexpected(id.error());
    }
    return deployTarget(*id);
}

Result<DeployTarget> EndpointRepository::deployTarget(qint64 id) const
{
    QSqlQuery q(db());
    if (auto s = readById(q, kTargetColumns, QStringLiteral("deploy_targets"),
                          QStringLiteral("deploy target"), id);
        !s) {
        return tl::unexpected(s.error());
    }
    return targetFromRow(q);
}

Result<DeployTarget> EndpointRepository::updateDeployTarget(const DeployTarget& target)
{
    if (auto v = validate(target); !v) {
        return tl::unexpected(v.error());
    }
    const QString subject = QStringLiteral("deploy target %1").arg(target.id);
    const Status s = mutate(QStringLiteral("deploy-target.edit"), subject, [&]() -> Status {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("UPDATE deploy_targets SET ssh_host = ?, ssh_port = ?, "
                                 "ssh_user = ?, key_path = ?, cert_path = ?, fullchain_path = ?, "
                                 "combined_pem_path = ?, file_owner = ?, file_group = ?, "
                                 "key_mode = ?, cert_mode = ?, validate_command = ?, "
                                 "reload_command = ?, local_files = ?, revision = revision + 1, "
                                 "updated_utc = ?, "
                                 "updated_by = ? WHERE id = ? AND revision = ?"));
        bindTarget(q, target);
        q.addBindValue(internal::nowText());
        q.addBindValue(actor());
        q.addBindValue(target.id);
        q.addBindValue(target.revision);
        if (auto e = execPrepared(q, QStringLiteral("Cannot save the deploy target")); !e) {
            return e;
        }
        if (q.numRowsAffected() == 1) {
            return {};
        }
        const auto current = deployTarget(target.id);
        if (!current) {
            return tl::unexpected(current.error());
        }
        return fail(ErrorCode::Conflict,
                    QStringLiteral("Deploy target %1 (%2) was changed by %3 at %4 after you read "
                                   "it; nothing was saved")
                        .arg(QString::number(target.id), describe(*current), current->updatedBy,
                             internal::timeText(current->updatedUtc)),
                    QStringLiteral("your revision %1, stored revision %2")
                        .arg(target.revision)
                        .arg(current->revision));
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    return deployTarget(target.id);
}

Result<QHash<qint64, DeployTarget>> EndpointRepository::deployTargets() const
{
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM deploy_targets").arg(kTargetColumns));
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the deploy targets")); !s) {
        return tl::unexpected(s.error());
    }
    QHash<qint64, DeployTarget> out;
    while (q.next()) {
        DeployTarget t = targetFromRow(q);
        out.insert(t.id, t);
    }
    return out;
}

Result<Endpoint> EndpointRepository::resolve(const QString& ref, const QString& sni) const
{
    bool isId = false;
    const qint64 id = ref.toLongLong(&isId);
    if (isId) {
        return get(id);
    }
    auto address = parseHostPort(ref, 443);
    if (!address) {
        return tl::unexpected(address.error());
    }
    const quint16 port = address->port;
    auto found = at(address->host, port);
    if (!found) {
        return tl::unexpected(found.error());
    }
    QList<Endpoint> matches;
    for (const Endpoint& e : *found) {
        const QString effectiveSni = e.sniName.isEmpty() ? e.host : e.sniName;
        if (sni.isEmpty() || effectiveSni.compare(sni, Qt::CaseInsensitive) == 0) {
            matches << e;
        }
    }
    const QString name = endpointAddress(address->host.toLower(), port);
    if (matches.isEmpty()) {
        return fail(ErrorCode::NotFound,
                    sni.isEmpty()
                        ? QStringLiteral("%1 is not in the inventory").arg(name)
                        : QStringLiteral("%1 with SNI %2 is not in the inventory").arg(name, sni),
                    QStringLiteral("see 'certdeckctl fleet list'"));
    }
    if (matches.size() > 1) {
        QStringList ids;
        for (const Endpoint& e : matches) {
            ids << QStringLiteral("%1 (SNI %2)")
                       .arg(e.id)
                       .arg(e.sniName.isEmpty() ? e.host : e.sniName);
        }
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 has %2 endpoints; name one by ID or --sni")
                        .arg(name)
                        .arg(matches.size()),
                    ids.join(QLatin1String(", ")));
    }
    return matches.first();
}

} // namespace certdeck::inventory
