// SPDX-License-Identifier: GPL-3.0-or-later
// CertificateDetails against the openssl CLI as the oracle: TestPki leaves
// (ECDSA and RSA) and certificates made by `openssl req` with unusual
// extensions (unknown critical, must-staple, SCTs, name constraints).
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateDetails.h"
#include "crypto/CertificateReader.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

namespace {

QByteArray oracle(const QStringList& args)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("openssl"), args, &out);
    return rc == 0 ? out : QByteArray("openssl failed: ") + out;
}

/// "key=value" from an `openssl x509 -noout -<opt>` line.
QString oracleValue(const QString& cert, const QStringList& opts, const QString& key)
{
    const QByteArray out = oracle(QStringList{QStringLiteral("x509"), QStringLiteral("-in"), cert,
                                              QStringLiteral("-noout"), QStringLiteral("-nameopt"),
                                              QStringLiteral("RFC2253")} +
                                  opts);
    for (const QByteArray& line : out.split('\n')) {
        const QString l = QString::fromUtf8(line).trimmed();
        if (l.startsWith(key + u'=')) {
            return l.mid(key.size() + 1);
        }
    }
    return QStringLiteral("<%1 not in: %2>").arg(key, QString::fromUtf8(out));
}

QDateTime opensslDate(const QString& s)
{
    // "Nov  5 15:00:00 2026 GMT"
    return QDateTime::fromString(s.simplified(), QStringLiteral("MMM d HH:mm:ss yyyy 'GMT'"))
        .toUTC()
        .addSecs(0);
}

Certificate load(const QString& path)
{
    auto b = CertificateReader::readFile(path);
    if (!b || b->certificates.isEmpty()) {
        return {};
    }
    return b->certificates.first();
}

const CertificateField* find(const QList<CertificateField>& fields, const QString& name)
{
    for (const CertificateField& f : fields) {
        if (f.name == name) {
            return &f;
        }
        if (const CertificateField* c = find(f.children, name)) {
            return c;
        }
    }
    return nullptr;
}

} // namespace

class TestCertificateDetails : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pkiLeafMatchesOpenssl_data();
    void pkiLeafMatchesOpenssl();
    void daysLeftUsesInjectedTime();
    void unusualExtensions();
    void nameConstraintsOnCa();
    void jsonCarriesEverything();

private:
    FixtureDir m_dir;
    QString m_extCert;
    QString m_ncCert;
};

void TestCertificateDetails::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // 1.3.6.1.4.1.11129.2.4.2: one SCT (log ID AA.., 2023-11-14 22:13:20 UTC),
    // TLS-encoded inside an OCTET STRING as RFC 6962 puts it.
    QString sct = QStringLiteral("04:37:00:35:00:33:00:");
    for (int i = 0; i < 32; ++i) {
        sct += QStringLiteral("AA:");
    }
    sct += QStringLiteral("00:00:01:8B:CF:E5:68:00:00:00:04:03:00:04:01:02:03:04");
    m_extCert = m_dir.filePath(QStringLiteral("ext.pem"));
    QByteArray out;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                 QStringLiteral("-keyout"), m_dir.filePath(QStringLiteral("ext.key")),
                 QStringLiteral("-out"), m_extCert, QStringLiteral("-subj"),
                 QStringLiteral("/CN=ext-test/O=CertDeck Test"), QStringLiteral("-days"),
                 QStringLiteral("30"), QStringLiteral("-addext"),
                 QStringLiteral("1.2.3.4.5.6.7=critical,DER:01:02"), QStringLiteral("-addext"),
                 QStringLiteral("tlsfeature=status_request"), QStringLiteral("-addext"),
                 QStringLiteral("certificatePolicies=2.5.29.32.0,1.3.6.1.4.1.99999.1"),
                 QStringLiteral("-addext"), QStringLiteral("1.3.6.1.4.1.11129.2.4.2=DER:") + sct,
                 // keyUsage holding a BOOLEAN instead of a BIT STRING.
                 QStringLiteral("-addext"), QStringLiteral("2.5.29.15=DER:01:01:FF")},
                &out),
        0);
    m_ncCert = m_dir.filePath(QStringLiteral("nc.pem"));
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                 m_dir.filePath(QStringLiteral("nc.key")), QStringLiteral("-out"), m_ncCert,
                 QStringLiteral("-subj"), QStringLiteral("/CN=Constrained CA"),
                 QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-addext"),
                 QStringLiteral("basicConstraints=critical,CA:TRUE,pathlen:0"),
                 QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign"),
                 QStringLiteral("-addext"),
                 QStringLiteral("nameConstraints=critical,permitted;DNS:.example.com,"
                                "permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:.bad."
                                "example.com"),
                 // Extensions without a dedicated view: OpenSSL's own text.
                 QStringLiteral("-addext"), QStringLiteral("issuerAltName=email:ca@example.com"),
                 QStringLiteral("-addext"),
                 QStringLiteral("policyConstraints=requireExplicitPolicy:0"),
                 QStringLiteral("-addext"), QStringLiteral("inhibitAnyPolicy=0")},
                &out),
        0);
}

