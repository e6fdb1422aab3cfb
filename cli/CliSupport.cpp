// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliSupport.h"

#include "common/Logging.h"
#include "inventory/Store.h"

#include <QJsonDocument>
#include <QRegularExpression>
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
        "  1  WARNING   an answer: the subject needs attention soon\n"
        "  2  CRITICAL  an answer: the subject is wrong now (chain does not verify, key\n"
        "               does not match, store damaged, account not valid...)\n"
        "  3  UNKNOWN   an error: the command could not do its work or could not tell\n"
        "               (usage error, wrong passphrase, unreachable or untrusted server,\n"
        "               store error, file I/O, cancelled, refused by the CA)\n");
}

ExitCode usageError(CommandContext& ctx, const QString& message)
{
    ctx.err << "certdeckctl: " << message << "\n"
            << "Run '"
            << (ctx.usageHint.isEmpty() ? QStringLiteral("certdeckctl --help") : ctx.usageHint)
            << "' for " << (ctx.usageHint.isEmpty() ? "the commands" : "its options") << ".\n";
    ctx.err.flush();
    return ExitCode::Unknown;
}

ExitCode unknownValue(CommandContext& ctx, const QString& option, const QString& value,
                      const QStringList& allowed)
{
    return usageError(ctx, QStringLiteral("unknown --%1 '%2'; allowed: %3")
                               .arg(option, value, allowed.join(QStringLiteral(", "))));
}

namespace {

/// One option's lines of QCommandLineParser::helpText(), with its names.
struct OptionHelp
{
    QStringList names;
    QString text;
};

// The parser holds the options' descriptions; its help text is the only
// public way to read them, so each subcommand's help is cut out of it.
QList<OptionHelp> optionHelp(const QCommandLineParser& p)
{
    static const QRegularExpression nameRe(QStringLiteral("(?:^|[ ,])--?([A-Za-z0-9][\\w-]*)"));
    QList<OptionHelp> entries;
    bool inOptions = false;
    for (const QString& line : p.helpText().split(u'\n')) {
        if (!inOptions) {
            inOptions = line == QLatin1String("Options:");
            continue;
        }
        if (line.trimmed().isEmpty()) {
            break;
        }
        if (line.startsWith(QLatin1String("  -"))) {
            OptionHelp entry;
            const QString head = line.trimmed().section(QStringLiteral("  "), 0, 0);
            for (auto it = nameRe.globalMatch(head); it.hasNext();) {
                entry.names << it.next().captured(1);
            }
            entry.text = line;
            entries << entry;
        } else if (!entries.isEmpty()) {
            entries.last().text += u'\n' + line;
        }
    }
    return entries;
}

const OptionHelp* entryFor(const QList<OptionHelp>& entries, const QString& name)
{
    for (const OptionHelp& e : entries) {
        if (e.names.contains(name)) {
            return &e;
        }
    }
    return nullptr;
}

const QStringList& commonOptionNames()
{
    static const QStringList names{QStringLiteral("json"), QStringLiteral("db"),
                                   QStringLiteral("verbose"), QStringLiteral("help")};
    return names;
}

QString fullName(const QString& command, const SubcommandSpec& sub)
{
    QString name = QStringLiteral("certdeckctl ") + command;
    if (!sub.path.isEmpty()) {
        name += u' ' + sub.path;
    }
    return name;
}

void printSubcommandHelp(QTextStream& out, const QCommandLineParser& p, const QString& command,
                         const SubcommandSpec& sub)
{
    out << "Usage: " << fullName(command, sub);
    if (!sub.synopsis.isEmpty()) {
        out << ' ' << sub.synopsis;
    }
    out << "\n\n";
    if (!sub.notes.isEmpty()) {
        out << sub.notes << (sub.notes.endsWith(u'\n') ? "\n" : "\n\n");
    }
    const QList<OptionHelp> entries = optionHelp(p);
    out << "Options:\n";
    for (const QString& name : sub.options + commonOptionNames()) {
        if (const OptionHelp* e = entryFor(entries, name)) {
            out << e->text << "\n";
        }
    }
    out << "\n" << exitCodeHelp();
    out.flush();
}

// The subcommands whose path starts with `words` ("acme account --help"), or
// all of them.
void printCommandHelp(QTextStream& out, const CommandSpec& command, const QStringList& words = {})
{
    QList<const SubcommandSpec*> shown;
    QString group = command.name;
    for (qsizetype n = words.size(); n >= 0 && shown.isEmpty(); --n) {
        for (const SubcommandSpec& sub : command.subcommands) {
            const QStringList path = sub.path.split(u' ', Qt::SkipEmptyParts);
            bool matches = path.size() >= n;
            for (qsizetype i = 0; i < n && matches; ++i) {
                matches = path.at(i).split(u'|').contains(words.at(i));
            }
            if (matches) {
                shown << &sub;
            }
        }
        if (!shown.isEmpty() && n > 0) {
            group += u' ' + words.mid(0, n).join(u' ');
        }
    }
    out << "Usage: certdeckctl " << group << " SUBCOMMAND ...\n\nSubcommands:\n";
    for (const SubcommandSpec* sub : std::as_const(shown)) {
        out << "  " << (fullName(command.name, *sub) + u' ' + sub->synopsis).trimmed() << "\n";
    }
    out << "\nRun 'certdeckctl " << group
        << " SUBCOMMAND --help' for a subcommand's options and the values they allow.\n\n"
        << exitCodeHelp();
    out.flush();
}

} // namespace

