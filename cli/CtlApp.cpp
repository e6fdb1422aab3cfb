// SPDX-License-Identifier: GPL-3.0-or-later
#include "CtlApp.h"

#include "CliSupport.h"
#include "common/BuildInfo.h"
#include "common/Logging.h"
#include "inventory/Store.h"

#include <QElapsedTimer>
#include <QRegularExpression>

namespace certdeck::cli {

namespace {
QString usageLine()
{
    return QStringLiteral("Usage: certdeckctl [--json] [--db PATH] [--verbose] COMMAND ...\n");
}
} // namespace

CtlApp::CtlApp(QTextStream& out, QTextStream& err)
    : m_out(out)
    , m_err(err)
{}

ExitCode CtlApp::run(const QStringList& args)
{
    // Quiet unless CERTDECK_LOG asks; --verbose (here or after the command
    // name) switches everything on in CommonOptions::apply().
    logging::configureFromEnvironment(false);
    CommandContext ctx{m_out, m_err, false, inventory::Store::defaultLocation()};
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption version(QStringLiteral("version"),
                                     QStringLiteral("Print the version and exit."));
    p.addOption(version);
    p.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do."));
    // Everything after the command name belongs to the command.
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);

    if (p.isSet(version)) {
        const BuildInfo b = BuildInfo::current();
        if (ctx.json) {
            printJson(m_out, {{QStringLiteral("certdeck"), b.certdeck}});
        } else {
            m_out << "certdeckctl " << b.certdeck << "\n";
            m_out.flush();
        }
        return ExitCode::Ok;
    }
    const QStringList rest = p.positionalArguments();
    if (p.isSet(common.help) || (!rest.isEmpty() && rest.first() == QLatin1String("help"))) {
        m_out << usageLine() << "\n"
              << "CertDeck keeps the TLS certificates of a fleet of endpoints alive.\n\n"
              << "Commands:\n";
        // Summaries are "usage  description" lines; align the descriptions.
        for (const CommandSpec& c : CommandRegistry::all()) {
            for (const QString& line : c.summary.split(u'\n', Qt::SkipEmptyParts)) {
                static const QRegularExpression gap(QStringLiteral("\\s{2,}"));
                const QString trimmed = line.trimmed();
                const auto m = gap.match(trimmed);
                if (!m.hasMatch()) {
                    m_out << "  " << trimmed << "\n";
                    continue;
                }
                const QString usage = trimmed.left(m.capturedStart());
                const QString what = trimmed.mid(m.capturedEnd());
                m_out << "  " << usage.leftJustified(50) << ' ' << what << "\n";
            }
        }
        m_out << "\nGlobal options:\n"
              << "  --json       print JSON for scripts (errors too)\n"
              << "  --db PATH    inventory store; default $CERTDECK_DB or the user's data "
                 "folder\n"
              << "  --verbose    debug logs of every module on stderr (never secrets);\n"
                 "               CERTDECK_LOG=acme,probe or =all picks modules\n"
              << "  --version    print the version\n"
              << "  -h, --help   this text; 'certdeckctl COMMAND --help' for a command\n\n"
              << exitCodeHelp();
        m_out.flush();
        return ExitCode::Ok;
    }
    if (rest.isEmpty()) {
        return usageError(ctx, QStringLiteral("no command given"));
    }
    const CommandSpec* cmd = CommandRegistry::find(rest.first());
    if (cmd == nullptr) {
        return usageError(ctx, QStringLiteral("unknown command '%1'").arg(rest.first()));
    }
    // Only the command's name: its arguments are the user's business.
    qCDebug(lcCli).noquote() << "running" << cmd->name;
    QElapsedTimer clock;
    clock.start();
    // The command sees its own name as argv[0], so its parser works as usual.
    const ExitCode result = cmd->run(ctx, rest);
    qCDebug(lcCli).noquote() << cmd->name << "ended with exit code" << static_cast<int>(result)
                             << "after" << clock.elapsed() << "ms";
    return result;
}

} // namespace certdeck::cli
