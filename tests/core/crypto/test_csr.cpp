// SPDX-License-Identifier: GPL-3.0-or-later
// Csr and CsrSpec, with the openssl CLI as the oracle for what we build and
// as the independent producer of CSRs we parse.
#include "PeerProcess.h"
#include "crypto/Csr.h"
#include "crypto/internal/CaKeyIo.h"

#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using certdeck::test::runTool;

class TestCsr : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void builtCsrVerifiesWithOpenssl_data();
    void builtCsrVerifiesWithOpenssl();
    void specValidation_data();
    void specValidation();
    void sanParsing();
    void parsesOpensslCsr();
    void pemRoundTrip();
    void corruptedSignatureFailsVerification();
    void malformedInput_data();
    void malformedInput();
    void keyMismatchIsInvisibleButSignatureBinds();
    void buildWithEncryptedPemKey();

private:
    QString write(const QString& name, const QByteArray& data);
    QByteArray openssl(const QStringList& args, int* rc = nullptr);
    QTemporaryDir m_tmp;
};

QString TestCsr::write(const QString& name, const QByteArray& data)
{
    const QString path = m_tmp.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
        return {};
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return path;
}

QByteArray TestCsr::openssl(const QStringList& args, int* rc)
{
    QByteArray out;
    const int code = runTool(QStringLiteral("openssl"), args, &out);
    if (rc != nullptr) {
        *rc = code;
    }
    return out;
}

void TestCsr::initTestCase()
{
    QVERIFY(m_tmp.isValid());
}

static CsrSpec fullSpec()
{
    CsrSpec spec;
    spec.subject.commonName = QStringLiteral("api.example.com");
    spec.subject.organization = QStringLiteral("Example Ops");
    spec.subject.organizationalUnit = QStringLiteral("Platform");
    spec.subject.country = QStringLiteral("DE");
    spec.subject.state = QStringLiteral("Berlin");
    spec.subject.locality = QStringLiteral("Berlin");
    spec.subject.emailAddress = QStringLiteral("ops@example.com");
    auto sans = SubjectAltName::parseList(
        QStringLiteral("DNS:api.example.com,DNS:*.api.example.com,IP:10.0.0.5,IP:fd00::1,"
                       "email:ops@example.com,URI:spiffe://example.org/ns/api"));
    spec.sans = *sans;
    spec.keyUsage = KeyUsage::DigitalSignature | KeyUsage::KeyEncipherment;
    spec.extendedKeyUsage = {ExtendedKeyUsage::ServerAuth, ExtendedKeyUsage::ClientAuth};
    spec.mustStaple = true;
    return spec;
}

void TestCsr::builtCsrVerifiesWithOpenssl_data()
{
    QTest::addColumn<QString>("keyType");
    QTest::addColumn<int>("digest");
    QTest::addColumn<QString>("expectedAlgorithm");
    QTest::newRow("p256-sha256") << "p256" << int(CsrDigest::Sha256) << "ecdsa-with-SHA256";
    QTest::newRow("p384-sha384") << "p384" << int(CsrDigest::Sha384) << "ecdsa-with-SHA384";
    QTest::newRow("rsa2048-sha384")
        << "rsa2048" << int(CsrDigest::Sha384) << "sha384WithRSAEncryption";
    QTest::newRow("ed25519") << "ed25519" << int(CsrDigest::Sha384) << "ED25519";
}

