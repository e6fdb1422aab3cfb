// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl vault keys [prune]: the stored keys, what uses each, and the
// removal of those nothing uses.
#include "VaultKeys.h"

#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/OsKeyring.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <cstdio>
#include <unistd.h>

namespace certdeck::cli {

namespace {

using inventory::KeyProtection;
using inventory::KeyRecord;
using inventory::KeyUsage;

QString created(const KeyRecord& k)
{
    return k.createdUtc.toString(Qt::ISODate);
}

QString protectionWord(KeyProtection p)
{
    return p == KeyProtection::OsKeyring ? QStringLiteral("keyring") : QStringLiteral("vault");
}

QString label(const KeyRecord& k)
{
    return k.description.isEmpty() ? QStringLiteral("(no label)") : k.description;
}

// Pads `cells` into columns two spaces apart; the last column is not padded.
void printTable(QTextStream& out, const QList<QStringList>& rows)
{
    QList<qsizetype> widths;
    for (const QStringList& row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (widths.size() <= i) {
                widths << 0;
            }
            widths[i] = std::max(widths.at(i), row.at(i).size());
        }
    }
    for (const QStringList& row : rows) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i) {
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 2) : row.at(i);
        }
        out << line.trimmed() << "\n";
    }
}

/// y/yes on the terminal; anything else (or end of input) is no.
bool confirmed(CommandContext& ctx, const QString& question)
{
    ctx.err << question << " [y/N] ";
    ctx.err.flush();
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) {
        return false;
    }
    const QString answer = QString::fromLocal8Bit(in.readLine(64)).trimmed().toLower();
    return answer == QLatin1String("y") || answer == QLatin1String("yes");
}

} // namespace

