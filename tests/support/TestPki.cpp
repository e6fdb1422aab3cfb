// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestPki.h"

#include "PeerProcess.h"

#include <QDir>
#include <QFile>

namespace certdeck::test {

namespace {

QString asn1Time(const QDateTime& t)
{
    // UTCTime form (YYMMDDHHMMSSZ): what RFC 5280 wants for dates before 2050.
    return t.toUTC().toString(QStringLiteral("yyMMddHHmmss")) + u'Z';
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

bool TestPki::openssl(const QStringList& args, const QByteArray& stdinData)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("openssl"), args, &out, 120000, m_dir, stdinData);
    if (rc != 0) {
        m_error = QStringLiteral("openssl %1 failed (exit %2): %3")
                      .arg(args.join(u' '))
                      .arg(rc)
                      .arg(QString::fromUtf8(out));
        return false;
    }
    return true;
}

bool TestPki::makeKey(const QString& path, KeyType type)
{
    QStringList args{QStringLiteral("genpkey"), QStringLiteral("-out"), path};
    switch (type) {
    case KeyType::EcdsaP256:
        args << QStringLiteral("-algorithm") << QStringLiteral("EC") << QStringLiteral("-pkeyopt")
             << QStringLiteral("ec_paramgen_curve:P-256");
        break;
    case KeyType::Rsa2048:
    case KeyType::Rsa1024:
        args << QStringLiteral("-algorithm") << QStringLiteral("RSA") << QStringLiteral("-pkeyopt")
             << (type == KeyType::Rsa2048 ? QStringLiteral("rsa_keygen_bits:2048")
                                          : QStringLiteral("rsa_keygen_bits:1024"));
        break;
    }
    if (!openssl(args)) {
        return false;
    }
    return QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

bool TestPki::create(const QString& dir, const Options& options)
{
    m_dir = dir;
    m_options = options;
    QDir d(dir);
    if (!d.mkpath(QStringLiteral("ca/newcerts"))) {
        m_error = QStringLiteral("cannot create %1/ca").arg(dir);
        return false;
    }
    rootKey = d.filePath(QStringLiteral("root.key"));
    rootCert = d.filePath(QStringLiteral("root.pem"));
    intermediateKey = d.filePath(QStringLiteral("intermediate.key"));
    intermediateCert = d.filePath(QStringLiteral("intermediate.pem"));
    intermediateDer = d.filePath(QStringLiteral("intermediate.der"));
    caIndex = d.filePath(QStringLiteral("ca/index.txt"));
    crl = d.filePath(QStringLiteral("crl.pem"));

    const QString reqCnf = d.filePath(QStringLiteral("req.cnf"));
    writeFile(reqCnf, "[ req ]\n"
                      "distinguished_name = dn\n"
                      "prompt = no\n"
                      "[ dn ]\n"
                      "CN = unused\n"
                      "[ v3_root ]\n"
                      "basicConstraints = critical,CA:TRUE\n"
                      "keyUsage = critical,keyCertSign,cRLSign\n"
                      "subjectKeyIdentifier = hash\n"
                      "[ v3_int ]\n"
                      "basicConstraints = critical,CA:TRUE,pathlen:0\n"
                      "keyUsage = critical,keyCertSign,cRLSign,digitalSignature\n"
                      "subjectKeyIdentifier = hash\n"
                      "authorityKeyIdentifier = keyid:always\n");
    const QByteArray caDir = d.filePath(QStringLiteral("ca")).toUtf8();
    writeFile(d.filePath(QStringLiteral("ca.cnf")), "[ ca ]\n"
                                                    "default_ca = CA_default\n"
                                                    "[ CA_default ]\n"
                                                    "dir = " +
                                                        caDir +
                                                        "\n"
                                                        "database = $dir/index.txt\n"
                                                        "new_certs_dir = $dir/newcerts\n"
                                                        "serial = $dir/serial\n"
                                                        "crlnumber = $dir/crlnumber\n"
                                                        "certificate = " +
                                                        intermediateCert.toUtf8() +
                                                        "\n"
                                                        "private_key = " +
                                                        intermediateKey.toUtf8() +
                                                        "\n"
                                                        "default_md = sha256\n"
                                                        "default_days = 90\n"
                                                        "default_crl_days = 30\n"
                                                        "policy = policy_any\n"
                                                        "unique_subject = no\n"
                                                        "copy_extensions = none\n"
                                                        "email_in_dn = no\n"
                                                        "[ policy_any ]\n"
                                                        "commonName = supplied\n"
                                                        "organizationName = optional\n"
                                                        "[ crl_ext ]\n"
                                                        "authorityKeyIdentifier = keyid:always\n");
    writeFile(caIndex, "");
    writeFile(d.filePath(QStringLiteral("ca/index.txt.attr")), "unique_subject = no\n");
    writeFile(d.filePath(QStringLiteral("ca/serial")), "1000\n");
    writeFile(d.filePath(QStringLiteral("ca/crlnumber")), "01\n");

    const QString intCsr = d.filePath(QStringLiteral("intermediate.csr"));
    return makeKey(rootKey, options.keyType) &&
           openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-new"),
                    QStringLiteral("-key"), rootKey, QStringLiteral("-subj"),
                    QStringLiteral("/O=CertDeck Tests/CN=CertDeck Test Root"),
                    QStringLiteral("-days"), QStringLiteral("3650"), QStringLiteral("-sha256"),
                    QStringLiteral("-config"), reqCnf, QStringLiteral("-extensions"),
                    QStringLiteral("v3_root"), QStringLiteral("-out"), rootCert}) &&
           makeKey(intermediateKey, options.keyType) &&
           openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"),
                    intermediateKey, QStringLiteral("-subj"),
                    QStringLiteral("/O=CertDeck Tests/CN=CertDeck Test Intermediate"),
                    QStringLiteral("-config"), reqCnf, QStringLiteral("-out"), intCsr}) &&
           openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), intCsr,
                    QStringLiteral("-CA"), rootCert, QStringLiteral("-CAkey"), rootKey,
                    QStringLiteral("-set_serial"), QStringLiteral("0x0100"),
                    QStringLiteral("-days"), QStringLiteral("1825"), QStringLiteral("-sha256"),
                    QStringLiteral("-extfile"), reqCnf, QStringLiteral("-extensions"),
                    QStringLiteral("v3_int"), QStringLiteral("-out"), intermediateCert}) &&
           openssl({QStringLiteral("x509"), QStringLiteral("-in"), intermediateCert,
                    QStringLiteral("-outform"), QStringLiteral("DER"), QStringLiteral("-out"),
                    intermediateDer});
}