void TestCsr::builtCsrVerifiesWithOpenssl()
{
    QFETCH(QString, keyType);
    QFETCH(int, digest);
    QFETCH(QString, expectedAlgorithm);
    auto type = internal::parseCaKeyType(keyType);
    QVERIFY(type);
    auto key = internal::generateKey(*type);
    QVERIFY(key);
    CsrSpec spec = fullSpec();
    spec.digest = CsrDigest(digest);
    auto csr = Csr::build(spec, key->get());
    QVERIFY2(csr, qPrintable(csr ? QString() : csr.error().toString()));
    QVERIFY(csr->verifySignature());
    QCOMPARE(csr->signatureAlgorithm(), expectedAlgorithm);

    const QString path = write(keyType + QStringLiteral(".csr"), csr->toPem());
    int rc = -1;
    const QString text = QString::fromUtf8(
        openssl({QStringLiteral("req"), QStringLiteral("-in"), path, QStringLiteral("-verify"),
                 QStringLiteral("-noout"), QStringLiteral("-text")},
                &rc));
    QVERIFY2(rc == 0, qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("verify OK")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Signature Algorithm: ") + expectedAlgorithm),
             qPrintable(text));
    for (const char* expected :
         {"C = DE, ST = Berlin, L = Berlin, O = Example Ops, OU = Platform, CN = api.example.com, "
          "emailAddress = ops@example.com",
          "DNS:api.example.com, DNS:*.api.example.com, IP Address:10.0.0.5, "
          "IP Address:FD00:0:0:0:0:0:0:1, email:ops@example.com, URI:spiffe://example.org/ns/api",
          "X509v3 Key Usage: critical", "Digital Signature, Key Encipherment",
          "TLS Web Server Authentication, TLS Web Client Authentication",
          "TLS Feature:", "status_request"}) {
        QVERIFY2(text.contains(QLatin1String(expected)), qPrintable(expected + ("\n" + text)));
    }
    // Our own decoding agrees with what we asked for.
    QCOMPARE(csr->subjectAltNames(), spec.sans);
    QCOMPARE(csr->keyUsage(), spec.keyUsage);
    QCOMPARE(csr->extendedKeyUsage(), spec.extendedKeyUsage);
    QVERIFY(csr->mustStaple());
    QCOMPARE(csr->commonName(), QStringLiteral("api.example.com"));
}

void TestCsr::specValidation_data()
{
    QTest::addColumn<QString>("cn");
    QTest::addColumn<QString>("sans");
    QTest::addColumn<QString>("country");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no-cn-no-san") << ""
                                  << ""
                                  << ""
                                  << "needs a common name or at least one SAN";
    QTest::newRow("bad-ip") << "x"
                            << "IP:10.0.0.300"
                            << ""
                            << "is not an IPv4 or IPv6 address";
    QTest::newRow("short-ipv4") << "x"
                                << "IP:1.2.3"
                                << ""
                                << "is not an IPv4 or IPv6 address";
    QTest::newRow("cidr-as-ip") << "x"
                                << "IP:10.0.0.0/8"
                                << ""
                                << "is not an IPv4 or IPv6";
    QTest::newRow("wildcard-middle") << "x"
                                     << "DNS:a.*.example.com"
                                     << ""
                                     << "only allowed as the whole left-most label";
    QTest::newRow("partial-wildcard") << "x"
                                      << "DNS:api*.example.com"
                                      << ""
                                      << "only allowed as the whole left-most label";
    QTest::newRow("wildcard-tld") << "x"
                                  << "DNS:*.com"
                                  << ""
                                  << "at least two labels after it";
    QTest::newRow("idn-u-label") << "x" << QString::fromUtf8("DNS:b\u00fccher.example") << ""
                                 << "use the A-label (xn--)";
    QTest::newRow("empty-label") << "x"
                                 << "DNS:a..example"
                                 << ""
                                 << "empty label";
    QTest::newRow("underscore-ok-space-not") << "x"
                                             << "DNS:a b.example"
                                             << ""
                                             << "is not allowed in a host name";
    QTest::newRow("hyphen-edge") << "x"
                                 << "DNS:-a.example"
                                 << ""
                                 << "starts or ends with a hyphen";
    QTest::newRow("bad-email") << "x"
                               << "email:nobody"
                               << ""
                               << "is not an e-mail address";
    QTest::newRow("relative-uri") << "x"
                                  << "URI:/just/a/path"
                                  << ""
                                  << "is not an absolute URI";
    QTest::newRow("unknown-type") << "x"
                                  << "RID:1.2.3"
                                  << ""
                                  << "unknown type 'RID'";
    QTest::newRow("no-type") << "x"
                             << "example.com"
                             << ""
                             << "has no type";
    QTest::newRow("country") << "x"
                             << ""
                             << "Germany"
                             << "two upper-case letters";
}

