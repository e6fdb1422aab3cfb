// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/NginxDumpImporter.h"

#include "common/HostPort.h"
#include "common/SecureFile.h"
#include "inventory/import/CertificateFileScanner.h"
#include "inventory/import/NginxConfigParser.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

namespace certdeck::inventory {

namespace {

struct Listen
{
    QString address; ///< empty for every address (`443`, `*:443`, `[::]:443`)
    quint16 port = 80;
    bool ssl = false;
    bool quic = false;
};

struct SslDefaults
{
    QStringList certificates;
    QStringList keys;
    bool sslOn = false;
};

/// Walks the parsed dump from the main file, following includes, and fills
/// the plan server by server.
class PlanBuilder
{
public:
    PlanBuilder(const NginxDump& dump, const QString& origin,
                const NginxDumpImporter::Options& options)
        : m_dump(dump)
        , m_origin(origin)
        , m_options(options)
    {
        m_plan.warnings = dump.warnings;
        m_mainDir = QFileInfo(dump.files.first().path).path();
    }

    /// Malformed directives found by run(); any refuses the import.
    [[nodiscard]] const QStringList& problems() const { return m_problems; }

    ImportPlan run()
    {
        m_visited.insert(0);
        QList<int> stack{0};
        walkTop(flatten(m_dump.files.first().directives, stack), SslDefaults{});
        // nginx -T prints only what the main file includes; a file we did not
        // reach means an include pattern we resolved differently, so its
        // servers are still read, as if inside `http`.
        for (int i = 1; i < m_dump.files.size(); ++i) {
            if (m_visited.contains(i)) {
                continue;
            }
            const NginxConfigFile& f = m_dump.files[i];
            bool hasServer = false;
            for (const NginxDirective& d : f.directives) {
                hasServer = hasServer || (d.isBlock && d.name == QLatin1String("server"));
            }
            if (!hasServer) {
                continue;
            }
            m_plan.warnings << QStringLiteral("%1 line %2: %3 is not reached by any include; its "
                                              "servers are read as if inside http")
                                   .arg(m_origin)
                                   .arg(f.headerLine)
                                   .arg(f.path);
            QList<int> fileStack{i};
            m_visited.insert(i);
            for (const NginxDirective& d : flatten(f.directives, fileStack)) {
                if (d.isBlock && d.name == QLatin1String("server")) {
                    server(d, SslDefaults{});
                }
            }
        }
        return m_plan;
    }

private:
    QString where(const NginxDirective& d) const
    {
        const QString file = m_dump.files.value(d.fileIndex).path;
        return QStringLiteral("%1 line %2 (%3 line %4)")
            .arg(m_origin)
            .arg(d.line)
            .arg(file)
            .arg(d.fileLine);
    }

    /// `directives` with every `include` replaced by the included files'
    /// directives (nginx expands includes in place, in glob order).
    QList<NginxDirective> flatten(const QList<NginxDirective>& directives, QList<int>& stack)
    {
        QList<NginxDirective> out;
        for (const NginxDirective& d : directives) {
            if (d.isBlock || d.name != QLatin1String("include") || d.args.size() != 1) {
                out << d;
                continue;
            }
            const QList<int> files = includedFiles(d);
            for (int f : files) {
                if (stack.contains(f)) {
                    m_plan.warnings << where(d) + QStringLiteral(": include of %1 loops; ignored")
                                                      .arg(m_dump.files[f].path);
                    continue;
                }
                if (stack.size() > NginxConfigParser::MaxDepth) {
                    m_plan.warnings << where(d) + QStringLiteral(": includes nested too deep");
                    continue;
                }
                m_visited.insert(f);
                stack << f;
                out << flatten(m_dump.files[f].directives, stack);
                stack.removeLast();
            }
        }
        return out;
    }