TestPki::Leaf TestPki::issue(const LeafSpec& spec)
{
    QDir d(m_dir);
    Leaf leaf;
    const QString stem = spec.name;
    const QString key = d.filePath(stem + QStringLiteral(".key"));
    const QString csr = d.filePath(stem + QStringLiteral(".csr"));
    const QString cert = d.filePath(stem + QStringLiteral(".pem"));
    const QString ext = d.filePath(stem + QStringLiteral(".ext"));
    const KeyType type = spec.keyType.value_or(m_options.keyType);

    QByteArray e = "[ leaf ]\n"
                   "basicConstraints = critical,CA:FALSE\n"
                   "subjectKeyIdentifier = hash\n"
                   "authorityKeyIdentifier = keyid,issuer\n";
    e += type == KeyType::EcdsaP256 ? "keyUsage = critical,digitalSignature\n"
                                    : "keyUsage = critical,digitalSignature,keyEncipherment\n";
    e += spec.clientAuth ? "extendedKeyUsage = serverAuth,clientAuth\n"
                         : "extendedKeyUsage = serverAuth\n";
    if (!spec.sans.isEmpty()) {
        e += "subjectAltName = " + spec.sans.join(u',').toUtf8() + "\n";
    }
    const QString ocspUrl = spec.ocspUrl.value_or(m_options.ocspUrl);
    const QString crlUrl = spec.crlUrl.value_or(m_options.crlUrl);
    QStringList aia;
    if (!ocspUrl.isEmpty()) {
        aia << QStringLiteral("OCSP;URI:") + ocspUrl;
    }
    if (!m_options.caIssuersUrl.isEmpty()) {
        aia << QStringLiteral("caIssuers;URI:") + m_options.caIssuersUrl;
    }
    if (!aia.isEmpty()) {
        e += "authorityInfoAccess = " + aia.join(u',').toUtf8() + "\n";
    }
    if (!crlUrl.isEmpty()) {
        e += "crlDistributionPoints = URI:" + crlUrl.toUtf8() + "\n";
    }
    writeFile(ext, e);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime nb = spec.notBefore.isValid() ? spec.notBefore : now.addSecs(-3600);
    const QDateTime na = spec.notAfter.isValid() ? spec.notAfter : now.addDays(90);
    const bool ok =
        makeKey(key, type) &&
        openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), key,
                 QStringLiteral("-subj"), QStringLiteral("/CN=") + spec.commonName,
                 QStringLiteral("-config"), d.filePath(QStringLiteral("req.cnf")),
                 QStringLiteral("-out"), csr}) &&
        openssl({QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
                 d.filePath(QStringLiteral("ca.cnf")), QStringLiteral("-in"), csr,
                 QStringLiteral("-out"), cert, QStringLiteral("-notext"), QStringLiteral("-md"),
                 spec.digest, QStringLiteral("-extfile"), ext, QStringLiteral("-extensions"),
                 QStringLiteral("leaf"), QStringLiteral("-startdate"), asn1Time(nb),
                 QStringLiteral("-enddate"), asn1Time(na)});
    if (!ok) {
        return leaf;
    }
    if (spec.revoke &&
        !openssl({QStringLiteral("ca"), QStringLiteral("-config"),
                  d.filePath(QStringLiteral("ca.cnf")), QStringLiteral("-revoke"), cert,
                  QStringLiteral("-crl_reason"), QStringLiteral("keyCompromise")})) {
        return leaf;
    }
    const QByteArray leafPem = readFile(cert);
    const QByteArray intPem = readFile(intermediateCert);
    leaf.cert = cert;
    leaf.key = key;
    leaf.chain = d.filePath(stem + QStringLiteral(".chain.pem"));
    leaf.fullchain = d.filePath(stem + QStringLiteral(".fullchain.pem"));
    if (!writeFile(leaf.chain, intPem) || !writeFile(leaf.fullchain, leafPem + intPem)) {
        m_error = QStringLiteral("cannot write the chain files of %1").arg(stem);
        return Leaf{};
    }
    leaf.name = stem;
    return leaf;
}

