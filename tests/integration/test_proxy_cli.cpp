// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl proxy as an admin runs it: it says where it listens and what
// hardware it uses, a configured but missing QAT provider leaves it on
// software crypto with the reason, SIGHUP and a changed certificate file
// reload it (s_client sees the new certificate), SIGTERM stops it cleanly,
// and bad options are refused with a message naming them.
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <csignal>

using namespace certdeck::test;

class TestProxyCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void runsReloadsAndStops();
    void watchedFileReloads();
    void badOptionsAreNamed_data();
    void badOptionsAreNamed();

private:
    QByteArray servedPem(quint16 port);
    quint16 listeningPort(const QByteArray& log);

    QString m_ctl;
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_one, m_two;
    TestBackend m_backend;
};

void TestProxyCli::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(!m_ctl.isEmpty(), "CERTDECKCTL is not set");
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("one");
    m_one = m_pki.issue(s);
    s.name = QStringLiteral("two");
    m_two = m_pki.issue(s);
    QVERIFY2(!m_one.name.isEmpty() && !m_two.name.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY(m_backend.start());
}

QByteArray TestProxyCli::servedPem(quint16 port)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("s_client"), QStringLiteral("-connect"),
             QStringLiteral("127.0.0.1:%1").arg(port)},
            &out, 30000, {}, "Q\n");
    const qsizetype b = out.indexOf("-----BEGIN CERTIFICATE-----");
    const qsizetype e = out.indexOf("-----END CERTIFICATE-----", b);
    return b < 0 || e < 0 ? QByteArray() : out.mid(b, e - b + 25);
}

quint16 TestProxyCli::listeningPort(const QByteArray& log)
{
    const qsizetype at = log.indexOf("listening on 127.0.0.1:");
    if (at < 0) {
        return 0;
    }
    const QByteArray rest = log.mid(at + 23);
    return static_cast<quint16>(rest.left(rest.indexOf(' ')).toUInt());
}

static QByteArray pemOf(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray all = f.readAll();
    return all.left(all.indexOf("-----END CERTIFICATE-----") + 25);
}

void TestProxyCli::runsReloadsAndStops()
{
    // The file the proxy serves is replaced between SIGHUPs.
    const QString served = m_dir.filePath(QStringLiteral("served.pem"));
    const QString servedKey = m_dir.filePath(QStringLiteral("served.key"));
    QFile::remove(served);
    QFile::remove(servedKey);
    QVERIFY(QFile::copy(m_one.fullchain, served));
    QVERIFY(QFile::copy(m_one.key, servedKey));
    PeerProcess proxy(QStringLiteral("certdeckctl proxy"),
                      m_dir.filePath(QStringLiteral("cli.log")));
    QVERIFY(proxy.start(
        m_ctl, {QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--backend"), QStringLiteral("127.0.0.1:%1").arg(m_backend.port()),
                QStringLiteral("--cert"), served + u',' + servedKey,
                QStringLiteral("--qat-provider"), QStringLiteral("certdeck-no-such-qat")}));
    QVERIFY2(proxy.waitForLog("QAT:"), qPrintable(proxy.errorString()));
    const QByteArray log = proxy.log();
    const quint16 port = listeningPort(log);
    QVERIFY2(port != 0, log.constData());
    QVERIFY2(log.contains("QAT: provider 'certdeck-no-such-qat' could not be loaded"),
             log.constData());
    QVERIFY2(log.contains("using software crypto"), log.constData());
    QVERIFY2(log.contains("kernel TLS: "), log.constData());
    QVERIFY2(log.contains("OPENSSL_ia32cap="), log.constData());
    QCOMPARE(servedPem(port), pemOf(m_one.cert));

    // A reload with a key that does not match keeps the old certificate.
    QFile::remove(served);
    QVERIFY(QFile::copy(m_two.fullchain, served));
    QVERIFY(::kill(static_cast<pid_t>(proxy.pid()), SIGHUP) == 0);
    QVERIFY2(proxy.waitForLog("reload failed, still serving the previous certificates"),
             qPrintable(proxy.errorString()));
    QVERIFY(proxy.log().contains("does not belong"));
    QCOMPARE(servedPem(port), pemOf(m_one.cert));
    // With the matching key in place, the next SIGHUP takes the new pair.
    QFile::remove(servedKey);
    QVERIFY(QFile::copy(m_two.key, servedKey));
    QVERIFY(::kill(static_cast<pid_t>(proxy.pid()), SIGHUP) == 0);
    QVERIFY2(proxy.waitForLog("(SIGHUP)"), qPrintable(proxy.errorString()));
    QCOMPARE(servedPem(port), pemOf(m_two.cert));

    proxy.stop(); // SIGTERM: drains and exits
    QVERIFY2(proxy.log().contains("certdeckctl proxy: stopped after"), proxy.log().constData());
    QVERIFY(!tcpPortAnswers(port));
}

