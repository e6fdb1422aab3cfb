// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl config gen SERVER: a server's TLS configuration from a policy,
// validated by the real server binary before it is printed, optionally as a
// diff against the host's current configuration. --endpoint takes names,
// port and deploy paths from the inventory (here, not in core/config, which
// knows nothing of the inventory).
#include "CliSupport.h"
#include "common/SecureFile.h"
#include "config/ConfigGenerator.h"
#include "config/ConfigValidator.h"
#include "config/LineDiff.h"
#include "inventory/EndpointRepository.h"
#include "inventory/Store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

using namespace certdeck::config;

struct GenOptions
{
    QCommandLineOption policy{QStringLiteral("policy"),
                              QStringLiteral("modern (TLS 1.3 only), intermediate (TLS 1.2 and "
                                             "1.3) or old (legacy clients only)."),
                              QStringLiteral("POLICY")};
    QCommandLineOption endpoint{QStringLiteral("endpoint"),
                                QStringLiteral("Inventory endpoint (id or HOST[:PORT]): its "
                                               "name, port and deploy-target paths."),
                                QStringLiteral("E")};
    QCommandLineOption name{QStringLiteral("name"),
                            QStringLiteral("Server name (repeat for more; the first is the "
                                           "main one)."),
                            QStringLiteral("HOST")};
    QCommandLineOption listen{QStringLiteral("listen"),
                              QStringLiteral("PORT, ADDR:PORT or [IPv6]:PORT (default 443 on "
                                             "every address)."),
                              QStringLiteral("ADDR:PORT")};
    QCommandLineOption cert{QStringLiteral("cert"),
                            QStringLiteral("The certificate as served: leaf then intermediates "
                                           "(fullchain.pem)."),
                            QStringLiteral("FILE")};
    QCommandLineOption key{QStringLiteral("key"), QStringLiteral("Its private key."),
                           QStringLiteral("FILE")};
    QCommandLineOption chain{QStringLiteral("chain"),
                             QStringLiteral("The intermediates alone (chain.pem), for OCSP "
                                            "stapling checks."),
                             QStringLiteral("FILE")};
    QCommandLineOption pem{QStringLiteral("pem"),
                           QStringLiteral("HAProxy's crt file: key, leaf and chain in one "
                                          "(default haproxy.pem beside --cert)."),
                           QStringLiteral("FILE")};
    QCommandLineOption dhparam{QStringLiteral("dhparam"),
                               QStringLiteral("DH parameters file: also offer the policy's DHE "
                                              "suites."),
                               QStringLiteral("FILE")};
    QCommandLineOption ticketKey{QStringLiteral("ticket-key"),
                                 QStringLiteral("Session-ticket key file to rotate (default: "
                                                "tickets off)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption hstsMaxAge{QStringLiteral("hsts-max-age"),
                                  QStringLiteral("HSTS max-age in seconds (default 63072000)."),
                                  QStringLiteral("N")};
    QCommandLineOption noHsts{QStringLiteral("no-hsts"),
                              QStringLiteral("No Strict-Transport-Security header.")};
    QCommandLineOption noStapling{QStringLiteral("no-stapling"),
                                  QStringLiteral("No OCSP stapling.")};
    QCommandLineOption diff{QStringLiteral("diff"),
                            QStringLiteral("Print a unified diff from this current "
                                           "configuration file to the generated one."),
                            QStringLiteral("CURRENT_FILE")};
    QCommandLineOption noValidate{QStringLiteral("no-validate"),
                                  QStringLiteral("Do not run the server's own check (for files "
                                                 "that exist only on the server).")};

    void addTo(QCommandLineParser& p) const
    {
        p.addOptions({policy, endpoint, name, listen, cert, key, chain, pem, dhparam, ticketKey,
                      hstsMaxAge, noHsts, noStapling, diff, noValidate});
    }
};

/// The settings from the options alone: every usage mistake is refused
/// here, before the store or any file is touched.
Result<ServerTlsSettings> settingsFromOptions(const QCommandLineParser& p, const GenOptions& o)
{
    ServerTlsSettings s;
    if (!p.isSet(o.policy)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--policy is required (modern, intermediate or old)"));
    }
    auto policy = parseTlsPolicyName(p.value(o.policy));
    if (!policy) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("--policy: ") + policy.error().message);
    }
    s.policy = *policy;
    s.serverNames = p.values(o.name);
    if (s.serverNames.isEmpty() && !p.isSet(o.endpoint)) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("give --name HOST or --endpoint E"));
    }
    if (p.isSet(o.listen)) {
        if (Status ok = parseListen(p.value(o.listen), &s); !ok) {
            return fail(ErrorCode::InvalidInput, QStringLiteral("--listen: ") + ok.error().message);
        }
    }
    const std::pair<const QCommandLineOption*, QString*> files[] = {
        {&o.cert, &s.certificateFile}, {&o.key, &s.keyFile},
        {&o.chain, &s.chainFile},      {&o.pem, &s.combinedPemFile},
        {&o.dhparam, &s.dhparamFile},  {&o.ticketKey, &s.ticketKeyFile}};
    for (const auto& [option, field] : files) {
        if (p.isSet(*option)) {
            // Written into the configuration: absolute, as the server reads it.
            *field = QFileInfo(p.value(*option)).absoluteFilePath();
        }
    }
    if (p.isSet(o.noHsts) && p.isSet(o.hstsMaxAge)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--no-hsts and --hsts-max-age contradict each other"));
    }
    s.hsts = !p.isSet(o.noHsts);
    if (p.isSet(o.hstsMaxAge)) {
        bool ok = false;
        const qint64 age = p.value(o.hstsMaxAge).toLongLong(&ok);
        if (!ok || age < 0) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("--hsts-max-age must be a number of seconds, not '%1'")
                            .arg(p.value(o.hstsMaxAge)));
        }
        s.hstsMaxAge = age;
    }
    s.ocspStapling = !p.isSet(o.noStapling);
    return s;
}

