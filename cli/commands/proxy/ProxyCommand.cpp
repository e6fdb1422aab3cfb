// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl proxy: runs the TLS-termination proxy in the foreground until
// SIGINT or SIGTERM (graceful drain); SIGHUP reloads the certificates.
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "crypto/Wipe.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "proxy/MetricsServer.h"
#include "proxy/Proxy.h"
#include "proxy/StapleRefresher.h"
#include "proxy/TlsContextSet.h"
#include "services/ProxyCertificates.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileSystemWatcher>
#include <QJsonArray>
#include <QSocketNotifier>
#include <QTimer>
#include <csignal>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace certdeck::cli {

namespace {

using namespace certdeck::proxy;

struct ProxyOptions
{
    QCommandLineOption listen{QStringLiteral("listen"),
                              QStringLiteral("Address to listen on (IP:PORT; port 0 picks one)."),
                              QStringLiteral("ADDR")};
    QCommandLineOption backend{QStringLiteral("backend"),
                               QStringLiteral("Backend to relay to (IP:PORT)."),
                               QStringLiteral("ADDR")};
    QCommandLineOption cert{
        QStringLiteral("cert"),
        QStringLiteral("PEM file with a certificate chain and its key, or CERT,KEY; or an "
                       "inventory endpoint (ID, HOST[:PORT] or endpoint:REF) whose current "
                       "certificate is served with its recorded chain and its key from the key "
                       "vault (never written to disk; SIGHUP takes the endpoint's newest "
                       "certificate). Repeat for more names and for an ECDSA and an RSA "
                       "certificate of one name. The first is the default."),
        QStringLiteral("E|FILE")};
    PassphraseOption vaultPass{QStringLiteral("vault-"), QStringLiteral("key vault's master ")};
    QCommandLineOption force{QStringLiteral("force"),
                             QStringLiteral("Serve an inventory certificate even when it is "
                                            "expired, not yet valid or revoked.")};
    QCommandLineOption workers{QStringLiteral("workers"),
                               QStringLiteral("Worker threads, one event loop each (default 1)."),
                               QStringLiteral("N"), QStringLiteral("1")};
    QCommandLineOption pin{QStringLiteral("pin"), QStringLiteral("Pin worker i to CPU i.")};
    QCommandLineOption policy{QStringLiteral("policy"),
                              QStringLiteral("modern (TLS 1.3) or intermediate (TLS 1.2 and "
                                             "1.3; default)."),
                              QStringLiteral("NAME"), QStringLiteral("intermediate")};
    QCommandLineOption mode{QStringLiteral("mode"),
                            QStringLiteral("tcp (relay bytes; default) or http (HTTP/1.1 with "
                                           "HSTS and X-Forwarded-For/-Proto)."),
                            QStringLiteral("MODE"), QStringLiteral("tcp")};
    QCommandLineOption alpn{QStringLiteral("alpn"),
                            QStringLiteral("ALPN protocols to select from, comma-separated (e.g. "
                                           "h2,http/1.1: passed through to the backend)."),
                            QStringLiteral("LIST")};
    QCommandLineOption hsts{QStringLiteral("hsts"),
                            QStringLiteral("Strict-Transport-Security value in http mode "
                                           "(default max-age=31536000; 'off' for none)."),
                            QStringLiteral("VALUE")};
    QCommandLineOption metrics{QStringLiteral("metrics"),
                               QStringLiteral("Serve Prometheus metrics at http://ADDR/metrics."),
                               QStringLiteral("ADDR")};
    QCommandLineOption maxConnections{QStringLiteral("max-connections"),
                                      QStringLiteral("Open connections at most (default 20000)."),
                                      QStringLiteral("N")};
    QCommandLineOption handshakeTimeout{
        QStringLiteral("handshake-timeout"),
        QStringLiteral("Seconds from accept to a finished handshake (default 10)."),
        QStringLiteral("S")};
    QCommandLineOption idleTimeout{QStringLiteral("idle-timeout"),
                                   QStringLiteral("Seconds without a byte either way (default "
                                                  "60)."),
                                   QStringLiteral("S")};
    QCommandLineOption buffer{QStringLiteral("buffer"),
                              QStringLiteral("Relay buffer per direction and connection in KiB "
                                             "(default 16)."),
                              QStringLiteral("KIB")};
    QCommandLineOption qat{QStringLiteral("qat-provider"),
                           QStringLiteral("Load this OpenSSL provider for QAT offload (e.g. "
                                          "qatprovider); software crypto if it is missing."),
                           QStringLiteral("NAME")};
    QCommandLineOption ocsp{QStringLiteral("ocsp"),
                            QStringLiteral("Staple OCSP responses, fetched from each "
                                           "certificate's responder and refreshed before "
                                           "nextUpdate.")};
    QCommandLineOption ocspResponder{QStringLiteral("ocsp-responder"),
                                     QStringLiteral("Ask this OCSP responder for every "
                                                    "certificate (implies --ocsp)."),
                                     QStringLiteral("URL")};
    QCommandLineOption watch{QStringLiteral("watch"),
                             QStringLiteral("Reload when a certificate file changes (as SIGHUP "
                                            "does).")};
    QCommandLineOption noKtls{QStringLiteral("no-ktls"),
                              QStringLiteral("Do not use kernel TLS even where offered.")};

