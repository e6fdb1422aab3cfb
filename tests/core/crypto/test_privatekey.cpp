// SPDX-License-Identifier: GPL-3.0-or-later
// PrivateKey against the openssl CLI as the oracle: what we write, openssl
// reads and checks; what openssl writes, we read to the same public key.
#include "PeerProcess.h"
#include "TestPki.h"
#include "common/SecureFile.h"
#include "crypto/Certificate.h"
#include "crypto/PrivateKey.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using certdeck::test::runTool;

Q_DECLARE_METATYPE(certdeck::ErrorCode)

class TestPrivateKey : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void generatedKeysPassOpensslCheck_data();
    void generatedKeysPassOpensslCheck();
    void encryptedPkcs8IsScryptAes256AndOpensslReadsIt();
    void readsWhatOpensslWrites_data();
    void readsWhatOpensslWrites();
    void badInputSaysWhatAndWhere_data();
    void badInputSaysWhatAndWhere();
    void refusesRunawayKeyDerivation();
    void matchesItsCertificateOnly();
    void copiesShareTheKey();
    void keyTypeNamesRoundTrip();

private:
    QString path(const QString& name) const { return m_tmp.filePath(name); }
    /// Writes a secret test file 0600 (keys and passphrases never world-readable).
    QString writeSecret(const QString& name, const QByteArray& data);
    /// openssl's SHA-256 of the DER public key of the key file (the oracle pin).
    QByteArray opensslPin(const QString& keyFile, const QString& passFile = {});
    QByteArray openssl(const QStringList& args, int* rc = nullptr);
    QByteArray readFile(const QString& p);

    QTemporaryDir m_tmp;
    certdeck::test::TestPki m_pki;
    certdeck::test::TestPki::Leaf m_leafA;
    certdeck::test::TestPki::Leaf m_leafB;
    int m_counter = 0;
};

QString TestPrivateKey::writeSecret(const QString& name, const QByteArray& data)
{
    const QString p = path(name);
    const auto s = writeFileAtomically(p, data, {.secret = true, .overwrite = true});
    if (!s) {
        qWarning() << s.error().toString();
    }
    return p;
}

