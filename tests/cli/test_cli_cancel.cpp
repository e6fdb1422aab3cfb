// SPDX-License-Identifier: GPL-3.0-or-later
// Ctrl-C and SIGTERM during a long certdeckctl command, run as a user would:
// the operation is cancelled at once (the socket to a silent peer closes, a
// prime search stops), the command says so and exits with 3 (UNKNOWN).
#include "crypto/PrivateKey.h"
#include "inventory/Store.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace certdeck;

class TestCliCancel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void ctrlCCancelsAnAcmeExchangeWithASilentPeer();
    void sigtermCancelsAPrimeSearch();
    void ctrlCCancelsAScanAndRecordsNothingHalfDone();

private:
    void startCtl(QProcess& p, const QStringList& args);
    QString m_ctl;
    QTemporaryDir m_tmp;
    QByteArray m_err; ///< the running command's stderr so far
};

void TestCliCancel::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFileInfo(m_ctl).isExecutable(), "CERTDECKCTL is not set to the binary");
    QVERIFY(m_tmp.isValid());
}

void TestCliCancel::startCtl(QProcess& p, const QStringList& args)
{
    m_err.clear();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CERTDECK_DB"), m_tmp.filePath(QStringLiteral("store.sqlite")));
    p.setProcessEnvironment(env);
    connect(&p, &QProcess::readyReadStandardError, this,
            [this, &p] { m_err += p.readAllStandardError(); });
    p.start(m_ctl, args);
}

void TestCliCancel::ctrlCCancelsAnAcmeExchangeWithASilentPeer()
{
    // A peer that accepts the TLS connection and never answers: without the
    // cancel, the client would wait for its 30 s limit.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    const QString key = m_tmp.filePath(QStringLiteral("account.key"));
    {
        auto k = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
        QVERIFY(k);
        QFile f(key);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(k->toPkcs8Pem());
    }
    QProcess p;
    QSignalSpy finished(&p, &QProcess::finished);
    startCtl(p, {QStringLiteral("acme"), QStringLiteral("account"), QStringLiteral("show"),
                 QStringLiteral("--directory"),
                 QStringLiteral("https://127.0.0.1:%1/dir").arg(silent.serverPort()),
                 QStringLiteral("--account-key"), key});
    // The command is in its event loop, talking to the peer.
    QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), 15000);
    QTcpSocket* peer = silent.nextPendingConnection();
    QSignalSpy peerSawClose(peer, &QTcpSocket::disconnected);

    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
    QVERIFY2(finished.wait(15000), m_err.constData()); // well before the 30 s limit
    m_err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 3);
    QVERIFY2(m_err.contains("certdeckctl: acme: interrupted; cancelling"), m_err.constData());
    QVERIFY2(m_err.contains("reading the ACME directory: cancelled"), m_err.constData());
    QVERIFY(peerSawClose.count() == 1 || peerSawClose.wait(5000));
}

void TestCliCancel::sigtermCancelsAPrimeSearch()
{
    // 4096-bit DH parameters take minutes: only a cancel ends this soon.
    const QString out = m_tmp.filePath(QStringLiteral("dh.pem"));
    QProcess p;
    QSignalSpy finished(&p, &QProcess::finished);
    startCtl(p, {QStringLiteral("dhparam"), QStringLiteral("--bits"), QStringLiteral("4096"),
                 QStringLiteral("--out"), out});
    QTRY_VERIFY_WITH_TIMEOUT(m_err.contains("certdeckctl: dhparam Generating 4096-bit DH "
                                            "parameters: started"),
                             15000);
    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGTERM), 0);
    QVERIFY2(finished.wait(30000), m_err.constData());
    m_err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 3);
    QVERIFY2(m_err.contains("certdeckctl: dhparam: terminated; cancelling"), m_err.constData());
    QVERIFY2(m_err.contains("cancelled"), m_err.constData());
    QVERIFY(!QFileInfo::exists(out)); // nothing half-made was written
}

void TestCliCancel::ctrlCCancelsAScanAndRecordsNothingHalfDone()
{
    // Three endpoints that accept and never answer: with 60 s step limits,
    // only the cancel ends the scan soon.
    QTcpServer silent[3];
    const QString db = m_tmp.filePath(QStringLiteral("scan.sqlite"));
    {
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store);
        for (QTcpServer& server : silent) {
            QVERIFY(server.listen(QHostAddress::LocalHost));
            inventory::Endpoint e;
            e.host = QStringLiteral("127.0.0.1");
            e.port = server.serverPort();
            QVERIFY((*store)->endpoints().add(e));
        }
    }
    QProcess p;
    QSignalSpy finished(&p, &QProcess::finished);
    startCtl(p, {QStringLiteral("scan"), QStringLiteral("--db"), db, QStringLiteral("--timeout"),
                 QStringLiteral("60000")});
    QTRY_VERIFY_WITH_TIMEOUT(silent[0].hasPendingConnections() ||
                                 silent[1].hasPendingConnections() ||
                                 silent[2].hasPendingConnections(),
                             15000);
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
    QVERIFY2(finished.wait(15000), m_err.constData()); // far before the 60 s limits
    qInfo("scan ended %lld ms after SIGINT", static_cast<long long>(clock.elapsed()));
    m_err += p.readAllStandardError();
    QCOMPARE(p.exitCode(), 3);
    QVERIFY2(m_err.contains("certdeckctl: scan: interrupted; cancelling"), m_err.constData());
    QVERIFY2(m_err.contains("scan cancelled after 0 of 3 endpoint(s)"), m_err.constData());
    auto store = inventory::Store::openSqlite(db);
    QVERIFY(store);
    QCOMPARE((*store)->probes().latest()->size(), 0); // nothing half-done recorded
}

QTEST_GUILESS_MAIN(TestCliCancel)
#include "test_cli_cancel.moc"
