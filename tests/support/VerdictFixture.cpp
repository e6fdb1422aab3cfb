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