QByteArray TestPrivateKey::readFile(const QString& p)
{
    QFile f(p);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray TestPrivateKey::openssl(const QStringList& args, int* rc)
{
    QByteArray out;
    const int code = runTool(QStringLiteral("openssl"), args, &out);
    if (rc != nullptr) {
        *rc = code;
    }
    return out;
}

QByteArray TestPrivateKey::opensslPin(const QString& keyFile, const QString& passFile)
{
    const QString der = path(QStringLiteral("pub%1.der").arg(++m_counter));
    QStringList args{QStringLiteral("pkey"),
                     QStringLiteral("-in"),
                     keyFile,
                     QStringLiteral("-pubout"),
                     QStringLiteral("-outform"),
                     QStringLiteral("DER"),
                     QStringLiteral("-out"),
                     der};
    if (!passFile.isEmpty()) {
        args << QStringLiteral("-passin") << QStringLiteral("file:") + passFile;
    }
    int rc = 0;
    const QByteArray out = openssl(args, &rc);
    if (rc != 0) {
        qWarning() << "openssl pkey failed:" << out;
        return {};
    }
    return QCryptographicHash::hash(readFile(der), QCryptographicHash::Sha256);
}

void TestPrivateKey::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    QVERIFY2(m_pki.create(m_tmp.filePath(QStringLiteral("pki")), {}),
             qPrintable(m_pki.errorString()));
    certdeck::test::TestPki::LeafSpec a;
    a.name = QStringLiteral("a");
    m_leafA = m_pki.issue(a);
    certdeck::test::TestPki::LeafSpec b;
    b.name = QStringLiteral("b");
    m_leafB = m_pki.issue(b);
    QVERIFY2(!m_leafA.name.isEmpty() && !m_leafB.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestPrivateKey::generatedKeysPassOpensslCheck_data()
{
    QTest::addColumn<KeyType>("type");
    QTest::addColumn<QString>("description");
    QTest::addColumn<int>("bits");
    QTest::newRow("rsa2048") << KeyType::Rsa2048 << QStringLiteral("RSA 2048") << 2048;
    QTest::newRow("rsa3072") << KeyType::Rsa3072 << QStringLiteral("RSA 3072") << 3072;
    QTest::newRow("rsa4096") << KeyType::Rsa4096 << QStringLiteral("RSA 4096") << 4096;
    QTest::newRow("p256") << KeyType::EcdsaP256 << QStringLiteral("ECDSA P-256") << 256;
    QTest::newRow("p384") << KeyType::EcdsaP384 << QStringLiteral("ECDSA P-384") << 384;
    QTest::newRow("ed25519") << KeyType::Ed25519 << QStringLiteral("Ed25519") << 256;
}

void TestPrivateKey::generatedKeysPassOpensslCheck()
{
    QFETCH(KeyType, type);
    QFETCH(QString, description);
    QFETCH(int, bits);
    const auto key = PrivateKey::generate(type);
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key->description(), description);
    QCOMPARE(key->bits(), bits);
    QCOMPARE(key->keyType(), std::optional<KeyType>(type));

    const QByteArray pem = key->toPkcs8Pem();
    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    const QString file = writeSecret(QStringLiteral("gen-%1.pem").arg(keyTypeName(type)), pem);
    int rc = 0;
    // pkey -check validates RSA and EC key pairs; for Ed25519 it has no
    // check to run, so parsing is what the oracle can confirm.
    QStringList args{QStringLiteral("pkey"), QStringLiteral("-in"), file, QStringLiteral("-noout")};
    if (type != KeyType::Ed25519) {
        args << QStringLiteral("-check");
    }
    const QByteArray out = openssl(args, &rc);
    QVERIFY2(rc == 0, out.constData());
    if (type != KeyType::Ed25519) {
        QVERIFY2(out.contains("Key is valid"), out.constData());
    }
    QCOMPARE(key->spkiSha256(), opensslPin(file));
    QCOMPARE(key->spkiSha256().size(), 32);

    // DER is the same key, and both read back to it.
    const QString der =
        writeSecret(QStringLiteral("gen-%1.der").arg(keyTypeName(type)), key->toPkcs8Der());
    QCOMPARE(opensslPin(der), key->spkiSha256());
    const auto again = PrivateKey::fromPem(pem);
    QVERIFY(again);
    QCOMPARE(again->spkiSha256(), key->spkiSha256());
    QVERIFY(!PrivateKey::isEncrypted(pem));
}

void TestPrivateKey::encryptedPkcs8IsScryptAes256AndOpensslReadsIt()
{
    const auto key = PrivateKey::generate(KeyType::EcdsaP256);
    QVERIFY(key);
    const QByteArray passphrase = "correct horse battery staple";
    const auto enc = key->toEncryptedPkcs8Pem(passphrase);
    QVERIFY2(enc, qPrintable(enc ? QString() : enc.error().toString()));
    QVERIFY(enc->startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    QVERIFY(!enc->contains(key->toPkcs8Pem().mid(28, 40)));
    QVERIFY(PrivateKey::isEncrypted(*enc));

    const QString file = writeSecret(QStringLiteral("enc.pem"), *enc);
    const QString passFile = writeSecret(QStringLiteral("enc.pass"), passphrase);
    QCOMPARE(opensslPin(file, passFile), key->spkiSha256());

    int rc = 0;
    const QByteArray asn1 =
        openssl({QStringLiteral("asn1parse"), QStringLiteral("-in"), file}, &rc);
    QVERIFY2(rc == 0, asn1.constData());
    // PBES2 with scrypt (N = 16384 = 0x4000, r = 8, p = 5) and AES-256-CBC.
    for (const char* what :
         {":PBES2\n", ":scrypt\n", "INTEGER           :4000\n", "INTEGER           :08\n",
          "INTEGER           :05\n", ":aes-256-cbc\n"}) {
        QVERIFY2(asn1.contains(what), asn1.constData());
    }

    const auto back = PrivateKey::fromPem(*enc, passphrase, QStringLiteral("enc.pem"));
    QVERIFY2(back, qPrintable(back ? QString() : back.error().toString()));
    QCOMPARE(back->spkiSha256(), key->spkiSha256());

    const auto wrong = PrivateKey::fromPem(*enc, "Correct horse", QStringLiteral("enc.pem"));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::Crypto);
    QVERIFY2(wrong.error().message.startsWith(QLatin1String("wrong passphrase for enc.pem")),
             qPrintable(wrong.error().message));

    const auto none = PrivateKey::fromPem(*enc, {}, QStringLiteral("enc.pem"));
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::Crypto);
    QVERIFY2(none.error().message.contains(QLatin1String("a passphrase is needed")),
             qPrintable(none.error().message));

    QVERIFY(!key->toEncryptedPkcs8Pem({}));
}

