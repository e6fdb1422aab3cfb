// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

namespace certdeck::test {

class TestPki;

/// A real OCSP responder (`openssl ocsp` in responder mode, run per request)
/// behind certdeck-ocsp-front, which listens on 127.0.0.1:port() only (the
/// responder's own `-port` would bind every interface). It answers RFC 6960
/// POST and GET requests from the TestPki's `openssl ca` database, re-read on
/// every request (revoking later shows up at once), signed by the
/// intermediate itself (the CA that issued the leaves, RFC 6960 4.2.2.2) and
/// valid for a day. Malformed requests get HTTP 400, oversized ones 413.
///
/// The URL is known before the PKI exists, so leaves can carry it in AIA:
///   OcspFixture ocsp; ocsp.start();
///   TestPki::Options o; o.ocspUrl = ocsp.url(); pki.create(dir, o); ...
///   ocsp.serve(pki);
class OcspFixture
{
public:
    OcspFixture();
    ~OcspFixture();
    OcspFixture(const OcspFixture&) = delete;
    OcspFixture& operator=(const OcspFixture&) = delete;

    /// Starts the front on a free 127.0.0.1 port and returns once it accepts
    /// connections. Until serve() it answers HTTP 503. Retries on a port
    /// taken meanwhile; on failure errorString() carries the front's log.
    [[nodiscard]] bool start();
    /// Who signs, and for how long answers are fresh.
    struct Signing
    {
        QString cert; ///< default: the PKI's intermediate (the CA itself)
        QString key;
        int ndays = 1; ///< nextUpdate = now + ndays
    };

    /// Answers from `pki`'s CA database from the next request on.
    [[nodiscard]] bool serve(const TestPki& pki) { return serve(pki, Signing{}); }
    /// The same, signed by `signing` (a delegated responder, or a key the
    /// CA never certified: a forged answer).
    [[nodiscard]] bool serve(const TestPki& pki, const Signing& signing);
    /// start() and serve() in one, when leaves need not carry the URL.
    [[nodiscard]] bool start(const TestPki& pki) { return start() && serve(pki); }
    /// Stops the front (and any responder run in flight) by PID. Idempotent.
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    /// "http://127.0.0.1:PORT/", what leaves' AIA OCSP entry should hold.
    [[nodiscard]] QString url() const;
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] QString configPath() const
    {
        return m_dir.filePath(QStringLiteral("responder.conf"));
    }
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    /// The front's log: one "METHOD STATUS N bytes" line per answered request.
    [[nodiscard]] QByteArray log() const { return m_process.log(); }
    [[nodiscard]] QString errorString() const { return m_error; }

    /// The front's binary (CERTDECK_OCSP_FRONT in the environment overrides
    /// the one built with the tests).
    [[nodiscard]] static QString binary();

private:
    FixtureDir m_dir;
    PeerProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace certdeck::test
