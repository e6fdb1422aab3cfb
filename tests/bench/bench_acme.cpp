// SPDX-License-Identifier: GPL-3.0-or-later
// Time to get one certificate with HTTP-01 from one real Pebble, certdeckctl
// beside certbot (Debian's package) in the same run, N rounds, the two tools
// alternating which goes first. Both bind their own HTTP-01 responder on
// 127.0.0.1 at the port Pebble validates (PebbleFixture: its resolver
// answers every name with 127.0.0.1) and both trust Pebble's TLS only
// through its CA file (certbot: REQUESTS_CA_BUNDLE). Three figures, each the
// median of N:
//   register + issue: certbot's first run in a fresh config folder (it
//     makes an account key, registers, issues) against `certdeckctl acme
//     account new` (key + registration) followed by `acme issue`;
//   issue only: certbot with the account registered earlier (a new name)
//     against `certdeckctl acme issue` with its registered account;
//   account new alone (certdeckctl), for the record.
// Certificate keys: P-256 on both sides. Account keys: certbot's RSA 2048
// (its only kind), certdeckctl's P-256. Pebble runs with no nonce rejection
// and no authorization reuse, so every order goes through a validation.
// Not a test: no thresholds, run it by hand or with bench_acme.sh.
#include "BenchSupport.h"
#include "PebbleFixture.h"
#include "PeerProcess.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <algorithm>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::bench;

namespace {

struct Timed
{
    qint64 ms = -1; ///< -1: the command failed
    QByteArray log;
};

/// Runs one command to completion and times it; its output is kept for a
/// failure report only.
Timed timed(const QString& program, const QStringList& args, const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    QElapsedTimer clock;
    clock.start();
    p.start(program, args);
    const bool done = p.waitForFinished(180000);
    Timed t;
    t.log = p.readAll();
    if (done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
        t.ms = clock.elapsed();
    } else {
        if (!done) {
            p.kill();
            p.waitForFinished(5000);
        }
        t.log += "\n(exit " + QByteArray::number(p.exitCode()) + ")";
    }
    return t;
}

class AcmeBench
{
public:
    AcmeBench(PebbleFixture& pebble, QString ctl, QString work)
        : m_pebble(pebble)
        , m_ctl(std::move(ctl))
        , m_work(std::move(work))
    {
        m_env = QProcessEnvironment::systemEnvironment();
        m_certbotEnv = m_env;
        m_certbotEnv.insert(QStringLiteral("REQUESTS_CA_BUNDLE"), pebble.caFile());
    }

    /// Where certbot puts the chain it got for `name`.
    QString certbotChain(const QString& configDir, const QString& name) const
    {
        return QDir(m_work).filePath(configDir + QStringLiteral("/config/live/") + name +
                                     QStringLiteral("/fullchain.pem"));
    }
    QString ourChain(const QString& name) const
    {
        return QDir(m_work).filePath(name + QStringLiteral(".pem"));
    }

    Timed certbot(const QString& configDir, const QString& name)
    {
        const QString base = QDir(m_work).filePath(configDir);
        return timed(QStringLiteral("certbot"),
                     {QStringLiteral("certonly"),
                      QStringLiteral("--standalone"),
                      QStringLiteral("--http-01-port"),
                      QString::number(m_pebble.httpPort()),
                      QStringLiteral("--http-01-address"),
                      QStringLiteral("127.0.0.1"),
                      QStringLiteral("--server"),
                      m_pebble.directoryUrl(),
                      QStringLiteral("--config-dir"),
                      base + QStringLiteral("/config"),
                      QStringLiteral("--work-dir"),
                      base + QStringLiteral("/work"),
                      QStringLiteral("--logs-dir"),
                      base + QStringLiteral("/logs"),
                      QStringLiteral("--register-unsafely-without-email"),
                      QStringLiteral("--agree-tos"),
                      QStringLiteral("--non-interactive"),
                      QStringLiteral("--key-type"),
                      QStringLiteral("ecdsa"),
                      QStringLiteral("--elliptic-curve"),
                      QStringLiteral("secp256r1"),
                      QStringLiteral("-d"),
                      name},
                     m_certbotEnv);
    }