    QList<int> includedFiles(const NginxDirective& d)
    {
        QString pattern = d.args.first();
        if (QDir::isRelativePath(pattern)) {
            pattern = m_mainDir + u'/' + pattern;
        }
        pattern = QDir::cleanPath(pattern);
        const bool glob =
            pattern.contains(u'*') || pattern.contains(u'?') || pattern.contains(u'[');
        QList<QPair<QString, int>> matches;
        const QRegularExpression re(glob ? QRegularExpression::wildcardToRegularExpression(pattern)
                                         : QString());
        for (int i = 0; i < m_dump.files.size(); ++i) {
            const QString path = QDir::cleanPath(m_dump.files[i].path);
            if (glob ? re.match(path).hasMatch() : path == pattern) {
                matches << qMakePair(path, i);
            }
        }
        std::sort(matches.begin(), matches.end());
        if (matches.isEmpty() && !glob) {
            m_plan.warnings << where(d) + QStringLiteral(": included file %1 is not in the dump")
                                              .arg(d.args.first());
        }
        QList<int> out;
        for (const auto& m : matches) {
            out << m.second;
        }
        return out;
    }

    /// nginx reads a relative ssl_certificate(_key) path from the folder of
    /// its main configuration file (its conf prefix), which the dump names.
    QString fullName(const QString& path) const
    {
        if (path.isEmpty() || path.startsWith(u'/') || path.contains(u'$') ||
            path.startsWith(QLatin1String("data:")) || path.startsWith(QLatin1String("engine:"))) {
            return path;
        }
        return QDir::cleanPath(m_mainDir + u'/' + path);
    }

    static void collectSsl(const QList<NginxDirective>& flat, SslDefaults& into)
    {
        QStringList certs;
        QStringList keys;
        for (const NginxDirective& d : flat) {
            if (d.isBlock || d.args.isEmpty()) {
                continue;
            }
            if (d.name == QLatin1String("ssl_certificate")) {
                certs << d.args.first();
            } else if (d.name == QLatin1String("ssl_certificate_key")) {
                keys << d.args.first();
            } else if (d.name == QLatin1String("ssl")) {
                into.sslOn = d.args.first() == QLatin1String("on");
            }
        }
        // nginx inherits the whole list only when the level sets none.
        if (!certs.isEmpty()) {
            into.certificates = certs;
        }
        if (!keys.isEmpty()) {
            into.keys = keys;
        }
    }

    void walkTop(const QList<NginxDirective>& flat, const SslDefaults& defaults)
    {
        for (const NginxDirective& d : flat) {
            if (!d.isBlock) {
                continue;
            }
            if (d.name == QLatin1String("http")) {
                QList<int> stack;
                const QList<NginxDirective> body = flatten(d.children, stack);
                SslDefaults http = defaults;
                collectSsl(body, http);
                for (const NginxDirective& s : body) {
                    if (s.isBlock && s.name == QLatin1String("server")) {
                        server(s, http);
                    }
                }
            } else if (d.name == QLatin1String("stream")) {
                m_plan.warnings << where(d) + QStringLiteral(": stream (TCP proxy) servers are not "
                                                             "imported");
            }
        }
    }

    std::optional<Listen> parseListen(const NginxDirective& d)
    {
        const QString spec = d.args.value(0);
        Listen l;
        if (spec.startsWith(QLatin1String("unix:"))) {
            return std::nullopt;
        }
        static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
        if (digits.match(spec).hasMatch() || spec.startsWith(QLatin1String("*:"))) {
            // A port alone, or nginx's "*:PORT": every address. nginx -t
            // refuses a bad port, so a dump holding one is not nginx's.
            auto port = parsePortNumber(spec.startsWith(u'*') ? spec.mid(2) : spec);
            if (!port) {
                m_problems << where(d) +
                                  QStringLiteral(": listen %1: %2").arg(spec, port.error().message);
                return std::nullopt;
            }
            l.port = *port;
        } else if (spec != QLatin1String("*")) {
            // ADDRESS[:PORT] by the shared parser: the address may become an
            // endpoint's host, so it must be one.
            auto hp = parseHostPort(spec, l.port);
            if (!hp) {
                m_problems << where(d) + QStringLiteral(": listen ") + hp.error().message;
                return std::nullopt;
            }
            l.port = hp->port;
            const bool any =
                hp->host == QLatin1String("0.0.0.0") || hp->host == QLatin1String("::");
            l.address = any ? QString() : hp->host;
        }
        for (const QString& flag : d.args.mid(1)) {
            l.ssl = l.ssl || flag == QLatin1String("ssl");
            l.quic = l.quic || flag == QLatin1String("quic");
        }
        return l;
    }

