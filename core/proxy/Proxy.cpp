// SPDX-License-Identifier: GPL-3.0-or-later
#include "Proxy.h"

#include "proxy/TlsContextSet.h"
#include "proxy/internal/SharedState.h"
#include "proxy/internal/Worker.h"

#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <sys/resource.h>

namespace certdeck::proxy {

struct Proxy::Private
{
    explicit Private(ProxyConfig config)
        : shared(std::move(config))
    {}
    internal::SharedState shared;
    std::vector<std::unique_ptr<WorkerStats>> stats;
    std::vector<std::unique_ptr<internal::Worker>> workers;
};

namespace {

// Each connection needs two descriptors; the soft limit is often 1024.
void raiseDescriptorLimit()
{
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

} // namespace

Proxy::Proxy(ProxyConfig config)
    : d(std::make_unique<Private>(std::move(config)))
{}

Proxy::~Proxy()
{
    stop(false);
}

const ProxyConfig& Proxy::config() const
{
    return d->shared.config;
}

std::shared_ptr<TlsContextSet> Proxy::contexts() const
{
    return d->shared.contexts.load();
}

Status Proxy::start()
{
    if (m_running) {
        return fail(ErrorCode::Conflict, QStringLiteral("the proxy is already running"));
    }
    ProxyConfig& config = d->shared.config;
    if (config.workers < 1 || config.workers > 256) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("workers must be 1 to 256, not %1").arg(config.workers));
    }
    if (config.limits.relayBufferBytes < 4096 ||
        config.limits.relayBufferBytes > 16 * 1024 * 1024) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the relay buffer must be 4 KiB to 16 MiB, not %1 bytes")
                        .arg(config.limits.relayBufferBytes));
    }
    if (config.limits.maxConnections < 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the connection limit must be positive"));
    }
    const SocketAddress& backend = config.backend;
    if (backend.address.isNull() || backend.port == 0) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no backend address given"));
    }
    sockaddr_storage& addr = d->shared.backend;
    if (backend.address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(backend.port);
        const Q_IPV6ADDR ip = backend.address.toIPv6Address();
        std::memcpy(&a6->sin6_addr, &ip, sizeof ip);
        d->shared.backendLength = sizeof *a6;
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(backend.port);
        a4->sin_addr.s_addr = htonl(backend.address.toIPv4Address());
        d->shared.backendLength = sizeof *a4;
    }
    std::signal(SIGPIPE, SIG_IGN);
    raiseDescriptorLimit();

    m_hardware = HardwareReport::detect();
    m_hardware.loadQat(config.qatProvider);
    if (!config.ktls) {
        m_hardware.ktls = QStringLiteral("kernel TLS: off (not asked for)");
    }
    if (auto st = d->shared.tickets.init(); !st) {
        return st;
    }
    auto set = TlsContextSet::build(certificateSources(config),
                                    {config.policy, config.alpn, config.sessionLifetime,
                                     config.ktls && m_hardware.ktlsOffered, &d->shared.tickets});
    if (!set) {
        return tl::unexpected(set.error());
    }
    d->shared.contexts.store(std::move(*set));
    d->shared.generation.store(1, std::memory_order_release);

    d->workers.clear();
    d->stats.clear();
    quint16 port = config.listen.port;
    for (int i = 0; i < config.workers; ++i) {
        d->stats.push_back(std::make_unique<WorkerStats>());
        auto w = std::make_unique<internal::Worker>(i, d->shared, *d->stats.back());
        quint16 bound = 0;
        if (auto st = w->open(port, &bound); !st) {
            d->workers.clear();
            return st;
        }
        port = bound; // the others share the first one's port (0 -> chosen)
        d->workers.push_back(std::move(w));
    }
    m_port = port;
    for (auto& w : d->workers) {
        w->start();
    }
    m_running = true;
    return {};
}

Status Proxy::reload()
{
    return reload(certificateSources(d->shared.config), d->shared.config.policy);
}

