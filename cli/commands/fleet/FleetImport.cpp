// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetImport.h"

#include "common/SecureFile.h"
#include "inventory/FleetView.h"
#include "inventory/ImportApplier.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "inventory/import/FleetCsv.h"
#include "inventory/import/ImportSource.h"
#include "inventory/import/InventoryJson.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace certdeck::cli {

using namespace certdeck::inventory;

namespace {

/// An import refused before anything was written: exit 3 (UNKNOWN), as for
/// any input that cannot be read as what it claims to be (a cut PEM file, a
/// JSON syntax error), since the fleet's state is then not known. Every
/// malformed place is listed, one a line, and under "problems" in JSON.
ExitCode refuseImport(CommandContext& ctx, const Error& error)
{
    const QStringList problems =
        error.detail.isEmpty() ? QStringList{error.message} : error.detail.split(u'\n');
    if (ctx.json) {
        QJsonObject o = errorJson(error);
        QJsonObject e = o.value(QStringLiteral("error")).toObject();
        e.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
        o.insert(QStringLiteral("error"), e);
        printJson(ctx.out, o);
    }
    ctx.err << "certdeckctl: nothing imported: " << error.message << "\n";
    if (!error.detail.isEmpty()) {
        for (const QString& p : problems) {
            ctx.err << "  " << p << "\n";
        }
    }
    ctx.err.flush();
    return ExitCode::Unknown;
}

} // namespace

ExitCode runFleetImport(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("nginx (nginx -T output), hosts (host list or "
                                                   "CSV), certbot (/etc/letsencrypt), pem (a "
                                                   "folder), json (a CertDeck export)"),
                                    QStringLiteral("FORMAT"));
    const QCommandLineOption sshHost(QStringLiteral("ssh-host"),
                                     QStringLiteral("Host the files belong to (deploy targets)."),
                                     QStringLiteral("HOST"));
    const QCommandLineOption sshUser(QStringLiteral("ssh-user"),
                                     QStringLiteral("SSH user for the deploy targets."),
                                     QStringLiteral("USER"));
    const QCommandLineOption local(QStringLiteral("local"),
                                   QStringLiteral("The files are on this machine: local deploy "
                                                  "targets, no SSH."));
    const QCommandLineOption group(QStringLiteral("group"),
                                   QStringLiteral("Group for new endpoints."),
                                   QStringLiteral("GROUP"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Check and count everything the import would "
                                                   "add; keep nothing."));
    for (const auto& o : {format, sshHost, sshUser, local, group, dryRun}) {
        p.addOption(o);
    }
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("import")} + p.positionalArguments(), &code)) {
        return code;
    }
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1 || !p.isSet(format)) {
        return usageError(ctx, QStringLiteral("'fleet import' needs --format and one PATH"));
    }
    const auto fmt = importFormatFromName(p.value(format));
    if (!fmt) {
        return usageError(ctx, QStringLiteral("Unknown import format '%1': use nginx, hosts, "
                                              "certbot, pem or json")
                                   .arg(p.value(format)));
    }
    if (p.isSet(local) && (p.isSet(sshHost) || p.isSet(sshUser))) {
        return usageError(ctx, QStringLiteral("--local (the files are on this machine) and "
                                              "--ssh-host/--ssh-user exclude each other"));
    }
    ImportRequest request;
    request.format = *fmt;
    request.path = pos.first();
    request.sshHost = p.value(sshHost);
    request.sshUser = p.value(sshUser);
    request.local = p.isSet(local);
    request.group = p.value(group);
    auto plan = readImport(request);
    if (!plan) {
        return refuseImport(ctx, plan.error());
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    // A dry run is the import itself, rolled back: it refuses what the
    // import refuses, with the same words and exit code, and counts what
    // the import would add against what the store already holds.
    const bool dry = p.isSet(dryRun);
    auto summary =
        dry ? ImportApplier::dryRun(**store, *plan) : ImportApplier::apply(**store, *plan);
    if (!summary) {
        Error e = summary.error();
        if (!e.detail.isEmpty()) {
            // The applier's detail is evidence for its one message, not a
            // list of problems: keep it on the message's line.
            e.message = e.toString();
            e.detail.clear();
        }
        return refuseImport(ctx, e);
    }
    if (ctx.json) {
        QJsonArray endpoints;
        for (qsizetype i = 0; i < plan->endpoints.size(); ++i) {
            const Endpoint& e = plan->endpoints.at(i);
            endpoints << QJsonObject{
                {QStringLiteral("address"), endpointAddress(e.host, e.port)},
                {QStringLiteral("sni"), e.sniName},
                {QStringLiteral("alreadyKnown"), bool(summary->alreadyKnown.value(i))}};
        }
        printJson(ctx.out,
                  {{QStringLiteral("dryRun"), dry},
                   {QStringLiteral("endpoints"), endpoints},
                   {QStringLiteral("endpointsAdded"), summary->endpointsAdded},
                   {QStringLiteral("endpointsExisting"), summary->endpointsExisting},
                   {QStringLiteral("deployTargets"), summary->deployTargets},
                   {QStringLiteral("deployTargetsExisting"), summary->deployTargetsExisting},
                   {QStringLiteral("certificates"), summary->certificates},
                   {QStringLiteral("certificatesExisting"), summary->certificatesExisting},
                   {QStringLiteral("certificateVersions"), summary->certificateVersions},
                   {QStringLiteral("issuers"), summary->issuers},
                   {QStringLiteral("renewalPolicies"), summary->renewalPolicies},
                   {QStringLiteral("warnings"), QJsonArray::fromStringList(plan->warnings)},
                   {QStringLiteral("notes"), QJsonArray::fromStringList(summary->notes)}});
    } else {
        ctx.out << (dry ? "Would add " : "Imported ") << summary->endpointsAdded
                << " new endpoint(s) (" << summary->endpointsExisting << " already known), "
                << summary->deployTargets << " new deploy target(s), " << summary->certificates
                << " new certificate(s) (" << summary->certificatesExisting << " already known)";
        if (summary->certificateVersions > 0) {
            ctx.out << ", " << summary->certificateVersions
                    << " new current certificate(s) recorded as issued";
        }
        if (summary->renewalPolicies > 0) {
            ctx.out << ", " << summary->renewalPolicies << " renewal policy(ies)";
        }
        ctx.out << (dry ? "; nothing was kept (dry run)" : "") << "\n";
        if (dry) {
            for (qsizetype i = 0; i < plan->endpoints.size(); ++i) {
                const Endpoint& e = plan->endpoints.at(i);
                ctx.out << (summary->alreadyKnown.value(i) ? "  known  " : "  new    ")
                        << endpointAddress(e.host, e.port) << "\n";
            }
        }
        for (const QString& w : plan->warnings) {
            ctx.out << "WARNING: " << w << "\n";
        }
        for (const QString& n : summary->notes) {
            ctx.out << "NOTE: " << n << "\n";
        }
        ctx.out.flush();
    }
    return plan->warnings.isEmpty() ? ExitCode::Ok : ExitCode::Warning;
}

