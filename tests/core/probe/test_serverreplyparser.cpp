// SPDX-License-Identifier: GPL-3.0-or-later
// ServerReplyParser on replies captured from `openssl s_server` (the fuzz
// corpus, tests/fuzz/corpus/serverhello/) and on malformed ones: each real
// reply decodes to what the server was configured to do, every prefix of it
// is "incomplete" rather than an error, and each bad reply names its fault.
#include "probe/wire/ServerReplyParser.h"

#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::probe;

namespace {

QByteArray corpus(const QString& name)
{
    QFile f(qEnvironmentVariable("CERTDECK_SOURCE_DIR") +
            QStringLiteral("/tests/fuzz/corpus/serverhello/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestServerReplyParser : public QObject
{
    Q_OBJECT
private slots:
    void capturedReplies_data();
    void capturedReplies();
    void everyPrefixIsIncomplete_data();
    void everyPrefixIsIncomplete();
    void alertIsNamed();
    void splitRecordsAndAlpn();
    void malformed_data();
    void malformed();
};

void TestServerReplyParser::capturedReplies_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("version");
    QTest::addColumn<int>("suite");
    QTest::addColumn<int>("keyShareGroup"); // -1: none
    QTest::addColumn<int>("ecdheGroup");    // -1: none
    QTest::addColumn<int>("dhBits");        // -1: none
    QTest::addColumn<bool>("hrr");
    QTest::addColumn<bool>("secureRenegotiation");
    // s_server -cert rsa -groups secp384r1:x25519; the client (Python ssl)
    // offers x25519 first and prefers AES-256-GCM.
    QTest::newRow("tls13") << "sh-tls13-x25519.bin" << 0x0304 << 0x1302 << 29 << -1 << -1 << false
                           << false;
    QTest::newRow("tls12-ecdhe") << "sh-tls12-ecdhe-rsa.bin" << 0x0303 << 0xC030 << -1 << 29 << -1
                                 << false << true;
    QTest::newRow("tls12-dhe") << "sh-tls12-dhe-rsa.bin" << 0x0303 << 0x009F << -1 << -1 << 2048
                               << false << true;
    QTest::newRow("tls10") << "sh-tls10.bin" << 0x0301 << 0xC014 << -1 << 29 << -1 << false << true;
    // s_server -groups secp384r1 asks the x25519-only client to retry.
    QTest::newRow("hrr") << "hrr-secp384r1.bin" << 0x0304 << 0x1302 << 24 << -1 << -1 << true
                         << false;
    QTest::newRow("sslv3-minimal")
        << "minimal-no-extensions.bin" << 0x0300 << 0x000A << -1 << -1 << -1 << false << false;
}

void TestServerReplyParser::capturedReplies()
{
    QFETCH(QString, file);
    QFETCH(int, version);
    QFETCH(int, suite);
    QFETCH(int, keyShareGroup);
    QFETCH(int, ecdheGroup);
    QFETCH(int, dhBits);
    QFETCH(bool, hrr);
    QFETCH(bool, secureRenegotiation);
    const QByteArray bytes = corpus(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(file));
    const auto reply = ServerReplyParser::parse(bytes, ServerReplyParser::Goal::KeyExchange);
    QVERIFY2(reply, qPrintable(reply ? QString() : reply.error().toString()));
    QVERIFY(reply->has_value());
    const ServerReply& r = **reply;
    QCOMPARE(r.kind, ServerReply::Kind::Hello);
    QCOMPARE(int(r.hello.version), version);
    QCOMPARE(int(r.hello.cipherSuite), suite);
    QCOMPARE(r.hello.keyShareGroup ? int(*r.hello.keyShareGroup) : -1, keyShareGroup);
    QCOMPARE(r.hello.ecdheGroup ? int(*r.hello.ecdheGroup) : -1, ecdheGroup);
    QCOMPARE(r.hello.dhBits.value_or(-1), dhBits);
    QCOMPARE(r.hello.helloRetryRequest, hrr);
    QCOMPARE(r.hello.secureRenegotiation, secureRenegotiation);
    QCOMPARE(r.hello.compression, quint8(0));
    QVERIFY(r.consumed <= bytes.size());

    // Stopping at the ServerHello reads less and leaves the key exchange out.
    const auto first = ServerReplyParser::parse(bytes);
    QVERIFY(first && first->has_value());
    QCOMPARE(int((*first)->hello.cipherSuite), suite);
    QVERIFY(!(*first)->hello.ecdheGroup && !(*first)->hello.dhBits);
    QVERIFY((*first)->consumed <= r.consumed);
}

void TestServerReplyParser::everyPrefixIsIncomplete_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("goal");
    const int kx = int(ServerReplyParser::Goal::KeyExchange);
    for (const char* f : {"sh-tls13-x25519.bin", "sh-tls12-ecdhe-rsa.bin", "sh-tls12-dhe-rsa.bin",
                          "hrr-secp384r1.bin", "alert-handshake-failure.bin"}) {
        QTest::newRow(f) << QString::fromLatin1(f) << kx;
    }
    // A ServerHello in three records, read only up to the ServerHello.
    QTest::newRow("split-records-alpn.bin")
        << QStringLiteral("split-records-alpn.bin") << int(ServerReplyParser::Goal::ServerHello);
}

void TestServerReplyParser::everyPrefixIsIncomplete()
{
    QFETCH(QString, file);
    QFETCH(int, goal);
    const auto g = static_cast<ServerReplyParser::Goal>(goal);
    const QByteArray bytes = corpus(file);
    const auto full = ServerReplyParser::parse(bytes, g);
    QVERIFY(full && full->has_value());
    for (qsizetype n = 0; n < (*full)->consumed; ++n) {
        const auto part = ServerReplyParser::parse(bytes.first(n), g);
        QVERIFY2(part, qPrintable(QStringLiteral("prefix %1: %2")
                                      .arg(n)
                                      .arg(part ? QString() : part.error().toString())));
        QVERIFY2(!part->has_value(),
                 qPrintable(QStringLiteral("prefix %1 already complete").arg(n)));
    }
}

void TestServerReplyParser::alertIsNamed()
{
    const auto reply =
        ServerReplyParser::parse(corpus(QStringLiteral("alert-handshake-failure.bin")));
    QVERIFY(reply && reply->has_value());
    QCOMPARE((*reply)->kind, ServerReply::Kind::Alert);
    QCOMPARE((*reply)->alert.name(), QStringLiteral("handshake_failure"));
    QCOMPARE((*reply)->alert.levelName(), QStringLiteral("fatal"));
    QVERIFY((*reply)->alert.isRefusal());
    QCOMPARE((TlsAlert{2, 80}).name(), QStringLiteral("internal_error"));
    QVERIFY(!(TlsAlert{2, 80}).isRefusal());
    QCOMPARE((TlsAlert{2, 200}).name(), QStringLiteral("alert_200"));
    QCOMPARE((TlsAlert{9, 70}).levelName(), QStringLiteral("level_9"));
}

void TestServerReplyParser::splitRecordsAndAlpn()
{
    const auto reply = ServerReplyParser::parse(corpus(QStringLiteral("split-records-alpn.bin")));
    QVERIFY(reply && reply->has_value());
    QCOMPARE((*reply)->hello.alpn, QStringLiteral("h2"));
    QCOMPARE((*reply)->hello.extensions, (QList<quint16>{0xff01, 16}));
    QVERIFY((*reply)->hello.secureRenegotiation);
}

void TestServerReplyParser::malformed_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("expected");
    QTest::newRow("garbage") << "garbage.bin"
                             << "not a TLS record";
    QTest::newRow("http") << "http.bin"
                          << "text, not TLS: \"HTTP/1.1 400 Bad Request";
    QTest::newRow("ssh") << "ssh-banner.bin"
                         << "\"SSH-2.0-OpenSSH";
    QTest::newRow("sslv2") << "sslv2-server-hello.bin"
                           << "SSLv2";
    QTest::newRow("oversized") << "oversized-record.bin"
                               << "18433 bytes long; TLS allows at most";
    QTest::newRow("session id") << "bad-session-id-length.bin"
                                << "session_id is 33 bytes";
    QTest::newRow("ccs first") << "ccs-first.bin"
                               << "ChangeCipherSpec before its ServerHello";
    QTest::newRow("alert size") << "alert-3-bytes.bin"
                                << "has 3 bytes, not 2";
    QTest::newRow("not hello") << "not-serverhello.bin"
                               << "type 11, not ServerHello";
    QTest::newRow("duplicate") << "duplicate-extension.bin"
                               << "repeats extension 65281";
    QTest::newRow("alpn") << "bad-alpn.bin"
                          << "ALPN extension is malformed";
    QTest::newRow("trailing") << "trailing-bytes.bin"
                              << "2 bytes after its extensions";
}

void TestServerReplyParser::malformed()
{
    QFETCH(QString, file);
    QFETCH(QString, expected);
    const QByteArray bytes = corpus(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(file));
    const auto reply = ServerReplyParser::parse(bytes, ServerReplyParser::Goal::KeyExchange);
    QVERIFY2(!reply, qPrintable(file + QStringLiteral(" parsed")));
    QCOMPARE(reply.error().code, ErrorCode::Protocol);
    QVERIFY2(reply.error().message.contains(expected), qPrintable(reply.error().toString()));
}

QTEST_GUILESS_MAIN(TestServerReplyParser)
#include "test_serverreplyparser.moc"
