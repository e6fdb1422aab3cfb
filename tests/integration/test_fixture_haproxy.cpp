// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the HAProxy fixture: the openssl CLI verifies the served
// chain, fetches the frontend's own 200 answer over TLS, and sees the bind
// options the test gave (a TLS 1.2 ceiling refuses a TLS 1.3-only client).
#include "HaproxyFixture.h"
#include "TestPki.h"

#include <QFileInfo>
#include <QTest>
#include <csignal>

using namespace certdeck::test;

namespace {

QStringList sClient(quint16 port, const QString& caFile, const QStringList& extra)
{
    QStringList args{QStringLiteral("s_client"),
                     QStringLiteral("-connect"),
                     QStringLiteral("127.0.0.1:%1").arg(port),
                     QStringLiteral("-servername"),
                     QStringLiteral("localhost"),
                     QStringLiteral("-CAfile"),
                     caFile,
                     QStringLiteral("-verify_return_error")};
    return args + extra;
}

} // namespace

class TestFixtureHaproxy : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void handshakeAndGet();
    void maxVersionRefusesTls13Client();
    void badBindOptionIsReported();
    void stopLeavesNoProcess();

private:
    FixtureDir m_pkiDir;
    TestPki m_pki;
};

void TestFixtureHaproxy::initTestCase()
{
    QVERIFY2(m_pki.create(m_pkiDir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("good");
    m_pki.good = m_pki.issue(spec);
    QVERIFY2(!m_pki.good.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestFixtureHaproxy::handshakeAndGet()
{
    HaproxyFixture haproxy;
    QVERIFY2(haproxy.start(m_pki.good, QStringLiteral("ssl-min-ver TLSv1.2 alpn http/1.1")),
             qPrintable(haproxy.errorString()));
    QVERIFY(haproxy.port() > 0);
    QCOMPARE(QFileInfo(haproxy.certificatePath()).permissions() &
                 ~QFileDevice::Permissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                           QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::Permissions());

    QByteArray out;
    int rc = runTool(QStringLiteral("openssl"),
                     sClient(haproxy.port(), m_pki.rootCert,
                             {QStringLiteral("-verify_hostname"), QStringLiteral("localhost"),
                              QStringLiteral("-brief")}),
                     &out, 20000, {}, QByteArrayLiteral("Q\n"));
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Verification: OK"), out.constData());
    QVERIFY2(out.contains("Protocol version: TLSv1.3"), out.constData());

    // -quiet implies -ign_eof: s_client reads until HAProxy closes the connection.
    rc = runTool(
        QStringLiteral("openssl"),
        sClient(haproxy.port(), m_pki.rootCert,
                {QStringLiteral("-quiet"), QStringLiteral("-alpn"), QStringLiteral("http/1.1")}),
        &out, 20000, {},
        QByteArrayLiteral("GET /anything HTTP/1.1\r\nHost: localhost\r\n"
                          "Connection: close\r\n\r\n"));
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("HTTP/1.1 200 OK\r\n"), out.constData());
    QVERIFY2(out.contains("content-type: text/plain\r\n"), out.constData());
    QVERIFY2(out.endsWith("\r\n\r\ncertdeck-fixture haproxy"), out.constData());

    rc = runTool(HaproxyFixture::binary(),
                 {QStringLiteral("-c"), QStringLiteral("-f"), haproxy.configPath()}, &out);
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Configuration file is valid"), out.constData());
}

void TestFixtureHaproxy::maxVersionRefusesTls13Client()
{
    HaproxyFixture haproxy;
    QVERIFY2(haproxy.start(m_pki.good, QStringLiteral("ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2")),
             qPrintable(haproxy.errorString()));

    QByteArray out;
    int rc = runTool(QStringLiteral("openssl"),
                     sClient(haproxy.port(), m_pki.rootCert,
                             {QStringLiteral("-tls1_3"), QStringLiteral("-brief")}),
                     &out, 20000, {}, QByteArrayLiteral("Q\n"));
    QVERIFY2(rc != 0, out.constData());
    QVERIFY2(out.contains("alert protocol version"), out.constData());
    QVERIFY2(!out.contains("Protocol version:"), out.constData());

    // The same server still speaks TLS 1.2: the refusal was the version's.
    rc = runTool(QStringLiteral("openssl"),
                 sClient(haproxy.port(), m_pki.rootCert,
                         {QStringLiteral("-tls1_2"), QStringLiteral("-brief")}),
                 &out, 20000, {}, QByteArrayLiteral("Q\n"));
    QVERIFY2(rc == 0, out.constData());
    QVERIFY2(out.contains("Protocol version: TLSv1.2"), out.constData());
    QVERIFY2(out.contains("Verification: OK"), out.constData());
}

void TestFixtureHaproxy::badBindOptionIsReported()
{
    HaproxyFixture haproxy;
    QVERIFY(!haproxy.start(m_pki.good, QStringLiteral("ssl-min-ver TLSv9.9")));
    // The error carries HAProxy's own complaint, for a diagnosable CI failure.
    QVERIFY2(haproxy.errorString().contains(QLatin1String("TLSv9.9")),
             qPrintable(haproxy.errorString()));
    QCOMPARE(haproxy.pid(), 0);
}

void TestFixtureHaproxy::stopLeavesNoProcess()
{
    HaproxyFixture haproxy;
    QVERIFY2(haproxy.start(m_pki.good), qPrintable(haproxy.errorString()));
    const qint64 pid = haproxy.pid();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) == 0);
    haproxy.stop();
    QVERIFY(::kill(static_cast<pid_t>(pid), 0) != 0);
    QVERIFY(!tcpPortAnswers(haproxy.port()));
}

QTEST_GUILESS_MAIN(TestFixtureHaproxy)
#include "test_fixture_haproxy.moc"
