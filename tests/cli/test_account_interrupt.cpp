// SPDX-License-Identifier: GPL-3.0-or-later
// `certdeckctl acme account new` interrupted while the CA does not answer
// (SIGINT, SIGTERM, SIGKILL; before connecting, while the CA holds the TLS
// connection, while it holds the registration) leaves no key in the vault
// and `store check` clean; against the real Pebble the account and its key
// are stored together, and nothing else.
#include "CtlRun.h"
#include "PebbleFixture.h"
#include "StallingAcmeServer.h"
#include "inventory/Store.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <csignal>

using namespace certdeck;
using certdeck::test::CtlRun;

class TestAccountInterrupt : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void interruptedCreationLeavesNoKey_data();
    void interruptedCreationLeavesNoKey();
    void refusedCreationLeavesNoKey();
    void createdAccountIsStoredWithItsKey();
    void cleanupTestCase();

private:
    CtlRun ctl(const QStringList& args);
    void expectNoKeyAndCleanCheck();
    QProcessEnvironment env() const;

    std::unique_ptr<test::FixtureDir> m_dir;
    std::unique_ptr<test::PebbleFixture> m_pebble;
    test::StallingAcmeServer m_stalling;
    QTcpServer m_silent; ///< accepts, never says a word (not even TLS)
    QString m_db;
};

QProcessEnvironment TestAccountInterrupt::env() const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("CERTDECK_DB"), m_db);
    e.insert(QStringLiteral("VAULT_PASS"), QStringLiteral("interrupt test passphrase"));
    return e;
}

CtlRun TestAccountInterrupt::ctl(const QStringList& args)
{
    return test::runCtl(args, env(), 120000);
}

void TestAccountInterrupt::initTestCase()
{
    QVERIFY2(QFileInfo(test::certdeckctlPath()).isExecutable(), "CERTDECKCTL is not set");
    m_dir = std::make_unique<test::FixtureDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("store.sqlite"));
    QVERIFY(m_silent.listen(QHostAddress::LocalHost, 0));
    // TestPki writes into a folder that exists.
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("stalling"))));
    QVERIFY2(m_stalling.start(m_dir->filePath(QStringLiteral("stalling"))),
             qPrintable(m_stalling.errorString()));
    m_pebble = std::make_unique<test::PebbleFixture>();
    QVERIFY2(m_pebble->start(), qPrintable(m_pebble->errorString()));
    const CtlRun init = ctl({QStringLiteral("vault"), QStringLiteral("init"),
                             QStringLiteral("--passphrase-env"), QStringLiteral("VAULT_PASS")});
    QVERIFY2(init.code == 0, init.err.constData());
}

void TestAccountInterrupt::cleanupTestCase()
{
    m_pebble.reset();
}

void TestAccountInterrupt::expectNoKeyAndCleanCheck()
{
    {
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(store);
        auto keys = (*store)->keys().usage();
        QVERIFY(keys);
        QStringList left;
        for (const inventory::KeyUsage& u : std::as_const(*keys)) {
            left << QStringLiteral("#%1 %2").arg(u.key.id).arg(u.key.description);
        }
        QVERIFY2(keys->isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
        auto issuers = (*store)->issuers().list();
        QVERIFY(issuers && issuers->isEmpty());
    }
    const CtlRun check = ctl({QStringLiteral("store"), QStringLiteral("check")});
    QVERIFY2(check.code == 0, check.out.constData());
    QVERIFY2(check.out.startsWith("STORE OK - "), check.out.constData());
    const CtlRun status = ctl({QStringLiteral("vault"), QStringLiteral("status")});
    QVERIFY2(status.out.startsWith("VAULT OK - master passphrase set, 0 key(s)"),
             status.out.constData());
}

void TestAccountInterrupt::interruptedCreationLeavesNoKey_data()
{
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("point");
    const QList<std::pair<int, QString>> signalNames = {{SIGINT, QStringLiteral("SIGINT")},
                                                        {SIGTERM, QStringLiteral("SIGTERM")},
                                                        {SIGKILL, QStringLiteral("SIGKILL")}};
    for (const auto& [sig, name] : signalNames) {
        // Once the key is made in memory, before the CA is contacted.
        QTest::addRow("%s key made", qPrintable(name)) << sig << QStringLiteral("key");
        // The CA accepted the connection and says nothing.
        QTest::addRow("%s CA silent", qPrintable(name)) << sig << QStringLiteral("silent");
        // The CA served its directory and a nonce, and holds the registration.
        QTest::addRow("%s registration held", qPrintable(name))
            << sig << QStringLiteral("registration");
    }
}

void TestAccountInterrupt::interruptedCreationLeavesNoKey()
{
    QFETCH(int, signal);
    QFETCH(QString, point);
    const bool stalling = point == QLatin1String("registration");
    const QString directory =
        stalling ? m_stalling.directoryUrl()
                 : QStringLiteral("https://127.0.0.1:%1/dir").arg(m_silent.serverPort());
    QStringList args{QStringLiteral("acme"),
                     QStringLiteral("account"),
                     QStringLiteral("new"),
                     QStringLiteral("--directory"),
                     directory,
                     QStringLiteral("--vault-passphrase-env"),
                     QStringLiteral("VAULT_PASS"),
                     QStringLiteral("--name"),
                     QStringLiteral("interrupted"),
                     QStringLiteral("--agree-tos")};
    if (stalling) {
        args << QStringLiteral("--ca-file") << m_stalling.caFile();
    }
    QProcess p;
    p.setProcessEnvironment(env());
    QByteArray err;
    connect(&p, &QProcess::readyReadStandardError, this,
            [&err, &p] { err += p.readAllStandardError(); });
    QSignalSpy finished(&p, &QProcess::finished);
    QSignalSpy held(&m_stalling, &test::StallingAcmeServer::registrationStalled);
    const int heldBefore = m_stalling.stalledRequests();
    p.start(test::certdeckctlPath(), args);
    QVERIFY(p.waitForStarted(10000));

    if (point == QLatin1String("key")) {
        QTRY_VERIFY_WITH_TIMEOUT(err.contains("Account key: generating an ECDSA P-256 key"), 30000);
    } else if (point == QLatin1String("silent")) {
        QTRY_VERIFY_WITH_TIMEOUT(m_silent.hasPendingConnections(), 30000);
    } else {
        QVERIFY2(held.wait(30000), err.constData());
        QCOMPARE(m_stalling.stalledRequests(), heldBefore + 1);
    }
    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), signal), 0);
    QVERIFY2(finished.count() == 1 || finished.wait(30000), err.constData());
    err += p.readAllStandardError();
    if (signal == SIGKILL) {
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    } else {
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3);
        QVERIFY2(err.contains("; cancelling"), err.constData());
    }
    // Close what the silent CA was holding before the next row connects.
    while (m_silent.hasPendingConnections()) {
        delete m_silent.nextPendingConnection();
    }
    expectNoKeyAndCleanCheck();
}