/// Names, port and file paths from the inventory endpoint, where the
/// options did not give them.
Status applyEndpoint(CommandContext& ctx, const QString& ref, const QCommandLineParser& p,
                     const GenOptions& o, ServerTlsSettings* s)
{
    auto store = ctx.store();
    if (!store) {
        return tl::unexpected(store.error());
    }
    auto endpoint = (*store)->endpoints().resolve(ref);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    if (s->serverNames.isEmpty()) {
        s->serverNames = {endpoint->sniName.isEmpty() ? endpoint->host : endpoint->sniName};
    }
    if (!p.isSet(o.listen)) {
        s->listenPort = endpoint->port;
    }
    if (!endpoint->deployTargetId) {
        return {};
    }
    auto target = (*store)->endpoints().deployTarget(*endpoint->deployTargetId);
    if (!target) {
        return tl::unexpected(target.error());
    }
    if (!p.isSet(o.cert) && !target->fullchainPath.isEmpty()) {
        s->certificateFile = target->fullchainPath;
    }
    if (!p.isSet(o.key) && !target->keyPath.isEmpty()) {
        s->keyFile = target->keyPath;
    }
    if (!p.isSet(o.pem) && !target->combinedPemPath.isEmpty()) {
        s->combinedPemFile = target->combinedPemPath;
    }
    return {};
}

QJsonObject reportJson(const ValidationReport& r)
{
    return {{QStringLiteral("ran"), r.ran},
            {QStringLiteral("command"), r.command},
            {QStringLiteral("output"), r.output},
            {QStringLiteral("skippedReason"), r.skippedReason}};
}