void TestCsr::specValidation()
{
    QFETCH(QString, cn);
    QFETCH(QString, sans);
    QFETCH(QString, country);
    QFETCH(QString, expected);
    CsrSpec spec;
    spec.subject.commonName = cn;
    spec.subject.country = country;
    Status s;
    if (!sans.isEmpty()) {
        auto list = SubjectAltName::parseList(sans);
        if (!list) {
            s = tl::unexpected(list.error());
        } else {
            spec.sans = *list;
        }
    }
    if (s) {
        s = spec.validate();
    }
    QVERIFY(!s);
    QVERIFY2(s.error().toString().contains(expected), qPrintable(s.error().toString()));
    // Building refuses the same spec with the same words.
    if (!sans.isEmpty() && !SubjectAltName::parseList(sans)) {
        return;
    }
    auto key = internal::generateKey(internal::CaKeyType::EcP256);
    QVERIFY(key);
    auto csr = Csr::build(spec, key->get());
    QVERIFY(!csr);
    QVERIFY(csr.error().toString().contains(expected));
}

void TestCsr::sanParsing()
{
    auto list = SubjectAltName::parseList(QStringLiteral(" dns:A.example , ip:FD00:0::1 "));
    QVERIFY(list);
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).toString(), QStringLiteral("DNS:A.example"));
    QCOMPARE(list->at(1).toString(), QStringLiteral("IP:fd00::1"));
    QVERIFY(!parseKeyUsages(QStringLiteral("digitalSignature,sign")));
    QCOMPARE(*parseKeyUsages(QStringLiteral("DigitalSignature,keyAgreement")),
             KeyUsage::DigitalSignature | KeyUsage::KeyAgreement);
    auto eku = parseExtendedKeyUsages(QStringLiteral("clientAuth,serverAuth,clientAuth"));
    QVERIFY(eku);
    QCOMPARE(eku->size(), 2);
    QVERIFY(!parseExtendedKeyUsages(QStringLiteral("webAuth")));
}

