// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet: the endpoints of the inventory (add, list, show, edit,
// rm, attach). Every change goes through the store, which audits it under the
// OS user name and refuses an edit made on a stale revision.
#include "CliSupport.h"
#include "FleetAttach.h"
#include "FleetFields.h"
#include "FleetImport.h"
#include "FleetShow.h"
#include "FleetTrust.h"
#include "common/HostPort.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>

namespace certdeck::cli {

namespace {

using inventory::Endpoint;
using inventory::ExpiryState;
using inventory::FleetRow;
using inventory::Store;

/// The rows of `endpoints` with their current certificates.
Result<QList<FleetRow>> withCertificates(const Store& store, const QList<Endpoint>& endpoints)
{
    auto certificates = store.certificates().current();
    if (!certificates) {
        return tl::unexpected(certificates.error());
    }
    QList<FleetRow> rows;
    for (const Endpoint& e : endpoints) {
        FleetRow r;
        r.endpoint = e;
        if (auto c = certificates->constFind(e.id); c != certificates->constEnd()) {
            r.certificate = *c;
        }
        rows << r;
    }
    return rows;
}

void printTable(QTextStream& out, const QList<FleetRow>& fleet, const QDateTime& now, int warnDays)
{
    const QStringList headers = {
        QStringLiteral("ID"),   QStringLiteral("ENDPOINT"), QStringLiteral("GROUP"),
        QStringLiteral("KIND"), QStringLiteral("SNI"),      QStringLiteral("EXPIRES"),
        QStringLiteral("DAYS"), QStringLiteral("STATUS"),   QStringLiteral("TAGS")};
    QList<QStringList> rows;
    for (const FleetRow& r : fleet) {
        const Endpoint& e = r.endpoint;
        const FleetExpiry x = fleetExpiry(r.certificate, now, warnDays);
        rows << QStringList{QString::number(e.id),
                            inventory::endpointAddress(e.host, e.port),
                            e.group.isEmpty() ? QStringLiteral("-") : e.group,
                            inventory::serverKindName(e.serverKind),
                            inventory::sniSent(e),
                            x.date,
                            x.days,
                            x.status,
                            e.tags.isEmpty() ? QStringLiteral("-") : e.tags.join(u',')};
    }
    QList<qsizetype> widths;
    for (qsizetype c = 0; c < headers.size(); ++c) {
        qsizetype w = headers.at(c).size();
        for (const QStringList& r : rows) {
            w = std::max(w, r.at(c).size());
        }
        widths << w;
    }
    auto printRow = [&](const QStringList& cells) {
        QString line;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            line +=
                c + 1 < cells.size() ? cells.at(c).leftJustified(widths.at(c) + 2) : cells.at(c);
        }
        out << line << "\n";
    };
    printRow(headers);
    for (const QStringList& r : rows) {
        printRow(r);
    }
    out << fleet.size() << (fleet.size() == 1 ? " endpoint\n" : " endpoints\n");
    out.flush();
}

/// What `fleet list --check` answers for a state: OK 0; EXPIRING and NO
/// CERTIFICATE 1 (the inventory cannot vouch for an endpoint it has no
/// certificate of: probe it or attach one); EXPIRED and REVOKED 2.
ExitCode checkCode(ExpiryState state)
{
    switch (state) {
    case ExpiryState::Ok:
        return ExitCode::Ok;
    case ExpiryState::Expiring:
    case ExpiryState::NoCertificate:
        return ExitCode::Warning;
    case ExpiryState::Expired:
    case ExpiryState::Revoked:
        return ExitCode::Critical;
    }
    return ExitCode::Unknown;
}

/// `fleet list --check`: a monitoring plugin's answer. The first line is the
/// summary with performance data (Nagios style), then one line per endpoint
/// that is not OK, worst first.
ExitCode printCheck(CommandContext& ctx, const QList<FleetRow>& rows, const QDateTime& now,
                    int warnDays)
{
    if (rows.isEmpty()) {
        // A filter that matches nothing must not pass as healthy.
        return reportError(ctx, Error{ErrorCode::NotFound,
                                      QStringLiteral("no endpoint matches; nothing to check"),
                                      {}});
    }
    // Worst first: the order of the summary and of the lines below it.
    const QList<ExpiryState> order = {ExpiryState::Revoked, ExpiryState::Expired,
                                      ExpiryState::Expiring, ExpiryState::NoCertificate,
                                      ExpiryState::Ok};
    QMap<ExpiryState, int> counts;
    ExitCode worst = ExitCode::Ok;
    QList<std::pair<ExpiryState, const FleetRow*>> notOk;
    for (const FleetRow& r : rows) {
        const ExpiryState state = inventory::expiryState(r, now, warnDays);
        ++counts[state];
        worst = std::max(worst, checkCode(state));
        if (state != ExpiryState::Ok) {
            notOk.append({state, &r});
        }
    }
    std::stable_sort(notOk.begin(), notOk.end(), [&](const auto& a, const auto& b) {
        return order.indexOf(a.first) < order.indexOf(b.first);
    });
    const QString word = worst == ExitCode::Ok        ? QStringLiteral("OK")
                         : worst == ExitCode::Warning ? QStringLiteral("WARNING")
                                                      : QStringLiteral("CRITICAL");
    QStringList parts;
    QStringList perf;
    QJsonObject countsJson;
    for (ExpiryState state : order) {
        const QString name = inventory::expiryStateWord(state);
        const QString key = name.toLower().replace(u' ', u'_');
        if (counts.value(state) > 0) {
            parts << QStringLiteral("%1 %2").arg(counts.value(state)).arg(name);
        }
        perf << QStringLiteral("%1=%2").arg(key).arg(counts.value(state));
        countsJson.insert(key, counts.value(state));
    }
    const QString summary = QStringLiteral("FLEET %1 - %2 endpoint(s): %3")
                                .arg(word)
                                .arg(rows.size())
                                .arg(parts.join(QStringLiteral(", ")));
    if (ctx.json) {
        QJsonArray endpoints;
        for (const FleetRow& r : rows) {
            endpoints.append(
                fleetEndpointJson(r.endpoint, fleetExpiry(r.certificate, now, warnDays)));
        }
        printJson(ctx.out,
                  {{QStringLiteral("check"), QJsonObject{{QStringLiteral("status"), word},
                                                         {QStringLiteral("exitCode"), int(worst)},
                                                         {QStringLiteral("summary"), summary},
                                                         {QStringLiteral("counts"), countsJson}}},
                   {QStringLiteral("endpoints"), endpoints}});
        return worst;
    }
    ctx.out << summary << " | " << perf.join(u' ') << "\n";
    for (const auto& [state, r] : notOk) {
        const FleetExpiry x = fleetExpiry(r->certificate, now, warnDays);
        ctx.out << x.status << " " << inventory::endpointAddress(r->endpoint.host, r->endpoint.port)
                << " sni " << inventory::sniSent(r->endpoint);
        if (r->certificate) {
            ctx.out << " not after " << x.date << " (" << x.days << " days)";
        }
        ctx.out << "\n";
    }
    ctx.out.flush();
    return worst;
}

/// Options shared by add and edit.
struct FieldOptions
{
    QCommandLineOption sni{QStringLiteral("sni"), QStringLiteral("SNI name (default: the host)."),
                           QStringLiteral("NAME")};
    QCommandLineOption ip{QStringLiteral("ip"),
                          QStringLiteral("Connect to this address instead of resolving the host."),
                          QStringLiteral("ADDR")};
    QCommandLineOption group{QStringLiteral("group"), QStringLiteral("Group name."),
                             QStringLiteral("G")};
    QCommandLineOption tag{
        QStringLiteral("tag"),
        QStringLiteral("A tag (repeat for several; on edit, replaces the tags)."),
        QStringLiteral("T")};
    QCommandLineOption kind{QStringLiteral("kind"),
                            QStringLiteral("Server kind: %1.")
                                .arg(inventory::serverKindNames().join(QLatin1String(", "))),
                            QStringLiteral("KIND")};
    QCommandLineOption notes{QStringLiteral("notes"), QStringLiteral("Free text."),
                             QStringLiteral("TEXT")};

