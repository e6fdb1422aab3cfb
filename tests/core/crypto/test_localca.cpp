// SPDX-License-Identifier: GPL-3.0-or-later
// LocalCa against the openssl CLI as the oracle: verify (purposes, name
// constraints, CRL checks), x509 -text and crl -text on what we produce.
#include "PeerProcess.h"
#include "crypto/LocalCa.h"
#include "crypto/internal/CaKeyIo.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTest>
#include <sys/stat.h>

using namespace certdeck;
using namespace certdeck::crypto;
using certdeck::test::runTool;

namespace {
const QByteArray kPass = "correct horse battery";
}

class TestLocalCa : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void initWritesPrivateFoldersAndValidCas();
    void signedCertsVerify_data();
    void signedCertsVerify();
    void onlyAllowedExtensionsAreCopied();
    void shortLivedAndLifetimeLimits();
    void tamperedCsrIsRefused();
    void nameConstraints();
    void revokeAndCrl();
    void serialsAreUniqueAcrossManySigns();
    void wrongPassphraseWritesNothing();
    void badStateAndInput();

private:
    QString write(const QString& name, const QByteArray& data);
    QByteArray openssl(const QStringList& args, int* rc = nullptr);
    Csr makeCsr(const QString& cn, const QString& sans, const QString& keyType = "p256",
                bool mustStaple = false);
    QString newDir(const QString& name) { return m_tmp.filePath(name); }
    QTemporaryDir m_tmp;
    QString m_passFile;
};

QString TestLocalCa::write(const QString& name, const QByteArray& data)
{
    const QString path = m_tmp.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
        return {};
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return path;
}

QByteArray TestLocalCa::openssl(const QStringList& args, int* rc)
{
    QByteArray out;
    const int code = runTool(QStringLiteral("openssl"), args, &out);
    if (rc != nullptr) {
        *rc = code;
    }
    return out;
}

Csr TestLocalCa::makeCsr(const QString& cn, const QString& sans, const QString& keyType,
                         bool mustStaple)
{
    auto key = internal::generateKey(*internal::parseCaKeyType(keyType));
    CsrSpec spec;
    spec.subject.commonName = cn;
    if (!sans.isEmpty()) {
        spec.sans = *SubjectAltName::parseList(sans);
    }
    spec.mustStaple = mustStaple;
    auto csr = Csr::build(spec, key->get());
    return csr ? *csr : Csr();
}

void TestLocalCa::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_passFile = write(QStringLiteral("pass.txt"), kPass);
}