void TestProxyCli::watchedFileReloads()
{
    const QString cert = m_dir.filePath(QStringLiteral("watched.pem"));
    const QString key = m_dir.filePath(QStringLiteral("watched.key"));
    for (const QString& f : {cert, key}) {
        QFile::remove(f);
    }
    QVERIFY(QFile::copy(m_one.fullchain, cert));
    QVERIFY(QFile::copy(m_one.key, key));
    PeerProcess proxy(QStringLiteral("certdeckctl proxy"),
                      m_dir.filePath(QStringLiteral("watch.log")));
    QVERIFY(proxy.start(
        m_ctl, {QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--backend"), QStringLiteral("127.0.0.1:%1").arg(m_backend.port()),
                QStringLiteral("--cert"), cert + u',' + key, QStringLiteral("--watch")}));
    QVERIFY2(proxy.waitForLog("QAT:"), qPrintable(proxy.errorString()));
    const quint16 port = listeningPort(proxy.log());
    QVERIFY(port != 0);
    QCOMPARE(servedPem(port), pemOf(m_one.cert));
    // Renewed the way certbot does it: new files replace the old ones.
    QVERIFY(QFile::copy(m_two.fullchain, cert + QStringLiteral(".new")));
    QVERIFY(QFile::copy(m_two.key, key + QStringLiteral(".new")));
    QVERIFY(::rename(qPrintable(key + QStringLiteral(".new")), qPrintable(key)) == 0);
    QVERIFY(::rename(qPrintable(cert + QStringLiteral(".new")), qPrintable(cert)) == 0);
    QVERIFY2(proxy.waitForLog("(a certificate file changed)"), qPrintable(proxy.errorString()));
    QTRY_COMPARE(servedPem(port), pemOf(m_two.cert));
    proxy.stop();
}

void TestProxyCli::badOptionsAreNamed_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no cert") << QStringList{QStringLiteral("--listen"),
                                            QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--backend"),
                                            QStringLiteral("127.0.0.1:1")}
                             << QStringLiteral("at least one --cert");
    QTest::newRow("backend name") << QStringList{QStringLiteral("--listen"),
                                                 QStringLiteral("127.0.0.1:0"),
                                                 QStringLiteral("--backend"),
                                                 QStringLiteral("localhost:80"),
                                                 QStringLiteral("--cert"),
                                                 QStringLiteral("x.pem")}
                                  << QStringLiteral("not an IP address");
    QTest::newRow("policy")
        << QStringList{QStringLiteral("--listen"),  QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("--backend"), QStringLiteral("127.0.0.1:1"),
                       QStringLiteral("--cert"),    QStringLiteral("x.pem"),
                       QStringLiteral("--policy"),  QStringLiteral("old")}
        << QStringLiteral("unknown policy 'old'");
    QTest::newRow("workers")
        << QStringList{QStringLiteral("--listen"),  QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("--backend"), QStringLiteral("127.0.0.1:1"),
                       QStringLiteral("--cert"),    QStringLiteral("x.pem"),
                       QStringLiteral("--workers"), QStringLiteral("zero")}
        << QStringLiteral("--workers must be a positive number");
    QTest::newRow("missing file") << QStringList{QStringLiteral("--listen"),
                                                 QStringLiteral("127.0.0.1:0"),
                                                 QStringLiteral("--backend"),
                                                 QStringLiteral("127.0.0.1:1"),
                                                 QStringLiteral("--cert"),
                                                 QStringLiteral("/nonexistent/x.pem")}
                                  << QStringLiteral("cannot read /nonexistent/x.pem");
}

void TestProxyCli::badOptionsAreNamed()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QByteArray out;
    const int rc = runTool(m_ctl, QStringList{QStringLiteral("proxy")} + args, &out);
    QVERIFY2(rc != 0 && rc != -1, out.constData());
    QVERIFY2(out.contains(message.toUtf8()), out.constData());
}

QTEST_GUILESS_MAIN(TestProxyCli)
#include "test_proxy_cli.moc"