void TestPrivateKey::readsWhatOpensslWrites_data()
{
    QTest::addColumn<QStringList>("commands"); // each "|"-separated openssl argument list
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QString>("description");
    QTest::addColumn<QByteArray>("label");
    const QString ec = QStringLiteral("genpkey|-algorithm|EC|-pkeyopt|ec_paramgen_curve:P-384|-out|"
                                      "%1/ec.pem");
    const QString rsa = QStringLiteral("genpkey|-algorithm|RSA|-pkeyopt|rsa_keygen_bits:2048|-out|"
                                       "%1/rsa.pem");
    QTest::newRow("pkcs8 EC") << QStringList{ec} << QStringLiteral("ec.pem") << QByteArray()
                              << QStringLiteral("ECDSA P-384") << QByteArray("PRIVATE KEY");
    QTest::newRow("pkcs8 ed25519")
        << QStringList{QStringLiteral("genpkey|-algorithm|ED25519|-out|%1/ed.pem")}
        << QStringLiteral("ed.pem") << QByteArray() << QStringLiteral("Ed25519")
        << QByteArray("PRIVATE KEY");
    QTest::newRow("pkcs8 encrypted aes256 (PBKDF2)")
        << QStringList{QStringLiteral("genpkey|-algorithm|RSA|-pkeyopt|rsa_keygen_bits:2048|"
                                      "-aes256|-pass|file:%1/pass|-out|%1/rsa-enc.pem")}
        << QStringLiteral("rsa-enc.pem") << QByteArray("s3cret pass") << QStringLiteral("RSA 2048")
        << QByteArray("ENCRYPTED PRIVATE KEY");
    QTest::newRow("traditional RSA")
        << QStringList{rsa, QStringLiteral("rsa|-in|%1/rsa.pem|-traditional|-out|%1/rsa-trad.pem")}
        << QStringLiteral("rsa-trad.pem") << QByteArray() << QStringLiteral("RSA 2048")
        << QByteArray("RSA PRIVATE KEY");
    QTest::newRow("traditional RSA, legacy encryption")
        << QStringList{rsa, QStringLiteral("rsa|-in|%1/rsa.pem|-traditional|-aes256|-passout|"
                                           "file:%1/pass|-out|%1/rsa-trad-enc.pem")}
        << QStringLiteral("rsa-trad-enc.pem") << QByteArray("s3cret pass")
        << QStringLiteral("RSA 2048") << QByteArray("RSA PRIVATE KEY");
    QTest::newRow("traditional EC")
        << QStringList{ec, QStringLiteral("ec|-in|%1/ec.pem|-out|%1/ec-trad.pem")}
        << QStringLiteral("ec-trad.pem") << QByteArray() << QStringLiteral("ECDSA P-384")
        << QByteArray("EC PRIVATE KEY");
    QTest::newRow("DER pkcs8")
        << QStringList{ec, QStringLiteral("pkey|-in|%1/ec.pem|-outform|DER|-out|%1/ec.der")}
        << QStringLiteral("ec.der") << QByteArray() << QStringLiteral("ECDSA P-384")
        << QByteArray();
    QTest::newRow("DER traditional RSA")
        << QStringList{rsa, QStringLiteral("rsa|-in|%1/rsa.pem|-traditional|-outform|DER|-out|"
                                           "%1/rsa-trad.der")}
        << QStringLiteral("rsa-trad.der") << QByteArray() << QStringLiteral("RSA 2048")
        << QByteArray();
    QTest::newRow("DER encrypted pkcs8")
        << QStringList{ec, QStringLiteral("pkcs8|-topk8|-in|%1/ec.pem|-v2|aes-256-cbc|-passout|"
                                          "file:%1/pass|-outform|DER|-out|%1/ec-enc.der")}
        << QStringLiteral("ec-enc.der") << QByteArray("s3cret pass")
        << QStringLiteral("ECDSA P-384") << QByteArray();
    QTest::newRow("key after a certificate (haproxy bundle)")
        << QStringList{ec} << QStringLiteral("bundle.pem") << QByteArray()
        << QStringLiteral("ECDSA P-384") << QByteArray("PRIVATE KEY");
}