    void addTo(QCommandLineParser& p) const { p.addOptions({sni, ip, group, tag, kind, notes}); }

    /// Applies the options given to `e`; a usage problem as an error.
    [[nodiscard]] Status apply(const QCommandLineParser& p, Endpoint& e) const
    {
        if (p.isSet(sni)) {
            // Empty clears it: the SNI is then the host again.
            if (!p.value(sni).isEmpty()) {
                auto name = parseHostName(p.value(sni));
                if (!name) {
                    return fail(ErrorCode::InvalidInput,
                                QStringLiteral("--sni: ") + name.error().message);
                }
                e.sniName = *name;
            } else {
                e.sniName.clear();
            }
        }
        if (p.isSet(ip)) {
            const QHostAddress a(p.value(ip));
            if (!p.value(ip).isEmpty() && a.isNull()) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("--ip: \"%1\" is not an IP address").arg(p.value(ip)));
            }
            e.addressOverride = a.isNull() ? QString() : a.toString();
        }
        if (p.isSet(group)) {
            e.group = p.value(group);
        }
        if (p.isSet(tag)) {
            e.tags.clear();
            for (const QString& t : p.values(tag)) {
                if (!e.tags.contains(t)) {
                    e.tags << t;
                }
            }
        }
        if (p.isSet(kind)) {
            const auto k = inventory::serverKindFromName(p.value(kind));
            if (!k) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("Unknown --kind '%1'; use one of: %2")
                                .arg(p.value(kind),
                                     inventory::serverKindNames().join(QLatin1String(", "))));
            }
            e.serverKind = *k;
        }
        if (p.isSet(notes)) {
            e.notes = p.value(notes);
        }
        return {};
    }
};

