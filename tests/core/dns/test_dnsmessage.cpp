// SPDX-License-Identifier: GPL-3.0-or-later
// DNS wire format: a hand-written RFC 1035 query, compressed names, refusal
// of pointer loops and truncated records, TXT chunking; TSIG signing with the
// MAC recomputed by `openssl mac` over hand-built RFC 8945 input.
#include "PeerProcess.h"
#include "dns/DnsMessage.h"
#include "dns/Tsig.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::dns;
using certdeck::test::FixtureDir;
using certdeck::test::runTool;

class TestDnsMessage : public QObject
{
    Q_OBJECT
private slots:
    void queryMatchesRfc1035Layout();
    void compressedAnswer();
    void cnameTargetIsDecompressed();
    void malformed_data();
    void malformed();
    void namesThatDoNotFit();
    void txtChunks();
    void tsigMacMatchesOpenssl();
    void tsigRefusesUnsignedAndTruncated();
};

void TestDnsMessage::queryMatchesRfc1035Layout()
{
    DnsMessage m;
    m.id = 0x1234;
    m.flags = DnsMessage::RdFlag;
    m.questions << DnsQuestion{QStringLiteral("Example.COM."), RrType::A, RrClass::In};
    auto wire = m.encode();
    QVERIFY(wire);
    QCOMPARE(wire->toHex(), QByteArray("123401000001000000000000"
                                       "076578616d706c6503636f6d00"
                                       "00010001"));
    auto back = DnsMessage::decode(*wire);
    QVERIFY(back);
    QCOMPARE(back->id, 0x1234);
    QCOMPARE(back->questions.at(0).name, QStringLiteral("example.com"));
    QVERIFY(!back->isResponse());
}

void TestDnsMessage::compressedAnswer()
{
    // Answer whose owner is a pointer to the question name (offset 12).
    const QByteArray wire = QByteArray::fromHex("abcd8180000100010000000003777777076578616d706c65"
                                                "0000100001c00c0010000100000e10000706616263646566");
    auto m = DnsMessage::decode(wire);
    QVERIFY2(m, qPrintable(m ? QString() : m.error().toString()));
    QVERIFY(m->isResponse());
    QCOMPARE(m->rcode(), 0);
    QCOMPARE(m->answers.size(), 1);
    QCOMPARE(m->answers.at(0).name, QStringLiteral("www.example"));
    QCOMPARE(m->answers.at(0).ttl, 3600u);
    QCOMPARE(DnsRecord::txtText(m->answers.at(0).rdata).value_or("?"), QByteArray("abcdef"));
}

void TestDnsMessage::cnameTargetIsDecompressed()
{
    // alias.example A -> CNAME whose rdata is "multi" + a pointer to
    // "example" inside the question (offset 18).
    const QByteArray wire = QByteArray::fromHex("abcd81800001000100000000"
                                                "05616c696173076578616d706c650000010001"
                                                "c00c0005000100000e100008056d756c7469c012");
    auto m = DnsMessage::decode(wire);
    QVERIFY2(m, qPrintable(m ? QString() : m.error().toString()));
    QCOMPARE(m->answers.size(), 1);
    QCOMPARE(m->answers.at(0).type, RrType::Cname);
    QCOMPARE(m->answers.at(0).name, QStringLiteral("alias.example"));
    QCOMPARE(m->answers.at(0).target, QStringLiteral("multi.example"));
}

void TestDnsMessage::malformed_data()
{
    QTest::addColumn<QByteArray>("hex");
    QTest::addColumn<QString>("expected");
    QTest::newRow("short header") << QByteArray("abcd8180") << QStringLiteral("shorter than");
    QTest::newRow("self pointer") << QByteArray("abcd81800001000000000000c00c00010001")
                                  << QStringLiteral("question 1");
    QTest::newRow("forward pointer")
        << QByteArray("abcd81800001000000000000c01000010001") << QStringLiteral("question 1");
    QTest::newRow("rdata past end")
        << QByteArray("abcd81800000000100000000000010000100000e1000ff6162")
        << QStringLiteral("answer record 1");
    QTest::newRow("CNAME name past its rdata")
        << QByteArray("abcd81800001000100000000"
                      "05616c696173076578616d706c650000010001"
                      "c00c0005000100000e100002056d756c7469c012")
        << QStringLiteral("answer record 1");
    QTest::newRow("label past end")
        << QByteArray("abcd8180000100000000000005616263") << QStringLiteral("question 1");
    QTest::newRow("extended label") << QByteArray("abcd81800001000000000000"
                                                  "4161626300"
                                                  "00100001")
                                    << QStringLiteral("question 1");
}

void TestDnsMessage::malformed()
{
    QFETCH(QByteArray, hex);
    QFETCH(QString, expected);
    auto m = DnsMessage::decode(QByteArray::fromHex(hex));
    QVERIFY(!m);
    QCOMPARE(m.error().code, ErrorCode::Protocol);
    QVERIFY2(m.error().message.contains(expected), qPrintable(m.error().message));
}

void TestDnsMessage::namesThatDoNotFit()
{
    DnsMessage m;
    m.questions << DnsQuestion{QString(64, u'a') + QStringLiteral(".test"), RrType::Txt,
                               RrClass::In};
    QVERIFY(!m.encode());
    m.questions = {DnsQuestion{QStringLiteral("a..test"), RrType::Txt, RrClass::In}};
    QVERIFY(!m.encode());
    QStringList labels(5, QString(60, u'b'));
    m.questions = {DnsQuestion{labels.join(u'.'), RrType::Txt, RrClass::In}};
    auto e = m.encode();
    QVERIFY(!e);
    QCOMPARE(e.error().code, ErrorCode::InvalidInput);
}

