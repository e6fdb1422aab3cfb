// SPDX-License-Identifier: GPL-3.0-or-later
// One CLI convention over every command (README, "Exit codes"): each
// subcommand of the command registry has its own --help listing its own
// options and no other's; a bad flag is a usage error (3) everywhere; the
// same failure exits with the same code in every command that can meet it;
// usage mistakes are refused before any byte reaches the server. The real
// certdeckctl runs against the real Pebble, and a loopback socket that
// counts who connected.
#include "CliSupport.h"
#include "PebbleFixture.h"

#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace certdeck::test;
using certdeck::cli::CommandRegistry;
using certdeck::cli::CommandSpec;
using certdeck::cli::SubcommandSpec;

class TestCliConvention : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyCommandDeclaresItsSubcommands();
    void everySubcommandHasItsOwnHelp();
    void everySubcommandRefusesAnUnknownFlag();
    void everySubcommandRefusesAnotherSubcommandsOption();
    void sameFailureSameExitCode_data();
    void sameFailureSameExitCode();
    void usageMistakesAreRefusedBeforeAnyTraffic_data();
    void usageMistakesAreRefusedBeforeAnyTraffic();
    void renewalInfoTakesTheStoredAccount();
    void cleanupTestCase();

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run ctl(const QStringList& args);
    QString path(const QString& name) const { return m_dir->filePath(name); }
    /// Replaces the placeholders of a data row with this run's values.
    QStringList expand(QStringList args) const;

    std::unique_ptr<PebbleFixture> m_pebble;
    std::unique_ptr<FixtureDir> m_dir;
    QTcpServer m_listener; ///< stands for a CA that must never be contacted
    QString m_ctl;
    QString m_db;
    quint16 m_closedPort = 0;
};

namespace {

const QStringList kCommonOptions{QStringLiteral("json"), QStringLiteral("db"),
                                 QStringLiteral("verbose"), QStringLiteral("help")};

/// The arguments that name a subcommand: the first alias of each word.
QStringList words(const CommandSpec& command, const SubcommandSpec& sub)
{
    QStringList w{command.name};
    for (const QString& word : sub.path.split(u' ', Qt::SkipEmptyParts)) {
        w << word.section(u'|', 0, 0);
    }
    return w;
}

QString label(const CommandSpec& command, const SubcommandSpec& sub)
{
    return (command.name + u' ' + sub.path).trimmed();
}

/// An option line of a help text: "  --name <VALUE>  ..." or "  -d, --name ...".
QRegularExpression optionLine(const QString& name)
{
    return QRegularExpression(
        QStringLiteral("^  (-[A-Za-z], )?--%1( |$)").arg(QRegularExpression::escape(name)),
        QRegularExpression::MultilineOption);
}

/// The options of the other subcommands of `command` that `sub` does not take.
QStringList foreignOptions(const CommandSpec& command, const SubcommandSpec& sub)
{
    QStringList foreign;
    for (const SubcommandSpec& other : command.subcommands) {
        for (const QString& o : other.options) {
            if (!sub.options.contains(o) && !kCommonOptions.contains(o) && !foreign.contains(o)) {
                foreign << o;
            }
        }
    }
    foreign.sort();
    return foreign;
}

} // namespace