    void addTo(QCommandLineParser& p) const
    {
        p.addOptions({listen, backend, cert, workers, pin, policy, mode, alpn, hsts, metrics,
                      maxConnections, handshakeTimeout, idleTimeout, buffer, qat, ocsp,
                      ocspResponder, watch, noKtls});
        p.addOption(force);
        vaultPass.addTo(p);
    }
};

Result<int> positiveNumber(const QCommandLineParser& p, const QCommandLineOption& o, int fallback)
{
    if (!p.isSet(o)) {
        return fallback;
    }
    bool ok = false;
    const int n = p.value(o).toInt(&ok);
    if (!ok || n < 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--%1 must be a positive number, not '%2'")
                        .arg(o.names().first(), p.value(o)));
    }
    return n;
}

Result<ProxyConfig> configFrom(const QCommandLineParser& p, const ProxyOptions& o)
{
    ProxyConfig c;
    if (!p.isSet(o.listen) || !p.isSet(o.backend) || !p.isSet(o.cert)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("proxy needs --listen, --backend and at least one --cert"));
    }
    auto listen = parseSocketAddress(p.value(o.listen), true);
    if (!listen) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("--listen ") + listen.error().message);
    }
    auto backend = parseSocketAddress(p.value(o.backend), false);
    if (!backend) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--backend ") + backend.error().message);
    }
    c.listen = *listen;
    c.backend = *backend;
    c.certificateFiles = p.values(o.cert);
    auto policy = parsePolicy(p.value(o.policy));
    auto mode = parseMode(p.value(o.mode));
    if (!policy) {
        return tl::unexpected(policy.error());
    }
    if (!mode) {
        return tl::unexpected(mode.error());
    }
    c.policy = *policy;
    c.mode = *mode;
    c.pinWorkers = p.isSet(o.pin);
    if (p.isSet(o.alpn)) {
        c.alpn = p.value(o.alpn).split(u',', Qt::SkipEmptyParts);
    } else if (c.mode == ProxyMode::Http) {
        c.alpn = {QStringLiteral("http/1.1")};
    }
    if (p.isSet(o.hsts)) {
        c.hsts = p.value(o.hsts) == QLatin1String("off") ? QString() : p.value(o.hsts);
    }
    c.qatProvider = p.value(o.qat);
    c.ktls = !p.isSet(o.noKtls);
    const std::pair<const QCommandLineOption*, int> numbers[] = {
        {&o.workers, 1},
        {&o.maxConnections, c.limits.maxConnections},
        {&o.handshakeTimeout, static_cast<int>(c.limits.handshakeTimeout.count() / 1000)},
        {&o.idleTimeout, static_cast<int>(c.limits.idleTimeout.count() / 1000)},
        {&o.buffer, c.limits.relayBufferBytes / 1024},
    };
    int values[5] = {};
    for (int i = 0; i < 5; ++i) {
        auto n = positiveNumber(p, *numbers[i].first, numbers[i].second);
        if (!n) {
            return tl::unexpected(n.error());
        }
        values[i] = *n;
    }
    c.workers = values[0];
    c.limits.maxConnections = values[1];
    c.limits.handshakeTimeout = std::chrono::seconds(values[2]);
    c.limits.idleTimeout = std::chrono::seconds(values[3]);
    c.limits.relayBufferBytes = values[4] * 1024;
    return c;
}

