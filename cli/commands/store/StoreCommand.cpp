// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl store: where the inventory is and whether it is healthy.
#include "CliSupport.h"
#include "inventory/Store.h"

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
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("ok"), ok},
                                {QStringLiteral("location"), location},
                                {QStringLiteral("integrity"), *result}});
        } else {
            ctx.out << (ok ? "STORE OK" : "STORE CRITICAL") << " - " << location << ": " << *result
                    << "\n";
            ctx.out.flush();
        }
        return ok ? ExitCode::Ok : ExitCode::Critical;
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
                            "(or is no database at all), 0 when it is sound.")}};
}

CERTDECK_COMMAND(
    {QStringLiteral("store"),
     QStringLiteral("  store info   where the inventory store is, its engine and schema "
                    "version\n"
                    "  store check  run the store's integrity check (exit 2 when "
                    "damaged)\n"),
     runStore, storeSubcommands()});

} // namespace certdeck::cli