TestCliConvention::Run TestCliConvention::ctl(const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CERTDECK_DB"), m_db);
    env.insert(QStringLiteral("RIGHT_PASS"), QStringLiteral("the right master passphrase"));
    env.insert(QStringLiteral("WRONG_PASS"), QStringLiteral("not the master passphrase"));
    p.setProcessEnvironment(env);
    p.start(m_ctl, args);
    Run r;
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit) {
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QStringList TestCliConvention::expand(QStringList args) const
{
    for (QString& a : args) {
        a.replace(QLatin1String("PEBBLE"), m_pebble->directoryUrl());
        a.replace(QLatin1String("CAFILE"), m_pebble->caFile());
        a.replace(QLatin1String("INTERMEDIATE"), path(QStringLiteral("intermediate.pem")));
        a.replace(QLatin1String("SILENT"),
                  QStringLiteral("https://127.0.0.1:%1/dir").arg(m_listener.serverPort()));
        a.replace(QLatin1String("CLOSED"), QString::number(m_closedPort));
        a.replace(QLatin1String("HTTPPORT"), QString::number(m_pebble->httpPort()));
        a.replace(QLatin1String("DIR/"), m_dir->path() + u'/');
    }
    return args;
}

void TestCliConvention::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFileInfo(m_ctl).isExecutable(), "CERTDECKCTL is not set to the binary");
    m_dir = std::make_unique<FixtureDir>();
    m_db = path(QStringLiteral("convention.sqlite"));
    m_pebble = std::make_unique<PebbleFixture>();
    QVERIFY2(m_pebble->start(), qPrintable(m_pebble->errorString()));
    QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
    m_closedPort = freeLoopbackPort();
    QVERIFY(m_closedPort != 0);

    // An account key on disk, and a stored account whose key is in the vault.
    QByteArray pem;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
                      QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256")},
                     &pem),
             0);
    QVERIFY(m_dir->write(QStringLiteral("account.key"), pem));
    // A certificate with an ARI identifier (it has an authority key identifier).
    auto issuer = m_pebble->fetchIssuerPem();
    QVERIFY2(issuer, qPrintable(m_pebble->errorString()));
    QVERIFY(m_dir->write(QStringLiteral("intermediate.pem"), issuer->intermediate));
    const Run init = ctl({"vault", "init", "--passphrase-env", "RIGHT_PASS"});
    QVERIFY2(init.code == 0, init.err.constData());
    const Run made =
        ctl(expand({"acme", "account", "new", "--directory", "PEBBLE", "--ca-file", "CAFILE",
                    "--vault-passphrase-env", "RIGHT_PASS", "--name", "stored", "--agree-tos"}));
    QVERIFY2(made.code == 0, made.err.constData());
}

void TestCliConvention::cleanupTestCase()
{
    m_pebble.reset();
}