bool TestPki::issueStandardSet()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    LeafSpec s;
    s.name = QStringLiteral("good");
    good = issue(s);
    s.name = QStringLiteral("expired");
    s.notBefore = now.addDays(-100);
    s.notAfter = now.addDays(-10);
    expired = issue(s);
    s.name = QStringLiteral("notyetvalid");
    s.notBefore = now.addDays(10);
    s.notAfter = now.addDays(100);
    notYetValid = issue(s);
    s = LeafSpec{};
    s.name = QStringLiteral("wronghost");
    s.commonName = QStringLiteral("wrong.example");
    s.sans = {QStringLiteral("DNS:wrong.example")};
    wrongHost = issue(s);
    s = LeafSpec{};
    s.name = QStringLiteral("revoked");
    s.revoke = true;
    revoked = issue(s);
    return !good.name.isEmpty() && !expired.name.isEmpty() && !notYetValid.name.isEmpty() &&
           !wrongHost.name.isEmpty() && !revoked.name.isEmpty() && writeCrl();
}

bool TestPki::writeCrl()
{
    return openssl({QStringLiteral("ca"), QStringLiteral("-config"),
                    QDir(m_dir).filePath(QStringLiteral("ca.cnf")), QStringLiteral("-gencrl"),
                    QStringLiteral("-crlexts"), QStringLiteral("crl_ext"), QStringLiteral("-out"),
                    crl});
}