ExitCode commandHelp(CommandContext& ctx, const QString& command)
{
    if (const CommandSpec* spec = CommandRegistry::find(command)) {
        printCommandHelp(ctx.out, *spec);
    }
    return ExitCode::Ok;
}

const SubcommandSpec* findSubcommand(const CommandSpec& command, const QStringList& words)
{
    const SubcommandSpec* best = nullptr;
    qsizetype bestLength = -1;
    for (const SubcommandSpec& sub : command.subcommands) {
        // A word may name aliases: "rm|remove".
        const QStringList path = sub.path.split(u' ', Qt::SkipEmptyParts);
        if (path.size() > words.size() || path.size() <= bestLength) {
            continue;
        }
        bool matches = true;
        for (qsizetype i = 0; i < path.size() && matches; ++i) {
            matches = path.at(i).split(u'|').contains(words.at(i));
        }
        if (matches) {
            best = &sub;
            bestLength = path.size();
        }
    }
    return best;
}

bool checkSubcommand(CommandContext& ctx, const QCommandLineParser& p, const QString& command,
                     const QStringList& words, ExitCode* code)
{
    const CommandSpec* spec = CommandRegistry::find(command);
    if (spec == nullptr || spec->subcommands.isEmpty()) {
        return true;
    }
    const SubcommandSpec* sub = findSubcommand(*spec, words);
    // "chain --help" of a command with one subcommand is that subcommand's help.
    if (sub == nullptr && spec->subcommands.size() == 1 && p.isSet(QStringLiteral("help"))) {
        sub = &spec->subcommands.constFirst();
    }
    ctx.usageHint =
        (sub != nullptr ? fullName(command, *sub) : QStringLiteral("certdeckctl ") + command) +
        QStringLiteral(" --help");
    if (p.isSet(QStringLiteral("help"))) {
        if (sub != nullptr) {
            printSubcommandHelp(ctx.out, p, command, *sub);
        } else {
            printCommandHelp(ctx.out, *spec, words);
        }
        *code = ExitCode::Ok;
        return false;
    }
    if (sub == nullptr) {
        // The command names the actions it knows in its own refusal.
        return true;
    }
    const QList<OptionHelp> entries = optionHelp(p);
    for (const QString& given : p.optionNames()) {
        const OptionHelp* e = entryFor(entries, given);
        const QStringList names = e != nullptr ? e->names : QStringList{given};
        const bool allowed = std::any_of(names.begin(), names.end(), [&](const QString& n) {
            return sub->options.contains(n) || commonOptionNames().contains(n) ||
                   n == QLatin1String("h");
        });
        if (!allowed) {
            *code = usageError(ctx, QStringLiteral("'%1' does not take --%2")
                                        .arg(fullName(command, *sub).mid(12), names.last()));
            return false;
        }
    }
    return true;
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

ExitCode reportError(CommandContext& ctx, const Error& error)
{
    if (ctx.json) {
        printJson(ctx.out, errorJson(error));
    }
    ctx.err << "certdeckctl: " << error.toString() << "\n";
    ctx.err.flush();
    return ExitCode::Unknown;
}

bool parseOrComplain(QCommandLineParser& p, const QStringList& args, CommandContext& ctx,
                     ExitCode* code)
{
    if (p.parse(args)) {
        return true;
    }
    // A subcommand's own parser sees "fleet add" as its program name.
    if (!args.isEmpty() && args.constFirst().contains(u' ')) {
        ctx.usageHint = QStringLiteral("certdeckctl %1 --help").arg(args.constFirst());
    }
    *code = usageError(ctx, p.errorText());
    return false;
}

} // namespace certdeck::cli
