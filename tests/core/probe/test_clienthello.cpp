// SPDX-License-Identifier: GPL-3.0-or-later
// ClientHello bytes: one vector written out by hand from RFC 5246/8446, and a
// walk over each version's structure (lengths add up, extensions in order).
// That real servers accept them is tested in
// tests/integration/test_probe_handshake.cpp against `openssl s_server`.
#include "probe/wire/ClientHello.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;

namespace {

// A minimal independent reader for the test: walks the record and returns
// the extension types in order, checking every length on the way.
struct Walked
{
    quint16 recordVersion = 0;
    quint16 clientVersion = 0;
    QByteArray sessionId;
    QList<quint16> suites;
    QList<quint16> extensions;
    QHash<quint16, QByteArray> extensionData;
    bool hasExtensionBlock = false;
};

int be(const QByteArray& b, qsizetype at, int width)
{
    int v = 0;
    for (int i = 0; i < width; ++i) {
        v = (v << 8) | static_cast<quint8>(b.at(at + i));
    }
    return v;
}

bool walk(const QByteArray& rec, Walked& w)
{
    if (rec.size() < 9 || rec.at(0) != 22 || be(rec, 3, 2) != rec.size() - 5 || rec.at(5) != 1 ||
        be(rec, 6, 3) != rec.size() - 9) {
        return false;
    }
    w.recordVersion = static_cast<quint16>(be(rec, 1, 2));
    qsizetype p = 9;
    w.clientVersion = static_cast<quint16>(be(rec, p, 2));
    p += 2 + 32;
    const int sid = be(rec, p, 1);
    w.sessionId = rec.mid(p + 1, sid);
    p += 1 + sid;
    const int suiteBytes = be(rec, p, 2);
    for (int i = 0; i < suiteBytes; i += 2) {
        w.suites << static_cast<quint16>(be(rec, p + 2 + i, 2));
    }
    p += 2 + suiteBytes;
    if (be(rec, p, 1) != 1 || rec.at(p + 1) != 0) {
        return false;
    }
    p += 2;
    if (p == rec.size()) {
        return true;
    }
    w.hasExtensionBlock = true;
    const qsizetype end = p + 2 + be(rec, p, 2);
    if (end != rec.size()) {
        return false;
    }
    p += 2;
    while (p < end) {
        const quint16 type = static_cast<quint16>(be(rec, p, 2));
        const int len = be(rec, p + 2, 2);
        w.extensions << type;
        w.extensionData.insert(type, rec.mid(p + 4, len));
        p += 4 + len;
    }
    return p == end;
}

} // namespace

class TestClientHello : public QObject
{
    Q_OBJECT
private slots:
    void tls12ExactBytes();
    void structure_data();
    void structure();
    void tls13KeyShareAndVersions();
    void ssl3HasNoExtensionsAndSignalsWithScsv();
    void ipAddressIsNotSentAsSni();
    void randomAndSessionDiffer();
    void paddedOutOfTheF5Range_data();
    void paddedOutOfTheF5Range();
    void badSpecs_data();
    void badSpecs();
};

void TestClientHello::tls12ExactBytes()
{
    ClientHelloSpec spec;
    spec.version = TlsVersion::Tls12;
    spec.cipherSuites = {0xC02F, 0x009C};
    spec.groups = {29, 23};
    spec.signatureAlgorithms = {0x0403, 0x0804};
    spec.serverName = QStringLiteral("Example.COM");
    spec.alpn = {QStringLiteral("h2")};
    spec.random = QByteArray(32, '\x11');
    const auto hello = ClientHello::build(spec);
    QVERIFY2(hello, qPrintable(hello ? QString() : hello.error().message));
    const QByteArray expected = QByteArray::fromHex(
        "16 0301 006d" // handshake record, TLS 1.0 record version, 109 bytes
        "01 000069"    // ClientHello, 105 bytes
        "0303"         // client_version TLS 1.2
        "1111111111111111111111111111111111111111111111111111111111111111"
        "00"                                            // empty session id
        "0004 c02f 009c"                                // two suites
        "01 00"                                         // compression: null
        "003c"                                          // 60 bytes of extensions
        "0000 0010 000e 00 000b 6578616d706c652e636f6d" // SNI example.com (lower-cased)
        "000b 0002 01 00"                               // ec_point_formats: uncompressed
        "000a 0006 0004 001d 0017"                      // supported_groups: x25519, secp256r1
        "000d 0006 0004 0403 0804"                      // signature_algorithms
        "0010 0005 0003 02 6832"                        // ALPN h2
        "ff01 0001 00");                                // renegotiation_info, empty
    QCOMPARE(hello->toHex(' '), expected.toHex(' '));
}

