// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl store: where the inventory is and whether it is healthy.
#include "CliSupport.h"
#include "inventory/Store.h"

#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

ExitCode runStore(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("info or check"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("store"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 ||
        (pos.first() != QLatin1String("info") && pos.first() != QLatin1String("check"))) {
        return usageError(ctx, QStringLiteral("'store' needs one action: info or check"));
    }
    auto store = ctx.store();
    if (!store) {
        // A store that cannot be opened is a critical finding for `check`, and
        // an unknown state for `info`.
        const bool check = pos.first() == QLatin1String("check");
        if (ctx.json) {
            printJson(ctx.out, errorJson(store.error()));
        }
        ctx.err << "certdeckctl: " << store.error().toString() << "\n";
        ctx.err.flush();
        return check ? ExitCode::Critical : ExitCode::Unknown;
    }
    if (pos.first() == QLatin1String("check")) {
        auto result = (*store)->integrityCheck();
        if (!result) {
            ctx.err << "certdeckctl: " << result.error().toString() << "\n";
            ctx.err.flush();
            return ExitCode::Unknown;
        }
        const bool ok = *result == QLatin1String("ok");
        // The store's own name for itself: a PostgreSQL URL may hold a password.
        const auto facts = (*store)->info();
        const QString location = facts ? facts->location : QStringLiteral("the store");
        // Keys that nothing uses: left by an older CertDeck's interrupted
        // write, or by hand. Not damage, but secrets to clean up: a warning.
        auto unused = (*store)->keys().unused();
        if (!unused && ok) {
            return reportError(ctx, unused.error());
        }
        const QList<inventory::KeyRecord> orphans =
            unused ? *unused : QList<inventory::KeyRecord>();
        QJsonArray orphanList;
        QStringList orphanNames;
        for (const inventory::KeyRecord& k : orphans) {
            orphanList.append(
                QJsonObject{{QStringLiteral("id"), k.id},
                            {QStringLiteral("label"), k.description},
                            {QStringLiteral("created"), k.createdUtc.toString(Qt::ISODate)}});
            orphanNames << QStringLiteral("#%1 '%2'").arg(k.id).arg(k.description);
        }
        const ExitCode verdict = !ok                 ? ExitCode::Critical
                                 : orphans.isEmpty() ? ExitCode::Ok
                                                     : ExitCode::Warning;
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("ok"), verdict == ExitCode::Ok},
                                {QStringLiteral("location"), location},
                                {QStringLiteral("integrity"), *result},
                                {QStringLiteral("unusedKeys"), orphanList}});
        } else {
            const char* word = verdict == ExitCode::Critical  ? "STORE CRITICAL"
                               : verdict == ExitCode::Warning ? "STORE WARNING"
                                                              : "STORE OK";
            ctx.out << word << " - " << location << ": " << *result;
            if (!orphans.isEmpty()) {
                ctx.out << "; " << orphans.size()
                        << " unused key(s): " << orphanNames.join(QStringLiteral(", "))
                        << " (list with 'certdeckctl vault keys', remove with 'certdeckctl vault "
                           "keys prune')";
            }
            ctx.out << "\n";
            ctx.out.flush();
        }
        return verdict;
    }
    auto info = (*store)->info();
    if (!info) {
        ctx.err << "certdeckctl: " << info.error().toString() << "\n";
        ctx.err.flush();
        return ExitCode::Unknown;
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("backend"), info->backend},
                            {QStringLiteral("location"), info->location},
                            {QStringLiteral("engineVersion"), info->engineVersion},
                            {QStringLiteral("schemaVersion"), info->schemaVersion},
                            {QStringLiteral("latestSchemaVersion"), info->latestSchemaVersion},
                            {QStringLiteral("journalMode"), info->journalMode}});
        return ExitCode::Ok;
    }
    ctx.out << "Backend   " << info->backend << " " << info->engineVersion << "\n"
            << "Location  " << info->location << "\n"
            << "Schema    " << info->schemaVersion << " (latest " << info->latestSchemaVersion
            << ")\n"
            << "Journal   " << info->journalMode << "\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

} // namespace

QList<SubcommandSpec> storeSubcommands()
{
    return {{QStringLiteral("info"),
             QString(),
             {},
             QStringLiteral("Where the store is, its engine and schema version.")},
            {QStringLiteral("check"),
             QString(),
             {},
             QStringLiteral("Runs the store's integrity check: exit 2 when the store is damaged\n"
                            "(or is no database at all); 1 when it is sound but holds keys\n"
                            "that nothing uses (named; see 'vault keys'); 0 when all is well.")}};
}

CERTDECK_COMMAND(
    {QStringLiteral("store"),
     QStringLiteral("  store info   where the inventory store is, its engine and schema "
                    "version\n"
                    "  store check  run the store's integrity check (exit 2 when "
                    "damaged, 1 with unused keys)\n"),
     runStore, storeSubcommands()});

} // namespace certdeck::cli
