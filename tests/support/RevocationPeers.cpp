// SPDX-License-Identifier: GPL-3.0-or-later
#include "RevocationPeers.h"

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