void TestClientHello::structure_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<quint16>("recordVersion");
    QTest::addColumn<quint16>("clientVersion");
    QTest::addColumn<QList<quint16>>("extensions");
    const QList<quint16> tls10 = {0, 11, 10, 16, 0xff01};
    QTest::newRow("TLSv1.0") << int(TlsVersion::Tls10) << quint16(0x0301) << quint16(0x0301)
                             << tls10;
    QTest::newRow("TLSv1.1") << int(TlsVersion::Tls11) << quint16(0x0301) << quint16(0x0302)
                             << tls10;
    QTest::newRow("TLSv1.2") << int(TlsVersion::Tls12) << quint16(0x0301) << quint16(0x0303)
                             << QList<quint16>{0, 11, 10, 13, 16, 0xff01};
    QTest::newRow("TLSv1.3") << int(TlsVersion::Tls13) << quint16(0x0301) << quint16(0x0303)
                             << QList<quint16>{0, 11, 10, 13, 16, 43, 45, 51};
}

void TestClientHello::structure()
{
    QFETCH(int, version);
    QFETCH(quint16, recordVersion);
    QFETCH(quint16, clientVersion);
    QFETCH(QList<quint16>, extensions);
    ClientHelloSpec spec;
    spec.version = static_cast<TlsVersion>(version);
    spec.cipherSuites = {0x1301, 0xC02F, 0x002F};
    spec.groups = {29, 23, 256};
    spec.keyShares = {{29, QByteArray(32, 'k')}};
    spec.serverName = QStringLiteral("api.example.net");
    spec.alpn = {QStringLiteral("h2"), QStringLiteral("http/1.1")};
    const auto hello = ClientHello::build(spec);
    QVERIFY(hello);
    Walked w;
    QVERIFY2(walk(*hello, w), hello->toHex(' ').constData());
    QCOMPARE(w.recordVersion, recordVersion);
    QCOMPARE(w.clientVersion, clientVersion);
    QCOMPARE(w.extensions, extensions);
    QCOMPARE(w.suites, spec.cipherSuites);
    QCOMPARE(w.extensionData.value(0).mid(5), QByteArray("api.example.net"));
    QCOMPARE(w.extensionData.value(16), QByteArray::fromHex("000c 02 6832 08 687474702f312e31"));
}

void TestClientHello::tls13KeyShareAndVersions()
{
    ClientHelloSpec spec;
    spec.version = TlsVersion::Tls13;
    spec.cipherSuites = {0x1302};
    spec.groups = {29, 24};
    spec.keyShares = {{29, QByteArray(32, '\x42')}};
    const auto hello = ClientHello::build(spec);
    QVERIFY(hello);
    Walked w;
    QVERIFY(walk(*hello, w));
    QCOMPARE(w.sessionId.size(), 32); // middlebox compatibility mode
    QCOMPARE(w.extensionData.value(43), QByteArray::fromHex("02 0304"));
    QCOMPARE(w.extensionData.value(45), QByteArray::fromHex("01 01"));
    QCOMPARE(w.extensionData.value(51),
             QByteArray::fromHex("0024 001d 0020") + QByteArray(32, '\x42'));
    QVERIFY(!w.extensions.contains(0xff01)); // no renegotiation in TLS 1.3
    QVERIFY(!w.suites.contains(0x00ff));
    QVERIFY(!w.extensions.contains(0)); // no SNI asked for

    // No key share at all: an empty client_shares list, for HelloRetryRequest.
    spec.keyShares.clear();
    const auto empty = ClientHello::build(spec);
    QVERIFY(empty);
    Walked we;
    QVERIFY(walk(*empty, we));
    QCOMPARE(we.extensionData.value(51), QByteArray::fromHex("0000"));
}

void TestClientHello::ssl3HasNoExtensionsAndSignalsWithScsv()
{
    ClientHelloSpec spec;
    spec.version = TlsVersion::Ssl3;
    spec.cipherSuites = {0x000A, 0x0005};
    spec.serverName = QStringLiteral("legacy.example");
    spec.groups = {23};
    const auto hello = ClientHello::build(spec);
    QVERIFY(hello);
    Walked w;
    QVERIFY(walk(*hello, w));
    QCOMPARE(w.recordVersion, quint16(0x0300));
    QCOMPARE(w.clientVersion, quint16(0x0300));
    QVERIFY(!w.hasExtensionBlock);
    QCOMPARE(w.suites, (QList<quint16>{0x000A, 0x0005, 0x00FF}));

    spec.renegotiation = RenegotiationSignal::None;
    Walked none;
    QVERIFY(walk(*ClientHello::build(spec), none));
    QCOMPARE(none.suites, (QList<quint16>{0x000A, 0x0005}));

    spec.version = TlsVersion::Tls12;
    spec.renegotiation = RenegotiationSignal::Scsv;
    Walked tls;
    QVERIFY(walk(*ClientHello::build(spec), tls));
    QCOMPARE(tls.suites.constLast(), quint16(0x00FF));
    QVERIFY(!tls.extensions.contains(0xff01));
}

