// SPDX-License-Identifier: GPL-3.0-or-later
#include "CtlApp.h"

#include "common/BuildInfo.h"
#include "common/CpuFeatures.h"
#include "inventory/Store.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

const QString kExitCodes = QStringLiteral(
    "Exit codes (monitoring-plugin convention):\n"
    "  0  OK        done; nothing needs attention\n"
    "  1  WARNING   done, but something needs attention soon\n"
    "  2  CRITICAL  done, and something is wrong now\n"
    "  3  UNKNOWN   could not tell: usage error, unreachable store, internal error\n");

const QString kCommands = QStringLiteral(
    "Commands:\n"
    "  about        versions of CertDeck, Qt, OpenSSL, libssh; the CPU's crypto features\n"
    "  store info   where the inventory store is, its engine and schema version\n"
    "  store check  run the store's integrity check (exit 2 when damaged)\n");

QString usageLine()
{
    return QStringLiteral("Usage: certdeckctl [--json] [--db PATH] COMMAND ...\n");
}

struct CommonOptions
{
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON for scripts.")};
    QCommandLineOption db{QStringLiteral("db"),
                          QStringLiteral("Inventory store (SQLite file); default $CERTDECK_DB "
                                         "or the user's data folder."),
                          QStringLiteral("PATH")};
    QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")},
                            QStringLiteral("Show help and exit codes.")};

    void addTo(QCommandLineParser& p) const
    {
        p.addOption(json);
        p.addOption(db);
        p.addOption(help);
    }
};

void printJson(QTextStream& out, const QJsonObject& o)
{
    out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
    out.flush();
}

QJsonObject errorJson(const Error& e)
{
    return QJsonObject{
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), errorCodeName(e.code)},
                                              {QStringLiteral("message"), e.message},
                                              {QStringLiteral("detail"), e.detail}}}};
}

} // namespace

CtlApp::CtlApp(QTextStream& out, QTextStream& err)
    : m_out(out)
    , m_err(err)
{}

ExitCode CtlApp::usageError(const QString& message)
{
    m_err << "certdeckctl: " << message << "\n"
          << usageLine() << "Run 'certdeckctl --help' for the commands.\n";
    m_err.flush();
    return ExitCode::Unknown;
}

ExitCode CtlApp::run(const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption version(QStringLiteral("version"),
                                     QStringLiteral("Print the version and exit."));
    p.addOption(version);
    p.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do."));
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    if (!p.parse(args)) {
        return usageError(p.errorText());
    }
    m_json = p.isSet(common.json);
    m_dbPath = p.isSet(common.db) ? p.value(common.db) : inventory::Store::defaultLocation();

    if (p.isSet(version)) {
        const BuildInfo b = BuildInfo::current();
        if (m_json) {
            printJson(m_out, {{QStringLiteral("certdeck"), b.certdeck}});
        } else {
            m_out << "certdeckctl " << b.certdeck << "\n";
        }
        m_out.flush();
        return ExitCode::Ok;
    }
    const QStringList rest = p.positionalArguments();
    if (p.isSet(common.help) || (!rest.isEmpty() && rest.first() == QLatin1String("help"))) {
        m_out << usageLine() << "\n"
              << "CertDeck keeps the TLS certificates of a fleet of endpoints alive.\n\n"
              << kCommands << "\nGlobal options:\n"
              << "  --json       print JSON for scripts (errors too)\n"
              << "  --db PATH    inventory store; default $CERTDECK_DB or the user's data "
                 "folder\n"
              << "  --version    print the version\n"
              << "  -h, --help   this text; 'certdeckctl COMMAND --help' for a command\n\n"
              << kExitCodes;
        m_out.flush();
        return ExitCode::Ok;
    }
    if (rest.isEmpty()) {
        return usageError(QStringLiteral("no command given"));
    }
    // The subcommand sees its own name as argv[0], so its options parse the same way.
    const QString cmd = rest.first();
    if (cmd == QLatin1String("about")) {
        return runAbout(rest);
    }
    if (cmd == QLatin1String("store")) {
        return runStore(rest);
    }
    return usageError(QStringLiteral("unknown command '%1'").arg(cmd));
}