ExitCode runFleetExport(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("json or csv"),
                                    QStringLiteral("FORMAT"), QStringLiteral("json"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Write here, not stdout."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("Replace FILE."));
    p.addOption(format);
    p.addOption(out);
    p.addOption(force);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("export")} + p.positionalArguments(), &code)) {
        return code;
    }
    const QString fmt = p.value(format);
    if (fmt != QLatin1String("json") && fmt != QLatin1String("csv")) {
        return unknownValue(ctx, QStringLiteral("format"), fmt,
                            {QStringLiteral("json"), QStringLiteral("csv")});
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto rows = loadFleet(**store);
    if (!rows) {
        return reportError(ctx, rows.error());
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QByteArray data;
    if (fmt == QLatin1String("csv")) {
        QList<FleetCsvRow> csv;
        for (const FleetRow& r : *rows) {
            csv << FleetCsvRow{r.endpoint, r.certificate};
        }
        data = FleetCsv::write(csv, now);
    } else {
        QList<Endpoint> endpoints;
        QList<DeployTarget> targets;
        QList<CertificateRecord> certs;
        QSet<qint64> seenTargets;
        QSet<qint64> seenCerts;
        for (const FleetRow& r : *rows) {
            endpoints << r.endpoint;
            if (r.deployTarget && !seenTargets.contains(r.deployTarget->id)) {
                seenTargets.insert(r.deployTarget->id);
                targets << *r.deployTarget;
            }
            if (r.certificate && !seenCerts.contains(r.certificate->id)) {
                seenCerts.insert(r.certificate->id);
                certs << *r.certificate;
            }
        }
        data = InventoryJson::write(endpoints, targets, certs, now);
    }
    if (!p.isSet(out)) {
        ctx.out << QString::fromUtf8(data);
        ctx.out.flush();
        return ExitCode::Ok;
    }
    if (auto w =
            writeFileAtomically(p.value(out), data, {.secret = false, .overwrite = p.isSet(force)});
        !w) {
        return reportError(ctx, w.error());
    }
    ctx.err << "certdeckctl: wrote " << rows->size() << " endpoint(s) to " << p.value(out) << "\n";
    ctx.err.flush();
    return ExitCode::Ok;
}

} // namespace certdeck::cli
