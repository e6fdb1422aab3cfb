// SPDX-License-Identifier: GPL-3.0-or-later
// JWS and JWK for ACME, checked against independent oracles: the RFC 7638
// thumbprint example, the openssl CLI verifying each signature with the public
// key it exported itself, and `openssl mac` recomputing the EAB HMAC.
#include "PeerProcess.h"
#include "acme/protocol/Base64Url.h"
#include "acme/protocol/Jws.h"
#include "acme/protocol/JwsKey.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;
using certdeck::test::FixtureDir;
using certdeck::test::runTool;

namespace {

QJsonObject decodeJson(const QString& b64)
{
    return QJsonDocument::fromJson(fromBase64Url(b64.toLatin1()).value_or(QByteArray())).object();
}

// DER INTEGER of an unsigned big-endian value: written here by hand so the
// check does not share OpenSSL's ECDSA_SIG code with the product.
QByteArray derInteger(QByteArray v)
{
    while (v.size() > 1 && v.at(0) == 0) {
        v.remove(0, 1);
    }
    if (static_cast<unsigned char>(v.at(0)) & 0x80) {
        v.prepend('\0');
    }
    return QByteArray(1, 0x02) + QByteArray(1, static_cast<char>(v.size())) + v;
}

QByteArray rawToDerEcdsa(const QByteArray& raw)
{
    const qsizetype half = raw.size() / 2;
    const QByteArray body = derInteger(raw.left(half)) + derInteger(raw.mid(half));
    return QByteArray(1, 0x30) + QByteArray(1, static_cast<char>(body.size())) + body;
}

} // namespace

class TestJws : public QObject
{
    Q_OBJECT
private slots:
    void rfc7638ThumbprintVector();
    void thumbprintRefusesIncompleteJwk_data();
    void thumbprintRefusesIncompleteJwk();
    void signaturesVerifyWithOpenssl_data();
    void signaturesVerifyWithOpenssl();
    void jwkMatchesOpensslPublicKey();
    void kidHeaderAndPostAsGet();
    void eabHmacMatchesOpensslMac();
    void unsupportedKeysAreRefused_data();
    void unsupportedKeysAreRefused();
    void base64UrlTokens();
};