    Timed accountNew(const QString& keyFile)
    {
        return timed(m_ctl,
                     {QStringLiteral("acme"), QStringLiteral("account"), QStringLiteral("new"),
                      QStringLiteral("--directory"), m_pebble.directoryUrl(),
                      QStringLiteral("--ca-file"), m_pebble.caFile(),
                      QStringLiteral("--account-key"), QDir(m_work).filePath(keyFile),
                      QStringLiteral("--agree-tos")},
                     m_env);
    }

    Timed issue(const QString& keyFile, const QString& name)
    {
        const QString out = QDir(m_work).filePath(name);
        return timed(m_ctl,
                     {QStringLiteral("acme"),
                      QStringLiteral("issue"),
                      QStringLiteral("--directory"),
                      m_pebble.directoryUrl(),
                      QStringLiteral("--ca-file"),
                      m_pebble.caFile(),
                      QStringLiteral("--account-key"),
                      QDir(m_work).filePath(keyFile),
                      QStringLiteral("-d"),
                      name,
                      QStringLiteral("--challenge"),
                      QStringLiteral("http-01"),
                      QStringLiteral("--http-port"),
                      QString::number(m_pebble.httpPort()),
                      QStringLiteral("--http-address"),
                      QStringLiteral("127.0.0.1"),
                      QStringLiteral("--key-type"),
                      QStringLiteral("p256"),
                      QStringLiteral("--key-out"),
                      out + QStringLiteral(".key"),
                      QStringLiteral("--cert-out"),
                      out + QStringLiteral(".pem")},
                     m_env);
    }

private:
    PebbleFixture& m_pebble;
    QString m_ctl;
    QString m_work;
    QProcessEnvironment m_env;
    QProcessEnvironment m_certbotEnv;
};

/// Keeps the time of a run that succeeded and left its certificate at
/// `certFile` (when given).
bool record(const Timed& t, const QString& what, QList<qint64>* into, const QString& certFile = {})
{
    if (t.ms < 0 || (!certFile.isEmpty() && !QFileInfo(certFile).isFile())) {
        out() << what << " FAILED" << (t.ms < 0 ? QString() : QStringLiteral(": no ") + certFile)
              << "\n"
              << QString::fromLocal8Bit(t.log.right(1500)) << "\n";
        out().flush();
        return false;
    }
    *into << t.ms;
    return true;
}

QString row(const QString& what, const QList<qint64>& certbot, const QList<qint64>& ours)
{
    const qint64 c = median(certbot);
    const qint64 o = median(ours);
    return QStringLiteral("%1 %2 %3 %4\n")
        .arg(what, -34)
        .arg(c, 10)
        .arg(o, 10)
        .arg(ratio(double(c), double(o)), 15);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    int rounds = 5;
    if (const qsizetype i = args.indexOf(QStringLiteral("--runs")); i >= 0 && i + 1 < args.size()) {
        rounds = std::max(1, args.at(i + 1).toInt());
    }
    QString ctl = QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/certdeckctl");
    if (const qsizetype i = args.indexOf(QStringLiteral("--certdeckctl"));
        i >= 0 && i + 1 < args.size()) {
        ctl = args.at(i + 1);
    }
    ctl = QFileInfo(ctl).canonicalFilePath();
    if (ctl.isEmpty() || !QFileInfo(ctl).isExecutable()) {
        out() << "certdeckctl not found: build it or give --certdeckctl PATH\n";
        return 3;
    }
    QByteArray certbotVersion;
    if (runTool(QStringLiteral("certbot"), {QStringLiteral("--version")}, &certbotVersion) != 0) {
        out() << "certbot is not installed (bench_acme.sh installs it)\n";
        return 3;
    }

    PebbleFixture pebble;
    PebbleFixture::Options options;
    options.nonceRejectPercent = 0;
    options.authzReusePercent = 0;
    if (!pebble.start(options)) {
        out() << "Pebble failed: " << pebble.errorString() << "\n";
        return 1;
    }
    FixtureDir work;
    AcmeBench bench(pebble, ctl, work.path());
    out() << machineLine() << "; " << QString::fromLocal8Bit(certbotVersion).trimmed() << "\n"
          << "One certificate (one DNS name, P-256 key) with HTTP-01 from Pebble on 127.0.0.1, "
          << rounds << " rounds, tools alternating; median wall ms per command run\n\n";
    out().flush();

    // Accounts for the issue-only rounds, registered before timing starts.
    bool ok =
        bench.certbot(QStringLiteral("certbot-main"), QStringLiteral("warm.certbot.test")).ms >=
            0 &&
        bench.accountNew(QStringLiteral("main-account.key")).ms >= 0;
    if (!ok) {
        out() << "setting up the accounts failed\n";
        return 1;
    }
    QList<qint64> certbotFresh;
    QList<qint64> certbotIssue;
    QList<qint64> oursAccount;
    QList<qint64> oursFresh;
    QList<qint64> oursIssue;
    for (int i = 0; i < rounds; ++i) {
        const QString n = QString::number(i);
        const auto runCertbot = [&] {
            const QString fresh = QStringLiteral("fresh-%1.certbot.test").arg(i);
            const QString again = QStringLiteral("issue-%1.certbot.test").arg(i);
            ok &= record(bench.certbot(QStringLiteral("certbot-fresh-") + n, fresh),
                         QStringLiteral("certbot register + issue"), &certbotFresh,
                         bench.certbotChain(QStringLiteral("certbot-fresh-") + n, fresh));
            ok &= record(bench.certbot(QStringLiteral("certbot-main"), again),
                         QStringLiteral("certbot issue"), &certbotIssue,
                         bench.certbotChain(QStringLiteral("certbot-main"), again));
        };
        const auto runOurs = [&] {
            const QString key = QStringLiteral("fresh-%1.key").arg(i);
            const Timed account = bench.accountNew(key);
            ok &= record(account, QStringLiteral("certdeckctl account new"), &oursAccount);
            const QString fresh = QStringLiteral("fresh-%1.certdeck.test").arg(i);
            const QString again = QStringLiteral("issue-%1.certdeck.test").arg(i);
            const Timed first = bench.issue(key, fresh);
            QList<qint64> unused;
            if (record(first, QStringLiteral("certdeckctl issue (new account)"), &unused,
                       bench.ourChain(fresh)) &&
                account.ms >= 0) {
                oursFresh << account.ms + first.ms;
            } else {
                ok = false;
            }
            ok &= record(bench.issue(QStringLiteral("main-account.key"), again),
                         QStringLiteral("certdeckctl issue"), &oursIssue, bench.ourChain(again));
        };
        if (i % 2 == 0) {
            runCertbot();
            runOurs();
        } else {
            runOurs();
            runCertbot();
        }
    }
    out() << QStringLiteral("%1 %2 %3 %4\n")
                 .arg(QStringLiteral("what"), -34)
                 .arg(QStringLiteral("certbot"), 10)
                 .arg(QStringLiteral("certdeck"), 10)
                 .arg(QStringLiteral("certbot/certdeck"), 15)
          << row(QStringLiteral("register + issue (fresh account)"), certbotFresh, oursFresh)
          << row(QStringLiteral("issue (existing account)"), certbotIssue, oursIssue)
          << QStringLiteral("%1 %2 %3\n")
                 .arg(QStringLiteral("  certdeckctl account new alone"), -34)
                 .arg(QStringLiteral("-"), 10)
                 .arg(median(oursAccount), 10);
    const auto list = [](const QList<qint64>& v) {
        QStringList s;
        for (qint64 x : v) {
            s << QString::number(x);
        }
        return s.join(u' ');
    };
    out() << "samples (ms):\n  certbot register+issue: " << list(certbotFresh)
          << "\n  certdeck register+issue: " << list(oursFresh)
          << "\n  certbot issue: " << list(certbotIssue)
          << "\n  certdeck issue: " << list(oursIssue)
          << "\n  certdeck account new: " << list(oursAccount) << "\n"
          << "all runs succeeded: " << (ok ? "yes" : "NO") << "\n";
    return ok ? 0 : 1;
}