void TestDnsMessage::txtChunks()
{
    const QByteArray value(600, 'z');
    const QByteArray rdata = DnsRecord::txtRdata(value);
    QCOMPARE(rdata.size(), 603);
    QCOMPARE(static_cast<quint8>(rdata.at(0)), 255);
    QCOMPARE(static_cast<quint8>(rdata.at(256)), 255);
    QCOMPARE(static_cast<quint8>(rdata.at(512)), 90);
    QCOMPARE(DnsRecord::txtText(rdata).value_or(QByteArray()), value);
    QCOMPARE(DnsRecord::txtRdata({}), QByteArray(1, '\0'));
    QVERIFY(!DnsRecord::txtText(QByteArray::fromHex("05616263")));
}

void TestDnsMessage::tsigMacMatchesOpenssl()
{
    const QByteArray secret =
        QByteArray::fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    auto key = TsigKey::fromBase64(QStringLiteral("My-Key"), QStringLiteral("HMAC-SHA256"),
                                   secret.toBase64());
    QVERIFY(key);
    QCOMPARE(key->name, QStringLiteral("my-key"));
    DnsMessage m;
    m.id = 0x4242;
    m.flags = DnsMessage::OpcodeUpdate;
    m.questions << DnsQuestion{QStringLiteral("example.test"), RrType::Soa, RrClass::In};
    m.authorities << DnsRecord{QStringLiteral("_acme-challenge.example.test"), RrType::Txt,
                               RrClass::In, 60, DnsRecord::txtRdata("v")};
    const QByteArray wire = m.encode().value();
    QByteArray mac;
    auto signedWire = Tsig::sign(wire, *key, 1700000000, &mac);
    QVERIFY(signedWire);
    QCOMPARE(mac.size(), 32);
    auto parsed = DnsMessage::decode(*signedWire);
    QVERIFY(parsed);
    QCOMPARE(parsed->additionals.size(), 1);
    const DnsRecord& tsig = parsed->additionals.at(0);
    QCOMPARE(tsig.type, RrType::Tsig);
    QCOMPARE(tsig.rrClass, RrClass::Any);
    QCOMPARE(tsig.name, QStringLiteral("my-key"));
    QVERIFY(tsig.rdata.contains(mac));

    // RFC 8945 4.3.3, spelled out byte by byte: message, key name, class ANY,
    // TTL 0, algorithm name, time (48 bits), fudge 300, error 0, other len 0.
    const QByteArray variables = QByteArray::fromHex("066d792d6b657900"
                                                     "00ff"
                                                     "00000000"
                                                     "0b686d61632d73686132353600"
                                                     "00006553f100"
                                                     "012c"
                                                     "0000"
                                                     "0000");
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("input"), wire + variables));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("mac"), QStringLiteral("-digest"), QStringLiteral("SHA256"),
                      QStringLiteral("-macopt"),
                      QStringLiteral("hexkey:") + QString::fromLatin1(secret.toHex()),
                      QStringLiteral("-in"), dir.filePath(QStringLiteral("input")),
                      QStringLiteral("HMAC")},
                     &out),
             0);
    QCOMPARE(mac.toHex().toUpper(), out.trimmed().toUpper());
}

void TestDnsMessage::tsigRefusesUnsignedAndTruncated()
{
    auto key = TsigKey::fromBase64(QStringLiteral("k"), QStringLiteral("hmac-sha256"),
                                   QByteArray(32, 'a').toBase64());
    QVERIFY(key);
    DnsMessage answer;
    answer.id = 7;
    answer.flags = DnsMessage::QrFlag | DnsMessage::OpcodeUpdate;
    auto s = Tsig::verify(answer.encode().value(), *key, QByteArray(32, 'm'), 1700000000);
    QVERIFY(!s);
    QVERIFY2(s.error().message.contains(QLatin1String("not signed")),
             qPrintable(s.error().message));

    QByteArray mac;
    auto signedWire = Tsig::sign(answer.encode().value(), *key, 1700000000, &mac);
    QVERIFY(signedWire);
    const DnsRecord whole = DnsMessage::decode(*signedWire)->additionals.constLast();
    // Every cut of the TSIG rdata, from inside the algorithm name to the
    // last byte of "other data" length, is refused as a value.
    for (qsizetype cut = 1; cut < whole.rdata.size(); ++cut) {
        DnsMessage cutAnswer = answer;
        DnsRecord tsig = whole;
        tsig.rdata.truncate(cut);
        cutAnswer.additionals << tsig;
        const auto cutStatus = Tsig::verify(cutAnswer.encode().value(), *key, mac, 1700000000);
        QVERIFY(!cutStatus);
        const Error& e = cutStatus.error();
        QVERIFY2(e.code == ErrorCode::Protocol &&
                     e.message.contains(QLatin1String("TSIG record is")),
                 qPrintable(QStringLiteral("cut at %1: ").arg(cut) + e.message));
    }
}

QTEST_GUILESS_MAIN(TestDnsMessage)
#include "test_dnsmessage.moc"
