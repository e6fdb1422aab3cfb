// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "proxy/CertificateSource.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <chrono>

namespace certdeck::proxy {

/// Which TLS versions and suites the proxy accepts (Mozilla's profiles, without
/// finite-field DHE so no dhparam file is needed).
enum class TlsPolicy
{
    Modern,       ///< TLS 1.3 only
    Intermediate, ///< TLS 1.2 (ECDHE with AEAD suites) and TLS 1.3
};

/// What the proxy does with the decrypted stream.
enum class ProxyMode
{
    Tcp,  ///< relay bytes both ways after termination (ALPN passed through)
    Http, ///< HTTP/1.1: adds X-Forwarded-For/-Proto to requests and HSTS to responses
};

/// An address and port to listen on or connect to (IP literals only: the
/// proxy never resolves names on its event loops). Port 0 when listening
/// asks the kernel for a free one (tests).
struct SocketAddress
{
    QHostAddress address;
    quint16 port = 0;

    [[nodiscard]] QString toString() const;
};

/// Parses "127.0.0.1:8443" or "[::1]:8443"; `allowPortZero` for listeners.
[[nodiscard]] Result<SocketAddress> parseSocketAddress(const QString& text, bool allowPortZero);

/// Limits that protect the proxy from clients that hold resources without
/// using them (slowloris) and from running out of memory or descriptors.
struct ProxyLimits
{
    int maxConnections = 20000; ///< across all workers; more are accepted and closed at once
    /// From accept to a finished handshake; also the backend connect's limit.
    std::chrono::milliseconds handshakeTimeout{10000};
    std::chrono::milliseconds idleTimeout{60000};  ///< no byte either way
    std::chrono::milliseconds drainTimeout{10000}; ///< graceful stop: then close all
    /// Each direction's relay buffer; the proxy reads no more from one side
    /// while the other side has not taken this much (backpressure). Two per
    /// connection, allocated only once its handshake has finished.
    int relayBufferBytes = 16 * 1024;
    /// Largest HTTP request or response head in HTTP mode.
    int maxHeaderBytes = 16 * 1024;
};

/// Everything a Proxy runs with. Certificates are PEM files holding a
/// certificate chain (leaf first) and its private key, one key per file;
/// "CERT,KEY" names the two separately. Or `certificates`: files and chains
/// with keys in memory (from the key vault), which take precedence.
struct ProxyConfig
{
    SocketAddress listen;
    SocketAddress backend;
    QStringList certificateFiles; ///< the first one is served when no SNI name matches
    /// When not empty, served instead of certificateFiles (the first is the
    /// default); a reload reads the file sources again and serves the
    /// in-memory ones as they are (to re-resolve those, the caller passes
    /// new ones to Proxy::reload).
    QList<CertificateSource> certificates;
    int workers = 1;
    bool pinWorkers = false; ///< pin worker i to CPU i modulo the CPU count
    TlsPolicy policy = TlsPolicy::Intermediate;
    ProxyMode mode = ProxyMode::Tcp;
    /// ALPN protocols the proxy selects from (in TCP mode the backend must
    /// speak the chosen one: "h2" is passed through); empty: no ALPN.
    QStringList alpn;
    /// Strict-Transport-Security value added in HTTP mode; empty: none.
    QString hsts = QStringLiteral("max-age=31536000");
    ProxyLimits limits;
    /// Session-ticket keys are rotated this often; the previous two still
    /// decrypt (and are renewed), so a client resumes across one rotation.
    std::chrono::seconds ticketKeyRotation{3600};
    /// TLS session lifetime (session cache and ticket lifetime hint).
    std::chrono::seconds sessionLifetime{7200};
    /// Load this OpenSSL provider (an Intel QAT provider, "qatprovider") for
    /// asymmetric crypto; when it or its device is missing the proxy runs on
    /// software crypto and says why (HardwareReport::qat).
    QString qatProvider;
    /// Turn on kernel TLS when the kernel offers the `tls` ULP.
    bool ktls = true;
};

/// What a config serves: `certificates`, else `certificateFiles` as file sources.
[[nodiscard]] QList<CertificateSource> certificateSources(const ProxyConfig& config);

[[nodiscard]] QString policyName(TlsPolicy policy);
[[nodiscard]] Result<TlsPolicy> parsePolicy(const QString& text);
[[nodiscard]] QString modeName(ProxyMode mode);
[[nodiscard]] Result<ProxyMode> parseMode(const QString& text);

} // namespace certdeck::proxy