void TestCsr::parsesOpensslCsr()
{
    const QString key = m_tmp.filePath(QStringLiteral("ossl.key"));
    const QString csrPath = m_tmp.filePath(QStringLiteral("ossl.csr"));
    int rc = -1;
    QByteArray out = openssl({QStringLiteral("req"),
                              QStringLiteral("-new"),
                              QStringLiteral("-newkey"),
                              QStringLiteral("ec"),
                              QStringLiteral("-pkeyopt"),
                              QStringLiteral("ec_paramgen_curve:P-384"),
                              QStringLiteral("-nodes"),
                              QStringLiteral("-keyout"),
                              key,
                              QStringLiteral("-sha384"),
                              QStringLiteral("-subj"),
                              QStringLiteral("/O=Oracle Org/CN=oracle.example"),
                              QStringLiteral("-addext"),
                              QStringLiteral("subjectAltName=DNS:oracle.example,IP:192.0.2.7,"
                                             "email:a@oracle.example,URI:https://oracle.example/"),
                              QStringLiteral("-addext"),
                              QStringLiteral("keyUsage=critical,digitalSignature,keyAgreement"),
                              QStringLiteral("-addext"),
                              QStringLiteral("extendedKeyUsage=clientAuth"),
                              QStringLiteral("-addext"),
                              QStringLiteral("tlsfeature=status_request"),
                              QStringLiteral("-out"),
                              csrPath},
                             &rc);
    QVERIFY2(rc == 0, out.constData());
    QFile f(csrPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto csr = Csr::fromPem(f.readAll(), QStringLiteral("ossl.csr"));
    QVERIFY2(csr, qPrintable(csr ? QString() : csr.error().toString()));
    QVERIFY(csr->verifySignature());
    QCOMPARE(csr->subject(), QStringLiteral("CN=oracle.example,O=Oracle Org"));
    QCOMPARE(csr->commonName(), QStringLiteral("oracle.example"));
    QCOMPARE(csr->signatureAlgorithm(), QStringLiteral("ecdsa-with-SHA384"));
    QCOMPARE(csr->publicKeyDescription(), QStringLiteral("EC P-384"));
    QStringList sans;
    for (const auto& s : csr->subjectAltNames()) {
        sans << s.toString();
    }
    QCOMPARE(sans, QStringList({"DNS:oracle.example", "IP:192.0.2.7", "email:a@oracle.example",
                                "URI:https://oracle.example/"}));
    QCOMPARE(csr->keyUsage(), KeyUsage::DigitalSignature | KeyUsage::KeyAgreement);
    QCOMPARE(csr->extendedKeyUsage(), QList<ExtendedKeyUsage>{ExtendedKeyUsage::ClientAuth});
    QVERIFY(csr->mustStaple());
    const auto exts = csr->requestedExtensions();
    QCOMPARE(exts.size(), 4);
    QCOMPARE(exts.at(0).oid, QStringLiteral("2.5.29.17"));
    QVERIFY(exts.at(1).critical);
    QCOMPARE(exts.at(1).value, QStringLiteral("Digital Signature, Key Agreement"));
    QCOMPARE(exts.at(3).oid, QStringLiteral("1.3.6.1.5.5.7.1.24"));
    // The SPKI matches what openssl derives from the key.
    const QByteArray spki =
        openssl({QStringLiteral("pkey"), QStringLiteral("-in"), key, QStringLiteral("-pubout"),
                 QStringLiteral("-outform"), QStringLiteral("DER")},
                &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(csr->publicKeyDer(), spki);
}

void TestCsr::pemRoundTrip()
{
    auto key = internal::generateKey(internal::CaKeyType::EcP256);
    QVERIFY(key);
    CsrSpec spec;
    spec.sans = *SubjectAltName::parseList(QStringLiteral("DNS:only-san.example"));
    auto csr = Csr::build(spec, key->get());
    QVERIFY(csr);
    // No subject: the SAN extension must be critical (RFC 5280 4.2.1.6).
    QVERIFY(csr->requestedExtensions().at(0).critical);
    auto again = Csr::fromPem(QByteArray("junk before\n") + csr->toPem() + "junk after\n");
    QVERIFY(again);
    QCOMPARE(again->toDer(), csr->toDer());
    auto der = Csr::fromDer(csr->toDer());
    QVERIFY(der);
    const Csr copy = *der;
    QCOMPARE(copy.toDer(), csr->toDer());
}

void TestCsr::corruptedSignatureFailsVerification()
{
    auto key = internal::generateKey(internal::CaKeyType::Ed25519);
    QVERIFY(key);
    auto csr = Csr::build(fullSpec(), key->get());
    QVERIFY(csr);
    QByteArray der = csr->toDer();
    der[der.size() - 1] = char(der.at(der.size() - 1) ^ 0x01);
    auto bad = Csr::fromDer(der, QStringLiteral("flipped.der"));
    QVERIFY(bad); // still well-formed
    auto v = bad->verifySignature();
    QVERIFY(!v);
    QVERIFY(v.error().message.contains(QLatin1String("signature does not verify")));
    // openssl agrees.
    // openssl agrees (its exit code stays 0 in 3.0, so read what it says).
    const QString path = write(QStringLiteral("flipped.der"), der);
    const QByteArray out =
        openssl({QStringLiteral("req"), QStringLiteral("-inform"), QStringLiteral("DER"),
                 QStringLiteral("-in"), path, QStringLiteral("-verify"), QStringLiteral("-noout")});
    QVERIFY2(out.contains("verify failure") && !out.contains("verify OK"), out.constData());
}

void TestCsr::malformedInput_data()
{
    auto key = internal::generateKey(internal::CaKeyType::EcP256);
    CsrSpec spec;
    spec.subject.commonName = QStringLiteral("m.example");
    const QByteArray pem = Csr::build(spec, key->get())->toPem();
    const QList<QByteArray> lines = pem.split('\n');

    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("isPem");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty-der") << QByteArray() << false << "in.csr is empty";
    QTest::newRow("garbage-der") << QByteArray("\x30\x82\x01\x00garbage", 12) << false
                                 << "in.csr is not a valid PKCS#10";
    QTest::newRow("trailing-der") << (Csr::fromPem(pem)->toDer() + "xx") << false
                                  << "2 bytes of trailing data";
    QTest::newRow("huge") << QByteArray(2 * 1024 * 1024, 'A') << true << "too large for a CSR";
    QTest::newRow("no-pem") << QByteArray("hello\n") << true << "no '-----BEGIN CERTIFICATE REQ";
    QTest::newRow("certificate") << QByteArray("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                               "CERTIFICATE-----\n")
                                 << true << "holds a CERTIFICATE, not a CERTIFICATE REQUEST";
    QByteArray truncated = lines.mid(0, 3).join('\n') + '\n';
    QTest::newRow("truncated") << truncated << true << "in.csr line 4: the file ends before";
    QByteArray badChar = pem;
    badChar[lines.at(0).size() + 5] = '!';
    QTest::newRow("bad-base64") << badChar << true << "in.csr line 2: '!' is not a base64";
    QByteArray shortBody =
        lines.at(0) + '\n' + lines.at(1).left(61) + '\n' + lines.last(2).at(0) + '\n';
    QTest::newRow("short-body") << shortBody << true << "line 3: the base64 body is truncated";
    QByteArray valid64 = lines.at(0) + "\nAAAA\n" + lines.last(2).at(0) + '\n';
    QTest::newRow("not-asn1") << valid64 << true << "in.csr is not a valid PKCS#10";
}

void TestCsr::malformedInput()
{
    QFETCH(QByteArray, data);
    QFETCH(bool, isPem);
    QFETCH(QString, expected);
    auto csr = isPem ? Csr::fromPem(data, QStringLiteral("in.csr"))
                     : Csr::fromDer(data, QStringLiteral("in.csr"));
    QVERIFY(!csr);
    QCOMPARE(csr.error().code, ErrorCode::InvalidInput);
    QVERIFY2(csr.error().toString().contains(expected), qPrintable(csr.error().toString()));
}

void TestCsr::keyMismatchIsInvisibleButSignatureBinds()
{
    // publicKeyDer is what the key class compares: two keys give two SPKIs.
    auto k1 = internal::generateKey(internal::CaKeyType::EcP256);
    auto k2 = internal::generateKey(internal::CaKeyType::EcP256);
    CsrSpec spec;
    spec.subject.commonName = QStringLiteral("k.example");
    auto a = Csr::build(spec, k1->get());
    auto b = Csr::build(spec, k2->get());
    QVERIFY(a && b);
    QVERIFY(a->publicKeyDer() != b->publicKeyDer());
    QVERIFY(!Csr::build(spec, nullptr));
}

void TestCsr::buildWithEncryptedPemKey()
{
    auto key = internal::generateKey(internal::CaKeyType::EcP384);
    QVERIFY(key);
    auto pem = internal::privateKeyToPkcs8Pem(key->get(), "pem passphrase");
    QVERIFY(pem);
    QVERIFY(pem->startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    CsrSpec spec;
    spec.subject.commonName = QStringLiteral("pem.example");
    auto none = Csr::buildWithPemKey(spec, *pem, {}, QStringLiteral("k.pem"));
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::PermissionDenied);
    QVERIFY(none.error().message.contains(QLatin1String("k.pem is encrypted")));
    auto wrong = Csr::buildWithPemKey(spec, *pem, "nope", QStringLiteral("k.pem"));
    QVERIFY(!wrong);
    QVERIFY(wrong.error().message.contains(QLatin1String("Wrong passphrase for k.pem")));
    auto garbage = Csr::buildWithPemKey(spec, "hello", {}, QStringLiteral("k.pem"));
    QVERIFY(!garbage);
    QVERIFY(garbage.error().message.contains(QLatin1String("k.pem holds no PEM private key")));
    auto ok = Csr::buildWithPemKey(spec, *pem, "pem passphrase", QStringLiteral("k.pem"));
    QVERIFY(ok);
    QCOMPARE(ok->publicKeyDescription(), QStringLiteral("EC P-384"));
    // A bad spec is refused before the key is even read.
    spec.subject.commonName.clear();
    auto bad = Csr::buildWithPemKey(spec, "hello", {}, QStringLiteral("k.pem"));
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(QLatin1String("common name or at least one SAN")));
}

QTEST_GUILESS_MAIN(TestCsr)
#include "test_csr.moc"