void TestLocalCa::initWritesPrivateFoldersAndValidCas()
{
    const QString dir = newDir(QStringLiteral("ca-init"));
    LocalCaOptions o;
    o.organization = QStringLiteral("Example Ops");
    auto ca = LocalCa::init(dir, o, kPass);
    QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().toString()));
    struct stat st
    {
    };
    QCOMPARE(::stat(QFile::encodeName(dir).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0700);
    for (const char* key : {"root.key", "intermediate.key"}) {
        const QString p = QDir(dir).filePath(QLatin1String(key));
        QCOMPARE(::stat(QFile::encodeName(p).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        QFile f(p);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        // openssl decrypts it with the passphrase (given by file, never argv).
        int rc = -1;
        openssl({"pkey", "-in", p, "-passin", "file:" + m_passFile, "-noout"}, &rc);
        QCOMPARE(rc, 0);
    }
    int rc = -1;
    const QString root = QDir(dir).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(dir).filePath(QStringLiteral("intermediate.pem"));
    QByteArray out = openssl({"verify", "-CAfile", root, inter}, &rc);
    QVERIFY2(rc == 0 && out.contains(": OK"), out.constData());
    out = openssl({"x509", "-in", inter, "-noout", "-text"});
    QVERIFY2(out.contains("CA:TRUE, pathlen:0"), out.constData());
    QVERIFY(out.contains("Certificate Sign, CRL Sign"));
    QVERIFY(out.contains("Issuer: O = Example Ops, CN = CertDeck Local Root CA"));
    QVERIFY(!out.contains("Name Constraints"));
    auto records = ca->records();
    QVERIFY(records);
    QCOMPARE(records->size(), 2);
    QCOMPARE(records->at(0).profile, QStringLiteral("root"));
    // A second init into the same folder leaves the CA alone.
    auto again = LocalCa::init(dir, o, kPass);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    QVERIFY(again.error().message.contains(QLatin1String("already holds a CA")));
}

void TestLocalCa::signedCertsVerify_data()
{
    QTest::addColumn<QString>("caKey");
    QTest::addColumn<QString>("leafKey");
    QTest::addColumn<bool>("server");
    QTest::newRow("p256-server") << "p256"
                                 << "p256" << true;
    QTest::newRow("p256-client") << "p256"
                                 << "p384" << false;
    QTest::newRow("p384-server-rsa-leaf") << "p384"
                                          << "rsa2048" << true;
    QTest::newRow("ed25519-server") << "ed25519"
                                    << "ed25519" << true;
    QTest::newRow("rsa2048-client") << "rsa2048"
                                    << "p256" << false;
}

void TestLocalCa::signedCertsVerify()
{
    QFETCH(QString, caKey);
    QFETCH(QString, leafKey);
    QFETCH(bool, server);
    const QString dir = newDir(QStringLiteral("ca-") + QTest::currentDataTag());
    LocalCaOptions o;
    o.keyType = caKey;
    auto ca = LocalCa::init(dir, o, kPass);
    QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().toString()));
    const Csr csr = makeCsr(QStringLiteral("svc.example"),
                            QStringLiteral("DNS:svc.example,IP:10.1.2.3"), leafKey);
    QVERIFY(!csr.isNull());
    CaProfile p;
    p.kind = server ? CaProfileKind::Server : CaProfileKind::Client;
    p.lifetimeDays = 30;
    auto issued = ca->sign(csr, p);
    QVERIFY2(issued, qPrintable(issued ? QString() : issued.error().toString()));
    QCOMPARE(issued->chain.size(), 2);
    const QString cert =
        write(QTest::currentDataTag() + QStringLiteral(".pem"), issued->certificate.toPem());
    const QString root = QDir(dir).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(dir).filePath(QStringLiteral("intermediate.pem"));
    int rc = -1;
    QByteArray out = openssl({"verify", "-CAfile", root, "-untrusted", inter, "-purpose",
                              server ? "sslserver" : "sslclient", cert},
                             &rc);
    QVERIFY2(rc == 0 && out.contains(": OK"), out.constData());
    // The wrong purpose is refused: the profile really fixed the EKU.
    out = openssl({"verify", "-CAfile", root, "-untrusted", inter, "-purpose",
                   server ? "sslclient" : "sslserver", cert},
                  &rc);
    QVERIFY2(rc != 0 && out.contains("unsuitable certificate purpose"), out.constData());
    if (server) {
        out = openssl({"verify", "-CAfile", root, "-untrusted", inter, "-verify_hostname",
                       "svc.example", "-verify_ip", "10.1.2.3", cert},
                      &rc);
        QVERIFY2(rc == 0, out.constData());
    }
    out = openssl({"x509", "-in", cert, "-noout", "-text"});
    QVERIFY(out.contains("CA:FALSE"));
    QVERIFY(out.contains("DNS:svc.example, IP Address:10.1.2.3"));
    QVERIFY(out.contains("X509v3 Authority Key Identifier"));
    QCOMPARE(issued->certificate.notAfter().toSecsSinceEpoch() -
                 issued->certificate.notBefore().toSecsSinceEpoch(),
             qint64(30 * 86400 + 300));
    QCOMPARE(issued->record.serial.size(), 32);
}