/// SIGINT, SIGTERM and SIGHUP are blocked in every thread and read from a
/// signalfd on the main thread's event loop.
class BlockedSignals
{
public:
    BlockedSignals()
    {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGINT);
        sigaddset(&m_set, SIGTERM);
        sigaddset(&m_set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &m_set, &m_old);
        m_fd = signalfd(-1, &m_set, SFD_CLOEXEC | SFD_NONBLOCK);
    }
    ~BlockedSignals()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    [[nodiscard]] int fd() const { return m_fd; }
    /// The next pending signal, 0 if none.
    int next() const
    {
        signalfd_siginfo info{};
        return ::read(m_fd, &info, sizeof info) == sizeof info ? static_cast<int>(info.ssi_signo)
                                                               : 0;
    }

private:
    sigset_t m_set{};
    sigset_t m_old{};
    int m_fd = -1;
};

void printStart(CommandContext& ctx, const Proxy& proxy, const MetricsServer* metrics)
{
    const ProxyConfig& c = proxy.config();
    const SocketAddress bound{c.listen.address, proxy.port()};
    const auto set = proxy.contexts();
    if (ctx.json) {
        QJsonArray certs;
        for (const auto& s : set->served()) {
            certs.append(
                QJsonObject{{QStringLiteral("file"), s.file},
                            {QStringLiteral("names"), QJsonArray::fromStringList(s.names)},
                            {QStringLiteral("key"), s.keyType},
                            {QStringLiteral("notAfter"), s.notAfter.toString(Qt::ISODate)}});
        }
        QJsonObject o{
            {QStringLiteral("listening"), bound.toString()},
            {QStringLiteral("backend"), c.backend.toString()},
            {QStringLiteral("workers"), c.workers},
            {QStringLiteral("policy"), policyName(c.policy)},
            {QStringLiteral("mode"), modeName(c.mode)},
            {QStringLiteral("certificates"), certs},
            {QStringLiteral("hardware"), QJsonArray::fromStringList(proxy.hardware().lines())}};
        if (metrics != nullptr) {
            o.insert(QStringLiteral("metricsPort"), metrics->port());
        }
        printJson(ctx.out, o);
    } else {
        ctx.out << "listening on " << bound.toString() << " -> " << c.backend.toString() << " ("
                << c.workers << (c.workers == 1 ? " worker, " : " workers, ")
                << policyName(c.policy) << " policy, " << modeName(c.mode) << " mode)\n";
        for (const auto& s : set->served()) {
            ctx.out << "  certificate " << s.names.join(u' ') << " (" << s.keyType << ", until "
                    << s.notAfter.toString(Qt::ISODate) << ") from " << s.file << "\n";
        }
        for (const QString& line : proxy.hardware().lines()) {
            ctx.out << "  " << line << "\n";
        }
        if (metrics != nullptr) {
            ctx.out << "  metrics on http://" << c.listen.address.toString() << ':'
                    << metrics->port() << "/metrics\n";
        }
    }
    ctx.out.flush();
}

/// The inventory side of --cert: the store and the unlocked key vault stay
/// open for the process's life, so that every reload resolves the endpoints
/// again and serves their newest certificate. Keys go from the vault to the
/// proxy's contexts in memory only.
class InventoryCertificates
{
public:
    [[nodiscard]] bool inUse() const { return m_vault != nullptr; }

