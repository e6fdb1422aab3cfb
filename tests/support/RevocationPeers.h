// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpFileServer.h"
#include "OcspFixture.h"
#include "TestPki.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QString>

namespace certdeck::test {

/// The set-up the revocation tests share: proxies taken out of the
/// environment (every peer is on loopback), the OCSP responder started
/// (when `ocsp` is given) and the HTTP server for CRLs listening (when `http`
/// is given), a TestPki made in `dir` whose leaves name them (AIA OCSP URL,
/// CRL distribution point `crlPath` on `http`), its standard set issued, and
/// the responder serving it. Returns an empty string, or what failed.
/// A test that issues more leaves afterwards calls ocsp->serve(pki) again.
[[nodiscard]] QString startRevocationPeers(const QString& dir, TestPki& pki, OcspFixture* ocsp,
                                           HttpFileServer* http,
                                           const QString& crlPath = QStringLiteral("/int.crl"));

/// A response to a request about the certificate at `certPath`, made and
/// signed by `openssl ocsp` as the PKI's intermediate (valid for a day):
/// what a server staples or a replaying middlebox sends. The request and the
/// response are written to `stem`.req and `stem`.resp; `nonce` puts a nonce
/// in the request (and so in the response). Returns the response's DER,
/// empty when openssl failed.
[[nodiscard]] QByteArray signedOcspResponse(const TestPki& pki, const QString& certPath,
                                            const QString& stem, bool nonce = true);

/// The first certificate in the file at `path` (PEM or DER), or a null one.
[[nodiscard]] crypto::Certificate firstCertificateIn(const QString& path);

/// The bytes of the file at `path`, or empty when it cannot be read.
[[nodiscard]] QByteArray fileBytes(const QString& path);

} // namespace certdeck::test
