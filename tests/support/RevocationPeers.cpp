// SPDX-License-Identifier: GPL-3.0-or-later
#include "RevocationPeers.h"

#include "PeerProcess.h"
#include "crypto/CertificateReader.h"

#include <QFile>

namespace certdeck::test {

QString startRevocationPeers(const QString& dir, TestPki& pki, OcspFixture* ocsp,
                             HttpFileServer* http, const QString& crlPath)
{
    // Qt and the CLI honour these; a proxy here would see loopback traffic.
    for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}) {
        qunsetenv(name);
    }
    TestPki::Options o;
    if (ocsp) {
        if (!ocsp->start()) {
            return QStringLiteral("OCSP responder: ") + ocsp->errorString();
        }
        o.ocspUrl = ocsp->url();
    }
    if (http) {
        if (!http->listen()) {
            return QStringLiteral("the CRL's HTTP server does not listen");
        }
        o.crlUrl = http->url(crlPath).toString();
    }
    if (!pki.create(dir, o) || !pki.issueStandardSet()) {
        return QStringLiteral("test PKI: ") + pki.errorString();
    }
    if (ocsp && !ocsp->serve(pki)) {
        return QStringLiteral("OCSP responder: ") + ocsp->errorString();
    }
    return {};
}

QByteArray signedOcspResponse(const TestPki& pki, const QString& certPath, const QString& stem,
                              bool nonce)
{
    const QString req = stem + QStringLiteral(".req");
    const QString resp = stem + QStringLiteral(".resp");
    QByteArray out;
    if (runTool(QStringLiteral("openssl"),
                {QStringLiteral("ocsp"), QStringLiteral("-issuer"), pki.intermediateCert,
                 QStringLiteral("-cert"), certPath,
                 nonce ? QStringLiteral("-nonce") : QStringLiteral("-no_nonce"),
                 QStringLiteral("-reqout"), req},
                &out) != 0 ||
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("ocsp"), QStringLiteral("-index"), pki.caIndex,
                 QStringLiteral("-CA"), pki.intermediateCert, QStringLiteral("-rsigner"),
                 pki.intermediateCert, QStringLiteral("-rkey"), pki.intermediateKey,
                 QStringLiteral("-reqin"), req, QStringLiteral("-respout"), resp,
                 QStringLiteral("-ndays"), QStringLiteral("1")},
                &out) != 0) {
        return {};
    }
    return fileBytes(resp);
}

crypto::Certificate firstCertificateIn(const QString& path)
{
    auto b = crypto::CertificateReader::readFile(path);
    return b && !b->certificates.isEmpty() ? b->certificates.first() : crypto::Certificate();
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace certdeck::test