void TestClientHello::ipAddressIsNotSentAsSni()
{
    for (const QString& ip : {QStringLiteral("127.0.0.1"), QStringLiteral("::1")}) {
        ClientHelloSpec spec;
        spec.cipherSuites = {0xC02F};
        spec.serverName = ip;
        Walked w;
        QVERIFY(walk(*ClientHello::build(spec), w));
        QVERIFY2(!w.extensions.contains(0), qPrintable(ip));
    }
}

void TestClientHello::randomAndSessionDiffer()
{
    ClientHelloSpec spec;
    spec.version = TlsVersion::Tls13;
    spec.cipherSuites = {0x1301};
    const QByteArray a = *ClientHello::build(spec);
    const QByteArray b = *ClientHello::build(spec);
    QCOMPARE(a.size(), b.size());
    QVERIFY(a.mid(11, 32) != b.mid(11, 32)); // random
    QVERIFY(a.mid(44, 32) != b.mid(44, 32)); // session id
}

void TestClientHello::paddedOutOfTheF5Range_data()
{
    QTest::addColumn<int>("suites");
    QTest::addColumn<bool>("padded");
    // This TLS 1.2 hello (no SNI, no ALPN, one group, one signature
    // algorithm) is 72 bytes + 2 per suite, handshake header included.
    QTest::newRow("92 bytes") << 10 << false;
    QTest::newRow("254 bytes") << 91 << false;
    QTest::newRow("256 bytes") << 92 << true;
    QTest::newRow("510 bytes") << 219 << true;
    QTest::newRow("512 bytes") << 220 << false;
}

void TestClientHello::paddedOutOfTheF5Range()
{
    QFETCH(int, suites);
    QFETCH(bool, padded);
    ClientHelloSpec spec;
    for (int i = 0; i < suites; ++i) {
        spec.cipherSuites << static_cast<quint16>(0x0100 + i);
    }
    spec.groups = {29};
    spec.signatureAlgorithms = {0x0403};
    const auto hello = ClientHello::build(spec);
    QVERIFY(hello);
    Walked w;
    QVERIFY2(walk(*hello, w), hello->toHex(' ').constData());
    const qsizetype handshake = hello->size() - 5;
    QCOMPARE(w.extensions.contains(21), padded);
    if (padded) {
        QCOMPARE(w.extensions.constLast(), quint16(21));
        QCOMPARE(w.extensionData.value(21), QByteArray(w.extensionData.value(21).size(), '\0'));
        QVERIFY2(handshake >= 512, qPrintable(QString::number(handshake)));
        // Under 5 bytes short, a 1-byte padding (5 with its header) overshoots a little.
        QVERIFY2(handshake <= 516, qPrintable(QString::number(handshake)));
    } else {
        QVERIFY2(handshake < 256 || handshake >= 512, qPrintable(QString::number(handshake)));
    }
    spec.padding = false;
    Walked bare;
    QVERIFY(walk(*ClientHello::build(spec), bare));
    QVERIFY(!bare.extensions.contains(21));
}

void TestClientHello::badSpecs_data()
{
    QTest::addColumn<ClientHelloSpec>("spec");
    QTest::addColumn<QString>("expected");
    ClientHelloSpec ok;
    ok.cipherSuites = {0xC02F};
    ClientHelloSpec noSuites;
    QTest::newRow("no suites") << noSuites << "no cipher suites";
    ClientHelloSpec random = ok;
    random.random = QByteArray(31, 'r');
    QTest::newRow("random") << random << "32 bytes, not 31";
    ClientHelloSpec sid = ok;
    sid.sessionId = QByteArray(33, 's');
    QTest::newRow("session id") << sid << "0..32 bytes, not 33";
    ClientHelloSpec alpn = ok;
    alpn.alpn = {QString()};
    QTest::newRow("empty ALPN") << alpn << "ALPN name";
    ClientHelloSpec longAlpn = ok;
    longAlpn.alpn = {QString(256, u'x')};
    QTest::newRow("long ALPN") << longAlpn << "1..255 bytes";
    ClientHelloSpec sni = ok;
    sni.serverName = QString(300, u'a');
    QTest::newRow("long SNI") << sni << "is not a host name";
    ClientHelloSpec share = ok;
    share.version = TlsVersion::Tls13;
    share.keyShares = {{29, QByteArray(2000, 'k')}};
    QTest::newRow("share") << share << "1..1024 bytes, not 2000";
    ClientHelloSpec many = ok;
    many.cipherSuites = QList<quint16>(9000, 0x002F);
    QTest::newRow("suites") << many << "do not fit one record";
}

void TestClientHello::badSpecs()
{
    QFETCH(ClientHelloSpec, spec);
    QFETCH(QString, expected);
    const auto hello = ClientHello::build(spec);
    QVERIFY(!hello);
    QCOMPARE(hello.error().code, ErrorCode::InvalidInput);
    QVERIFY2(hello.error().message.contains(expected), qPrintable(hello.error().message));
}

QTEST_GUILESS_MAIN(TestClientHello)
#include "test_clienthello.moc"
