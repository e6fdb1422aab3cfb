// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet show: everything the inventory knows of one endpoint,
// read from the store only (no traffic), in text or JSON with the same
// fields.
#include "FleetShow.h"

#include "FleetFields.h"
#include "FleetTrust.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace certdeck::cli {

namespace {

using inventory::CertificateRecord;
using inventory::Endpoint;
using inventory::Store;

/// What show prints beside the endpoint: read once, printed as text or JSON.
struct ShowData
{
    Endpoint endpoint;
    FleetExpiry expiry;
    QString trust;
    std::optional<CertificateRecord> certificate;
    QList<CertificateRecord> chain; ///< leaf first, as recorded
    std::optional<inventory::IssuerRecord> issuer;
    QString issuerProblem; ///< the issuer record could not be read
    std::optional<inventory::KeyRecord> key;
    QString keyProblem;
    std::optional<inventory::DeployTarget> target;
    QList<inventory::CertificateVersion> versions;
    QHash<qint64, CertificateRecord> versionCertificates;
    std::optional<inventory::ProbeRecord> probe;
    QJsonArray servedFindings; ///< served.* findings of the last probe's report
};

QString issuerKindName(inventory::IssuerRecord::Kind kind)
{
    return kind == inventory::IssuerRecord::Kind::AcmeAccount ? QStringLiteral("acme-account")
                                                              : QStringLiteral("local-ca");
}

QString issuerText(const ShowData& d)
{
    if (d.issuer) {
        const inventory::IssuerRecord& i = *d.issuer;
        return i.kind == inventory::IssuerRecord::Kind::AcmeAccount
                   ? QStringLiteral("ACME account \"%1\" (%2)").arg(i.name, i.directoryUrl)
                   : QStringLiteral("local CA \"%1\" (%2)").arg(i.name, i.directoryUrl);
    }
    if (!d.issuerProblem.isEmpty()) {
        return d.issuerProblem;
    }
    return QStringLiteral("no issuer record (not issued through CertDeck)");
}

QString keyText(const ShowData& d)
{
    if (d.key) {
        return QStringLiteral("vault key #%1 (%2)").arg(d.key->id).arg(d.key->description);
    }
    return d.keyProblem.isEmpty() ? QStringLiteral("no key in the vault") : d.keyProblem;
}

QString daysText(qint64 days)
{
    return days >= 0 ? QStringLiteral("%1 day(s) left").arg(days)
                     : QStringLiteral("%1 day(s) ago").arg(-days);
}

Result<ShowData> readShowData(Store& store, const Endpoint& e, int warnDays, const QDateTime& now)
{
    ShowData d;
    d.endpoint = e;
    d.trust = trustDescription(store, e);
    auto current = store.certificates().current();
    if (!current) {
        return tl::unexpected(current.error());
    }
    if (auto c = current->constFind(e.id); c != current->constEnd()) {
        d.certificate = *c;
    }
    d.expiry = fleetExpiry(d.certificate, now, warnDays);
    if (d.certificate) {
        auto chain = store.certificates().chain(d.certificate->id);
        if (!chain) {
            return tl::unexpected(chain.error());
        }
        d.chain = *chain;
        // A record that cannot be read is said where it would be shown: the
        // rest of what the inventory knows is still worth seeing.
        if (d.certificate->issuerId) {
            if (auto i = store.issuers().get(*d.certificate->issuerId)) {
                d.issuer = *i;
            } else {
                d.issuerProblem = QStringLiteral("issuer #%1: %2")
                                      .arg(*d.certificate->issuerId)
                                      .arg(i.error().message);
            }
        }
        if (d.certificate->keyId) {
            if (auto k = store.keys().get(*d.certificate->keyId)) {
                d.key = *k;
            } else {
                d.keyProblem = QStringLiteral("vault key #%1: %2")
                                   .arg(*d.certificate->keyId)
                                   .arg(k.error().message);
            }
        }
    }
    if (e.deployTargetId) {
        auto t = store.endpoints().deployTarget(*e.deployTargetId);
        if (!t) {
            return tl::unexpected(t.error());
        }
        d.target = *t;
    }
    auto versions = store.certificates().versions(e.id);
    if (!versions) {
        return tl::unexpected(versions.error());
    }
    d.versions = *versions;
    for (const inventory::CertificateVersion& v : std::as_const(d.versions)) {
        if (!d.versionCertificates.contains(v.certificateId)) {
            auto c = store.certificates().get(v.certificateId);
            if (!c) {
                return tl::unexpected(c.error());
            }
            d.versionCertificates.insert(v.certificateId, *c);
        }
    }
    auto probes = store.probes().history(e.id, 1);
    if (!probes) {
        return tl::unexpected(probes.error());
    }
    if (!probes->isEmpty()) {
        d.probe = probes->constFirst();
        // The probe's own report says whether what was served is what the
        // inventory records (served.differs, served.nodes-differ).
        const QJsonObject report = QJsonDocument::fromJson(d.probe->reportJson).object();
        for (const QJsonValue& f : report.value(QStringLiteral("findings")).toArray()) {
            if (f[QStringLiteral("code")].toString().startsWith(QLatin1String("served."))) {
                d.servedFindings.append(f);
            }
        }
    }
    return d;
}

QJsonObject certificateLinkJson(const CertificateRecord& c)
{
    return QJsonObject{{QStringLiteral("id"), c.id},
                       {QStringLiteral("subject"), c.subject},
                       {QStringLiteral("issuer"), c.issuer},
                       {QStringLiteral("serial"), c.serialHex},
                       {QStringLiteral("sha256"), c.sha256Hex},
                       {QStringLiteral("notAfter"), utcText(c.notAfterUtc)}};
}

QJsonObject showJson(const ShowData& d)
{
    QJsonObject endpoint = fleetEndpointJson(d.endpoint, d.expiry);
    endpoint.insert(QStringLiteral("trustAnchors"), d.trust);
    QJsonObject out{{QStringLiteral("endpoint"), endpoint}};

    QJsonValue certificate;
    if (d.certificate) {
        const CertificateRecord& c = *d.certificate;
        QJsonObject o = certificateLinkJson(c);
        o.insert(QStringLiteral("sans"), QJsonArray::fromStringList(c.sans));
        o.insert(QStringLiteral("notBefore"), utcText(c.notBeforeUtc));
        o.insert(QStringLiteral("daysLeft"), d.expiry.daysLeft);
        o.insert(QStringLiteral("status"), d.expiry.status);
        o.insert(QStringLiteral("source"), inventory::certificateSourceName(c.source));
        QJsonValue issuer;
        if (d.issuer) {
            issuer = QJsonObject{{QStringLiteral("id"), d.issuer->id},
                                 {QStringLiteral("kind"), issuerKindName(d.issuer->kind)},
                                 {QStringLiteral("name"), d.issuer->name},
                                 {QStringLiteral("directoryUrl"), d.issuer->directoryUrl}};
        }
        o.insert(QStringLiteral("issuedBy"), issuer);
        QJsonValue key;
        if (d.key) {
            key = QJsonObject{{QStringLiteral("id"), d.key->id},
                              {QStringLiteral("description"), d.key->description}};
        }
        o.insert(QStringLiteral("key"), key);
        QJsonValue revocation;
        if (c.revocation) {
            revocation = QJsonObject{{QStringLiteral("at"), utcText(c.revocation->atUtc)},
                                     {QStringLiteral("reason"), c.revocation->reason},
                                     {QStringLiteral("foundBy"), c.revocation->foundBy}};
        }
        o.insert(QStringLiteral("revocation"), revocation);
        QJsonArray chain;
        for (const CertificateRecord& link : d.chain) {
            chain.append(certificateLinkJson(link));
        }
        o.insert(QStringLiteral("chain"), chain);
        certificate = o;
    }
    out.insert(QStringLiteral("certificate"), certificate);

    QJsonValue target;
    if (d.target) {
        const inventory::DeployTarget& t = *d.target;
        QJsonObject o{{QStringLiteral("id"), t.id},
                      {QStringLiteral("where"), inventory::deployTargetWhere(t)},
                      {QStringLiteral("local"), t.local},
                      {QStringLiteral("sshHost"), t.sshHost},
                      {QStringLiteral("sshUser"), t.sshUser},
                      {QStringLiteral("keyPath"), t.keyPath},
                      {QStringLiteral("certPath"), t.certPath},
                      {QStringLiteral("fullchainPath"), t.fullchainPath},
                      {QStringLiteral("combinedPemPath"), t.combinedPemPath},
                      {QStringLiteral("validateCommand"), t.validateCommand},
                      {QStringLiteral("reloadCommand"), t.reloadCommand}};
        // null: the port was never said (ssh's own default applies).
        o.insert(QStringLiteral("sshPort"), t.sshPort ? QJsonValue(*t.sshPort) : QJsonValue());
        target = o;
    }
    out.insert(QStringLiteral("deployTarget"), target);

    QJsonArray history;
    for (const inventory::CertificateVersion& v : d.versions) {
        const CertificateRecord c = d.versionCertificates.value(v.certificateId);
        history.append(QJsonObject{{QStringLiteral("certificateId"), v.certificateId},
                                   {QStringLiteral("state"), inventory::versionStateName(v.state)},
                                   {QStringLiteral("at"), utcText(v.atUtc)},
                                   {QStringLiteral("serial"), c.serialHex},
                                   {QStringLiteral("subject"), c.subject}});
    }
    out.insert(QStringLiteral("history"), history);

    QJsonValue probe;
    if (d.probe) {
        QJsonObject p{{QStringLiteral("at"), utcText(d.probe->atUtc)},
                      {QStringLiteral("verdict"), d.probe->status},
                      {QStringLiteral("grade"), d.probe->grade},
                      {QStringLiteral("served"), d.servedFindings}};
        p.insert(QStringLiteral("servedCertificateId"),
                 d.probe->servedCertificateId ? QJsonValue(*d.probe->servedCertificateId)
                                              : QJsonValue());
        probe = p;
    }
    out.insert(QStringLiteral("lastProbe"), probe);
    return out;
}

void printShow(QTextStream& out, const ShowData& d)
{
    const Endpoint& e = d.endpoint;
    const FleetExpiry& x = d.expiry;
    out << "Endpoint   " << inventory::endpointAddress(e.host, e.port) << "  (id " << e.id << ")\n"
        << "SNI        " << inventory::sniSent(e)
        << (inventory::sniIsSet(e) ? QStringLiteral(" (set)") : QStringLiteral(" (the host)"))
        << "\n";
    if (!e.addressOverride.isEmpty()) {
        out << "Connect to " << e.addressOverride << "\n";
    }
    out << "Group      " << (e.group.isEmpty() ? QStringLiteral("-") : e.group) << "\n"
        << "Kind       " << inventory::serverKindName(e.serverKind) << "\n"
        << "Tags       "
        << (e.tags.isEmpty() ? QStringLiteral("-") : e.tags.join(QLatin1String(", "))) << "\n";
    if (!e.notes.isEmpty()) {
        out << "Notes      " << e.notes << "\n";
    }
    out << "Expires    "
        << (d.certificate
                ? QStringLiteral("%1 (%2), %3").arg(x.date, daysText(x.days.toLongLong()), x.status)
                : x.status)
        << "\n"
        << "Trust      " << d.trust << "\n"
        << "Revision   " << e.revision << ", changed " << e.updatedUtc.toString(Qt::ISODate)
        << " by " << e.updatedBy << "\n";

    if (!d.certificate) {
        out << "\nCertificate  none recorded (attach one: certdeckctl fleet attach "
            << inventory::endpointAddress(e.host, e.port) << " CERT)\n";
    } else {
        const CertificateRecord& c = *d.certificate;
        out << "\nCertificate #" << c.id << "\n"
            << "  Subject     " << c.subject << "\n"
            << "  SANs        "
            << (c.sans.isEmpty() ? QStringLiteral("-") : c.sans.join(QLatin1String(", "))) << "\n"
            << "  Serial      " << c.serialHex << "\n"
            << "  SHA-256     " << c.sha256Hex << "\n"
            << "  Not before  " << utcText(c.notBeforeUtc) << "\n"
            << "  Not after   " << utcText(c.notAfterUtc) << " (" << daysText(x.days.toLongLong())
            << ")\n"
            << "  Status      " << x.status << "\n"
            << "  Issued by   " << issuerText(d) << "\n"
            << "  Key         " << keyText(d) << "\n"
            << "  Source      " << inventory::certificateSourceName(c.source) << "\n";
        if (c.revocation) {
            out << "  Revoked     " << utcText(c.revocation->atUtc) << ", reason "
                << (c.revocation->reason.isEmpty() ? QStringLiteral("unspecified")
                                                   : c.revocation->reason)
                << ", found by " << c.revocation->foundBy << "\n";
        }
        out << "Chain (as recorded, leaf first)\n";
        for (const CertificateRecord& link : d.chain) {
            out << "  #" << link.id << "  " << link.subject << "  (serial " << link.serialHex
                << ", not after " << utcText(link.notAfterUtc) << ")\n";
        }
    }

    out << "\nDeploy target";
    if (!d.target) {
        out << "  none\n";
    } else {
        const inventory::DeployTarget& t = *d.target;
        out << " #" << t.id << "  " << inventory::deployTargetWhere(t) << "\n";
        const QList<std::pair<const char*, QString>> fields = {
            {"  Key file    ", t.keyPath},         {"  Cert file   ", t.certPath},
            {"  Fullchain   ", t.fullchainPath},   {"  Combined    ", t.combinedPemPath},
            {"  Validate    ", t.validateCommand}, {"  Reload      ", t.reloadCommand}};
        for (const auto& [label, value] : fields) {
            if (!value.isEmpty()) {
                out << label << value << "\n";
            }
        }
    }

    out << "History (oldest first)";
    if (d.versions.isEmpty()) {
        out << "  none\n";
    } else {
        out << "\n";
        for (const inventory::CertificateVersion& v : d.versions) {
            const CertificateRecord c = d.versionCertificates.value(v.certificateId);
            out << "  " << utcText(v.atUtc) << "  "
                << inventory::versionStateName(v.state).leftJustified(10) << "#" << v.certificateId
                << "  serial " << c.serialHex << "  " << c.subject << "\n";
        }
    }

    out << "Last probe";
    if (!d.probe) {
        out << "  never\n";
    } else {
        out << "  " << utcText(d.probe->atUtc) << "  verdict " << d.probe->status << ", grade "
            << (d.probe->grade.isEmpty() ? QStringLiteral("-") : d.probe->grade) << "\n";
        for (const QJsonValue& f : d.servedFindings) {
            out << "  " << f[QStringLiteral("code")].toString() << ": "
                << f[QStringLiteral("title")].toString() << " ("
                << f[QStringLiteral("evidence")].toString() << ")\n";
        }
    }
    out.flush();
}

} // namespace

ExitCode runFleetShow(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption sni(QStringLiteral("sni"),
                                 QStringLiteral("Pick the endpoint with this SNI name."),
                                 QStringLiteral("NAME"));
    p.addOption(sni);
    p.addOption(warnDaysOption());
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("show")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (p.positionalArguments().size() != 1) {
        return usageError(ctx, QStringLiteral("'fleet show' needs one HOST[:PORT] or ID"));
    }
    const auto warnDays = warnDaysOf(p);
    if (!warnDays) {
        return usageError(ctx, warnDays.error().message);
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    auto e = (*store)->endpoints().resolve(p.positionalArguments().first(), p.value(sni));
    if (!e) {
        return reportError(ctx, e.error());
    }
    auto data = readShowData(**store, *e, *warnDays, QDateTime::currentDateTimeUtc());
    if (!data) {
        return reportError(ctx, data.error());
    }
    if (ctx.json) {
        printJson(ctx.out, showJson(*data));
    } else {
        printShow(ctx.out, *data);
    }
    return ExitCode::Ok;
}

} // namespace certdeck::cli