Status Proxy::reload(const QStringList& certificateFiles, TlsPolicy policy)
{
    QList<CertificateSource> sources;
    sources.reserve(certificateFiles.size());
    for (const QString& f : certificateFiles) {
        sources << CertificateSource::fromFile(f);
    }
    if (auto st = reload(sources, policy); !st) {
        return st;
    }
    d->shared.config.certificateFiles = certificateFiles;
    d->shared.config.certificates.clear();
    return {};
}

Status Proxy::reload(const QList<CertificateSource>& certificates, TlsPolicy policy)
{
    const ProxyConfig& config = d->shared.config;
    auto set = TlsContextSet::build(certificates,
                                    {policy, config.alpn, config.sessionLifetime,
                                     config.ktls && m_hardware.ktlsOffered, &d->shared.tickets});
    if (!set) {
        return tl::unexpected(set.error()); // the running set stays
    }
    d->shared.contexts.store(std::move(*set));
    d->shared.generation.fetch_add(1, std::memory_order_acq_rel);
    d->shared.reloads.fetch_add(1, std::memory_order_relaxed);
    // The configuration is read by the loops only at start (certificates
    // and policy live in the contexts), so it can be updated here.
    d->shared.config.certificates = certificates;
    d->shared.config.policy = policy;
    return {};
}

Status Proxy::rotateTicketKeys()
{
    return d->shared.tickets.rotate();
}

void Proxy::stop(bool drain)
{
    if (!m_running) {
        return;
    }
    for (auto& w : d->workers) {
        w->requestStop(drain);
    }
    for (auto& w : d->workers) {
        w->join();
    }
    d->workers.clear();
    m_running = false;
}

ProxyStatsSnapshot Proxy::stats() const
{
    ProxyStatsSnapshot s;
    s.workers = static_cast<int>(d->stats.size());
    QHash<uint32_t, uint64_t> suites;
    for (const auto& w : d->stats) {
        const auto get = [](const std::atomic<uint64_t>& a) {
            return a.load(std::memory_order_relaxed);
        };
        s.accepted += get(w->accepted);
        s.open += w->open.load(std::memory_order_relaxed);
        s.handshakesFull += get(w->handshakesFull);
        s.handshakesResumed += get(w->handshakesResumed);
        s.tls12 += get(w->tls12);
        s.tls13 += get(w->tls13);
        s.bytesFromClients += get(w->bytesFromClients);
        s.bytesFromBackend += get(w->bytesFromBackend);
        for (int i = 0; i < static_cast<int>(CloseReason::Count_); ++i) {
            s.closed[i] += get(w->closed[i]);
        }
        for (int i = 0; i < WorkerStats::kSuiteSlots; ++i) {
            const uint32_t id = w->suiteIds[i].load(std::memory_order_acquire);
            if (id != 0) {
                suites[id] += get(w->suiteCounts[i]);
            }
        }
    }
    // IANA names from OpenSSL's own table, looked up through any SSL handle.
    const auto set = d->shared.contexts.load();
    const ossl::SslPtr lookup(set ? set->newSsl() : nullptr);
    for (auto it = suites.cbegin(); it != suites.cend(); ++it) {
        const unsigned char bytes[2] = {static_cast<unsigned char>(it.key() >> 8),
                                        static_cast<unsigned char>(it.key() & 0xff)};
        const SSL_CIPHER* c = lookup ? SSL_CIPHER_find(lookup.get(), bytes) : nullptr;
        s.suites.insert(c != nullptr
                            ? QString::fromLatin1(SSL_CIPHER_standard_name(c))
                            : QStringLiteral("0x%1").arg(it.key(), 4, 16, QLatin1Char('0')),
                        it.value());
    }
    s.ticketKeyRotations = d->shared.tickets.rotations();
    s.reloads = d->shared.reloads.load(std::memory_order_relaxed);
    return s;
}

} // namespace certdeck::proxy