void TestCliConvention::everyCommandDeclaresItsSubcommands()
{
    const QList<CommandSpec>& all = CommandRegistry::all();
    QVERIFY(all.size() >= 14);
    for (const CommandSpec& c : all) {
        QVERIFY2(!c.subcommands.isEmpty(), qPrintable(c.name));
        // `certdeckctl CMD --help` lists every subcommand of the command.
        const Run r = ctl({c.name, QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        for (const SubcommandSpec& sub : c.subcommands) {
            const QString usage = QStringLiteral("certdeckctl ") + label(c, sub);
            QVERIFY2(r.out.contains(usage.toUtf8()), qPrintable(usage + u'\n' + r.out));
        }
    }
}

void TestCliConvention::everySubcommandHasItsOwnHelp()
{
    for (const CommandSpec& c : CommandRegistry::all()) {
        for (const SubcommandSpec& sub : c.subcommands) {
            const QString name = label(c, sub);
            const Run r = ctl(words(c, sub) << QStringLiteral("--help"));
            QVERIFY2(r.code == 0, qPrintable(name + u' ' + r.err));
            QVERIFY2(r.err.isEmpty(), qPrintable(name + u' ' + r.err));
            const QString out = QString::fromUtf8(r.out);
            // Only this subcommand: one usage, its own.
            QVERIFY2(out.startsWith(QStringLiteral("Usage: certdeckctl ") + name), qPrintable(out));
            QCOMPARE(out.count(QStringLiteral("Usage:")), 1);
            for (const QString& o : sub.options + kCommonOptions) {
                QVERIFY2(
                    optionLine(o).match(out).hasMatch(),
                    qPrintable(
                        QStringLiteral("%1 --help does not list --%2:\n%3").arg(name, o, out)));
            }
            for (const QString& o : foreignOptions(c, sub)) {
                QVERIFY2(!optionLine(o).match(out).hasMatch(),
                         qPrintable(QStringLiteral("%1 --help lists --%2, which it does not take")
                                        .arg(name, o)));
            }
            QVERIFY2(out.contains(QLatin1String("3  UNKNOWN")), qPrintable(name));
        }
    }
}

void TestCliConvention::everySubcommandRefusesAnUnknownFlag()
{
    for (const CommandSpec& c : CommandRegistry::all()) {
        for (const SubcommandSpec& sub : c.subcommands) {
            const Run r = ctl(words(c, sub) << QStringLiteral("--no-such-flag"));
            QVERIFY2(r.code == 3, qPrintable(label(c, sub)));
            QVERIFY2(r.err.contains("no-such-flag"), qPrintable(label(c, sub) + u' ' + r.err));
            QVERIFY(r.out.isEmpty());
        }
    }
}

void TestCliConvention::everySubcommandRefusesAnotherSubcommandsOption()
{
    int checked = 0;
    for (const CommandSpec& c : CommandRegistry::all()) {
        for (const SubcommandSpec& sub : c.subcommands) {
            const QStringList foreign = foreignOptions(c, sub);
            if (foreign.isEmpty()) {
                continue;
            }
            // Whether the option takes a value: its owner's help says "--name <VALUE>".
            const QString option = foreign.constFirst();
            bool takesValue = false;
            for (const SubcommandSpec& owner : c.subcommands) {
                if (owner.options.contains(option)) {
                    const Run h = ctl(words(c, owner) << QStringLiteral("--help"));
                    takesValue = h.out.contains(("--" + option + " <").toUtf8());
                    break;
                }
            }
            QStringList args = words(c, sub) << QStringLiteral("--") + option;
            if (takesValue) {
                args << QStringLiteral("x");
            }
            const Run r = ctl(args);
            const QString name = label(c, sub);
            QVERIFY2(r.code == 3, qPrintable(name + u' ' + args.join(u' ')));
            // A subcommand with a parser of its own does not know the option at all.
            QVERIFY2(r.err.contains(("does not take --" + option).toUtf8()) ||
                         r.err.contains(("Unknown option '" + option + "'").toUtf8()),
                     qPrintable(name + u' ' + r.err));
            QVERIFY2(r.err.contains(("Run 'certdeckctl " + c.name).toUtf8()) &&
                         r.err.contains(" --help' for its options"),
                     qPrintable(r.err));
            ++checked;
        }
    }
    QVERIFY(checked > 20);
}

void TestCliConvention::sameFailureSameExitCode_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QStringList out{"--key-out", "DIR/k.pem", "--cert-out", "DIR/c.pem"};
    const QStringList http{"-d", "a.test", "--http-port", "HTTPPORT"};

    // Wrong master passphrase: 3 wherever the vault is unlocked.
    QTest::newRow("passphrase/vault status")
        << QStringList{"vault", "status", "--passphrase-env", "WRONG_PASS"} << 3
        << "wrong master passphrase";
    QTest::newRow("passphrase/vault keys")
        << QStringList{"vault", "keys", "--passphrase-env", "WRONG_PASS"} << 3
        << "wrong master passphrase";
    QTest::newRow("passphrase/acme account show")
        << QStringList{"acme",      "account", "show",
                       "--account", "stored",  "--vault-passphrase-env",
                       "WRONG_PASS"}
        << 3 << "wrong master passphrase";
    QTest::newRow("passphrase/acme issue")
        << QStringList{"acme",      "issue", "--account", "stored", "--vault-passphrase-env",
                       "WRONG_PASS"} +
               http + out
        << 3 << "wrong master passphrase";
    QTest::newRow("passphrase/acme revoke")
        << QStringList{"acme",       "revoke", "--account", "stored", "--vault-passphrase-env",
                       "WRONG_PASS", "--cert", "CAFILE"}
        << 3 << "wrong master passphrase";

    // A server the command uses does not answer: 3.
    QTest::newRow("unreachable/acme issue")
        << QStringList{"acme",          "issue",
                       "--directory",   "https://127.0.0.1:CLOSED/dir",
                       "--account-key", "DIR/account.key"} +
               http + out
        << 3 << "refused";
    QTest::newRow("unreachable/acme account show") << QStringList{"acme",
                                                                  "account",
                                                                  "show",
                                                                  "--directory",
                                                                  "https://127.0.0.1:CLOSED/dir",
                                                                  "--account-key",
                                                                  "DIR/account.key"}
                                                   << 3 << "refused";
    QTest::newRow("unreachable/acme renewal-info")
        << QStringList{"acme",   "renewal-info", "--directory", "https://127.0.0.1:CLOSED/dir",
                       "--cert", "INTERMEDIATE"}
        << 3 << "refused";
    QTest::newRow("unreachable/cert show")
        << QStringList{"cert", "show", "127.0.0.1:CLOSED"} << 3 << "refused";
    // The endpoint probe checks is its subject: that it does not answer is the
    // verdict (CRITICAL), the same as scan and the console give (README).
    QTest::newRow("unreachable/probe subject")
        << QStringList{"probe", "127.0.0.1:CLOSED", "--no-inspect"} << 2 << "";

    // The server's certificate is not trusted (Pebble without --ca-file): 3.
    QTest::newRow("untrusted/acme account new")
        << QStringList{"acme",          "account",         "new",        "--directory", "PEBBLE",
                       "--account-key", "DIR/account.key", "--agree-tos"}
        << 3 << "not trusted";
    QTest::newRow("untrusted/acme issue")
        << QStringList{"acme",   "issue",         "--directory",
                       "PEBBLE", "--account-key", "DIR/account.key"} +
               http + out
        << 3 << "not trusted";
    QTest::newRow("untrusted/acme revoke")
        << QStringList{"acme",          "revoke",          "--directory", "PEBBLE",
                       "--account-key", "DIR/account.key", "--cert",      "CAFILE"}
        << 3 << "not trusted";
    QTest::newRow("untrusted/acme renewal-info")
        << QStringList{"acme", "renewal-info", "--directory", "PEBBLE", "--cert", "INTERMEDIATE"}
        << 3 << "not trusted";

    // Usage errors: 3, pointing at the subcommand's own help.
    QTest::newRow("usage/unknown reason")
        << QStringList{"acme",   "revoke", "--account", "stored",
                       "--cert", "CAFILE", "--reason",  "bogus"}
        << 3 << "allowed: unspecified, keyCompromise, affiliationChanged";
    QTest::newRow("usage/unknown challenge")
        << QStringList{"acme", "issue", "--challenge", "smtp-01"} + http + out << 3
        << "allowed: http-01, dns-01, tls-alpn-01";
    QTest::newRow("usage/unknown export format")
        << QStringList{"fleet", "export", "--format", "xml"} << 3 << "allowed: json, csv";
    QTest::newRow("usage/unknown key type")
        << QStringList{"acme", "issue", "--account", "stored", "--key-type", "dsa"} + http + out
        << 3 << "allowed: p256, p384";
    QTest::newRow("usage/unknown action")
        << QStringList{"acme", "frobnicate"} << 3 << "certdeckctl acme --help";
    QTest::newRow("usage/prune with no terminal to ask on")
        << QStringList{"vault", "keys", "prune"} << 3 << "give --force";
    QTest::newRow("usage/prune a key id that is no number")
        << QStringList{"vault", "keys", "prune", "seven", "--force"} << 3
        << "certdeckctl vault keys prune --help";
}

void TestCliConvention::sameFailureSameExitCode()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const Run r = ctl(expand(args));
    QVERIFY2(r.code == code, qPrintable(QStringLiteral("exit %1, not %2: %3")
                                            .arg(r.code)
                                            .arg(code)
                                            .arg(QString::fromUtf8(r.err))));
    // vault status prints its status line on stdout, as a monitoring check does.
    QVERIFY2((r.out + r.err).contains(message.toUtf8()), r.err.constData());
    // Nothing is written when the command fails.
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("k.pem"))));
}