    /// A server_name that is a host to probe, in the form to connect to;
    /// nullopt for catch-alls, regexes, wildcards and anything else that is
    /// no host name (nginx takes any word; an endpoint needs a real name).
    static std::optional<QString> probeable(const QString& name)
    {
        if (name.isEmpty() || name == QLatin1String("_") || name.startsWith(u'~') ||
            name.contains(u'*') || name.startsWith(u'.') || name.contains(u'$')) {
            return std::nullopt;
        }
        auto host = parseHostName(name);
        return host ? std::optional<QString>(*host) : std::nullopt;
    }

    void server(const NginxDirective& s, const SslDefaults& inherited)
    {
        QList<int> stack;
        const QList<NginxDirective> body = flatten(s.children, stack);
        SslDefaults ssl = inherited;
        collectSsl(body, ssl);
        for (QStringList* paths : {&ssl.certificates, &ssl.keys}) {
            for (QString& p : *paths) {
                p = fullName(p);
            }
        }

        QStringList names;
        QStringList unprobeable;
        QList<Listen> listens;
        bool anyListen = false;
        for (const NginxDirective& d : body) {
            if (d.isBlock) {
                continue;
            }
            if (d.name == QLatin1String("server_name")) {
                for (const QString& n : d.args) {
                    // Regexes keep their case: they are shown, not probed.
                    const std::optional<QString> host = probeable(n);
                    const QString name = host ? *host : n;
                    QStringList& list = host ? names : unprobeable;
                    if (!list.contains(name)) {
                        list << name;
                    }
                }
            } else if (d.name == QLatin1String("listen") && !d.args.isEmpty()) {
                anyListen = true;
                if (const auto l = parseListen(d)) {
                    listens << *l;
                }
            }
        }
        if (!anyListen) {
            listens << Listen{}; // nginx's default: *:80
        }
        QList<Listen> tls;
        for (const Listen& l : listens) {
            if (l.quic) {
                continue; // UDP: probed through its TCP twin, if any
            }
            if (l.ssl || ssl.sslOn) {
                bool seen = false;
                for (const Listen& t : tls) {
                    seen = seen || (t.port == l.port && t.address == l.address);
                }
                if (!seen) {
                    tls << l;
                }
            }
        }
        const QString label = names.isEmpty() ? (unprobeable.isEmpty() ? QStringLiteral("(no name)")
                                                                       : unprobeable.join(u' '))
                                              : names.join(u' ');
        if (tls.isEmpty()) {
            m_plan.warnings
                << where(s) + QStringLiteral(": server %1 has no ssl listen; skipped").arg(label);
            return;
        }

        const int target = deployTarget(s, ssl);
        for (const QString& k : ssl.keys) {
            if (!k.contains(u'$') && !k.startsWith(QLatin1String("data:")) &&
                !k.startsWith(QLatin1String("engine:"))) {
                m_plan.addPrivateKeyPath(k);
            }
        }

        QString notes = QStringLiteral("nginx: %1 line %2")
                            .arg(m_dump.files.value(s.fileIndex).path)
                            .arg(s.fileLine);
        if (!unprobeable.isEmpty()) {
            notes += QStringLiteral("; also serves names not probed: ") + unprobeable.join(u' ');
        }
        QList<int> endpointIndexes;
        for (const Listen& l : tls) {
            QStringList hosts = names;
            if (hosts.isEmpty()) {
                if (!l.address.isEmpty()) {
                    hosts << l.address;
                } else if (!m_options.sshHost.isEmpty()) {
                    hosts << m_options.sshHost;
                } else {
                    m_plan.warnings << where(s) + QStringLiteral(": server %1 on port %2 has no "
                                                                 "name to probe; skipped (give the "
                                                                 "host name to use)")
                                                      .arg(label)
                                                      .arg(l.port);
                    continue;
                }
            }
            for (const QString& h : hosts) {
                Endpoint e;
                e.host = h;
                e.port = l.port;
                e.group = m_options.group;
                e.serverKind = ServerKind::Nginx;
                e.notes = notes;
                if (!l.address.isEmpty() && l.address != h) {
                    e.addressOverride = l.address;
                    e.notes += QStringLiteral("; nginx listens on %1 only")
                                   .arg(endpointLabel(l.address, l.port));
                }
                endpointIndexes << m_plan.addEndpoint(e, where(s), target);
            }
        }
        if (m_options.readCertificates) {
            readCertificates(s, ssl, endpointIndexes);
        }
    }

