// SPDX-License-Identifier: GPL-3.0-or-later
#include "VerdictFixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>

namespace certdeck::test {

namespace {

QString run(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAll());
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString tls(const TestPki::Leaf& leaf, bool full = true)
{
    return QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                          "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers ECDHE+AESGCM;\n")
        .arg(full ? leaf.fullchain : leaf.cert, leaf.key);
}

} // namespace

bool VerdictFixture::fail(const QString& why)
{
    m_error = why;
    return false;
}

bool VerdictFixture::start()
{
    if (!m_pki.create(m_dir.path(), {}) || !m_pki.issueStandardSet()) {
        return fail(m_pki.errorString());
    }
    if (!m_ocsp.start() || !m_crl.listen()) {
        return fail(QStringLiteral("OCSP or CRL server: ") + m_ocsp.errorString());
    }
    const QString crlUrl = m_crl.url(QStringLiteral("/intermediate.crl")).toString();
    // Revoked leaves that say where to ask: OCSP only, CRL only, neither
    // (its staple answers), and a good one whose responder is down.
    TestPki::LeafSpec byOcsp;
    byOcsp.name = QStringLiteral("revoked-ocsp");
    byOcsp.revoke = true;
    byOcsp.ocspUrl = m_ocsp.url();
    byOcsp.crlUrl = QString();
    const TestPki::Leaf revokedOcsp = m_pki.issue(byOcsp);
    TestPki::LeafSpec byCrl = byOcsp;
    byCrl.name = QStringLiteral("revoked-crl");
    byCrl.ocspUrl = QString();
    byCrl.crlUrl = crlUrl;
    const TestPki::Leaf revokedCrl = m_pki.issue(byCrl);
    TestPki::LeafSpec down;
    down.name = QStringLiteral("responder-down");
    down.ocspUrl = QStringLiteral("http://127.0.0.1:%1/").arg(freeLoopbackPort());
    down.crlUrl = QString();
    const TestPki::Leaf responderDown = m_pki.issue(down);
    if (revokedOcsp.name.isEmpty() || revokedCrl.name.isEmpty() || responderDown.name.isEmpty() ||
        !m_pki.writeCrl() || !m_ocsp.serve(m_pki)) {
        return fail(m_pki.errorString() + m_ocsp.errorString());
    }
    m_crl.setFile(QStringLiteral("/intermediate.crl"), readAll(m_pki.crl));
    // The staple of the standard revoked leaf (no URL in it), made by
    // `openssl ocsp` from the CA database, served as is by nginx.
    const QString stapleReq = m_dir.filePath(QStringLiteral("revoked.req"));
    const QString staple = m_dir.filePath(QStringLiteral("revoked.ocsp"));
    run({QStringLiteral("ocsp"), QStringLiteral("-issuer"), m_pki.intermediateCert,
         QStringLiteral("-cert"), m_pki.revoked.cert, QStringLiteral("-no_nonce"),
         QStringLiteral("-reqout"), stapleReq});
    run({QStringLiteral("ocsp"), QStringLiteral("-index"), m_pki.caIndex,
         QStringLiteral("-rsigner"), m_pki.intermediateCert, QStringLiteral("-rkey"),
         m_pki.intermediateKey, QStringLiteral("-CA"), m_pki.intermediateCert,
         QStringLiteral("-reqin"), stapleReq, QStringLiteral("-respout"), staple,
         QStringLiteral("-ndays"), QStringLiteral("1")});
    if (!QFile::exists(staple)) {
        return fail(QStringLiteral("openssl ocsp made no staple"));
    }
    TestPki::LeafSpec soon;
    soon.name = QStringLiteral("soon");
    soon.notAfter = QDateTime::currentDateTimeUtc().addDays(10);
    const TestPki::Leaf expiring = m_pki.issue(soon);
    // The weak row needs a static-RSA suite, so an RSA leaf of its own PKI.
    const QString rsaDir = m_dir.filePath(QStringLiteral("rsa"));
    TestPki::Options ro;
    ro.keyType = TestPki::KeyType::Rsa2048;
    if (!QDir().mkpath(rsaDir) || !m_rsa.create(rsaDir, ro)) {
        return fail(m_rsa.errorString());
    }
    TestPki::LeafSpec rs;
    rs.name = QStringLiteral("rsa-good");
    const TestPki::Leaf rsaLeaf = m_rsa.issue(rs);
    if (expiring.name.isEmpty() || rsaLeaf.name.isEmpty()) {
        return fail(m_pki.errorString() + m_rsa.errorString());
    }
    const QString selfKey = m_dir.filePath(QStringLiteral("self.key"));
    const QString selfCert = m_dir.filePath(QStringLiteral("self.pem"));
    const QString made =
        run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
             QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
             QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
             QStringLiteral("-keyout"), selfKey, QStringLiteral("-out"), selfCert,
             QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-subj"),
             QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
             QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1")});
    if (!QFile::exists(selfCert)) {
        return fail(made);
    }
    m_roots = readAll(m_pki.rootCert) + "\n" + readAll(m_rsa.rootCert);

    m_cases = {
        {QStringLiteral("healthy"),
         tls(m_pki.good),
         true,
         QStringLiteral("ok"),
         0,
         {},
         QStringLiteral("A")},
        {QStringLiteral("expiring"), tls(expiring), true, QStringLiteral("warning"), 1,
         QStringLiteral("cert.expiring"), QStringLiteral("A")},
        {QStringLiteral("expired leaf"), tls(m_pki.expired), true, QStringLiteral("critical"), 2,
         QStringLiteral("cert.expired"), QStringLiteral("F")},
        {QStringLiteral("not yet valid"), tls(m_pki.notYetValid), true, QStringLiteral("critical"),
         2, QStringLiteral("cert.not-yet-valid"), QStringLiteral("F")},
        {QStringLiteral("missing intermediate"), tls(m_pki.good, false), true,
         QStringLiteral("critical"), 2, QStringLiteral("chain.incomplete"), QStringLiteral("F")},
        {QStringLiteral("wrong host"), tls(m_pki.wrongHost), true, QStringLiteral("critical"), 2,
         QStringLiteral("cert.hostname-mismatch"), QStringLiteral("F")},
        {QStringLiteral("self-signed"),
         QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                        "ssl_protocols TLSv1.2 TLSv1.3;\n")
             .arg(selfCert, selfKey),
         true, QStringLiteral("critical"), 2, QStringLiteral("chain.untrusted"),
         QStringLiteral("F")},
        {QStringLiteral("internal CA without its bundle"), tls(m_pki.good), false,
         QStringLiteral("critical"), 2, QStringLiteral("chain.untrusted"), QStringLiteral("F")},
        {QStringLiteral("internal CA with its bundle"),
         tls(m_pki.good),
         true,
         QStringLiteral("ok"),
         0,
         {},
         QStringLiteral("A")},
        {QStringLiteral("weak suite"),
         QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                        "ssl_protocols TLSv1.2 TLSv1.3;\n"
                        "ssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256';\n")
             .arg(rsaLeaf.fullchain, rsaLeaf.key),
         true, QStringLiteral("warning"), 1, QStringLiteral("cipher.no-forward-secrecy"),
         QStringLiteral("B")},
        {QStringLiteral("revoked (staple)"),
         tls(m_pki.revoked) +
             QStringLiteral("ssl_stapling on;\nssl_stapling_file %1;\n").arg(staple),
         true, QStringLiteral("critical"), 2, QStringLiteral("cert.revoked"), QStringLiteral("F")},
        {QStringLiteral("revoked (OCSP only, no staple)"), tls(revokedOcsp), true,
         QStringLiteral("critical"), 2, QStringLiteral("cert.revoked"), QStringLiteral("F")},
        {QStringLiteral("revoked (CRL only)"), tls(revokedCrl), true, QStringLiteral("critical"), 2,
         QStringLiteral("cert.revoked"), QStringLiteral("F")},
        {QStringLiteral("revocation responder down"), tls(responderDown), true,
         QStringLiteral("warning"), 1, QStringLiteral("revocation.unknown"), QStringLiteral("A")},
    };
    for (VerdictCase& c : m_cases) {
        auto server = std::make_shared<NginxFixture>();
        if (!server->start(c.serverTls)) {
            return fail(c.name + u' ' + server->errorString());
        }
        c.port = server->port();
        m_servers << server;
    }
    return true;
}

} // namespace certdeck::test