void TestAccountInterrupt::refusedCreationLeavesNoKey()
{
    // Pebble refuses an account that does not agree to its terms.
    const CtlRun r =
        ctl({QStringLiteral("acme"), QStringLiteral("account"), QStringLiteral("new"),
             QStringLiteral("--directory"), m_pebble->directoryUrl(), QStringLiteral("--ca-file"),
             m_pebble->caFile(), QStringLiteral("--vault-passphrase-env"),
             QStringLiteral("VAULT_PASS"), QStringLiteral("--name"), QStringLiteral("refused")});
    QVERIFY2(r.code == 3, r.err.constData());
    expectNoKeyAndCleanCheck();
}

void TestAccountInterrupt::createdAccountIsStoredWithItsKey()
{
    const CtlRun r = ctl(
        {QStringLiteral("acme"), QStringLiteral("account"), QStringLiteral("new"),
         QStringLiteral("--directory"), m_pebble->directoryUrl(), QStringLiteral("--ca-file"),
         m_pebble->caFile(), QStringLiteral("--vault-passphrase-env"), QStringLiteral("VAULT_PASS"),
         QStringLiteral("--name"), QStringLiteral("created"), QStringLiteral("--agree-tos")});
    QVERIFY2(r.code == 0, r.err.constData());
    {
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY(store);
        auto keys = (*store)->keys().usage();
        QVERIFY(keys);
        QCOMPARE(keys->size(), 1);
        QCOMPARE(keys->constFirst().key.description, QStringLiteral("ACME account key (created)"));
        QCOMPARE(keys->constFirst().usedBy.size(), 1);
        QVERIFY2(keys->constFirst().usedBy.constFirst().startsWith(
                     QStringLiteral("ACME account 'created'")),
                 qPrintable(keys->constFirst().usedBy.constFirst()));
        // One key.add, never a key.remove, for the whole story of this store.
        auto log = (*store)->activity().auditLog(500);
        QVERIFY(log);
        int adds = 0;
        for (const inventory::AuditEntry& e : std::as_const(*log)) {
            QVERIFY2(e.action != QLatin1String("key.remove"), qPrintable(e.subject));
            adds += e.action == QLatin1String("key.add") ? 1 : 0;
        }
        QCOMPARE(adds, 1);
    }
    const CtlRun check = ctl({QStringLiteral("store"), QStringLiteral("check")});
    QVERIFY2(check.code == 0, check.out.constData());
    const CtlRun keys = ctl({QStringLiteral("vault"), QStringLiteral("keys")});
    QCOMPARE(keys.code, 0);
    QVERIFY2(keys.out.contains("1 key(s), 0 unused"), keys.out.constData());
}

QTEST_GUILESS_MAIN(TestAccountInterrupt)
#include "test_account_interrupt.moc"
