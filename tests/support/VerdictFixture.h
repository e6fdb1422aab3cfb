// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "HttpFileServer.h"
#include "NginxFixture.h"
#include "OcspFixture.h"
#include "PeerProcess.h"
#include "TestPki.h"

#include <QList>
#include <memory>

namespace certdeck::test {

/// One kind of endpoint, served by its own nginx, and the answer every
/// front-end must give for it.
struct VerdictCase
{
    QString name;
    QString serverTls;  ///< nginx TLS directives
    bool bundle = true; ///< the endpoint's trust bundle is rootsPem()
    QString verdict;    ///< "ok", "warning", "unknown", "critical"
    int exitCode = 0;
    QString finding;  ///< a finding code that must be there (empty: none needed)
    QString gradeCap; ///< the grade starts with this ("A" also matches "A+")
    quint16 port = 0; ///< once started
};

/// The table of endpoints the verdict tests share (certdeckctl probe and
/// scan, the console's probe and fleet scan, the history): healthy,
/// expiring, expired leaf, not yet valid, missing intermediate, wrong host,
/// self-signed, an internal CA without its bundle, a weak suite, revoked
/// (stapled; OCSP only; CRL only) and a responder that is down. Each is a
/// real nginx on a free loopback port serving certificates made by the
/// `openssl` CLI (TestPki); `openssl ocsp` (OcspFixture) answers for the
/// test CA and an in-process HTTP server serves its CRL, so the test must
/// keep its event loop running while a client asks (QSignalSpy::wait).
class VerdictFixture
{
public:
    /// Makes the PKIs and starts every server; false with errorString().
    [[nodiscard]] bool start();
    [[nodiscard]] const QList<VerdictCase>& cases() const { return m_cases; }
    /// The roots an endpoint with `bundle` trusts (PEM, both test PKIs).
    [[nodiscard]] QByteArray rootsPem() const { return m_roots; }
    [[nodiscard]] const TestPki& pki() const { return m_pki; }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    bool fail(const QString& why);

    FixtureDir m_dir;
    TestPki m_pki;
    TestPki m_rsa;
    QList<VerdictCase> m_cases;
    QList<std::shared_ptr<NginxFixture>> m_servers;
    OcspFixture m_ocsp;
    HttpFileServer m_crl;
    QByteArray m_roots;
    QString m_error;
};

} // namespace certdeck::test