void TestCliConvention::usageMistakesAreRefusedBeforeAnyTraffic_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QStringList key{"--directory", "SILENT", "--account-key", "DIR/account.key"};
    const QStringList out{"--key-out", "DIR/k.pem", "--cert-out", "DIR/c.pem"};
    QTest::newRow("wildcard with http-01")
        << QStringList{"acme", "issue", "-d", "*.a.test", "--http-port", "HTTPPORT"} + key + out
        << "*.a.test is a wildcard";
    QTest::newRow("wildcard with tls-alpn-01")
        << QStringList{"acme",     "issue",       "-d",          "www.a.test", "-d",
                       "*.a.test", "--challenge", "tls-alpn-01", "--tls-port", "HTTPPORT"} +
               key + out
        << "only with dns-01";
    QTest::newRow("wildcard with a stored account") << QStringList{"acme",
                                                                   "issue",
                                                                   "--account",
                                                                   "stored",
                                                                   "--directory",
                                                                   "SILENT",
                                                                   "--vault-passphrase-env",
                                                                   "RIGHT_PASS",
                                                                   "-d",
                                                                   "*.a.test",
                                                                   "--http-port",
                                                                   "HTTPPORT"} +
                                                           out
                                                    << "is a wildcard";
    QTest::newRow("IP with dns-01")
        << QStringList{"acme",        "issue",  "--ip",       "127.0.0.1",
                       "--challenge", "dns-01", "--dns-hook", "/bin/true"} +
               key + out
        << "RFC 8738";
    QTest::newRow("unknown reason")
        << QStringList{"acme", "revoke", "--cert", "CAFILE", "--reason", "bogus"} + key
        << "allowed: unspecified";
    QTest::newRow("cert key and account key")
        << QStringList{"acme", "revoke", "--cert", "CAFILE", "--cert-key", "DIR/account.key"} + key
        << "one of them";
    QTest::newRow("account and account key")
        << QStringList{"acme", "issue",  "--account",   "stored",
                       "-d",   "a.test", "--http-port", "HTTPPORT"} +
               key + out
        << "not both";
    QTest::newRow("revoke: account and account key")
        << QStringList{"acme", "revoke", "--account", "stored", "--cert", "CAFILE"} + key
        << "not both";
    QTest::newRow("account show: account and account key")
        << QStringList{"acme", "account", "show", "--account", "stored"} + key << "not both";
    QTest::newRow("no --key-out") << QStringList{"acme",   "issue",       "-d",
                                                 "a.test", "--http-port", "HTTPPORT"} +
                                         key
                                  << "needs --key-out and --cert-out";
    QTest::newRow("deactivate without --force")
        << QStringList{"acme", "account", "deactivate"} + key << "--force";
    QTest::newRow("renewal-info without --cert")
        << QStringList{"acme", "renewal-info", "--directory", "SILENT"} << "needs --cert";
    QTest::newRow("option of another subcommand")
        << QStringList{"acme",   "renewal-info", "--directory", "SILENT",
                       "--cert", "CAFILE",       "--http-port", "HTTPPORT"}
        << "does not take --http-port";
}