void TestPrivateKey::readsWhatOpensslWrites()
{
    QFETCH(QStringList, commands);
    QFETCH(QString, file);
    QFETCH(QByteArray, passphrase);
    QFETCH(QString, description);
    QFETCH(QByteArray, label);
    QTemporaryDir dir(m_tmp.filePath(QStringLiteral("oracle-XXXXXX")));
    const QString passFile = dir.filePath(QStringLiteral("pass"));
    QVERIFY(writeFileAtomically(passFile, "s3cret pass", {.secret = true, .overwrite = true}));
    for (const QString& c : commands) {
        int rc = 0;
        const QByteArray out = openssl(c.arg(dir.path()).split(u'|'), &rc);
        QVERIFY2(rc == 0, out.constData());
    }
    QString keyFile = dir.filePath(file);
    if (file == QLatin1String("bundle.pem")) {
        QVERIFY(writeFileAtomically(
            keyFile, readFile(m_leafA.cert) + readFile(dir.filePath(QStringLiteral("ec.pem"))),
            {.secret = true, .overwrite = false}));
        keyFile = dir.filePath(QStringLiteral("ec.pem"));
    }
    const QByteArray data = readFile(dir.filePath(file));
    if (!label.isEmpty()) {
        QVERIFY2(data.contains("-----BEGIN " + label + "-----"), data.left(80).constData());
    }
    QCOMPARE(PrivateKey::isEncrypted(data), !passphrase.isEmpty());
    const auto key = PrivateKey::fromData(data, passphrase, file);
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key->description(), description);
    QCOMPARE(key->spkiSha256(), opensslPin(keyFile, passphrase.isEmpty() ? QString() : passFile));
    if (!passphrase.isEmpty()) {
        const auto wrong = PrivateKey::fromData(data, "not it", file);
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::Crypto);
        QVERIFY2(wrong.error().message.startsWith(QLatin1String("wrong passphrase")),
                 qPrintable(wrong.error().message));
    }
}

void TestPrivateKey::badInputSaysWhatAndWhere_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("message");
    const auto key = PrivateKey::generate(KeyType::EcdsaP256);
    QVERIFY(key);
    const QByteArray pem = key->toPkcs8Pem();
    const QList<QByteArray> lines = pem.split('\n');
    QCOMPARE(lines.size(), 6); // BEGIN, 3 body lines, END, ""
    const QByteArray certPem = readFile(m_leafA.cert);
    const QByteArray certDer =
        QByteArray::fromBase64(certPem.mid(28, certPem.indexOf("-----END") - 28).replace("\n", ""));

    QTest::newRow("empty file") << QByteArray() << ErrorCode::InvalidInput
                                << QStringLiteral("in.pem is empty");
    QTest::newRow("whitespace only")
        << QByteArray("\n  \n") << ErrorCode::InvalidInput << QStringLiteral("in.pem is empty");
    QTest::newRow("truncated PEM (no END line)")
        << lines.mid(0, 3).join('\n') + '\n'
        << ErrorCode::InvalidInput
        << QStringLiteral("in.pem line 1: '-----BEGIN PRIVATE KEY-----' has no END line (the "
                          "file is truncated?)");
    QTest::newRow("body line lost")
        << QByteArray(lines[0] + '\n' + lines[1] + '\n' + lines[3] + '\n' + lines[4] + '\n')
        << ErrorCode::InvalidInput
        << QStringLiteral("in.pem (the key at line 1): the DER inside is truncated");
    QByteArray badChar = pem;
    badChar[pem.indexOf('\n') + 10] = '!';
    QTest::newRow("bad base64 character")
        << badChar << ErrorCode::InvalidInput
        << QStringLiteral("in.pem line 2: '!' is not a base64 character");
    QByteArray shortBase64 = pem;
    shortBase64.remove(pem.indexOf("\n-----END") - 1, 1);
    QTest::newRow("base64 length") << shortBase64 << ErrorCode::InvalidInput
                                   << QStringLiteral("in.pem line 4: base64 body is truncated");
    QTest::newRow("DER garbage") << QByteArray("\x30\x82\x01\x00garbage garbage", 19)
                                 << ErrorCode::InvalidInput
                                 << QStringLiteral("in.pem is truncated: its structure announces "
                                                   "260 bytes, only 19 are present");
    QTest::newRow("binary garbage")
        << QByteArray("\x01\x02\x03\xff\xfe", 5) << ErrorCode::InvalidInput
        << QStringLiteral("in.pem is not DER");
    QTest::newRow("well-framed DER, not a key")
        << QByteArray("\x30\x03\x02\x01\x05", 5) << ErrorCode::InvalidInput
        << QStringLiteral("in.pem is not a private key OpenSSL can read");
    QTest::newRow("certificate PEM given as key")
        << certPem << ErrorCode::InvalidInput
        << QStringLiteral("in.pem contains a certificate, not a private key");
    QTest::newRow("certificate DER given as key")
        << certDer << ErrorCode::InvalidInput
        << QStringLiteral("in.pem is a certificate, not a private key");
    const QByteArray pubPem = "-----BEGIN PUBLIC KEY-----\n" + key->publicKeyDer().toBase64() +
                              "\n-----END PUBLIC KEY-----\n";
    QTest::newRow("public key PEM")
        << pubPem << ErrorCode::InvalidInput
        << QStringLiteral("in.pem contains a public key only, not a private key");
    QTest::newRow("public key DER") << key->publicKeyDer() << ErrorCode::InvalidInput
                                    << QStringLiteral("in.pem is a public key only");
    QTest::newRow("text, no PEM") << QByteArray("hello, I am not a key\n")
                                  << ErrorCode::InvalidInput
                                  << QStringLiteral("in.pem has no PEM block");
    QTest::newRow("mismatched END")
        << QByteArray(lines[0] + '\n' + lines[1] + '\n' + lines[2] + '\n' + lines[3] +
                      "\n-----END RSA PRIVATE KEY-----\n")
        << ErrorCode::InvalidInput
        << QStringLiteral("in.pem line 5: '-----END RSA PRIVATE KEY-----' does not close");
    QByteArray huge(8 * 1024 * 1024, 'A');
    huge.prepend("-----BEGIN PRIVATE KEY-----\n");
    huge.append("\n-----END PRIVATE KEY-----\n");
    QTest::newRow("huge PEM") << huge << ErrorCode::InvalidInput
                              << QStringLiteral("in.pem (the key at line 1): the DER inside");
}

