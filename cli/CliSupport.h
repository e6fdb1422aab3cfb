// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ExitCode.h"
#include "common/Result.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTextStream>
#include <functional>
#include <memory>

namespace certdeck::inventory {
class Store;
}

namespace certdeck::cli {

/// "certdeck.cli": off unless --verbose or CERTDECK_LOG (common/Logging.h).
Q_DECLARE_LOGGING_CATEGORY(lcCli)

/// What every command gets: where to print, and the global options.
struct CommandContext
{
    QTextStream& out; ///< results: tables for people, JSON with --json
    QTextStream& err; ///< progress and errors
    bool json = false;
    QString dbPath;
    bool verbose = false; ///< debug logs of every module on stderr

    /// The inventory at dbPath, opened (and checked) at the first call and
    /// kept for the rest of the command: a command opens it once and passes
    /// it down, and the flows it runs connect to the same opened store.
    [[nodiscard]] Result<inventory::Store*> store();
    /// Kept by store(); not for commands.
    std::shared_ptr<inventory::Store> openedStore = {};
    QString openedStorePath = {};
    /// Where a usage error points: "certdeckctl acme revoke --help" once
    /// checkSubcommand() knows the subcommand.
    QString usageHint = {};
};

/// One subcommand ("account new", "issue"), or the command itself when
/// `path` is empty. Its `--help` and the options it accepts come from here.
struct SubcommandSpec
{
    QString path;        ///< words after the command name; empty: the command itself
    QString synopsis;    ///< arguments after "certdeckctl COMMAND PATH"
    QStringList options; ///< long names of its options, besides --json --db --verbose --help
    QString notes;       ///< what it does; the values its options allow
};

/// One top-level command ("key", "cert", "store"...). `run` receives the
/// arguments starting with the command's own name.
struct CommandSpec
{
    QString name;
    QString summary; ///< lines for `certdeckctl --help`, each "  name args   what"
    std::function<ExitCode(CommandContext&, const QStringList&)> run;
    QList<SubcommandSpec> subcommands; ///< every subcommand, each with its own --help
};

/// Commands register themselves from their own file (see CERTDECK_COMMAND),
/// so adding one touches no shared list.
class CommandRegistry
{
public:
    static bool add(CommandSpec spec);
    [[nodiscard]] static const QList<CommandSpec>& all();
    [[nodiscard]] static const CommandSpec* find(const QString& name);
};

/// Options every command accepts, also after the command name.
struct CommonOptions
{
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON for scripts.")};
    QCommandLineOption db{
        QStringLiteral("db"),
        QStringLiteral("Inventory store: an SQLite file or postgresql://user@host:port/db; "
                       "default $CERTDECK_DB "
                       "or the user's data folder."),
        QStringLiteral("PATH")};
    QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")},
                            QStringLiteral("Show help and exit codes.")};
    QCommandLineOption verbose{QStringLiteral("verbose"),
                               QStringLiteral("Debug logs of every module on stderr (never "
                                              "secrets); CERTDECK_LOG picks modules.")};

    void addTo(QCommandLineParser& p) const;
    /// Applies --json/--db/--verbose given after the command name to `ctx`;
    /// --verbose switches the debug logs on at once.
    void apply(const QCommandLineParser& p, CommandContext& ctx) const;
};

/// The exit-code table printed by every --help. The rule behind it: an error
/// (the command could not do its work, or could not tell) is 3 wherever it
/// happens; 1 and 2 are only ever answers about the subject.
[[nodiscard]] QString exitCodeHelp();

/// Prints "certdeckctl: message" and a usage hint to stderr; returns Unknown.
ExitCode usageError(CommandContext& ctx, const QString& message);

/// A value an option does not allow: a usage error naming the allowed ones.
ExitCode unknownValue(CommandContext& ctx, const QString& option, const QString& value,
                      const QStringList& allowed);

/// Prints an engine error (JSON on stdout with --json, always on stderr) and
/// returns ExitCode::Unknown: whatever failed, the command could not do its
/// work, so it cannot give an answer about the subject.
ExitCode reportError(CommandContext& ctx, const Error& error);

/// The subcommand of `command` that the positional `words` name (the longest
/// path that starts them); nullptr when none does.
[[nodiscard]] const SubcommandSpec* findSubcommand(const CommandSpec& command,
                                                   const QStringList& words);

/// `certdeckctl COMMAND --help` for a command that dispatches before parsing:
/// its subcommands, one line each; returns Ok.
ExitCode commandHelp(CommandContext& ctx, const QString& command);

/// Call right after parsing. With -h/--help, prints the help of the
/// subcommand `words` names (or the command's list of subcommands) and returns
/// false with *code Ok. An option that subcommand does not take is refused
/// (false, *code Unknown). `words` are the positional arguments, action first.
[[nodiscard]] bool checkSubcommand(CommandContext& ctx, const QCommandLineParser& p,
                                   const QString& command, const QStringList& words,
                                   ExitCode* code);

void printJson(QTextStream& out, const QJsonObject& object);
[[nodiscard]] QJsonObject errorJson(const Error& error);

/// Parses `args` with `p` (common options added by the caller); on a parse
/// error prints it and returns false.
[[nodiscard]] bool parseOrComplain(QCommandLineParser& p, const QStringList& args,
                                   CommandContext& ctx, ExitCode* code);

} // namespace certdeck::cli

#define CERTDECK_CONCAT_INNER(a, b) a##b
#define CERTDECK_CONCAT(a, b) CERTDECK_CONCAT_INNER(a, b)
/// Registers a command at start-up: CERTDECK_COMMAND({name, summary, fn});
#define CERTDECK_COMMAND(...)                                                                      \
    static const bool CERTDECK_CONCAT(certdeckCommandRegistered_, __LINE__) =                      \
        ::certdeck::cli::CommandRegistry::add(::certdeck::cli::CommandSpec __VA_ARGS__)