ExitCode runConfig(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    GenOptions o;
    o.addTo(p);
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("gen SERVER"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    const QStringList pos = p.positionalArguments();
    if (!checkSubcommand(ctx, p, QStringLiteral("config"), pos, &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (pos.isEmpty() || pos.first() != QLatin1String("gen")) {
        return usageError(ctx, QStringLiteral("'config' needs an action: gen SERVER; see "
                                              "certdeckctl config --help"));
    }
    auto server =
        pos.size() == 2 ? parseServerSoftware(pos.at(1)) : fail(ErrorCode::InvalidInput, QString());
    if (!server) {
        return usageError(
            ctx, QStringLiteral("'config gen' needs one server: %1 (not '%2')")
                     .arg(serverSoftwareIds().join(QStringLiteral(", ")), pos.mid(1).join(u' ')));
    }
    auto settings = settingsFromOptions(p, o);
    if (!settings) {
        return usageError(ctx, settings.error().message);
    }
    // Read before anything else runs: a missing file is named at once.
    QByteArray current;
    if (p.isSet(o.diff)) {
        auto data = readFileCapped(p.value(o.diff), 16 * 1024 * 1024);
        if (!data) {
            return reportError(ctx, Error{data.error().code,
                                          QStringLiteral("the current configuration %1 cannot be "
                                                         "read: %2")
                                              .arg(p.value(o.diff), data.error().message),
                                          data.error().detail});
        }
        current = *data;
    }
    if (p.isSet(o.endpoint)) {
        if (Status ok = applyEndpoint(ctx, p.value(o.endpoint), p, o, &*settings); !ok) {
            return reportError(ctx, ok.error());
        }
    }
    auto generated = generateConfig(*server, *settings);
    if (!generated) {
        return reportError(ctx, generated.error());
    }
    std::optional<ValidationReport> validation;
    if (!p.isSet(o.noValidate)) {
        auto report = validateConfig(*server, *settings);
        if (!report) {
            Error e = report.error();
            if (e.code == ErrorCode::NotFound) {
                e.detail = QStringLiteral("validation reads the files the configuration names "
                                          "on this machine; give local ones, or --no-validate");
            }
            return reportError(ctx, e);
        }
        validation = *report;
    }
    QString diffText;
    if (p.isSet(o.diff)) {
        diffText =
            unifiedDiff(QString::fromUtf8(current), generated->text, p.value(o.diff),
                        QStringLiteral("generated (%1, %2)")
                            .arg(serverSoftwareId(*server), tlsPolicy(settings->policy).id()));
    }

    if (ctx.json) {
        QJsonObject out{
            {QStringLiteral("server"), serverSoftwareId(*server)},
            {QStringLiteral("policy"), tlsPolicy(settings->policy).id()},
            {QStringLiteral("legacy"), tlsPolicy(settings->policy).legacy},
            {QStringLiteral("config"), generated->text},
            {QStringLiteral("warnings"), QJsonArray::fromStringList(generated->warnings)},
            {QStringLiteral("validation"),
             validation ? QJsonValue(reportJson(*validation)) : QJsonValue()}};
        if (p.isSet(o.diff)) {
            out.insert(QStringLiteral("diff"), diffText);
            out.insert(QStringLiteral("identical"), diffText.isEmpty());
        }
        printJson(ctx.out, out);
    } else {
        ctx.out << (p.isSet(o.diff) ? diffText : generated->text);
        ctx.out.flush();
        for (const QString& w : generated->warnings) {
            ctx.err << "certdeckctl: warning: " << w << "\n";
        }
        if (!validation) {
            ctx.err << "certdeckctl: not validated (--no-validate)\n";
        } else if (!validation->ran) {
            ctx.err << "certdeckctl: not validated: " << validation->skippedReason << "\n";
        } else {
            ctx.err << "certdeckctl: validated: " << validation->command << " passed\n";
        }
        if (p.isSet(o.diff) && diffText.isEmpty()) {
            ctx.err << "certdeckctl: " << p.value(o.diff) << " already has this configuration\n";
        }
        ctx.err.flush();
    }
    return ExitCode::Ok;
}

SubcommandSpec genSpec(const QString& server, const QString& what, bool haproxy)
{
    QStringList options{
        QStringLiteral("policy"),       QStringLiteral("endpoint"),   QStringLiteral("name"),
        QStringLiteral("listen"),       QStringLiteral("cert"),       QStringLiteral("key"),
        QStringLiteral("chain"),        QStringLiteral("dhparam"),    QStringLiteral("ticket-key"),
        QStringLiteral("hsts-max-age"), QStringLiteral("no-hsts"),    QStringLiteral("no-stapling"),
        QStringLiteral("diff"),         QStringLiteral("no-validate")};
    if (haproxy) {
        options << QStringLiteral("pem");
    }
    return {QStringLiteral("gen ") + server,
            QStringLiteral("--policy modern|intermediate|old [--endpoint E] [--name HOST]... "
                           "[--listen ADDR:PORT] [--cert FILE --key FILE --chain FILE]%1 "
                           "[--dhparam FILE] [--ticket-key FILE] [--hsts-max-age N|--no-hsts] "
                           "[--no-stapling] [--diff CURRENT_FILE] [--no-validate]")
                .arg(haproxy ? QStringLiteral(" [--pem FILE]") : QString()),
            options,
            what + QStringLiteral(
                       "\nPolicies follow Mozilla's Server Side TLS guidelines 5.7: modern is TLS "
                       "1.3 only;\nintermediate is TLS 1.2 and 1.3 with ECDHE AEAD suites (and DHE "
                       "ones with\n--dhparam); old is for legacy clients only and says so in the "
                       "output.\nBefore it is printed, the configuration is checked by the real "
                       "server in a\nprivate temporary folder, with copies of the files it names "
                       "(which must exist\nhere) and a check that the key belongs to the "
                       "certificate; a refusal exits 3\nwith the server's own output. With --diff "
                       "the output is a unified diff from\nCURRENT_FILE to the generated text "
                       "(empty when they match).")};
}

QList<SubcommandSpec> configSubcommands()
{
    return {genSpec(QStringLiteral("nginx"),
                    QStringLiteral("An nginx server { } block for the http context, checked with "
                                   "nginx -t."),
                    false),
            genSpec(QStringLiteral("haproxy"),
                    QStringLiteral("An HAProxy global section and frontend, checked with haproxy "
                                   "-c.\nThe bind line names one PEM with key, leaf and chain "
                                   "(--pem)."),
                    true),
            genSpec(QStringLiteral("apache"),
                    QStringLiteral("Apache httpd 2.4 SSL settings and a <VirtualHost>, checked "
                                   "with apache2 -t."),
                    false),
            genSpec(QStringLiteral("envoy"),
                    QStringLiteral("An Envoy static listener with its TLS transport socket; "
                                   "checked with\nenvoy --mode validate only where an envoy "
                                   "binary exists (Debian 12 has none)."),
                    false)};
}

} // namespace

CERTDECK_COMMAND({QStringLiteral("config"),
                  QStringLiteral("  config gen nginx|haproxy|apache|envoy --policy P  a server's "
                                 "TLS configuration, validated by the server\n"),
                  runConfig, configSubcommands()});

} // namespace certdeck::cli