void TestCertificateDetails::pkiLeafMatchesOpenssl_data()
{
    QTest::addColumn<int>("keyType");
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<int>("bits");
    QTest::addColumn<QString>("curve");
    QTest::addColumn<QStringList>("keyUsage");
    QTest::newRow("ecdsa-p256") << int(TestPki::KeyType::EcdsaP256) << QStringLiteral("EC") << 256
                                << QStringLiteral("prime256v1")
                                << QStringList{QStringLiteral("Digital Signature")};
    QTest::newRow("rsa-2048") << int(TestPki::KeyType::Rsa2048) << QStringLiteral("RSA") << 2048
                              << QString()
                              << QStringList{QStringLiteral("Digital Signature"),
                                             QStringLiteral("Key Encipherment")};
}

void TestCertificateDetails::pkiLeafMatchesOpenssl()
{
    QFETCH(int, keyType);
    QFETCH(QString, algorithm);
    QFETCH(int, bits);
    QFETCH(QString, curve);
    QFETCH(QStringList, keyUsage);
    FixtureDir dir;
    TestPki pki;
    TestPki::Options opt;
    opt.keyType = static_cast<TestPki::KeyType>(keyType);
    opt.ocspUrl = QStringLiteral("http://ocsp.test.invalid/");
    opt.caIssuersUrl = QStringLiteral("http://ca.test.invalid/int.der");
    opt.crlUrl = QStringLiteral("http://crl.test.invalid/int.crl");
    QVERIFY2(pki.create(dir.path(), opt), qPrintable(pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("leaf");
    spec.commonName = QStringLiteral("api.example.test");
    spec.sans = {QStringLiteral("DNS:api.example.test"), QStringLiteral("DNS:www.example.test"),
                 QStringLiteral("IP:127.0.0.1")};
    spec.clientAuth = true;
    const TestPki::Leaf leaf = pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));

    const Certificate cert = load(leaf.cert);
    QVERIFY(!cert.isNull());
    const auto d = CertificateDetails::decode(cert, QDateTime::currentDateTimeUtc());

    QCOMPARE(d.version, 3);
    QCOMPARE(d.subject,
             oracleValue(leaf.cert, {QStringLiteral("-subject")}, QStringLiteral("subject")));
    QCOMPARE(d.issuer,
             oracleValue(leaf.cert, {QStringLiteral("-issuer")}, QStringLiteral("issuer")));
    QCOMPARE(QString(d.serialHex).remove(u':'),
             oracleValue(leaf.cert, {QStringLiteral("-serial")}, QStringLiteral("serial")));
    QCOMPARE(d.notBefore, opensslDate(oracleValue(leaf.cert, {QStringLiteral("-startdate")},
                                                  QStringLiteral("notBefore"))));
    QCOMPARE(d.notAfter, opensslDate(oracleValue(leaf.cert, {QStringLiteral("-enddate")},
                                                 QStringLiteral("notAfter"))));
    QCOMPARE(d.sha256Fingerprint,
             oracleValue(leaf.cert, {QStringLiteral("-fingerprint"), QStringLiteral("-sha256")},
                         QStringLiteral("sha256 Fingerprint")));
    QCOMPARE(d.sha1Fingerprint,
             oracleValue(leaf.cert, {QStringLiteral("-fingerprint"), QStringLiteral("-sha1")},
                         QStringLiteral("sha1 Fingerprint")));

    const QByteArray text = oracle({QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert,
                                    QStringLiteral("-noout"), QStringLiteral("-text")});
    QVERIFY2(text.contains(("Signature Algorithm: " + d.signatureAlgorithm).toUtf8()),
             text.constData());
    QCOMPARE(d.publicKeyAlgorithm, algorithm);
    QCOMPARE(d.publicKeyBits, bits);
    QVERIFY(text.contains(QStringLiteral("Public-Key: (%1 bit)").arg(bits).toUtf8()));
    QCOMPARE(d.curve, curve);

    // SAN, key usage, EKU exactly as openssl lists them.
    const QByteArray sanOut =
        oracle({QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert, QStringLiteral("-noout"),
                QStringLiteral("-ext"), QStringLiteral("subjectAltName")});
    QCOMPARE(d.subjectAltNames.join(QStringLiteral(", ")),
             QString::fromUtf8(sanOut.split('\n').value(1)).trimmed());
    QCOMPARE(d.keyUsageNames, keyUsage);
    QVERIFY(d.hasKeyUsage(KeyUsage::DigitalSignature));
    QVERIFY(!d.hasKeyUsage(KeyUsage::KeyCertSign));
    QVERIFY(text.contains(keyUsage.join(QStringLiteral(", ")).toUtf8()));
    QCOMPARE(d.extendedKeyUsageNames,
             (QStringList{QStringLiteral("TLS Web Server Authentication"),
                          QStringLiteral("TLS Web Client Authentication")}));
    QCOMPARE(d.extendedKeyUsageOids, (QStringList{QStringLiteral("1.3.6.1.5.5.7.3.1"),
                                                  QStringLiteral("1.3.6.1.5.5.7.3.2")}));
    QVERIFY(text.contains(d.extendedKeyUsageNames.join(QStringLiteral(", ")).toUtf8()));
    QCOMPARE(d.basicConstraintsCa, std::optional<bool>(false));

    // AIA and CRL DP: in our lists and in openssl's text.
    QCOMPARE(d.ocspUrls, QStringList{opt.ocspUrl});
    QCOMPARE(oracle({QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert,
                     QStringLiteral("-noout"), QStringLiteral("-ocsp_uri")})
                 .trimmed(),
             opt.ocspUrl.toUtf8());
    QCOMPARE(d.caIssuersUrls, QStringList{opt.caIssuersUrl});
    QVERIFY(text.contains(("CA Issuers - URI:" + opt.caIssuersUrl).toUtf8()));
    QCOMPARE(d.crlUrls, QStringList{opt.crlUrl});
    QVERIFY(text.contains(("URI:" + opt.crlUrl).toUtf8()));

    // Key identifiers: the leaf's AKI is the intermediate's SKI.
    const auto inter =
        CertificateDetails::decode(load(pki.intermediateCert), QDateTime::currentDateTimeUtc());
    QVERIFY(!d.authorityKeyId.isEmpty());
    QCOMPARE(d.authorityKeyId, inter.subjectKeyId);
    QVERIFY(text.contains(colonHex(d.subjectKeyId).toUtf8()));
    QCOMPARE(inter.basicConstraintsCa, std::optional<bool>(true));

    // SPKI pin: SHA-256 of the DER public key openssl extracts.
    const QString pub = dir.filePath(QStringLiteral("pub.der"));
    oracle({QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert, QStringLiteral("-noout"),
            QStringLiteral("-pubkey"), QStringLiteral("-out"), pub + QStringLiteral(".pem")});
    oracle({QStringLiteral("pkey"), QStringLiteral("-pubin"), QStringLiteral("-in"),
            pub + QStringLiteral(".pem"), QStringLiteral("-outform"), QStringLiteral("DER"),
            QStringLiteral("-out"), pub});
    QFile pf(pub);
    QVERIFY(pf.open(QIODevice::ReadOnly));
    QCOMPARE(d.spkiPinSha256,
             QString::fromLatin1(
                 QCryptographicHash::hash(pf.readAll(), QCryptographicHash::Sha256).toBase64()));

    // The tree has the RFC 5280 skeleton and every extension.
    for (const char* name :
         {"Version", "Serial Number", "Signature Algorithm", "Issuer", "Validity", "Subject",
          "Subject Public Key Info", "Extensions", "Signature", "Fingerprints"}) {
        QVERIFY2(find(d.fields, QString::fromLatin1(name)) != nullptr, name);
    }
    const CertificateField* ku = find(d.fields, QStringLiteral("X509v3 Key Usage"));
    QVERIFY(ku != nullptr);
    QVERIFY(ku->critical);
    QCOMPARE(ku->oid, QStringLiteral("2.5.29.15"));
    QVERIFY(d.unknownCriticalExtensions().isEmpty());
}