bool TestPki::writeCrl(const CrlSpec& spec)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString pem = spec.der ? spec.path + QStringLiteral(".pem") : spec.path;
    // UTCTime (YYMMDDHHMMSSZ), as for certificates.
    if (!openssl({QStringLiteral("ca"), QStringLiteral("-config"),
                  QDir(m_dir).filePath(QStringLiteral("ca.cnf")), QStringLiteral("-gencrl"),
                  QStringLiteral("-crlexts"), QStringLiteral("crl_ext"),
                  QStringLiteral("-crl_lastupdate"),
                  asn1Time(spec.lastUpdate.isValid() ? spec.lastUpdate : now),
                  QStringLiteral("-crl_nextupdate"),
                  asn1Time(spec.nextUpdate.isValid() ? spec.nextUpdate : now.addDays(30)),
                  QStringLiteral("-out"), pem})) {
        return false;
    }
    if (!spec.der) {
        return true;
    }
    const bool ok =
        openssl({QStringLiteral("crl"), QStringLiteral("-in"), pem, QStringLiteral("-outform"),
                 QStringLiteral("DER"), QStringLiteral("-out"), spec.path});
    QFile::remove(pem);
    return ok;
}

TestPki::Responder TestPki::issueResponder(const QString& name, bool ocspSigning)
{
    QDir d(m_dir);
    Responder r;
    const QString key = d.filePath(name + QStringLiteral(".key"));
    const QString csr = d.filePath(name + QStringLiteral(".csr"));
    const QString cert = d.filePath(name + QStringLiteral(".pem"));
    const QString ext = d.filePath(name + QStringLiteral(".ext"));
    QByteArray e = "[ responder ]\n"
                   "basicConstraints = critical,CA:FALSE\n"
                   "keyUsage = critical,digitalSignature\n"
                   "subjectKeyIdentifier = hash\n"
                   "authorityKeyIdentifier = keyid,issuer\n";
    e += ocspSigning ? "extendedKeyUsage = OCSPSigning\nnoCheck = ignored\n"
                     : "extendedKeyUsage = serverAuth\n";
    writeFile(ext, e);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!makeKey(key, m_options.keyType) ||
        !openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), key,
                  QStringLiteral("-subj"),
                  QStringLiteral("/O=CertDeck Tests/CN=CertDeck Test OCSP ") + name,
                  QStringLiteral("-config"), d.filePath(QStringLiteral("req.cnf")),
                  QStringLiteral("-out"), csr}) ||
        !openssl({QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
                  d.filePath(QStringLiteral("ca.cnf")), QStringLiteral("-in"), csr,
                  QStringLiteral("-out"), cert, QStringLiteral("-notext"),
                  QStringLiteral("-extfile"), ext, QStringLiteral("-extensions"),
                  QStringLiteral("responder"), QStringLiteral("-startdate"),
                  asn1Time(now.addSecs(-3600)), QStringLiteral("-enddate"),
                  asn1Time(now.addDays(30))})) {
        return r;
    }
    r.cert = cert;
    r.key = key;
    return r;
}

bool TestPki::forget(const Leaf& leaf)
{
    QByteArray out;
    if (runTool(QStringLiteral("openssl"),
                {QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert, QStringLiteral("-noout"),
                 QStringLiteral("-serial")},
                &out) != 0 ||
        !out.startsWith("serial=")) {
        m_error = QStringLiteral("cannot read the serial of %1: %2")
                      .arg(leaf.cert, QString::fromUtf8(out));
        return false;
    }
    const QByteArray serial = out.mid(7).trimmed();
    QByteArray kept;
    for (const QByteArray& line : readFile(caIndex).split('\n')) {
        const QList<QByteArray> fields = line.split('\t');
        if (!line.isEmpty() && !(fields.size() > 3 && fields.at(3) == serial)) {
            kept += line + '\n';
        }
    }
    return writeFile(caIndex, kept);
}

} // namespace certdeck::test
