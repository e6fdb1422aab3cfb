// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"

#include "common/Logging.h"
#include "inventory/Store.h"

#include <QJsonDocument>
#include <algorithm>

namespace certdeck::cli {

Q_LOGGING_CATEGORY(lcCli, "certdeck.cli", QtWarningMsg)

namespace {
QList<CommandSpec>& registry()
{
    static QList<CommandSpec> commands;
    return commands;
}
} // namespace

bool CommandRegistry::add(CommandSpec spec)
{
    auto& r = registry();
    r.append(std::move(spec));
    std::sort(r.begin(), r.end(),
              [](const CommandSpec& a, const CommandSpec& b) { return a.name < b.name; });
    return true;
}

const QList<CommandSpec>& CommandRegistry::all()
{
    return registry();
}

const CommandSpec* CommandRegistry::find(const QString& name)
{
    for (const CommandSpec& c : registry()) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

void CommonOptions::addTo(QCommandLineParser& p) const
{
    p.addOption(json);
    p.addOption(db);
    p.addOption(help);
    p.addOption(verbose);
}

void CommonOptions::apply(const QCommandLineParser& p, CommandContext& ctx) const
{
    ctx.json = ctx.json || p.isSet(json);
    if (p.isSet(db)) {
        ctx.dbPath = p.value(db);
    }
    if (p.isSet(verbose) && !ctx.verbose) {
        ctx.verbose = true;
        logging::configureFromEnvironment(true);
    }
}

QString exitCodeHelp()
{
    return QStringLiteral(
        "Exit codes (monitoring-plugin convention):\n"
        "  0  OK        done; nothing needs attention\n"
        "  1  WARNING   done, but something needs attention soon\n"
        "  2  CRITICAL  done, and something is wrong now\n"
        "  3  UNKNOWN   could not tell: usage error, unreachable store, internal error\n");
}

ExitCode usageError(CommandContext& ctx, const QString& message)
{
    ctx.err << "certdeckctl: " << message << "\n"
            << "Run 'certdeckctl --help' for the commands.\n";
    ctx.err.flush();
    return ExitCode::Unknown;
}

void printJson(QTextStream& out, const QJsonObject& object)
{
    out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    out.flush();
}

QJsonObject errorJson(const Error& e)
{
    return QJsonObject{
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), errorCodeName(e.code)},
                                              {QStringLiteral("message"), e.message},
                                              {QStringLiteral("detail"), e.detail}}}};
}

Result<inventory::Store*> CommandContext::store()
{
    // --db given after the command name changes dbPath before any store
    // work; a store opened for another path is not the one asked for.
    if (!openedStore || openedStorePath != dbPath) {
        auto opened = inventory::Store::openUrl(dbPath);
        if (!opened) {
            return tl::unexpected(opened.error());
        }
        openedStore = std::move(*opened);
        openedStorePath = dbPath;
    }
    return openedStore.get();
}

ExitCode reportError(CommandContext& ctx, const Error& error, ExitCode code)
{
    // A cancelled check could not tell anything, whatever it was checking.
    if (error.code == ErrorCode::Cancelled) {
        code = ExitCode::Unknown;
    }
    if (ctx.json) {
        printJson(ctx.out, errorJson(error));
    }
    ctx.err << "certdeckctl: " << error.toString() << "\n";
    ctx.err.flush();
    return code;
}

bool parseOrComplain(QCommandLineParser& p, const QStringList& args, CommandContext& ctx,
                     ExitCode* code)
{
    if (p.parse(args)) {
        return true;
    }
    *code = usageError(ctx, p.errorText());
    return false;
}

} // namespace certdeck::cli