void TestCertificateDetails::daysLeftUsesInjectedTime()
{
    const Certificate cert = load(m_extCert);
    QVERIFY(!cert.isNull());
    const QDateTime na = cert.notAfter();
    auto d = CertificateDetails::decode(cert, na.addDays(-10).addSecs(-3600));
    QCOMPARE(d.daysLeft, 10);
    QVERIFY(!d.expired);
    QVERIFY(find(d.fields, QStringLiteral("Days Left"))->value.contains(u"10 day(s) left"));
    d = CertificateDetails::decode(cert, na.addSecs(1));
    QCOMPARE(d.daysLeft, -1);
    QVERIFY(d.expired);
    QCOMPARE(find(d.fields, QStringLiteral("Days Left"))->value,
             QStringLiteral("expired 1 day(s) ago"));
    d = CertificateDetails::decode(cert, cert.notBefore().addSecs(-1));
    QVERIFY(d.notYetValid);
    QCOMPARE(find(d.fields, QStringLiteral("Not After"))->value,
             na.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")));
}

void TestCertificateDetails::unusualExtensions()
{
    const Certificate cert = load(m_extCert);
    QVERIFY(!cert.isNull());
    const auto d = CertificateDetails::decode(cert, QDateTime::currentDateTimeUtc());
    const QByteArray text = oracle({QStringLiteral("x509"), QStringLiteral("-in"), m_extCert,
                                    QStringLiteral("-noout"), QStringLiteral("-text")});

    // Unknown critical extension: OID, critical and the bytes as hex.
    QVERIFY(text.contains("1.2.3.4.5.6.7: critical"));
    const auto unknown = d.unknownCriticalExtensions();
    QCOMPARE(unknown.size(), 1);
    QCOMPARE(unknown.first().oid, QStringLiteral("1.2.3.4.5.6.7"));
    QCOMPARE(unknown.first().value, QByteArray("\x01\x02", 2));
    const CertificateField* node = find(d.fields, QStringLiteral("1.2.3.4.5.6.7"));
    QVERIFY(node != nullptr);
    QVERIFY(node->critical);
    QCOMPARE(node->value, QStringLiteral("01:02"));

    // Must-staple.
    QVERIFY(text.contains("TLS Feature:") && text.contains("status_request"));
    QVERIFY(d.mustStaple);

    // Policies, in order, with anyPolicy named.
    QCOMPARE(d.policies.size(), 2);
    QCOMPARE(d.policies.at(0).oid, QStringLiteral("2.5.29.32.0"));
    QCOMPARE(d.policies.at(0).name, QStringLiteral("X509v3 Any Policy"));
    QCOMPARE(d.policies.at(1).oid, QStringLiteral("1.3.6.1.4.1.99999.1"));
    QVERIFY(text.contains("Policy: 1.3.6.1.4.1.99999.1"));

    // The SCT list as openssl decodes it.
    QVERIFY(text.contains("Timestamp : Nov 14 22:13:20.000 2023 GMT"));
    QCOMPARE(d.scts.size(), 1);
    QCOMPARE(d.scts.first().logId, QByteArray(32, '\xAA'));
    QCOMPARE(d.scts.first().timestamp, QDateTime(QDate(2023, 11, 14), QTime(22, 13, 20), Qt::UTC));
    QCOMPARE(d.scts.first().version, 0);

    // A known extension with a broken value is kept, as hex, and flagged.
    bool sawBrokenKeyUsage = false;
    for (const ExtensionInfo& e : d.extensions) {
        if (e.oid == QLatin1String("2.5.29.15")) {
            sawBrokenKeyUsage = e.decodeFailed && e.known;
        }
    }
    QVERIFY(sawBrokenKeyUsage);
    QVERIFY(!d.keyUsageBits.has_value());
    QVERIFY(find(d.fields, QStringLiteral("X509v3 Key Usage"))
                ->value.startsWith(u"could not be decoded: 01:01:FF"));
    QCOMPARE(d.publicKeyAlgorithm, QStringLiteral("EC"));
}

void TestCertificateDetails::nameConstraintsOnCa()
{
    const Certificate cert = load(m_ncCert);
    QVERIFY(!cert.isNull());
    const auto d = CertificateDetails::decode(cert, QDateTime::currentDateTimeUtc());
    const QByteArray text = oracle({QStringLiteral("x509"), QStringLiteral("-in"), m_ncCert,
                                    QStringLiteral("-noout"), QStringLiteral("-text")});
    QVERIFY(text.contains("DNS:.example.com") && text.contains("IP:10.0.0.0/255.0.0.0"));
    QCOMPARE(d.permittedSubtrees, (QStringList{QStringLiteral("DNS:.example.com"),
                                               QStringLiteral("IP Address:10.0.0.0/255.0.0.0")}));
    QCOMPARE(d.excludedSubtrees, QStringList{QStringLiteral("DNS:.bad.example.com")});
    QCOMPARE(d.basicConstraintsCa, std::optional<bool>(true));
    QCOMPARE(d.pathLengthConstraint, std::optional<int>(0));
    QVERIFY(d.hasKeyUsage(KeyUsage::KeyCertSign));
    QVERIFY(d.hasKeyUsage(KeyUsage::CrlSign));
    QVERIFY(!d.hasKeyUsage(KeyUsage::DigitalSignature));
    QCOMPARE(d.publicKeyAlgorithm, QStringLiteral("RSA"));
    QCOMPARE(d.publicKeyBits, 2048);
    QVERIFY(find(d.fields, QStringLiteral("X509v3 Name Constraints"))->critical);
    QCOMPARE(find(d.fields, QStringLiteral("X509v3 Issuer Alternative Name"))->value,
             QStringLiteral("email:ca@example.com"));
    QVERIFY(text.contains("Require Explicit Policy:0"));
    QCOMPARE(find(d.fields, QStringLiteral("X509v3 Policy Constraints"))->value,
             QStringLiteral("Require Explicit Policy:0"));
    QCOMPARE(find(d.fields, QStringLiteral("X509v3 Inhibit Any Policy"))->value,
             QStringLiteral("0"));
    QVERIFY(d.unknownCriticalExtensions().isEmpty());
}

void TestCertificateDetails::jsonCarriesEverything()
{
    const auto d = CertificateDetails::decode(load(m_extCert), QDateTime::currentDateTimeUtc());
    const QJsonObject o = d.toJson();
    QCOMPARE(o.value(QStringLiteral("sha256Fingerprint")).toString(), d.sha256Fingerprint);
    QCOMPARE(o.value(QStringLiteral("mustStaple")).toBool(), true);
    bool unknownAsHex = false;
    for (const QJsonValue& v : o.value(QStringLiteral("extensions")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("oid")).toString() == QLatin1String("1.2.3.4.5.6.7")) {
            unknownAsHex = e.value(QStringLiteral("critical")).toBool() &&
                           e.value(QStringLiteral("hex")).toString() == QLatin1String("01:02");
        }
    }
    QVERIFY(unknownAsHex);
    QCOMPARE(o.value(QStringLiteral("scts")).toArray().size(), 1);
    QCOMPARE(o.value(QStringLiteral("fields")).toArray().size(), d.fields.size());
}

QTEST_GUILESS_MAIN(TestCertificateDetails)
#include "test_certificatedetails.moc"