void TestJws::rfc7638ThumbprintVector()
{
    // RFC 7638 section 3.1.
    const QJsonObject jwk{
        {"kty", "RSA"},
        {"n",
         "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo"
         "c_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR"
         "0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWh"
         "AI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
        {"e", "AQAB"},
        {"alg", "RS256"},
        {"kid", "2011-04-29"}};
    auto t = JwsKey::thumbprintOf(jwk);
    QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
    QCOMPARE(*t, QByteArray("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
}

void TestJws::thumbprintRefusesIncompleteJwk_data()
{
    QTest::addColumn<QJsonObject>("jwk");
    QTest::newRow("no kty") << QJsonObject{{"n", "AQAB"}, {"e", "AQAB"}};
    QTest::newRow("EC without y") << QJsonObject{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}};
    QTest::newRow("RSA e not a string") << QJsonObject{{"kty", "RSA"}, {"n", "AA"}, {"e", 3}};
    QTest::newRow("quote in x") << QJsonObject{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "a\"b"}};
    QTest::newRow("oct key") << QJsonObject{{"kty", "oct"}, {"k", "AA"}};
}

void TestJws::thumbprintRefusesIncompleteJwk()
{
    QFETCH(QJsonObject, jwk);
    auto t = JwsKey::thumbprintOf(jwk);
    QVERIFY(!t);
    QCOMPARE(t.error().code, ErrorCode::InvalidInput);
    QVERIFY(t.error().message.contains(QLatin1String("JWK")));
}

void TestJws::signaturesVerifyWithOpenssl_data()
{
    QTest::addColumn<crypto::KeyType>("type");
    QTest::addColumn<QString>("alg");
    QTest::addColumn<int>("sigBytes");
    QTest::newRow("P-256") << crypto::KeyType::EcdsaP256 << QStringLiteral("ES256") << 64;
    QTest::newRow("P-384") << crypto::KeyType::EcdsaP384 << QStringLiteral("ES384") << 96;
    QTest::newRow("RSA 2048") << crypto::KeyType::Rsa2048 << QStringLiteral("RS256") << 256;
    QTest::newRow("Ed25519") << crypto::KeyType::Ed25519 << QStringLiteral("EdDSA") << 64;
}

void TestJws::signaturesVerifyWithOpenssl()
{
    QFETCH(crypto::KeyType, type);
    QFETCH(QString, alg);
    QFETCH(int, sigBytes);
    auto key = crypto::PrivateKey::generate(type);
    QVERIFY(key);
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    QVERIFY2(jwsKey, qPrintable(jwsKey ? QString() : jwsKey.error().toString()));
    QCOMPARE(jwsAlgorithmName(jwsKey->algorithm()), alg);

    const QJsonObject payload{{"termsOfServiceAgreed", true}};
    auto jws = Jws::sign(*jwsKey, "https://127.0.0.1:14000/sign-me/1", "bm9uY2U", {}, payload);
    QVERIFY(jws);
    const QJsonObject o = QJsonDocument::fromJson(*jws).object();
    QCOMPARE(o.keys(), QStringList({"payload", "protected", "signature"}));
    const QJsonObject header = decodeJson(o.value("protected").toString());
    QCOMPARE(header.value("alg").toString(), alg);
    QCOMPARE(header.value("url").toString(), QString("https://127.0.0.1:14000/sign-me/1"));
    QCOMPARE(header.value("nonce").toString(), QString("bm9uY2U"));
    QCOMPARE(header.value("jwk").toObject(), jwsKey->jwk());
    QVERIFY(!header.contains("kid"));
    QCOMPARE(decodeJson(o.value("payload").toString()), payload);

    const QByteArray sig =
        fromBase64Url(o.value("signature").toString().toLatin1()).value_or(QByteArray());
    QCOMPARE(sig.size(), sigBytes);

    FixtureDir dir;
    const QByteArray input =
        o.value("protected").toString().toLatin1() + '.' + o.value("payload").toString().toLatin1();
    QVERIFY(dir.write("input", input));
    QVERIFY(dir.write("key.pem", key->toPkcs8Pem()));
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"pkey", "-in", dir.filePath("key.pem"), "-pubout", "-out",
                      dir.filePath("pub.pem")},
                     &out),
             0);
    const bool ecdsa = alg.startsWith(QLatin1String("ES"));
    QVERIFY(dir.write("sig", ecdsa ? rawToDerEcdsa(sig) : sig));
    int rc = 0;
    if (alg == QLatin1String("EdDSA")) {
        rc = runTool("openssl",
                     {"pkeyutl", "-verify", "-pubin", "-inkey", dir.filePath("pub.pem"), "-rawin",
                      "-in", dir.filePath("input"), "-sigfile", dir.filePath("sig")},
                     &out);
    } else {
        rc = runTool("openssl",
                     {"dgst", alg == QLatin1String("ES384") ? "-sha384" : "-sha256", "-verify",
                      dir.filePath("pub.pem"), "-signature", dir.filePath("sig"),
                      dir.filePath("input")},
                     &out);
    }
    QVERIFY2(rc == 0 && out.contains("Verified"), out.constData());

    // The oracle must be able to say no: one flipped payload byte fails.
    QByteArray tampered = input;
    tampered[tampered.size() - 1] = tampered.back() == 'A' ? 'B' : 'A';
    QVERIFY(dir.write("input", tampered));
    if (alg == QLatin1String("EdDSA")) {
        rc = runTool("openssl",
                     {"pkeyutl", "-verify", "-pubin", "-inkey", dir.filePath("pub.pem"), "-rawin",
                      "-in", dir.filePath("input"), "-sigfile", dir.filePath("sig")},
                     &out);
    } else {
        rc = runTool("openssl",
                     {"dgst", alg == QLatin1String("ES384") ? "-sha384" : "-sha256", "-verify",
                      dir.filePath("pub.pem"), "-signature", dir.filePath("sig"),
                      dir.filePath("input")},
                     &out);
    }
    QVERIFY(rc != 0);
}

void TestJws::jwkMatchesOpensslPublicKey()
{
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key);
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    QVERIFY(jwsKey);
    FixtureDir dir;
    QVERIFY(dir.write("key.pem", key->toPkcs8Pem()));
    QByteArray der;
    QCOMPARE(runTool("openssl",
                     {"pkey", "-in", dir.filePath("key.pem"), "-pubout", "-outform", "DER"}, &der),
             0);
    // An uncompressed P-256 SPKI ends with 04 || x || y.
    QVERIFY(der.size() > 65);
    QCOMPARE(der.at(der.size() - 65), '\x04');
    const QJsonObject jwk = jwsKey->jwk();
    QCOMPARE(jwk.value("kty").toString(), QString("EC"));
    QCOMPARE(jwk.value("crv").toString(), QString("P-256"));
    QCOMPARE(fromBase64Url(jwk.value("x").toString().toLatin1()).value_or(QByteArray()),
             der.right(64).left(32));
    QCOMPARE(fromBase64Url(jwk.value("y").toString().toLatin1()).value_or(QByteArray()),
             der.right(32));
    QCOMPARE(jwsKey->thumbprint().size(), 43); // 32 bytes, unpadded base64url
}