ExitCode CtlApp::runAbout(const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    if (!p.parse(args)) {
        return usageError(p.errorText());
    }
    if (p.isSet(common.help)) {
        m_out << "Usage: certdeckctl about [--json]\n\nPrints the versions of CertDeck and the "
                 "libraries it runs on, and the CPU's crypto instruction sets.\n\n"
              << kExitCodes;
        m_out.flush();
        return ExitCode::Ok;
    }
    if (!p.positionalArguments().isEmpty()) {
        return usageError(QStringLiteral("'about' takes no arguments"));
    }
    m_json = m_json || p.isSet(common.json);
    const BuildInfo b = BuildInfo::current();
    const CpuFeatures cpu = CpuFeatures::detect();
    if (m_json) {
        QJsonObject feats;
        for (const auto& f : cpu.flags()) {
            feats.insert(f.name, f.present);
        }
        printJson(m_out, {{QStringLiteral("certdeck"), b.certdeck},
                          {QStringLiteral("qt"), b.qtRuntime},
                          {QStringLiteral("qtBuild"), b.qtBuild},
                          {QStringLiteral("openssl"), b.openssl},
                          {QStringLiteral("opensslBuild"), b.opensslBuild},
                          {QStringLiteral("libssh"), b.libssh},
                          {QStringLiteral("kf6SyntaxHighlighting"), b.kf6Highlighting},
                          {QStringLiteral("cpu"),
                           QJsonObject{{QStringLiteral("architecture"), cpu.architecture},
                                       {QStringLiteral("vendor"), cpu.vendor},
                                       {QStringLiteral("model"), cpu.model},
                                       {QStringLiteral("features"), feats}}}});
        return ExitCode::Ok;
    }
    m_out << "CertDeck     " << b.certdeck << "\n"
          << "Qt           " << b.qtRuntime << " (built with " << b.qtBuild << ")\n"
          << "OpenSSL      " << b.openssl << "\n"
          << "libssh       " << b.libssh << "\n"
          << "Highlighting " << (b.kf6Highlighting ? "KF6 SyntaxHighlighting" : "built-in") << "\n"
          << "CPU          " << cpu.architecture;
    if (!cpu.model.isEmpty()) {
        m_out << ", " << cpu.model;
    }
    m_out << "\n";
    for (const auto& f : cpu.flags()) {
        m_out << "  " << f.name.leftJustified(11) << (f.present ? "yes" : "no") << "\n";
    }
    m_out.flush();
    return ExitCode::Ok;
}

ExitCode CtlApp::runStore(const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("info or check"));
    if (!p.parse(args)) {
        return usageError(p.errorText());
    }
    if (p.isSet(common.help)) {
        m_out << "Usage: certdeckctl store info|check [--json] [--db PATH]\n\n"
                 "  info   where the store is, its engine and schema version\n"
                 "  check  run the integrity check; exit 2 when the store is damaged\n\n"
              << kExitCodes;
        m_out.flush();
        return ExitCode::Ok;
    }
    m_json = m_json || p.isSet(common.json);
    if (p.isSet(common.db)) {
        m_dbPath = p.value(common.db);
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 ||
        (pos.first() != QLatin1String("info") && pos.first() != QLatin1String("check"))) {
        return usageError(QStringLiteral("'store' needs one action: info or check"));
    }
    auto store = inventory::Store::openSqlite(m_dbPath);
    if (!store) {
        // A store that cannot be opened is a critical finding for `check`, and
        // an unknown state for `info`.
        const bool check = pos.first() == QLatin1String("check");
        if (m_json) {
            printJson(m_out, errorJson(store.error()));
        }
        m_err << "certdeckctl: " << store.error().toString() << "\n";
        m_err.flush();
        return check ? ExitCode::Critical : ExitCode::Unknown;
    }
    if (pos.first() == QLatin1String("check")) {
        auto result = (*store)->integrityCheck();
        if (!result) {
            m_err << "certdeckctl: " << result.error().toString() << "\n";
            m_err.flush();
            return ExitCode::Unknown;
        }
        const bool ok = *result == QLatin1String("ok");
        if (m_json) {
            printJson(m_out, {{QStringLiteral("ok"), ok},
                              {QStringLiteral("location"), m_dbPath},
                              {QStringLiteral("integrity"), *result}});
        } else {
            m_out << (ok ? "STORE OK" : "STORE CRITICAL") << " - " << m_dbPath << ": " << *result
                  << "\n";
            m_out.flush();
        }
        return ok ? ExitCode::Ok : ExitCode::Critical;
    }
    auto info = (*store)->info();
    if (!info) {
        m_err << "certdeckctl: " << info.error().toString() << "\n";
        m_err.flush();
        return ExitCode::Unknown;
    }
    if (m_json) {
        printJson(m_out, {{QStringLiteral("backend"), info->backend},
                          {QStringLiteral("location"), info->location},
                          {QStringLiteral("engineVersion"), info->engineVersion},
                          {QStringLiteral("schemaVersion"), info->schemaVersion},
                          {QStringLiteral("latestSchemaVersion"), info->latestSchemaVersion},
                          {QStringLiteral("journalMode"), info->journalMode}});
        return ExitCode::Ok;
    }
    m_out << "Backend   " << info->backend << " " << info->engineVersion << "\n"
          << "Location  " << info->location << "\n"
          << "Schema    " << info->schemaVersion << " (latest " << info->latestSchemaVersion
          << ")\n"
          << "Journal   " << info->journalMode << "\n";
    m_out.flush();
    return ExitCode::Ok;
}

} // namespace certdeck::cli