    int deployTarget(const NginxDirective& s, const SslDefaults& ssl)
    {
        if (ssl.certificates.isEmpty() || ssl.keys.isEmpty()) {
            m_plan.warnings << where(s) + QStringLiteral(": server has an ssl listen but no "
                                                         "ssl_certificate/ssl_certificate_key; "
                                                         "no deploy target");
            return -1;
        }
        const QString cert = ssl.certificates.first();
        const QString key = ssl.keys.first();
        if (cert.contains(u'$') || key.contains(u'$') || cert.startsWith(QLatin1String("data:"))) {
            m_plan.warnings << where(s) + QStringLiteral(": ssl_certificate %1 is chosen at run "
                                                         "time (variable or data:); no deploy "
                                                         "target")
                                              .arg(cert);
            return -1;
        }
        if (ssl.certificates.size() > 1) {
            m_plan.warnings << where(s) + QStringLiteral(": %1 certificates (e.g. RSA and ECDSA); "
                                                         "the deploy target uses the first, %2")
                                              .arg(ssl.certificates.size())
                                              .arg(cert);
        }
        // Only what the dump and the admin said: a dump names no SSH port,
        // nor how this nginx is checked and reloaded (which binary, which
        // service manager); the endpoints' server kind says it is nginx.
        DeployTarget t;
        t.sshHost = m_options.sshHost;
        t.sshUser = m_options.sshUser;
        t.local = m_options.local;
        t.fullchainPath = cert;
        t.keyPath = key;
        return m_plan.addDeployTarget(t);
    }

    void readCertificates(const NginxDirective& s, const SslDefaults& ssl,
                          const QList<int>& endpointIndexes)
    {
        for (const QString& path : ssl.certificates) {
            if (path.contains(u'$') || path.startsWith(QLatin1String("data:"))) {
                continue;
            }
            const QString local = m_options.fileRoot.isEmpty()
                                      ? path
                                      : QDir::cleanPath(m_options.fileRoot + u'/' + path);
            if (m_readFailed.contains(local)) {
                continue;
            }
            auto scanned = CertificateFileScanner::scanFile(local);
            if (!scanned) {
                m_readFailed.insert(local);
                m_plan.warnings << where(s) + QStringLiteral(": ssl_certificate not read: ") +
                                       scanned.error().message;
                continue;
            }
            for (qsizetype i = 0; i < scanned->certificates.size(); ++i) {
                const bool leaf = i == 0;
                const int c = m_plan.addCertificate(scanned->certificates[i], path, -1, leaf);
                if (leaf) {
                    for (int e : endpointIndexes) {
                        if (!m_plan.certificates[c].endpointIndexes.contains(e)) {
                            m_plan.certificates[c].endpointIndexes << e;
                        }
                    }
                }
            }
        }
    }

    const NginxDump& m_dump;
    QString m_origin;
    NginxDumpImporter::Options m_options;
    QString m_mainDir;
    QSet<int> m_visited;
    QSet<QString> m_readFailed;
    ImportPlan m_plan;
    QStringList m_problems;
};

} // namespace

Result<ImportPlan> NginxDumpImporter::parse(const QByteArray& dump, const QString& originName,
                                            const Options& options)
{
    const QString origin = originName.isEmpty() ? QStringLiteral("nginx -T output") : originName;
    if (dump.size() > MaxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is %2 MB; `nginx -T` output over %3 MB is refused")
                        .arg(origin)
                        .arg(double(dump.size()) / (1024 * 1024), 0, 'f', 1)
                        .arg(MaxBytes / (1024 * 1024)));
    }
    if (dump.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(origin));
    }
    auto parsed = NginxConfigParser::parseDump(dump, origin);
    if (!parsed) {
        return tl::unexpected(parsed.error());
    }
    PlanBuilder builder(*parsed, origin, options);
    ImportPlan plan = builder.run();
    if (!builder.problems().isEmpty()) {
        return refuseMalformed(builder.problems());
    }
    return plan;
}

Result<ImportPlan> NginxDumpImporter::readFile(const QString& path, const Options& options)
{
    auto data = readFileCapped(path, MaxBytes);
    if (!data) {
        Error e = data.error();
        e.message = path + QStringLiteral(": ") + e.message;
        return tl::unexpected(e);
    }
    return parse(*data, QFileInfo(path).fileName(), options);
}

} // namespace certdeck::inventory