void TestPrivateKey::badInputSaysWhatAndWhere()
{
    QFETCH(QByteArray, data);
    QFETCH(ErrorCode, code);
    QFETCH(QString, message);
    const auto key = PrivateKey::fromData(data, "pass", QStringLiteral("in.pem"));
    QVERIFY(!key);
    QCOMPARE(key.error().code, code);
    QVERIFY2(key.error().message.startsWith(message), qPrintable(key.error().toString()));
}

void TestPrivateKey::refusesRunawayKeyDerivation()
{
    // openssl's scrypt PKCS#8 (N=16384, r=8, p=1), then p patched to 127: a
    // file can ask for any cost, and OpenSSL's decryption cannot be stopped.
    const auto key = PrivateKey::generate(KeyType::EcdsaP256);
    QVERIFY(key);
    const QString plain = writeSecret(QStringLiteral("kdf.pem"), key->toPkcs8Pem());
    const QString passFile = writeSecret(QStringLiteral("kdf.pass"), "pass");
    const QString der = path(QStringLiteral("kdf-scrypt.der"));
    int rc = 0;
    const QByteArray out = openssl(
        {QStringLiteral("pkcs8"), QStringLiteral("-topk8"), QStringLiteral("-in"), plain,
         QStringLiteral("-scrypt"), QStringLiteral("-passout"), QStringLiteral("file:") + passFile,
         QStringLiteral("-outform"), QStringLiteral("DER"), QStringLiteral("-out"), der},
        &rc);
    QVERIFY2(rc == 0, out.constData());
    QByteArray data = readFile(der);
    const auto sane = PrivateKey::fromDer(data, "pass");
    QVERIFY2(sane, qPrintable(sane ? QString() : sane.error().toString()));
    const QByteArray params("\x02\x02\x40\x00\x02\x01\x08\x02\x01\x01", 10);
    QCOMPARE(data.count(params), 1);
    data.replace(params, QByteArray("\x02\x02\x40\x00\x02\x01\x08\x02\x01\x7f", 10));
    const auto costly = PrivateKey::fromDer(data, "pass", QStringLiteral("kdf.der"));
    QVERIFY(!costly);
    QCOMPARE(costly.error().code, ErrorCode::InvalidInput);
    QCOMPARE(costly.error().message,
             QStringLiteral("kdf.der asks for a scrypt parallelism p above 64; refusing to "
                            "decrypt it (a damaged or hostile file?)"));
    const QByteArray pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + data.toBase64() +
                           "\n-----END ENCRYPTED PRIVATE KEY-----\n";
    const auto costlyPem = PrivateKey::fromPem(pem, "pass", QStringLiteral("kdf.pem"));
    QVERIFY(!costlyPem);
    QVERIFY2(costlyPem.error().message.contains(QLatin1String("scrypt parallelism p above 64")),
             qPrintable(costlyPem.error().message));
}