void TestLocalCa::onlyAllowedExtensionsAreCopied()
{
    // A CSR made by openssl asking for CA:TRUE, keyCertSign and codeSigning.
    const QString key = m_tmp.filePath(QStringLiteral("greedy.key"));
    const QString csrPath = m_tmp.filePath(QStringLiteral("greedy.csr"));
    int rc = -1;
    QByteArray out = openssl({"req",
                              "-new",
                              "-newkey",
                              "ec",
                              "-pkeyopt",
                              "ec_paramgen_curve:P-256",
                              "-nodes",
                              "-keyout",
                              key,
                              "-subj",
                              "/CN=greedy.example",
                              "-addext",
                              "basicConstraints=critical,CA:TRUE",
                              "-addext",
                              "keyUsage=keyCertSign",
                              "-addext",
                              "extendedKeyUsage=codeSigning",
                              "-addext",
                              "subjectAltName=DNS:greedy.example",
                              "-addext",
                              "tlsfeature=status_request",
                              "-out",
                              csrPath},
                             &rc);
    QVERIFY2(rc == 0, out.constData());
    QFile f(csrPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto csr = Csr::fromPem(f.readAll());
    QVERIFY(csr);
    auto ca = LocalCa::init(newDir(QStringLiteral("ca-greedy")), {}, kPass);
    QVERIFY(ca);
    auto issued = ca->sign(*csr, {}, *SubjectAltName::parseList("DNS:override.example"));
    QVERIFY(issued);
    QVERIFY(!issued->certificate.isCa());
    QCOMPARE(issued->certificate.dnsNames(), QStringList{"override.example"});
    const QString ignored = issued->ignoredExtensions.join(u'\n');
    QVERIFY2(ignored.contains("Basic Constraints: not copied"), qPrintable(ignored));
    QVERIFY(ignored.contains("Key Usage: set by the server profile instead"));
    QVERIFY(ignored.contains("Subject Alternative Name: replaced by the given SANs"));
    const QString cert = write(QStringLiteral("greedy.pem"), issued->certificate.toPem());
    out = openssl({"x509", "-in", cert, "-noout", "-text"});
    QVERIFY(out.contains("CA:FALSE"));
    QVERIFY(!out.contains("Code Signing"));
    QVERIFY(!out.contains("Certificate Sign"));
    QVERIFY2(out.contains("TLS Feature:") && out.contains("status_request"), out.constData());
}

void TestLocalCa::shortLivedAndLifetimeLimits()
{
    auto ca = LocalCa::init(newDir(QStringLiteral("ca-short")), {}, kPass);
    QVERIFY(ca);
    CaProfile p;
    p.lifetimeHours = 6;
    auto issued = ca->sign(makeCsr("short.example", ""), p);
    QVERIFY2(issued, qPrintable(issued ? QString() : issued.error().toString()));
    // The CN became the SAN: clients only look at SANs.
    QCOMPARE(issued->certificate.dnsNames(), QStringList{"short.example"});
    QCOMPARE(issued->certificate.notAfter().toSecsSinceEpoch() -
                 issued->certificate.notBefore().toSecsSinceEpoch(),
             qint64(6 * 3600 + 300));
    p.lifetimeHours = 0;
    p.lifetimeDays = 3000; // beyond the intermediate's 1825 days
    auto tooLong = ca->sign(makeCsr("long.example", ""), p);
    QVERIFY(!tooLong);
    QVERIFY(tooLong.error().message.contains(QLatin1String("outlive the intermediate")));
    p.lifetimeDays = 0;
    QVERIFY(!ca->sign(makeCsr("zero.example", ""), p));
    // A server certificate needs a host name.
    auto noHost = ca->sign(makeCsr("Just A Name", ""), {});
    QVERIFY(!noHost);
    QVERIFY(noHost.error().message.contains(QLatin1String("needs a DNS or IP name")));
    // A client certificate does not.
    p.kind = CaProfileKind::Client;
    p.lifetimeDays = 1;
    QVERIFY(ca->sign(makeCsr("Just A Name", ""), p));
}

void TestLocalCa::tamperedCsrIsRefused()
{
    auto ca = LocalCa::init(newDir(QStringLiteral("ca-tamper")), {}, kPass);
    QVERIFY(ca);
    QByteArray der = makeCsr("t.example", "DNS:t.example").toDer();
    // Flip a byte inside the CN: the request still parses, the signature breaks.
    const qsizetype at = der.indexOf("t.example");
    QVERIFY(at > 0);
    der[at] = 'u';
    auto csr = Csr::fromDer(der);
    QVERIFY(csr);
    const auto before = ca->records()->size();
    auto issued = ca->sign(*csr, {});
    QVERIFY(!issued);
    QCOMPARE(issued.error().code, ErrorCode::Crypto);
    QVERIFY(issued.error().message.contains(QLatin1String("signature does not verify")));
    QCOMPARE(ca->records()->size(), before);
}

void TestLocalCa::nameConstraints()
{
    const QString dir = newDir(QStringLiteral("ca-nc"));
    LocalCaOptions o;
    o.permittedDns = {QStringLiteral(".internal.example")};
    auto ca = LocalCa::init(dir, o, kPass);
    QVERIFY2(ca, qPrintable(ca ? QString() : ca.error().toString()));
    QCOMPARE(ca->permittedDns(), QStringList{".internal.example"});
    const QString root = QDir(dir).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(dir).filePath(QStringLiteral("intermediate.pem"));
    QByteArray out = openssl({"x509", "-in", inter, "-noout", "-text"});
    QVERIFY2(out.contains("X509v3 Name Constraints: critical"), out.constData());
    QVERIFY(out.contains("Permitted:"));
    QVERIFY(out.contains("DNS:.internal.example"));
    QVERIFY(out.contains("Excluded:"));

    auto inside = ca->sign(makeCsr("api.internal.example", "DNS:api.internal.example"), {});
    QVERIFY2(inside, qPrintable(inside ? QString() : inside.error().toString()));
    const QString insidePem = write(QStringLiteral("nc-inside.pem"), inside->certificate.toPem());
    int rc = -1;
    out = openssl({"verify", "-CAfile", root, "-untrusted", inter, insidePem}, &rc);
    QVERIFY2(rc == 0, out.constData());

    const auto before = ca->records()->size();
    const Csr outsideCsr = makeCsr("api.example.com", "DNS:api.example.com");
    auto outside = ca->sign(outsideCsr, {});
    QVERIFY(!outside);
    QVERIFY2(outside.error().message.contains(
                 QLatin1String("DNS:api.example.com is outside the CA's name constraints")),
             qPrintable(outside.error().message));
    auto byIp = ca->sign(makeCsr("x.internal.example", "DNS:x.internal.example,IP:10.0.0.1"), {});
    QVERIFY(!byIp);
    QVERIFY(byIp.error().message.contains(QLatin1String("IP:10.0.0.1 is outside")));
    QCOMPARE(ca->records()->size(), before);

    // Signed anyway by openssl with our intermediate: openssl verify refuses it.
    const QString csrPath = write(QStringLiteral("nc-outside.csr"), outsideCsr.toPem());
    const QString forced = m_tmp.filePath(QStringLiteral("nc-forced.pem"));
    const QString ext = write(QStringLiteral("nc.ext"), "subjectAltName=DNS:api.example.com\n");
    out = openssl({"x509", "-req", "-in", csrPath, "-CA", inter, "-CAkey",
                   QDir(dir).filePath(QStringLiteral("intermediate.key")), "-passin",
                   "file:" + m_passFile, "-CAcreateserial", "-days", "1", "-extfile", ext, "-out",
                   forced},
                  &rc);
    QVERIFY2(rc == 0, out.constData());
    out = openssl({"verify", "-CAfile", root, "-untrusted", inter, forced}, &rc);
    QVERIFY2(rc != 0 && out.contains("permitted subtree violation"), out.constData());

    // IP ranges.
    LocalCaOptions ipo;
    ipo.permittedIp = {QStringLiteral("10.20.0.0/16"), QStringLiteral("fd00::/8")};
    auto ipCa = LocalCa::init(newDir(QStringLiteral("ca-nc-ip")), ipo, kPass);
    QVERIFY2(ipCa, qPrintable(ipCa ? QString() : ipCa.error().toString()));
    QCOMPARE(ipCa->permittedIp(), QStringList({"10.20.0.0/16", "fd00::/8"}));
    QVERIFY(ipCa->sign(makeCsr("n", "IP:10.20.3.4,IP:fd12::1"), {}));
    auto ipOut = ipCa->sign(makeCsr("n", "IP:10.21.0.1"), {});
    QVERIFY(!ipOut);
    QVERIFY(ipOut.error().message.contains(QLatin1String("outside")));

    // Bad constraint input.
    LocalCaOptions bad;
    bad.permittedIp = {QStringLiteral("10.0.0.0/33")};
    auto badCa = LocalCa::init(newDir(QStringLiteral("ca-nc-bad")), bad, kPass);
    QVERIFY(!badCa);
    QVERIFY(badCa.error().message.contains(QLatin1String("CIDR")));
    bad.permittedIp.clear();
    bad.permittedDns = {QStringLiteral("*.example")};
    QVERIFY(!LocalCa::init(newDir(QStringLiteral("ca-nc-bad2")), bad, kPass));
}

void TestLocalCa::revokeAndCrl()
{
    const QString dir = newDir(QStringLiteral("ca-crl"));
    auto ca = LocalCa::init(dir, {}, kPass);
    QVERIFY(ca);
    auto good = ca->sign(makeCsr("good.example", "DNS:good.example"), {});
    auto bad = ca->sign(makeCsr("bad.example", "DNS:bad.example"), {});
    auto old = ca->sign(makeCsr("old.example", "DNS:old.example"), {});
    QVERIFY(good && bad && old);
    // Colons, lower case and leading zeros name the same serial.
    const QString colonSerial = bad->certificate.serialHex().toLower();
    auto rev = ca->revoke(colonSerial, RevocationReason::KeyCompromise);
    QVERIFY2(rev, qPrintable(rev ? QString() : rev.error().toString()));
    QVERIFY(rev->revoked);
    QVERIFY(ca->revoke(old->record.serial, RevocationReason::Superseded));
    auto twice = ca->revoke(bad->record.serial, RevocationReason::Superseded);
    QVERIFY(!twice);
    QCOMPARE(twice.error().code, ErrorCode::Conflict);
    auto unknown = ca->revoke(QStringLiteral("0123ABCD"), RevocationReason::KeyCompromise);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    auto self = ca->revoke(ca->intermediate().serialHex(), RevocationReason::KeyCompromise);
    QVERIFY(!self);

    auto crl = ca->crl(7);
    QVERIFY2(crl, qPrintable(crl ? QString() : crl.error().toString()));
    const QString crlPath = QDir(dir).filePath(QStringLiteral("crl.pem"));
    QFile saved(crlPath);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(saved.readAll(), *crl);
    const QString chain = QDir(dir).filePath(QStringLiteral("chain.pem"));
    const QString root = QDir(dir).filePath(QStringLiteral("root.pem"));
    const QString inter = QDir(dir).filePath(QStringLiteral("intermediate.pem"));
    int rc = -1;
    QByteArray out = openssl({"crl", "-in", crlPath, "-text", "-noout", "-CAfile", chain}, &rc);
    QVERIFY2(rc == 0 && out.contains("verify OK"), out.constData());
    QVERIFY(out.contains("Serial Number: " + bad->record.serial.toLatin1()));
    QVERIFY(out.contains("Serial Number: " + old->record.serial.toLatin1()));
    QVERIFY(!out.contains(good->record.serial.toLatin1()));
    QVERIFY(out.contains("Key Compromise"));
    QVERIFY(out.contains("Superseded"));
    QVERIFY(out.contains("X509v3 Authority Key Identifier"));
    QVERIFY2(out.contains("X509v3 CRL Number: \n                1\n"), out.constData());
    QVERIFY(out.contains("Issuer: CN = CertDeck Local Intermediate CA"));

    const QString badPem = write(QStringLiteral("revoked.pem"), bad->certificate.toPem());
    const QString goodPem = write(QStringLiteral("notrevoked.pem"), good->certificate.toPem());
    out = openssl(
        {"verify", "-crl_check", "-CAfile", root, "-untrusted", inter, "-CRLfile", crlPath, badPem},
        &rc);
    QVERIFY2(rc != 0 && out.contains("certificate revoked"), out.constData());
    out = openssl({"verify", "-crl_check", "-CAfile", root, "-untrusted", inter, "-CRLfile",
                   crlPath, goodPem},
                  &rc);
    QVERIFY2(rc == 0 && out.contains(": OK"), out.constData());

    // The next CRL has the next number; the store says who is revoked.
    auto crl2 = ca->crl(1);
    QVERIFY(crl2);
    out = openssl({"crl", "-in", crlPath, "-text", "-noout"});
    QVERIFY2(out.contains("X509v3 CRL Number: \n                2\n"), out.constData());
    auto records = LocalCa::open(dir, kPass)->records();
    QVERIFY(records);
    int revoked = 0;
    for (const CaRecord& r : *records) {
        revoked += r.revoked ? 1 : 0;
    }
    QCOMPARE(revoked, 2);
    QVERIFY(!ca->crl(0));
}

void TestLocalCa::serialsAreUniqueAcrossManySigns()
{
    auto ca = LocalCa::init(newDir(QStringLiteral("ca-many")), {}, kPass);
    QVERIFY(ca);
    // One CSR signed 1,000 times: every serial must still differ.
    const Csr csr = makeCsr("many.example", "DNS:many.example");
    QSet<QString> serials;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 1000; ++i) {
        auto issued = ca->sign(csr, {});
        QVERIFY2(issued, qPrintable(issued ? QString() : issued.error().toString()));
        QCOMPARE(issued->certificate.serialHex().remove(u':'), issued->record.serial);
        serials.insert(issued->record.serial);
    }
    qInfo("1000 signs in %lld ms", timer.elapsed());
    QCOMPARE(serials.size(), 1000);
    auto records = ca->records();
    QVERIFY(records);
    QCOMPARE(records->size(), 1002);
    for (const CaRecord& r : *records) {
        serials.insert(r.serial);
    }
    QCOMPARE(serials.size(), 1002); // the CA's own serials differ too
}