    /// Unlocks the vault when a spec names an endpoint; usage mistakes are
    /// told and return false with `code` set.
    bool open(CommandContext& ctx, const QCommandLineParser& p, const ProxyOptions& o,
              ExitCode* code)
    {
        m_specs = p.values(o.cert);
        m_options.force = p.isSet(o.force);
        QStringList endpoints;
        for (const QString& spec : m_specs) {
            if (services::classifyProxyCertificate(spec) ==
                services::ProxyCertificateKind::Endpoint) {
                endpoints << spec;
            }
        }
        if (endpoints.isEmpty()) {
            return true;
        }
        auto pass = o.vaultPass.read(p, ctx.err);
        if (!pass) {
            *code = usageError(ctx, pass.error().message);
            return false;
        }
        if (pass->isEmpty()) {
            *code = usageError(
                ctx, QStringLiteral("--cert %1 names no file, so it is taken as an inventory "
                                    "endpoint, whose key comes from the key vault: give its "
                                    "master passphrase with --vault-passphrase-file FILE or "
                                    "--vault-passphrase-env VAR")
                         .arg(endpoints.join(QLatin1String(", "))));
            return false;
        }
        auto store = ctx.store();
        if (!store) {
            crypto::wipe(*pass);
            *code = reportError(ctx, store.error());
            return false;
        }
        m_store = *store;
        auto vault = std::make_unique<inventory::KeyVault>(*m_store);
        const Status unlocked = vault->unlock(*pass);
        crypto::wipe(*pass);
        if (!unlocked) {
            *code = reportError(ctx, {unlocked.error().code,
                                      QStringLiteral("the key vault: ") + unlocked.error().message,
                                      unlocked.error().detail});
            return false;
        }
        m_vault = std::move(vault);
        return true;
    }

    /// The sources to serve now, warnings (what --force let through) on `err`.
    [[nodiscard]] Result<QList<CertificateSource>> resolve(QTextStream& err) const
    {
        auto resolved = services::proxyCertificatesFor(*m_store, *m_vault, m_specs, m_options);
        if (!resolved) {
            return tl::unexpected(resolved.error());
        }
        for (const QString& w : resolved->warnings) {
            err << "certdeckctl proxy: warning: " << w << "\n";
        }
        err.flush();
        return resolved->sources;
    }

private:
    QStringList m_specs;
    services::ProxyCertificateOptions m_options;
    inventory::Store* m_store = nullptr;
    std::unique_ptr<inventory::KeyVault> m_vault;
};

void printSummary(CommandContext& ctx, const ProxyStatsSnapshot& s)
{
    ctx.err << "certdeckctl proxy: stopped after " << s.accepted << " connections, "
            << s.handshakesFull << " full and " << s.handshakesResumed << " resumed handshakes\n";
    ctx.err.flush();
}

