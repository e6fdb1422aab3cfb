// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QList>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

namespace certdeck::crypto {

/// The certificates a TLS server sent, exactly as sent (order, extras,
/// missing intermediates and all), with what the handshake negotiated.
struct ServedChain
{
    QList<Certificate> certificates; ///< the server's Certificate message, leaf first
    QString protocol;                ///< "TLSv1.3"
    QString cipher;                  ///< OpenSSL's name, "TLS_AES_256_GCM_SHA384"
    QString sni;                     ///< the server name sent, empty if none
    QString peerAddress;             ///< the address connected to, "127.0.0.1"
};

/// Connects to HOST:PORT, completes a TLS handshake without verifying
/// anything, and returns the served chain. A blocking OpenSSL handshake on a
/// non-blocking socket with poll() deadlines, run on the thread pool as a
/// Job; cancel() wakes the poll() at once (an eventfd in its set), and the
/// socket is closed as the work returns.
class ServedChainFetcher : public TypedJob<ServedChain>
{
    Q_OBJECT
public:
    struct Options
    {
        QString host;
        quint16 port = 443;
        /// Server name to send; empty means the host, unless it is an IP
        /// address (RFC 6066 forbids IP literals in SNI).
        QString sni;
        bool noSni = false; ///< send no server name at all
        int connectTimeoutMs = 10000;
        int handshakeTimeoutMs = 10000;
    };

    explicit ServedChainFetcher(Options options, QObject* parent = nullptr);
    ~ServedChainFetcher() override;

    /// Runs on the calling thread until done, failed or timed out.
    [[nodiscard]] static Result<ServedChain> fetch(const Options& options);

    /// Runs a fetcher parented to `context`; `done` is called on `context`'s
    /// thread, and dropped (the fetch cancelled) if `context` is destroyed
    /// first.
    static void fetchAsync(const Options& options, QObject* context,
                           std::function<void(const Result<ServedChain>&)> done);

    /// HOST[:PORT], [IPv6]:PORT or a bare IPv6 address, by parseHostPort()
    /// (surrounding blanks trimmed); the port defaults to 443, an IDN
    /// becomes its ASCII form.
    [[nodiscard]] static Result<Options> parseEndpoint(const QString& endpoint);

protected:
    /// Sets the job's flag and wakes the worker's poll().
    void onCancel() override;

private:
    struct Wake;
    ServedChainFetcher(Options options, std::shared_ptr<Wake> wake, QObject* parent);
    std::shared_ptr<Wake> m_wake;
};

} // namespace certdeck::crypto