void TestPrivateKey::matchesItsCertificateOnly()
{
    const auto keyA = PrivateKey::fromPem(readFile(m_leafA.key), {}, m_leafA.key);
    QVERIFY2(keyA, qPrintable(keyA ? QString() : keyA.error().toString()));
    const auto pemToDer = [](const QByteArray& pem) {
        const qsizetype b = pem.indexOf('\n') + 1;
        return QByteArray::fromBase64(pem.mid(b, pem.indexOf("-----END") - b).replace("\n", ""));
    };
    const auto certA = Certificate::fromDer(pemToDer(readFile(m_leafA.cert)));
    const auto certB = Certificate::fromDer(pemToDer(readFile(m_leafB.cert)));
    QVERIFY(certA && certB);
    QVERIFY(keyA->matchesCertificate(*certA));
    QVERIFY(!keyA->matchesCertificate(*certB));
    QVERIFY(!keyA->matchesCertificate(Certificate()));
    QCOMPARE(keyA->spkiSha256(), certA->spkiSha256());

    // A CSR's SPKI, as the openssl CLI makes it from the same key.
    const QString csr = path(QStringLiteral("a.csr"));
    const QString spki = path(QStringLiteral("a-spki.der"));
    int rc = 0;
    QByteArray out =
        openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), m_leafA.key,
                 QStringLiteral("-subj"), QStringLiteral("/CN=a"), QStringLiteral("-out"), csr},
                &rc);
    QVERIFY2(rc == 0, out.constData());
    out = openssl({QStringLiteral("req"), QStringLiteral("-in"), csr, QStringLiteral("-pubkey"),
                   QStringLiteral("-noout"), QStringLiteral("-out"), spki + QStringLiteral(".pem")},
                  &rc);
    QVERIFY2(rc == 0, out.constData());
    out = openssl({QStringLiteral("pkey"), QStringLiteral("-pubin"), QStringLiteral("-in"),
                   spki + QStringLiteral(".pem"), QStringLiteral("-outform"), QStringLiteral("DER"),
                   QStringLiteral("-out"), spki},
                  &rc);
    QVERIFY2(rc == 0, out.constData());
    const auto same = keyA->matchesPublicKeyDer(readFile(spki));
    QVERIFY(same && *same);
    const auto other = PrivateKey::generate(KeyType::EcdsaP256);
    QVERIFY(other);
    const auto differs = other->matchesPublicKeyDer(readFile(spki));
    QVERIFY(differs && !*differs);
    // Different algorithms are simply no match.
    const auto ed = PrivateKey::generate(KeyType::Ed25519);
    QVERIFY(ed);
    const auto edVsEc = ed->matchesPublicKeyDer(readFile(spki));
    QVERIFY(edVsEc && !*edVsEc);
    const auto garbage = keyA->matchesPublicKeyDer("\x30\x03\x02\x01\x01");
    QVERIFY(!garbage);
    QCOMPARE(garbage.error().code, ErrorCode::InvalidInput);
}

void TestPrivateKey::copiesShareTheKey()
{
    const auto key = PrivateKey::generate(KeyType::Ed25519);
    QVERIFY(key);
    PrivateKey copy = *key;
    QCOMPARE(copy.handle(), key->handle());
    PrivateKey assigned;
    QVERIFY(assigned.isNull());
    QVERIFY(assigned.toPkcs8Pem().isEmpty());
    QVERIFY(assigned.spkiSha256().isEmpty());
    assigned = copy;
    QCOMPARE(assigned.spkiSha256(), key->spkiSha256());
}

void TestPrivateKey::keyTypeNamesRoundTrip()
{
    for (KeyType t : {KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096, KeyType::EcdsaP256,
                      KeyType::EcdsaP384, KeyType::Ed25519}) {
        QCOMPARE(keyTypeFromName(keyTypeName(t)), std::optional<KeyType>(t));
    }
    QCOMPARE(keyTypeFromName(QStringLiteral("RSA2048")), std::optional<KeyType>(KeyType::Rsa2048));
    QVERIFY(!keyTypeFromName(QStringLiteral("rsa1024")));
    QVERIFY(!keyTypeFromName(QString()));
}

QTEST_GUILESS_MAIN(TestPrivateKey)
#include "test_privatekey.moc"