ExitCode runProxy(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    ProxyOptions o;
    o.addTo(p);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("proxy"), p.positionalArguments(), &code)) {
        return code;
    }
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("'proxy' takes no arguments, only options"));
    }
    common.apply(p, ctx);
    auto config = configFrom(p, o);
    if (!config) {
        return usageError(ctx, config.error().message);
    }
    std::optional<SocketAddress> metricsAt;
    if (p.isSet(o.metrics)) {
        auto m = parseSocketAddress(p.value(o.metrics), true);
        if (!m) {
            return usageError(ctx, QStringLiteral("--metrics ") + m.error().message);
        }
        metricsAt = *m;
    }

    InventoryCertificates fromInventory;
    if (!fromInventory.open(ctx, p, o, &code)) {
        return code;
    }
    if (fromInventory.inUse()) {
        auto sources = fromInventory.resolve(ctx.err);
        if (!sources) {
            return reportError(ctx, sources.error());
        }
        config->certificates = *sources;
    }

    // Blocked before any thread starts, so every worker inherits the mask.
    BlockedSignals blocked;
    Proxy proxy(*config);
    if (auto st = proxy.start(); !st) {
        return reportError(ctx, st.error());
    }
    std::unique_ptr<MetricsServer> metrics;
    if (metricsAt) {
        metrics =
            std::make_unique<MetricsServer>([&proxy] { return proxy.stats().toPrometheus(); });
        if (auto st = metrics->start(*metricsAt); !st) {
            proxy.stop(false);
            return reportError(ctx, st.error());
        }
    }
    printStart(ctx, proxy, metrics.get());

    // OCSP runs on this thread's event loop, outside the proxy's loops.
    std::unique_ptr<StapleRefresher> staples;
    if (p.isSet(o.ocsp) || p.isSet(o.ocspResponder)) {
        StapleRefresher::Options so;
        so.responder = QUrl(p.value(o.ocspResponder));
        staples = std::make_unique<StapleRefresher>([&proxy] { return proxy.contexts(); }, so);
        QObject::connect(staples.get(), &StapleRefresher::updated, staples.get(),
                         [&ctx](const QString& file, bool, const QString& message) {
                             ctx.err << "certdeckctl proxy: OCSP " << file << ": " << message
                                     << "\n";
                             ctx.err.flush();
                         });
        staples->start();
    }

    const auto reload = [&](const QString& why) {
        Status st;
        if (fromInventory.inUse()) {
            // Endpoints are resolved again: a renewal since the start is served.
            auto sources = fromInventory.resolve(ctx.err);
            st = sources ? proxy.reload(*sources, proxy.config().policy)
                         : Status(tl::unexpected(sources.error()));
        } else {
            st = proxy.reload();
        }
        if (st) {
            const auto& served = proxy.contexts()->served();
            ctx.err << "certdeckctl proxy: reloaded " << served.size() << " certificate(s) (" << why
                    << ")\n";
            for (const auto& s : served) {
                ctx.err << "  now serving " << s.names.join(u' ') << " from " << s.file << "\n";
            }
        } else {
            ctx.err << "certdeckctl proxy: reload failed, still serving the previous "
                       "certificates: "
                    << st.error().toString() << "\n";
        }
        ctx.err.flush();
    };
    QEventLoop loop;
    QSocketNotifier notifier(blocked.fd(), QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &loop, [&] {
        for (int sig = blocked.next(); sig != 0; sig = blocked.next()) {
            if (sig == SIGHUP) {
                reload(QStringLiteral("SIGHUP"));
            } else {
                loop.quit();
            }
        }
    });
    // A watched file: editors and certbot replace files (a new inode), so the
    // paths are watched again after each change; a short quiet period lets a
    // writer finish both the certificate and the key.
    QFileSystemWatcher watcher;
    QTimer settle;
    settle.setSingleShot(true);
    settle.setInterval(300);
    if (p.isSet(o.watch)) {
        QStringList paths;
        for (const QString& spec : p.values(o.cert)) {
            QString file;
            if (services::classifyProxyCertificate(spec, &file) ==
                services::ProxyCertificateKind::File) {
                paths << file.split(u',');
            }
        }
        watcher.addPaths(paths);
        QObject::connect(&watcher, &QFileSystemWatcher::fileChanged, &settle,
                         qOverload<>(&QTimer::start));
        QObject::connect(&settle, &QTimer::timeout, &loop, [&, paths] {
            watcher.addPaths(paths);
            reload(QStringLiteral("a certificate file changed"));
        });
    }
    loop.exec();
    if (metrics) {
        metrics->stop();
    }
    proxy.stop(true);
    printSummary(ctx, proxy.stats());
    return ExitCode::Ok;
}

} // namespace

QList<SubcommandSpec> proxySubcommands()
{
    return {
        {QString(),
         QStringLiteral("--listen IP:PORT --backend IP:PORT --cert E|FILE... [options]"),
         {QStringLiteral("listen"),
          QStringLiteral("backend"),
          QStringLiteral("cert"),
          QStringLiteral("workers"),
          QStringLiteral("pin"),
          QStringLiteral("policy"),
          QStringLiteral("mode"),
          QStringLiteral("alpn"),
          QStringLiteral("hsts"),
          QStringLiteral("metrics"),
          QStringLiteral("max-connections"),
          QStringLiteral("handshake-timeout"),
          QStringLiteral("idle-timeout"),
          QStringLiteral("buffer"),
          QStringLiteral("qat-provider"),
          QStringLiteral("ocsp"),
          QStringLiteral("ocsp-responder"),
          QStringLiteral("watch"),
          QStringLiteral("no-ktls"),
          QStringLiteral("vault-passphrase-file"),
          QStringLiteral("vault-passphrase-env"),
          QStringLiteral("force")},
         QStringLiteral("Runs a TLS-terminating reverse proxy in the foreground until SIGINT or\n"
                        "SIGTERM (open connections are drained); SIGHUP reloads the\n"
                        "certificates without failing a handshake. --cert ENDPOINT serves an\n"
                        "inventory endpoint's current certificate with its key from the key\n"
                        "vault (give the master passphrase with --vault-passphrase-file or\n"
                        "--vault-passphrase-env); SIGHUP then takes the endpoint's newest one.")}};
}

CERTDECK_COMMAND({QStringLiteral("proxy"),
                  QStringLiteral("  proxy        a local TLS-terminating reverse proxy (SNI, "
                                 "resumption, reload, metrics)\n"),
                  runProxy, proxySubcommands()});

} // namespace certdeck::cli
