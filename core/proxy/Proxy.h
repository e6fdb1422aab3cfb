// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "proxy/HardwareReport.h"
#include "proxy/ProxyConfig.h"
#include "proxy/ProxyStats.h"

#include <memory>

namespace certdeck::proxy {

class TlsContextSet;

/// A local TLS-terminating reverse proxy: `workers` threads, each with its
/// own epoll loop and SO_REUSEPORT listener, terminating TLS with OpenSSL and
/// relaying to one backend (TCP mode) or rewriting HTTP/1.1 (HTTP mode).
///
/// Thread model: the Proxy's own functions are called from one controlling
/// thread (the CLI's main thread, a console worker); the event loops run on
/// their own threads and share only atomics with it. reload() builds the
/// new contexts on the calling thread and swaps them in whole; handshakes
/// already running finish under the contexts they started with.
///
/// The process ignores SIGPIPE once a Proxy starts (OpenSSL writes to
/// sockets whose peer may be gone; the error is handled as a value).
class Proxy
{
public:
    explicit Proxy(ProxyConfig config);
    ~Proxy(); ///< stops at once (no drain) if still running
    Proxy(const Proxy&) = delete;
    Proxy& operator=(const Proxy&) = delete;

    /// Loads the certificates, binds every worker's listener and starts the
    /// loops. Errors name the file, the address or the limit at fault.
    [[nodiscard]] Status start();
    /// Reloads the configured certificates (SIGHUP): files are read again,
    /// in-memory sources are served as they are.
    [[nodiscard]] Status reload();
    /// Replaces the certificate files and policy and reloads them.
    [[nodiscard]] Status reload(const QStringList& certificateFiles, TlsPolicy policy);
    /// Replaces the certificate sources (files, or chains and keys in
    /// memory re-resolved by the caller) and policy and reloads them. On
    /// error the running certificates and the configuration stay.
    [[nodiscard]] Status reload(const QList<CertificateSource>& certificates, TlsPolicy policy);
    /// Stops accepting; with `drain` open connections finish (up to the drain
    /// timeout), else they are closed. Returns when every loop has ended.
    void stop(bool drain = true);
    /// Makes a new session-ticket key now (the previous two still decrypt).
    [[nodiscard]] Status rotateTicketKeys();

    [[nodiscard]] bool isRunning() const { return m_running; }
    /// The port listened on (the kernel's choice when the config said 0).
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] const ProxyConfig& config() const;
    [[nodiscard]] const HardwareReport& hardware() const { return m_hardware; }
    /// The contexts in use now (for the OCSP staple refresher and reports).
    [[nodiscard]] std::shared_ptr<TlsContextSet> contexts() const;
    /// Sums every worker's counters; safe from any thread while running.
    [[nodiscard]] ProxyStatsSnapshot stats() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
    bool m_running = false;
    quint16 m_port = 0;
    HardwareReport m_hardware;
};

} // namespace certdeck::proxy