ExitCode listVaultKeys(CommandContext& ctx, const std::optional<QByteArray>& passphrase)
{
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto all = (*store)->keys().usage();
    if (!all) {
        return reportError(ctx, all.error());
    }
    // A key's type is only in the sealed key itself: shown when the vault
    // is opened for it.
    inventory::KeyVault vault(**store);
    if (passphrase) {
        if (auto unlocked = vault.unlock(*passphrase); !unlocked) {
            return reportError(ctx, unlocked.error());
        }
    }
    auto typeOf = [&](const KeyRecord& k) -> QString {
        if (!vault.isUnlocked() || k.protection != KeyProtection::MasterPassphrase) {
            return {};
        }
        auto key = vault.loadKey(k.id);
        return key ? key->description() : QStringLiteral("unreadable: ") + key.error().message;
    };
    int unused = 0;
    QJsonArray list;
    QList<QStringList> rows{{QStringLiteral("ID"), QStringLiteral("TYPE"),
                             QStringLiteral("HELD IN"), QStringLiteral("CREATED"),
                             QStringLiteral("LABEL"), QStringLiteral("USED BY")}};
    for (const KeyUsage& u : std::as_const(*all)) {
        const QString type = typeOf(u.key);
        unused += u.isUnused() ? 1 : 0;
        QJsonObject o{
            {QStringLiteral("id"), u.key.id},
            {QStringLiteral("protection"), inventory::keyProtectionName(u.key.protection)},
            {QStringLiteral("label"), u.key.description},
            {QStringLiteral("created"), created(u.key)},
            {QStringLiteral("usedBy"), QJsonArray::fromStringList(u.usedBy)},
            {QStringLiteral("unused"), u.isUnused()}};
        o.insert(QStringLiteral("type"), type.isEmpty() ? QJsonValue() : QJsonValue(type));
        list.append(o);
        rows << QStringList{QString::number(u.key.id),
                            type.isEmpty() ? QStringLiteral("-") : type,
                            protectionWord(u.key.protection),
                            created(u.key),
                            label(u.key),
                            u.isUnused() ? QStringLiteral("UNUSED")
                                         : u.usedBy.join(QStringLiteral(", "))};
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("keys"), list}, {QStringLiteral("unused"), unused}});
        return ExitCode::Ok;
    }
    if (all->isEmpty()) {
        ctx.out << "No stored keys\n";
        ctx.out.flush();
        return ExitCode::Ok;
    }
    printTable(ctx.out, rows);
    ctx.out << all->size() << " key(s), " << unused << " unused";
    if (unused > 0) {
        ctx.out << " (remove with 'certdeckctl vault keys prune')";
    }
    ctx.out << "\n";
    if (!passphrase) {
        ctx.out << "Key types are sealed: give --passphrase-file or --passphrase-env to show "
                   "them.\n";
    }
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode pruneVaultKeys(CommandContext& ctx, const QStringList& ids, bool force)
{
    QList<qint64> wanted;
    for (const QString& word : ids) {
        bool ok = false;
        const qint64 id = word.toLongLong(&ok);
        if (!ok || id <= 0) {
            return usageError(ctx, QStringLiteral("'%1' is not a key id (see 'certdeckctl vault "
                                                  "keys')")
                                       .arg(word));
        }
        wanted << id;
    }
    // Asking needs a terminal: a script that forgot --force is refused, not
    // left waiting or given a default.
    if (!force && ::isatty(STDIN_FILENO) == 0) {
        return usageError(ctx, QStringLiteral("'vault keys prune' asks before deleting keys, and "
                                              "its input is not a terminal: give --force"));
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto all = (*store)->keys().usage();
    if (!all) {
        return reportError(ctx, all.error());
    }
    QList<KeyRecord> doomed;
    for (const KeyUsage& u : std::as_const(*all)) {
        if (!wanted.isEmpty() && !wanted.contains(u.key.id)) {
            continue;
        }
        if (!u.isUnused()) {
            if (!wanted.isEmpty()) {
                return reportError(ctx,
                                   Error{ErrorCode::Conflict,
                                         QStringLiteral("key %1 is used by %2: nothing was pruned")
                                             .arg(u.key.id)
                                             .arg(u.usedBy.join(QStringLiteral(", "))),
                                         {}});
            }
            continue;
        }
        doomed << u.key;
    }
    for (const qint64 id : std::as_const(wanted)) {
        const bool known = std::any_of(all->cbegin(), all->cend(),
                                       [id](const KeyUsage& u) { return u.key.id == id; });
        if (!known) {
            return reportError(ctx, Error{ErrorCode::NotFound,
                                          QStringLiteral("no stored key has id %1: nothing was "
                                                         "pruned")
                                              .arg(id),
                                          {}});
        }
    }
    QList<qint64> doomedIds;
    QJsonArray pruned;
    for (const KeyRecord& k : std::as_const(doomed)) {
        doomedIds << k.id;
        pruned.append(QJsonObject{{QStringLiteral("id"), k.id},
                                  {QStringLiteral("label"), k.description},
                                  {QStringLiteral("created"), created(k)}});
    }
    if (doomed.isEmpty()) {
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("pruned"), pruned}});
        } else {
            ctx.out << "No unused keys: nothing to prune\n";
            ctx.out.flush();
        }
        return ExitCode::Ok;
    }
    if (!force) {
        ctx.err << "Unused key(s) to delete:\n";
        for (const KeyRecord& k : std::as_const(doomed)) {
            ctx.err << "  " << k.id << "  " << label(k) << "  (created " << created(k) << ")\n";
        }
        if (!confirmed(
                ctx,
                QStringLiteral("Delete %1 key(s)? This cannot be undone.").arg(doomed.size()))) {
            return reportError(ctx, Error{ErrorCode::Cancelled,
                                          QStringLiteral("not confirmed: nothing was pruned"),
                                          {}});
        }
    }
    if (auto removed = (*store)->keys().removeUnused(doomedIds); !removed) {
        return reportError(ctx, removed.error());
    }
    // A keyring-held key's secret lives outside the store: removed after the
    // record is gone (best effort; the record was what made it usable).
    for (const KeyRecord& k : std::as_const(doomed)) {
        if (k.protection == KeyProtection::OsKeyring && !k.keyringId.isEmpty()) {
            const Status gone =
                inventory::OsKeyring(QStringLiteral("CertDeck"), 15000).remove(k.keyringId);
            if (!gone) {
                ctx.err << "certdeckctl: warning: key " << k.id
                        << "'s entry in the OS keyring was not removed: " << gone.error().message
                        << "\n";
            }
        }
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("pruned"), pruned}});
    } else {
        for (const KeyRecord& k : std::as_const(doomed)) {
            ctx.out << "Pruned key " << k.id << " (" << label(k) << ")\n";
        }
    }
    ctx.out.flush();
    ctx.err.flush();
    return ExitCode::Ok;
}

} // namespace certdeck::cli
