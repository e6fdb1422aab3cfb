// SPDX-License-Identifier: GPL-3.0-or-later
// Raw ClientHellos against a real `openssl s_server`: each version is
// accepted, a random 56-byte x448 share is used as a key, a missing share
// brings a HelloRetryRequest for the server's group, and the replies parse
// to what the server was told to do (its -groups, -cipher, its RSA key's DH
// size).
#include "PeerProcess.h"
#include "TestPki.h"
#include "probe/wire/ClientHello.h"
#include "probe/wire/NamedGroup.h"
#include "probe/wire/ServerReplyParser.h"

#include <QTcpSocket>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

class TestProbeHandshake : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void serverAnswers_data();
    void serverAnswers();
    void cleanupTestCase();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    std::unique_ptr<PeerProcess> m_server;
    quint16 m_port = 0;
};

void TestProbeHandshake::initTestCase()
{
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    QVERIFY2(m_pki.create(m_dir.path(), opt), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    for (int attempt = 0; attempt < 3 && m_port == 0; ++attempt) {
        const quint16 port = freeLoopbackPort();
        m_server = std::make_unique<PeerProcess>(QStringLiteral("s_server"),
                                                 m_dir.filePath(QStringLiteral("s_server.log")));
        QVERIFY(m_server->start(
            QStringLiteral("openssl"),
            {QStringLiteral("s_server"), QStringLiteral("-accept"),
             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-cert"),
             m_pki.good.fullchain, QStringLiteral("-key"), m_pki.good.key,
             QStringLiteral("-cipher"), QStringLiteral("ALL:@SECLEVEL=0"),
             QStringLiteral("-min_protocol"), QStringLiteral("TLSv1"), QStringLiteral("-groups"),
             QStringLiteral("x448:secp384r1:ffdhe2048"), QStringLiteral("-quiet")}));
        if (m_server->waitForPort(port)) {
            m_port = port;
        } else {
            m_server->stop();
        }
    }
    QVERIFY2(m_port != 0, qPrintable(m_server->errorString()));
}

void TestProbeHandshake::cleanupTestCase()
{
    if (m_server) {
        m_server->stop();
    }
}

void TestProbeHandshake::serverAnswers_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QList<quint16>>("suites");
    QTest::addColumn<QList<quint16>>("groups");
    QTest::addColumn<int>("shareGroup"); // -1: none
    QTest::addColumn<QString>("expect"); // "hello", "hrr" or an alert name
    QTest::addColumn<int>("wireVersion");
    QTest::addColumn<int>("group"); // key_share / HRR / ServerKeyExchange group, -1: none
    QTest::addColumn<int>("dhBits");
    const QList<quint16> cbc = {0xC013, 0x002F}; // the server takes the client's order
    QTest::newRow("TLSv1.0") << int(TlsVersion::Tls10) << cbc << QList<quint16>{24} << -1 << "hello"
                             << 0x0301 << 24 << -1;
    QTest::newRow("TLSv1.1") << int(TlsVersion::Tls11) << cbc << QList<quint16>{24} << -1 << "hello"
                             << 0x0302 << 24 << -1;
    QTest::newRow("TLSv1.2 ECDHE") << int(TlsVersion::Tls12) << QList<quint16>{0xC030}
                                   << QList<quint16>{29, 24} << -1 << "hello" << 0x0303 << 24 << -1;
    QTest::newRow("TLSv1.2 DHE") << int(TlsVersion::Tls12) << QList<quint16>{0x009E}
                                 << QList<quint16>{24} << -1 << "hello" << 0x0303 << -1 << 2048;
    QTest::newRow("TLSv1.3 x448 share")
        << int(TlsVersion::Tls13) << QList<quint16>{0x1301} << QList<quint16>{30} << 30 << "hello"
        << 0x0304 << 30 << -1;
    QTest::newRow("TLSv1.3 P-384 by HRR")
        << int(TlsVersion::Tls13) << QList<quint16>{0x1302} << QList<quint16>{24} << -1 << "hrr"
        << 0x0304 << 24 << -1;
    QTest::newRow("TLSv1.3 ffdhe2048 by HRR")
        << int(TlsVersion::Tls13) << QList<quint16>{0x1303} << QList<quint16>{256} << -1 << "hrr"
        << 0x0304 << 256 << -1;
    QTest::newRow("TLSv1.3 x25519 not served")
        << int(TlsVersion::Tls13) << QList<quint16>{0x1301} << QList<quint16>{29} << 29
        << "handshake_failure" << 0 << -1 << -1;
    QTest::newRow("SSLv3 not served") << int(TlsVersion::Ssl3) << cbc << QList<quint16>{} << -1
                                      << "handshake_failure" << 0 << -1 << -1;
}

void TestProbeHandshake::serverAnswers()
{
    QFETCH(int, version);
    QFETCH(QList<quint16>, suites);
    QFETCH(QList<quint16>, groups);
    QFETCH(int, shareGroup);
    QFETCH(QString, expect);
    QFETCH(int, wireVersion);
    QFETCH(int, group);
    QFETCH(int, dhBits);

    ClientHelloSpec spec;
    spec.version = static_cast<TlsVersion>(version);
    spec.cipherSuites = suites;
    spec.groups = groups;
    spec.serverName = QStringLiteral("localhost");
    if (shareGroup >= 0) {
        const auto share = randomKeyShare(static_cast<quint16>(shareGroup));
        QVERIFY(share);
        spec.keyShares = {{static_cast<quint16>(shareGroup), *share}};
    }
    const auto hello = ClientHello::build(spec);
    QVERIFY(hello);

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(*hello);
    QByteArray received;
    std::optional<ServerReply> reply;
    QString error;
    const bool done = waitUntil(
        [&] {
            received += socket.readAll();
            const auto parsed =
                ServerReplyParser::parse(received, ServerReplyParser::Goal::KeyExchange);
            if (!parsed) {
                error = parsed.error().toString();
                return true;
            }
            reply = *parsed;
            return reply.has_value() || socket.state() != QAbstractSocket::ConnectedState;
        },
        10000);
    socket.abort();
    QVERIFY2(done, "no complete reply within 10 s");
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(reply, qPrintable(QStringLiteral("connection ended after %1 bytes: %2")
                                   .arg(received.size())
                                   .arg(QString::fromLatin1(received.left(32).toHex(' ')))));
    if (expect != QLatin1String("hello") && expect != QLatin1String("hrr")) {
        QCOMPARE(reply->kind, ServerReply::Kind::Alert);
        QCOMPARE(reply->alert.name(), expect);
        return;
    }
    QCOMPARE(reply->kind, ServerReply::Kind::Hello);
    const ServerHello& h = reply->hello;
    QCOMPARE(h.helloRetryRequest, expect == QLatin1String("hrr"));
    QCOMPARE(int(h.version), wireVersion);
    QVERIFY2(suites.contains(h.cipherSuite), qPrintable(QString::number(h.cipherSuite, 16)));
    const std::optional<quint16> seenGroup =
        spec.version == TlsVersion::Tls13 ? h.keyShareGroup : h.ecdheGroup;
    QCOMPARE(seenGroup ? int(*seenGroup) : -1, group);
    QCOMPARE(h.dhBits.value_or(-1), dhBits);
    if (spec.version != TlsVersion::Tls13) {
        QVERIFY(h.secureRenegotiation); // we sent renegotiation_info; OpenSSL echoes it
    }
}

QTEST_GUILESS_MAIN(TestProbeHandshake)
#include "test_probe_handshake.moc"