void TestLocalCa::wrongPassphraseWritesNothing()
{
    const QString dir = newDir(QStringLiteral("ca-pass"));
    QVERIFY(LocalCa::init(dir, {}, kPass));
    QFile index(QDir(dir).filePath(QStringLiteral("index.json")));
    QVERIFY(index.open(QIODevice::ReadOnly));
    const QByteArray before = index.readAll();
    index.close();
    auto wrong = LocalCa::open(dir, "wrong passphrase");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(wrong.error().message.contains(QLatin1String("Wrong CA passphrase")),
             qPrintable(wrong.error().message));
    auto none = LocalCa::open(dir, {});
    QVERIFY(!none);
    QVERIFY(none.error().message.contains(QLatin1String("give its passphrase")));
    QVERIFY(index.open(QIODevice::ReadOnly));
    QCOMPARE(index.readAll(), before);
    QVERIFY(!QFileInfo::exists(QDir(dir).filePath(QStringLiteral("crl.pem"))));
    QVERIFY(LocalCa::open(dir, kPass));
}

void TestLocalCa::badStateAndInput()
{
    QVERIFY(!LocalCa::init(newDir(QStringLiteral("ca-short-pass")), {}, "short"));
    LocalCaOptions o;
    o.keyType = QStringLiteral("dsa");
    auto badType = LocalCa::init(newDir(QStringLiteral("ca-dsa")), o, kPass);
    QVERIFY(!badType);
    QVERIFY(badType.error().message.contains(QLatin1String("unknown key type 'dsa'")));
    // A folder left half-way by an interrupted init is neither opened nor overwritten.
    const QString half = newDir(QStringLiteral("ca-half"));
    QVERIFY(QDir().mkpath(half));
    QFile stray(QDir(half).filePath(QStringLiteral("root.key")));
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("stray");
    stray.close();
    auto halfInit = LocalCa::init(half, {}, kPass);
    QVERIFY(!halfInit);
    QVERIFY(halfInit.error().message.contains(QLatin1String("unfinished CA (root.key")));
    QVERIFY(!LocalCa::open(half, kPass));
    QVERIFY(stray.open(QIODevice::ReadOnly));
    QCOMPARE(stray.readAll(), QByteArray("stray"));
    auto missing = LocalCa::open(newDir(QStringLiteral("nowhere")), kPass);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);

    const QString dir = newDir(QStringLiteral("ca-damaged"));
    auto ca = LocalCa::init(dir, {}, kPass);
    QVERIFY(ca);
    QFile index(QDir(dir).filePath(QStringLiteral("index.json")));
    QVERIFY(index.open(QIODevice::WriteOnly | QIODevice::Truncate));
    index.write("{\"version\":1,\"certificates\":[");
    index.close();
    auto signedDamaged = ca->sign(makeCsr("d.example", "DNS:d.example"), {});
    QVERIFY(!signedDamaged);
    QVERIFY2(signedDamaged.error().message.contains(QLatin1String("serial index is damaged")),
             qPrintable(signedDamaged.error().message));
    QVERIFY(!ca->revoke(QStringLiteral("zz"), RevocationReason::KeyCompromise));
    QVERIFY(parseRevocationReason(QStringLiteral("KEYCOMPROMISE")));
    // CTest points XDG_DATA_HOME at the test's own folder.
    QCOMPARE(LocalCa::defaultFolder(QStringLiteral("east-west")),
             qEnvironmentVariable("XDG_DATA_HOME") + QStringLiteral("/certdeck/ca/east-west"));
    QVERIFY(!parseRevocationReason(QStringLiteral("certificateHold")));
}

QTEST_GUILESS_MAIN(TestLocalCa)
#include "test_localca.moc"