void TestCliConvention::usageMistakesAreRefusedBeforeAnyTraffic()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = ctl(expand(args));
    // Had certdeckctl connected, its connection would wait in the listener's
    // queue ahead of ours: the first one accepted must be our own.
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
    QVERIFY(probe.waitForConnected(10000));
    QTRY_VERIFY(m_listener.hasPendingConnections());
    std::unique_ptr<QTcpSocket> first(m_listener.nextPendingConnection());
    QVERIFY2(first->peerPort() == probe.localPort(), "certdeckctl connected to the CA");
    QVERIFY(!m_listener.hasPendingConnections());
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
}

void TestCliConvention::renewalInfoTakesTheStoredAccount()
{
    // No --directory: the stored account names its CA and the roots trusted
    // for it, and no passphrase is needed for the unsigned ARI request.
    // Pebble 2.4 offers no ARI: getting that far proves the CA was reached.
    const Run r =
        ctl(expand({"acme", "renewal-info", "--account", "stored", "--cert", "INTERMEDIATE"}));
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("offers no renewal information (ARI)"), r.err.constData());
    // An unknown account is refused by name.
    const Run unknown =
        ctl(expand({"acme", "renewal-info", "--account", "nobody", "--cert", "INTERMEDIATE"}));
    QCOMPARE(unknown.code, 3);
    QVERIFY2(unknown.err.contains("nobody"), unknown.err.constData());
}

QTEST_GUILESS_MAIN(TestCliConvention)
#include "test_cli_convention.moc"