/// The endpoint named by ID or HOST[:PORT] (with --sni when several share it).
Result<Endpoint> resolve(Store& store, const QString& ref, const QString& sni)
{
    return store.endpoints().resolve(ref, sni);
}

ExitCode runAdd(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    FieldOptions fields;
    fields.addTo(p);
    const QCommandLineOption trust = trustBundleOption();
    p.addOption(trust);
    p.addPositionalArgument(QStringLiteral("address"), QStringLiteral("HOST[:PORT]"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("add")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (p.positionalArguments().size() != 1) {
        return usageError(ctx, QStringLiteral("'fleet add' needs one HOST[:PORT]"));
    }
    auto address = parseHostPort(p.positionalArguments().first(), 443);
    if (!address) {
        return usageError(ctx, address.error().message);
    }
    Endpoint e;
    e.host = address->host;
    e.port = address->port;
    if (auto s = fields.apply(p, e); !s) {
        return usageError(ctx, s.error().message);
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    if (auto s = applyTrustBundle(**store, p, trust, e); !s) {
        return reportError(ctx, s.error());
    }
    auto added = (*store)->endpoints().add(e);
    if (!added) {
        return reportError(ctx, added.error());
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("endpoint"), fleetEndpointJson(*added)}});
    } else {
        ctx.out << "Added " << inventory::endpointAddress(added->host, added->port) << " (id "
                << added->id << ")\n";
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runList(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption group(QStringLiteral("group"), QStringLiteral("Only this group."),
                                   QStringLiteral("G"));
    const QCommandLineOption filter(
        QStringLiteral("filter"),
        QStringLiteral("Only endpoints whose host, SNI, group, tags or notes contain TEXT."),
        QStringLiteral("TEXT"));
    const QCommandLineOption check(
        QStringLiteral("check"),
        QStringLiteral("Monitoring check: one summary line, exit 0/1/2 by the worst status."));
    p.addOptions({group, filter, warnDaysOption(), check});
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("list")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("'fleet list' takes no arguments; use --filter"));
    }
    const auto warnDays = warnDaysOf(p);
    if (!warnDays) {
        return usageError(ctx, warnDays.error().message);
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto list = (*store)->endpoints().list({p.value(group), p.value(filter)});
    if (!list) {
        return reportError(ctx, list.error());
    }
    auto rows = withCertificates(**store, *list);
    if (!rows) {
        return reportError(ctx, rows.error());
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (p.isSet(check)) {
        return printCheck(ctx, *rows, now, *warnDays);
    }
    if (ctx.json) {
        QJsonArray a;
        for (const FleetRow& r : *rows) {
            a.append(fleetEndpointJson(r.endpoint, fleetExpiry(r.certificate, now, *warnDays)));
        }
        printJson(ctx.out, {{QStringLiteral("endpoints"), a}});
    } else {
        printTable(ctx.out, *rows, now, *warnDays);
    }
    return ExitCode::Ok;
}

ExitCode runEdit(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    FieldOptions fields;
    fields.addTo(p);
    const QCommandLineOption which(QStringLiteral("which-sni"),
                                   QStringLiteral("Pick the endpoint with this SNI name."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption clearTags(QStringLiteral("clear-tags"),
                                       QStringLiteral("Remove all tags."));
    const QCommandLineOption revision(
        QStringLiteral("revision"),
        QStringLiteral("Only save if the endpoint is still at revision N (as 'show' printed)."),
        QStringLiteral("N"));
    const QCommandLineOption trust = trustBundleOption();
    p.addOptions({which, clearTags, revision, trust});
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("edit")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (p.positionalArguments().size() != 1) {
        return usageError(ctx, QStringLiteral("'fleet edit' needs one HOST[:PORT] or ID"));
    }
    qint64 expectedRevision = 0;
    if (p.isSet(revision)) {
        bool ok = false;
        expectedRevision = p.value(revision).toLongLong(&ok);
        if (!ok || expectedRevision < 1) {
            return usageError(ctx, QStringLiteral("--revision needs a positive number"));
        }
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto e = resolve(**store, p.positionalArguments().first(), p.value(which));
    if (!e) {
        return reportError(ctx, e.error());
    }
    Endpoint changed = *e;
    if (auto s = fields.apply(p, changed); !s) {
        return usageError(ctx, s.error().message);
    }
    if (p.isSet(clearTags)) {
        changed.tags.clear();
    }
    if (auto s = applyTrustBundle(**store, p, trust, changed); !s) {
        return reportError(ctx, s.error());
    }
    if (expectedRevision > 0) {
        changed.revision = expectedRevision;
    }
    auto saved = (*store)->endpoints().update(changed);
    if (!saved) {
        return reportError(ctx, saved.error());
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("endpoint"), fleetEndpointJson(*saved)}});
    } else {
        ctx.out << "Saved " << inventory::endpointAddress(saved->host, saved->port) << " (id "
                << saved->id << ", revision " << saved->revision << ")\n";
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runRemove(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption sni(QStringLiteral("sni"),
                                 QStringLiteral("Pick the endpoint with this SNI name."),
                                 QStringLiteral("NAME"));
    p.addOption(sni);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("rm")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (p.positionalArguments().size() != 1) {
        return usageError(ctx, QStringLiteral("'fleet rm' needs one HOST[:PORT] or ID"));
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto e = resolve(**store, p.positionalArguments().first(), p.value(sni));
    if (!e) {
        return reportError(ctx, e.error());
    }
    if (auto s = (*store)->endpoints().remove(e->id); !s) {
        return reportError(ctx, s.error());
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("removed"), fleetEndpointJson(*e)}});
    } else {
        ctx.out << "Removed " << inventory::endpointAddress(e->host, e->port) << " (id " << e->id
                << ")\n";
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runFleet(CommandContext& ctx, const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    // The action's parser sees "fleet ACTION" as its argv[0].
    QStringList rest = args.mid(1);
    if (!rest.isEmpty()) {
        rest[0] = args.at(0) + u' ' + action;
    }
    if (action == QLatin1String("add")) {
        return runAdd(ctx, rest);
    }
    if (action == QLatin1String("list") || action == QLatin1String("ls")) {
        return runList(ctx, rest);
    }
    if (action == QLatin1String("show")) {
        return runFleetShow(ctx, rest);
    }
    if (action == QLatin1String("attach")) {
        return runFleetAttach(ctx, rest);
    }
    if (action == QLatin1String("edit")) {
        return runEdit(ctx, rest);
    }
    if (action == QLatin1String("rm") || action == QLatin1String("remove")) {
        return runRemove(ctx, rest);
    }
    if (action == QLatin1String("import")) {
        return runFleetImport(ctx, rest);
    }
    if (action == QLatin1String("export")) {
        return runFleetExport(ctx, rest);
    }
    if (action == QLatin1String("trust")) {
        return runFleetTrust(ctx, rest);
    }
    if (action == QLatin1String("--help") || action == QLatin1String("-h")) {
        return commandHelp(ctx, QStringLiteral("fleet"));
    }
    return usageError(
        ctx, QStringLiteral("'fleet' needs an action: add, list, show, attach, edit, rm, import, "
                            "export or trust"));
}

} // namespace

QList<SubcommandSpec> fleetSubcommands()
{
    return {
        {QStringLiteral("add"),
         QStringLiteral(
             "HOST[:PORT] [--sni NAME] [--ip ADDR] [--group G]\n"
             "         [--tag T]... [--kind nginx|haproxy|envoy|apache|other] [--notes TEXT]\n"
             "         [--trust-bundle NAME]"),
         {QStringLiteral("sni"), QStringLiteral("ip"), QStringLiteral("group"),
          QStringLiteral("tag"), QStringLiteral("kind"), QStringLiteral("notes"),
          QStringLiteral("trust-bundle")},
         QStringLiteral("Adds an endpoint (port 443 unless given; [IPv6]:PORT for IPv6). The same\n"
                        "host, port and SNI name twice is refused.")},
        {QStringLiteral("list|ls"),
         QStringLiteral("[--group G] [--filter TEXT] [--warn-days DAYS] [--check]"),
         {QStringLiteral("group"), QStringLiteral("filter"), QStringLiteral("warn-days"),
          QStringLiteral("check")},
         QStringLiteral(
             "Lists endpoints by group, host and port, with the current certificate's\n"
             "expiry (UTC date), days left and status as the console's Fleet page shows\n"
             "them: OK, EXPIRING (fewer than --warn-days days left, default 30), EXPIRED,\n"
             "REVOKED (recorded as revoked, whatever its expiry), NO CERTIFICATE.\n"
             "ENDPOINT is HOST:PORT ([IPv6]:PORT); SNI is the name clients send: the SNI\n"
             "name set, else the host. --filter matches host, SNI, group, tags and notes,\n"
             "ignoring case. JSON gives each endpoint address, sni, sniSet (an SNI name\n"
             "of its own), connectTo, notAfter (ISO 8601 UTC), daysLeft and status (null\n"
             "without a certificate): the same values as the table and `fleet export`.\n"
             "\n"
             "--check answers as a monitoring plugin: one line \"FLEET OK|WARNING|CRITICAL -\n"
             "N endpoint(s): ...\" with performance data, then a line per endpoint that\n"
             "is not OK, worst first. Exit 0 when all are OK; 1 when the worst is EXPIRING\n"
             "or NO CERTIFICATE (the inventory cannot vouch for an endpoint it has no\n"
             "certificate of: probe it or attach one); 2 when one is EXPIRED or REVOKED;\n"
             "3 when the store cannot be read or no endpoint matches. With --json:\n"
             "{check: {status, exitCode, summary, counts}, endpoints}.")},
        {QStringLiteral("show"),
         QStringLiteral("HOST[:PORT]|ID [--sni NAME] [--warn-days DAYS]"),
         {QStringLiteral("sni"), QStringLiteral("warn-days")},
         QStringLiteral(
             "Shows one endpoint (the fields of 'fleet list', its revision and who changed\n"
             "it last) with its current certificate: subject, SANs, serial, SHA-256,\n"
             "validity, days left, status, the issuer record (ACME account or local CA),\n"
             "the key reference in the vault (or \"no key in the vault\"), its source\n"
             "(acme, local-ca, imported, served, unknown), its revocation if recorded and\n"
             "its chain as recorded, leaf first. Then the deploy target, the certificate\n"
             "history (each version's state and time, oldest first) and the last probe\n"
             "(time, verdict, grade, and whether the served certificate differs from the\n"
             "recorded one). Reads the inventory only; run 'probe' or 'scan' to refresh.\n"
             "JSON: {endpoint, certificate, deployTarget, history, lastProbe}.")},
        {QStringLiteral("attach"),
         QStringLiteral("HOST[:PORT]|ID CERT [--sni NAME] [--force]"),
         {QStringLiteral("sni"), QStringLiteral("force")},
         QStringLiteral(
             "Makes CERT the endpoint's current certificate. CERT is a certificate id of\n"
             "the inventory, a SHA-256 fingerprint (hex, colons allowed) or a PEM/DER\n"
             "file (server certificate first, then its chain), recorded first with\n"
             "source \"imported\"; a file named like a number is given as ./NAME. Private\n"
             "keys in the file are not read.\n"
             "\n"
             "Refused with exit 3, before anything is written: a certificate not valid\n"
             "for the name clients send (the SNI name, else the host; checked as a\n"
             "probe checks it), an expired or revoked one unless --force, an unknown id or\n"
             "fingerprint. The new version is \"issued\": it becomes \"deployed\" only\n"
             "when a probe or scan sees it served. Audited as certificate.attach.")},
        {QStringLiteral("edit"),
         QStringLiteral("HOST[:PORT]|ID [--sni NAME] [--ip ADDR] [--group G]\n"
                        "         [--tag T]... [--clear-tags] [--kind KIND] [--notes TEXT]\n"
                        "         [--which-sni NAME] [--revision N] [--trust-bundle NAME|none]"),
         {QStringLiteral("sni"), QStringLiteral("ip"), QStringLiteral("group"),
          QStringLiteral("tag"), QStringLiteral("kind"), QStringLiteral("notes"),
          QStringLiteral("which-sni"), QStringLiteral("clear-tags"), QStringLiteral("revision"),
          QStringLiteral("trust-bundle")},
         QStringLiteral(
             "Changes the fields given. The store refuses the change when someone else\n"
             "changed the endpoint since it was read (or since --revision N): nothing is\n"
             "lost, reload and try again.")},
        {QStringLiteral("rm|remove"),
         QStringLiteral("HOST[:PORT]|ID [--sni NAME]"),
         {QStringLiteral("sni")},
         QStringLiteral("Removes an endpoint with its certificate history, probes and\n"
                        "alerts. The certificates and the audit log stay.")},
        {QStringLiteral("import"),
         QStringLiteral("--format nginx|hosts|certbot|pem|json PATH\n"
                        "         [--ssh-host H [--ssh-user U] | --local] [--group G] "
                        "[--dry-run]"),
         {QStringLiteral("format"), QStringLiteral("ssh-host"), QStringLiteral("ssh-user"),
          QStringLiteral("local"), QStringLiteral("group"), QStringLiteral("dry-run")},
         QStringLiteral(
             "Adds what PATH describes in one transaction: all of it or, when any part is\n"
             "refused, nothing. Endpoints already in the inventory are kept as they are;\n"
             "importing the same source again adds nothing. Private keys are never read:\n"
             "their paths become deploy-target fields. A deploy target holds only what the\n"
             "source and you say: its host (--ssh-host), or this machine (--local), or no\n"
             "host yet; no SSH port or reload command is made up. Certificates are recorded\n"
             "as issued: deployed only once a probe sees them served.\n"
             "\n"
             "A malformed line or file (a host with spaces, port 0 or 99999, a cut-off\n"
             "certificate or nginx -T dump) refuses the whole import with exit 3, naming\n"
             "every place; nothing is added. --dry-run runs the same import and rolls it\n"
             "back: it refuses what the import refuses. Warnings (exit 1) are for what is\n"
             "read but not imported: duplicates merged, wildcard names, servers without\n"
             "TLS, missing certificate files.")},
        {QStringLiteral("export"),
         QStringLiteral("[--format json|csv] [--out FILE [--force]]"),
         {QStringLiteral("format"), QStringLiteral("out"), QStringLiteral("force")},
         QStringLiteral(
             "JSON holds endpoints, deploy targets and certificates (never private keys)\n"
             "and imports back with 'fleet import --format json'; CSV is the fleet table\n"
             "(host, port, sni, sni_set, group, tags, kind, issuer, not_after, days_left,\n"
             "status, notes, connect_to, address) and imports back with --format hosts.\n"
             "sni, address and status are the values 'fleet list' shows (status with the\n"
             "default 30 days).")},
        {QStringLiteral("trust add"),
         QStringLiteral("NAME FILE"),
         {},
         QStringLiteral("Keeps the CA certificates of a PEM file as bundle NAME.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
        {QStringLiteral("trust replace"),
         QStringLiteral("NAME FILE"),
         {},
         QStringLiteral("Replaces the certificates of bundle NAME.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
        {QStringLiteral("trust list|ls"),
         QStringLiteral(""),
         {},
         QStringLiteral("The trust bundles.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
        {QStringLiteral("trust show"),
         QStringLiteral("NAME"),
         {},
         QStringLiteral("One bundle with its PEM.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
        {QStringLiteral("trust rm|remove"),
         QStringLiteral("NAME"),
         {},
         QStringLiteral("Removes a bundle no endpoint or group uses.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
        {QStringLiteral("trust group"),
         QStringLiteral("GROUP NAME|none"),
         {},
         QStringLiteral("Sets the bundle of every endpoint of GROUP without its own.\n"
                        "An endpoint's chain is verified against its own bundle (fleet add|edit\n"
                        "--trust-bundle NAME), else its group's, else the system trust store, by\n"
                        "probe, scan and the console alike.")},
    };
}

CERTDECK_COMMAND({QStringLiteral("fleet"),
                  QStringLiteral("  fleet add HOST[:PORT]   add an endpoint to the inventory\n"
                                 "  fleet list              endpoints as a table (--group, "
                                 "--filter)\n"
                                 "  fleet show|edit|rm X    one endpoint by HOST[:PORT] or ID\n"
                                 "  fleet list --check      monitoring check: exit 0/1/2 by "
                                 "the worst status\n"
                                 "  fleet attach X CERT     attach a certificate (id, "
                                 "fingerprint or file)\n"
                                 "  fleet import --format F PATH   nginx -T, hosts/CSV, certbot, "
                                 "PEM folder, JSON\n"
                                 "  fleet export [--format csv]   the inventory as JSON or CSV\n"),
                  runFleet, fleetSubcommands()});

} // namespace certdeck::cli