void TestJws::kidHeaderAndPostAsGet()
{
    auto key = crypto::PrivateKey::generate(crypto::KeyType::EcdsaP256);
    QVERIFY(key);
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    QVERIFY(jwsKey);
    const QString kid = "https://127.0.0.1:14000/my-account/7";
    auto get = Jws::sign(*jwsKey, "https://127.0.0.1:14000/order/1", "n1", kid, std::nullopt);
    QVERIFY(get);
    const QJsonObject o = QJsonDocument::fromJson(*get).object();
    const QJsonObject header = decodeJson(o.value("protected").toString());
    QCOMPARE(header.value("kid").toString(), kid);
    QVERIFY(!header.contains("jwk"));
    // POST-as-GET: an empty payload, not "e30" ("{}").
    QCOMPARE(o.value("payload").toString(), QString());

    auto empty = Jws::sign(*jwsKey, "https://127.0.0.1:14000/chal/1", "n2", kid, QJsonObject{});
    QVERIFY(empty);
    QCOMPARE(QJsonDocument::fromJson(*empty).object().value("payload").toString(), QString("e30"));

    // The rollover's inner JWS carries no nonce.
    auto inner =
        Jws::signObject(*jwsKey, "https://127.0.0.1:14000/rollover", {}, {}, QJsonObject{});
    QVERIFY(inner);
    QVERIFY(!decodeJson(inner->value("protected").toString()).contains("nonce"));
}

void TestJws::eabHmacMatchesOpensslMac()
{
    const QByteArray hmacKey = QByteArray::fromHex("00112233445566778899aabbccddeeff0123456789");
    const QJsonObject jwk{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AAAA"}, {"y", "BBBB"}};
    auto eab = Jws::externalAccountBinding("kid-1", hmacKey, jwk, "https://ca/new-acct");
    QVERIFY(eab);
    const QJsonObject header = decodeJson(eab->value("protected").toString());
    QCOMPARE(header.value("alg").toString(), QString("HS256"));
    QCOMPARE(header.value("kid").toString(), QString("kid-1"));
    QCOMPARE(header.value("url").toString(), QString("https://ca/new-acct"));
    QVERIFY(!header.contains("nonce"));
    QCOMPARE(decodeJson(eab->value("payload").toString()), jwk);

    FixtureDir dir;
    const QByteArray input = eab->value("protected").toString().toLatin1() + '.' +
                             eab->value("payload").toString().toLatin1();
    QVERIFY(dir.write("input", input));
    QByteArray out;
    QCOMPARE(runTool("openssl",
                     {"mac", "-digest", "SHA256", "-macopt",
                      "hexkey:" + QString::fromLatin1(hmacKey.toHex()), "-in",
                      dir.filePath("input"), "HMAC"},
                     &out),
             0);
    const QByteArray mac =
        fromBase64Url(eab->value("signature").toString().toLatin1()).value_or(QByteArray());
    QCOMPARE(mac.toHex().toUpper(), out.trimmed().toUpper());

    auto noKey = Jws::externalAccountBinding("kid-1", {}, jwk, "https://ca/new-acct");
    QVERIFY(!noKey);
    QCOMPARE(noKey.error().code, ErrorCode::InvalidInput);
}

void TestJws::unsupportedKeysAreRefused_data()
{
    QTest::addColumn<QStringList>("genpkey");
    QTest::addColumn<QString>("expected");
    QTest::newRow("P-521") << QStringList{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"}
                           << QStringLiteral("curve secp521r1");
    QTest::newRow("secp256k1") << QStringList{"-algorithm", "EC", "-pkeyopt",
                                              "ec_paramgen_curve:secp256k1"}
                               << QStringLiteral("curve secp256k1");
    QTest::newRow("RSA 1024") << QStringList{"-algorithm", "RSA", "-pkeyopt",
                                             "rsa_keygen_bits:1024"}
                              << QStringLiteral("RSA 1024 key is too weak");
    QTest::newRow("Ed448") << QStringList{"-algorithm", "ED448"}
                           << QStringLiteral("cannot sign ACME requests");
}

void TestJws::unsupportedKeysAreRefused()
{
    QFETCH(QStringList, genpkey);
    QFETCH(QString, expected);
    QByteArray pem;
    QCOMPARE(runTool("openssl", QStringList{"genpkey"} + genpkey, &pem), 0);
    auto key = crypto::PrivateKey::fromPem(pem);
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    auto jwsKey = JwsKey::fromPrivateKey(*key);
    QVERIFY(!jwsKey);
    QCOMPARE(jwsKey.error().code, ErrorCode::Unsupported);
    QVERIFY2(jwsKey.error().message.contains(expected), qPrintable(jwsKey.error().message));
    QVERIFY(!JwsKey::fromPrivateKey(crypto::PrivateKey()));
}

void TestJws::base64UrlTokens()
{
    QCOMPARE(base64Url(QByteArray("\xfb\xff", 2)), QByteArray("-_8"));
    QCOMPARE(fromBase64Url("-_8").value_or(QByteArray()), QByteArray("\xfb\xff", 2));
    QVERIFY(!fromBase64Url("a+b/"));
    QVERIFY(isBase64UrlToken("Abc-_09"));
    QVERIFY(!isBase64UrlToken(""));
    QVERIFY(!isBase64UrlToken("../etc"));
    QVERIFY(!isBase64UrlToken("a b"));
    QVERIFY(!isBase64UrlToken("a%2F"));
}

QTEST_GUILESS_MAIN(TestJws)
#include "test_jws.moc"
