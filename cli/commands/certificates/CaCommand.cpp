// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl ca: a local two-tier CA for internal (east-west) certificates.
#include "CliSupport.h"
#include "PassphraseSource.h"
#include "common/SecureFile.h"
#include "crypto/LocalCa.h"
#include "inventory/Store.h"
#include "services/LocalCaRecord.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

using namespace certdeck::crypto;

ExitCode failWith(CommandContext& ctx, const Error& e)
{
    return reportError(ctx, e);
}

Status refuseExisting(const QString& path, bool force)
{
    if (!force && !path.isEmpty() && QFileInfo::exists(path)) {
        return fail(
            ErrorCode::Conflict,
            QStringLiteral("%1 exists; give --force to replace it (nothing was signed)").arg(path));
    }
    return {};
}

QJsonObject recordJson(const CaRecord& r)
{
    QJsonObject o{{QStringLiteral("serial"), r.serial},
                  {QStringLiteral("subject"), r.subject},
                  {QStringLiteral("notBefore"), r.notBefore.toString(Qt::ISODate)},
                  {QStringLiteral("notAfter"), r.notAfter.toString(Qt::ISODate)},
                  {QStringLiteral("profile"), r.profile},
                  {QStringLiteral("status"),
                   r.revoked ? QStringLiteral("revoked") : QStringLiteral("valid")}};
    if (r.revoked) {
        o.insert(QStringLiteral("revokedAt"), r.revokedAt.toString(Qt::ISODate));
        o.insert(QStringLiteral("reason"), revocationReasonName(r.reason));
    }
    return o;
}

Result<QByteArray> passphrase(const QCommandLineParser& p)
{
    const QString file = p.value(QStringLiteral("passphrase-file"));
    const QString env = p.value(QStringLiteral("passphrase-env"));
    if (file.isEmpty() && env.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the CA needs its passphrase: --passphrase-file FILE or "
                                   "--passphrase-env VAR"));
    }
    return readPassphrase(file, env);
}

Result<LocalCa> openCa(const QCommandLineParser& p, const QString& dir)
{
    auto pass = passphrase(p);
    if (!pass) {
        return tl::unexpected(pass.error());
    }
    auto ca = LocalCa::open(dir, *pass);
    pass->fill('\0');
    return ca;
}

int intValue(const QCommandLineParser& p, const char* name, int fallback, bool* ok)
{
    if (!p.isSet(QLatin1String(name))) {
        return fallback;
    }
    bool good = false;
    const int v = p.value(QLatin1String(name)).toInt(&good);
    *ok = *ok && good;
    return v;
}

ExitCode runInit(CommandContext& ctx, const QCommandLineParser& p, const QStringList& pos)
{
    if (pos.size() != 2) {
        return usageError(ctx, QStringLiteral("'ca init' needs one DIR"));
    }
    LocalCaOptions o;
    if (p.isSet(QStringLiteral("key-type"))) {
        o.keyType = p.value(QStringLiteral("key-type"));
    }
    if (p.isSet(QStringLiteral("root-name"))) {
        o.rootName = p.value(QStringLiteral("root-name"));
    }
    if (p.isSet(QStringLiteral("intermediate-name"))) {
        o.intermediateName = p.value(QStringLiteral("intermediate-name"));
    }
    o.organization = p.value(QStringLiteral("org"));
    bool ok = true;
    o.rootDays = intValue(p, "root-days", o.rootDays, &ok);
    o.intermediateDays = intValue(p, "intermediate-days", o.intermediateDays, &ok);
    if (!ok) {
        return usageError(ctx, QStringLiteral("--root-days and --intermediate-days take a number"));
    }
    for (const QString& c :
         p.values(QStringLiteral("name-constraints")).join(u',').split(u',', Qt::SkipEmptyParts)) {
        const QString t = c.trimmed();
        if (t.startsWith(QLatin1String("DNS:"), Qt::CaseInsensitive)) {
            o.permittedDns << t.mid(4);
        } else if (t.startsWith(QLatin1String("IP:"), Qt::CaseInsensitive)) {
            o.permittedIp << t.mid(3);
        } else {
            return usageError(ctx, QStringLiteral("name constraint '%1' must be DNS:domain or "
                                                  "IP:range (CIDR)")
                                       .arg(t));
        }
    }
    auto pass = passphrase(p);
    if (!pass) {
        return failWith(ctx, pass.error());
    }
    ctx.err << "Generating the root and intermediate keys (" << o.keyType << ")...\n";
    ctx.err.flush();
    auto ca = LocalCa::init(pos.at(1), o, *pass);
    pass->fill('\0');
    if (!ca) {
        return failWith(ctx, ca.error());
    }
    const Certificate& root = ca->root();
    const Certificate& inter = ca->intermediate();
    const QString pin =
        colonHex(root.fingerprint(QCryptographicHash::Sha256)).remove(u':').toLower();
    if (ctx.json) {
        printJson(
            ctx.out,
            {{QStringLiteral("dir"), ca->dir()},
             {QStringLiteral("root"),
              QJsonObject{{QStringLiteral("subject"), root.subject()},
                          {QStringLiteral("serial"), root.serialHex().remove(u':')},
                          {QStringLiteral("notAfter"), root.notAfter().toString(Qt::ISODate)},
                          {QStringLiteral("sha256"), pin}}},
             {QStringLiteral("intermediate"),
              QJsonObject{
                  {QStringLiteral("subject"), inter.subject()},
                  {QStringLiteral("serial"), inter.serialHex().remove(u':')},
                  {QStringLiteral("notAfter"), inter.notAfter().toString(Qt::ISODate)},
                  {QStringLiteral("permittedDns"), QJsonArray::fromStringList(ca->permittedDns())},
                  {QStringLiteral("permittedIp"),
                   QJsonArray::fromStringList(ca->permittedIp())}}}});
        return ExitCode::Ok;
    }
    ctx.out << "CA created in " << ca->dir() << "\n"
            << "Root          " << root.subject() << " (until "
            << root.notAfter().toString(Qt::ISODate) << ")\n"
            << "Root SHA-256  " << pin << "\n"
            << "Intermediate  " << inter.subject() << " (until "
            << inter.notAfter().toString(Qt::ISODate) << ")\n";
    if (!ca->permittedDns().isEmpty() || !ca->permittedIp().isEmpty()) {
        ctx.out << "Constraints   "
                << QStringList(ca->permittedDns() + ca->permittedIp()).join(QStringLiteral(", "))
                << "\n";
    }
    ctx.out << "Trust root.pem on the clients; keep the passphrase safe.\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runSign(CommandContext& ctx, const QCommandLineParser& p, const QStringList& pos)
{
    if (pos.size() != 3) {
        return usageError(ctx, QStringLiteral("'ca sign' needs DIR and CSR"));
    }
    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty()) {
        return usageError(ctx, QStringLiteral("'ca sign' needs --out CERT"));
    }
    const QString chainOut = p.value(QStringLiteral("chain-out"));
    const QString profileName = p.value(QStringLiteral("profile")).toLower();
    CaProfile profile;
    if (profileName == QLatin1String("client")) {
        profile.kind = CaProfileKind::Client;
    } else if (profileName != QLatin1String("server")) {
        return usageError(ctx, QStringLiteral("'ca sign' needs --profile server or client"));
    }
    if (p.isSet(QStringLiteral("days")) && p.isSet(QStringLiteral("hours"))) {
        return usageError(ctx, QStringLiteral("give --days or --hours, not both"));
    }
    bool ok = true;
    profile.lifetimeDays = intValue(p, "days", profile.lifetimeDays, &ok);
    profile.lifetimeHours = intValue(p, "hours", 0, &ok);
    if (!ok || (p.isSet(QStringLiteral("hours")) && profile.lifetimeHours < 1)) {
        return usageError(ctx, QStringLiteral("--days and --hours take a positive number"));
    }
    QList<SubjectAltName> sanOverride;
    if (p.isSet(QStringLiteral("san"))) {
        auto sans = SubjectAltName::parseList(p.values(QStringLiteral("san")).join(u','));
        if (!sans) {
            return failWith(ctx, sans.error());
        }
        sanOverride = *sans;
    }
    const bool force = p.isSet(QStringLiteral("force"));
    // Checked before signing, so a refused write never burns a serial.
    for (const QString& path : {out, chainOut}) {
        if (auto s = refuseExisting(path, force); !s) {
            return failWith(ctx, s.error());
        }
    }
    const QString csrPath = pos.at(2);
    auto csrData = readFileCapped(csrPath, 1024 * 1024);
    if (!csrData) {
        return failWith(ctx, csrData.error());
    }
    auto csr = csrData->contains("-----BEGIN") ? Csr::fromPem(*csrData, csrPath)
                                               : Csr::fromDer(*csrData, csrPath);
    if (!csr) {
        return failWith(ctx, csr.error());
    }
    // Every certificate signed is recorded; the endpoint it is for is
    // checked first, so a refusal spends no serial.
    auto store = ctx.store();
    if (!store) {
        return failWith(ctx, store.error());
    }
    std::optional<qint64> endpointId;
    if (p.isSet(QStringLiteral("endpoint"))) {
        auto endpoint = (*store)->endpoints().resolve(p.value(QStringLiteral("endpoint")));
        if (!endpoint) {
            return failWith(ctx, endpoint.error());
        }
        QStringList names;
        for (const SubjectAltName& san :
             sanOverride.isEmpty() ? csr->subjectAltNames() : sanOverride) {
            if (san.type == SubjectAltName::Type::Dns || san.type == SubjectAltName::Type::Ip) {
                names << san.value;
            }
        }
        if (auto s = services::checkLocalCaEndpoint(**store, endpoint->id, names); !s) {
            return failWith(ctx, s.error());
        }
        endpointId = endpoint->id;
    }
    auto ca = openCa(p, pos.at(1));
    if (!ca) {
        return failWith(ctx, ca.error());
    }
    auto issued = ca->sign(*csr, profile, sanOverride);
    if (!issued) {
        return failWith(ctx, issued.error());
    }
    auto recorded = services::recordLocalCaIssue(**store, *ca, *issued, endpointId);
    if (!recorded) {
        Error e = recorded.error();
        e.message =
            QStringLiteral("serial %1 was signed, but %2").arg(issued->record.serial, e.message);
        return failWith(ctx, e);
    }
    WriteOptions opts;
    opts.overwrite = force;
    if (auto s = writeFileAtomically(out, issued->certificate.toPem(), opts); !s) {
        return failWith(ctx, s.error());
    }
    if (!chainOut.isEmpty()) {
        if (auto s = writeFileAtomically(chainOut, issued->chain.first().toPem(), opts); !s) {
            return failWith(ctx, s.error());
        }
    }
    for (const QString& note : issued->ignoredExtensions) {
        ctx.err << "note: CSR extension " << note << "\n";
    }
    ctx.err.flush();
    const Certificate& cert = issued->certificate;
    QStringList sans = cert.dnsNames();
    for (const QString& ip : cert.ipAddresses()) {
        sans << ip;
    }
    if (ctx.json) {
        QJsonObject o = recordJson(issued->record);
        o.insert(QStringLiteral("issuer"), cert.issuer());
        o.insert(QStringLiteral("dnsNames"), QJsonArray::fromStringList(cert.dnsNames()));
        o.insert(QStringLiteral("ipAddresses"), QJsonArray::fromStringList(cert.ipAddresses()));
        o.insert(QStringLiteral("certificate"), QFileInfo(out).absoluteFilePath());
        if (!chainOut.isEmpty()) {
            o.insert(QStringLiteral("chain"), QFileInfo(chainOut).absoluteFilePath());
        }
        o.insert(QStringLiteral("ignoredExtensions"),
                 QJsonArray::fromStringList(issued->ignoredExtensions));
        o.insert(QStringLiteral("certificateId"), recorded->certificateId);
        o.insert(QStringLiteral("keyId"),
                 recorded->keyId ? QJsonValue(*recorded->keyId) : QJsonValue());
        o.insert(QStringLiteral("endpoint"),
                 recorded->endpointId ? QJsonValue(recorded->endpointName) : QJsonValue());
        printJson(ctx.out, o);
        return ExitCode::Ok;
    }
    ctx.out << "Issued serial " << issued->record.serial << " (" << issued->record.profile << ")\n"
            << "Subject   " << cert.subject() << "\n"
            << "Names     " << sans.join(QStringLiteral(", ")) << "\n"
            << "Valid     " << cert.notBefore().toString(Qt::ISODate) << " to "
            << cert.notAfter().toString(Qt::ISODate) << "\n"
            << "Written   " << out
            << (chainOut.isEmpty() ? QString() : QStringLiteral(" and ") + chainOut) << "\n"
            << "Recorded  certificate #" << recorded->certificateId
            << (recorded->keyId ? QStringLiteral(" with key vault key #%1").arg(*recorded->keyId)
                                : QStringLiteral(" (its key is not in the vault)"))
            << "\n";
    if (recorded->endpointId) {
        ctx.out << "Endpoint  " << recorded->endpointName
                << " (issued; deployed once a probe sees it served)\n";
    }
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runRevoke(CommandContext& ctx, const QCommandLineParser& p, const QStringList& pos)
{
    if (pos.size() != 3) {
        return usageError(ctx, QStringLiteral("'ca revoke' needs DIR and SERIAL"));
    }
    RevocationReason reason = RevocationReason::Unspecified;
    if (p.isSet(QStringLiteral("reason"))) {
        auto r = parseRevocationReason(p.value(QStringLiteral("reason")));
        if (!r) {
            return usageError(ctx, r.error().message);
        }
        reason = *r;
    }
    auto ca = openCa(p, pos.at(1));
    if (!ca) {
        return failWith(ctx, ca.error());
    }
    auto record = ca->revoke(pos.at(2), reason);
    if (!record) {
        return failWith(ctx, record.error());
    }
    // The inventory's record says so from now on (when it has one).
    auto store = ctx.store();
    if (!store) {
        return failWith(ctx, store.error());
    }
    auto marked = services::recordLocalCaRevocation(**store, *ca, *record);
    if (!marked) {
        Error e = marked.error();
        e.message = QStringLiteral("serial %1 was revoked, but %2").arg(record->serial, e.message);
        return failWith(ctx, e);
    }
    if (ctx.json) {
        QJsonObject o = recordJson(*record);
        o.insert(QStringLiteral("certificateId"), *marked ? QJsonValue(**marked) : QJsonValue());
        printJson(ctx.out, o);
        return ExitCode::Ok;
    }
    ctx.out << "Revoked serial " << record->serial << " (" << revocationReasonName(reason) << ")\n"
            << "Subject  " << record->subject << "\n";
    if (*marked) {
        ctx.out << "Inventory certificate #" << **marked << " marked revoked\n";
    }
    ctx.out << "Publish it with: certdeckctl ca crl " << pos.at(1) << "\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runCrl(CommandContext& ctx, const QCommandLineParser& p, const QStringList& pos)
{
    if (pos.size() != 2) {
        return usageError(ctx, QStringLiteral("'ca crl' needs one DIR"));
    }
    bool ok = true;
    const int days = intValue(p, "next-update-days", 7, &ok);
    if (!ok) {
        return usageError(ctx, QStringLiteral("--next-update-days takes a number"));
    }
    const QString out = p.value(QStringLiteral("out"));
    const bool force = p.isSet(QStringLiteral("force"));
    if (auto s = refuseExisting(out, force); !s) {
        return failWith(ctx, s.error());
    }
    auto ca = openCa(p, pos.at(1));
    if (!ca) {
        return failWith(ctx, ca.error());
    }
    auto pem = ca->crl(days);
    if (!pem) {
        return failWith(ctx, pem.error());
    }
    if (!out.isEmpty()) {
        WriteOptions opts;
        opts.overwrite = force;
        if (auto s = writeFileAtomically(out, *pem, opts); !s) {
            return failWith(ctx, s.error());
        }
    }
    auto records = ca->records();
    if (!records) {
        return failWith(ctx, records.error());
    }
    QJsonArray revoked;
    for (const CaRecord& r : *records) {
        if (r.revoked) {
            revoked.append(recordJson(r));
        }
    }
    const QString saved = ca->dir() + QStringLiteral("/crl.pem");
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("crl"), saved},
                            {QStringLiteral("out"),
                             out.isEmpty() ? QString() : QFileInfo(out).absoluteFilePath()},
                            {QStringLiteral("nextUpdateDays"), days},
                            {QStringLiteral("revoked"), revoked}});
        return ExitCode::Ok;
    }
    ctx.out << "CRL with " << revoked.size() << " revoked certificate(s) written to " << saved
            << (out.isEmpty() ? QString() : QStringLiteral(" and ") + out) << "\n"
            << "Next update in " << days << " day(s)\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runCa(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const auto opt = [&p](const char* name, const char* help, const char* value = nullptr) {
        p.addOption(
            value != nullptr
                ? QCommandLineOption(QLatin1String(name), QLatin1String(help), QLatin1String(value))
                : QCommandLineOption(QLatin1String(name), QLatin1String(help)));
    };
    opt("passphrase-file", "Read the CA passphrase from this file.", "FILE");
    opt("passphrase-env", "Read the CA passphrase from this environment variable.", "VAR");
    opt("key-type", "CA key type.", "TYPE");
    opt("endpoint", "sign: the inventory endpoint the certificate is for (ID or HOST[:PORT]).",
        "ENDPOINT");
    opt("root-name", "Root CA common name.", "CN");
    opt("intermediate-name", "Intermediate CA common name.", "CN");
    opt("org", "Organisation (O) of both CAs.", "O");
    opt("root-days", "Root lifetime in days.", "N");
    opt("intermediate-days", "Intermediate lifetime in days.", "N");
    opt("name-constraints", "Permitted subtrees on the intermediate.", "LIST");
    opt("profile", "server or client.", "NAME");
    opt("days", "Certificate lifetime in days.", "N");
    opt("hours", "Short-lived certificate lifetime in hours.", "N");
    opt("san", "Replace the CSR's SANs.", "LIST");
    opt("out", "Output file.", "FILE");
    opt("chain-out", "Write the intermediate here.", "FILE");
    opt("force", "Replace existing output files.");
    opt("reason", "Revocation reason.", "REASON");
    opt("next-update-days", "Days until the CRL's next update.", "N");
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (!checkSubcommand(ctx, p, QStringLiteral("ca"), pos, &code)) {
        return code;
    }
    const QString action = pos.isEmpty() ? QString() : pos.first();
    if (action == QLatin1String("init")) {
        return runInit(ctx, p, pos);
    }
    if (action == QLatin1String("sign")) {
        return runSign(ctx, p, pos);
    }
    if (action == QLatin1String("revoke")) {
        return runRevoke(ctx, p, pos);
    }
    if (action == QLatin1String("crl")) {
        return runCrl(ctx, p, pos);
    }
    return usageError(ctx, QStringLiteral("'ca' needs an action: init, sign, revoke or crl"));
}

} // namespace

QList<SubcommandSpec> caSubcommands()
{
    const QStringList pass{QStringLiteral("passphrase-file"), QStringLiteral("passphrase-env")};
    const QString passNotes = QStringLiteral(
        "PASSPHRASE is --passphrase-file FILE or --passphrase-env VAR (never a value on the\n"
        "command line). A refused request (bad CSR, a name outside the constraints, a wrong\n"
        "passphrase, an existing output without --force) signs nothing and exits 3.");
    return {
        {QStringLiteral("init"),
         QStringLiteral("DIR [--key-type p256|p384|rsa2048|rsa3072|rsa4096|ed25519]\n"
                        "         [--root-name CN] [--intermediate-name CN] [--org O]\n"
                        "         [--root-days N] [--intermediate-days N]\n"
                        "         [--name-constraints DNS:.internal.example,IP:10.0.0.0/8] "
                        "PASSPHRASE"),
         pass + QStringList{QStringLiteral("key-type"), QStringLiteral("root-name"),
                            QStringLiteral("intermediate-name"), QStringLiteral("org"),
                            QStringLiteral("root-days"), QStringLiteral("intermediate-days"),
                            QStringLiteral("name-constraints")},
         QStringLiteral("Makes a root and an intermediate in DIR (keys AES-256 encrypted, 0600 in\n"
                        "a 0700 folder); name constraints go on the intermediate. DNS-only\n"
                        "constraints also exclude every IP address.\n") +
             passNotes},
        {QStringLiteral("sign"),
         QStringLiteral("DIR CSR --profile server|client [--days N | --hours N]\n"
                        "         [--san DNS:a.example,...] --out CERT [--chain-out CHAIN] "
                        "[--force]\n"
                        "         [--endpoint ENDPOINT] PASSPHRASE"),
         pass + QStringList{QStringLiteral("profile"), QStringLiteral("days"),
                            QStringLiteral("hours"), QStringLiteral("san"), QStringLiteral("out"),
                            QStringLiteral("chain-out"), QStringLiteral("force"),
                            QStringLiteral("endpoint")},
         QStringLiteral("Issues a certificate for CSR: the CSR's signature must verify; KU/EKU\n"
                        "come from the profile (server or client), SANs from the CSR (or --san),\n"
                        "lifetime 90 days unless --days or --hours (short-lived). CHAIN gets the\n"
                        "intermediate. The certificate is recorded in the inventory (source\n"
                        "local-ca, linked to its key when the vault holds it); --endpoint\n"
                        "attaches it there (checked before signing: its name must be covered).\n") +
             passNotes},
        {QStringLiteral("revoke"), QStringLiteral("DIR SERIAL [--reason REASON] PASSPHRASE"),
         pass + QStringList{QStringLiteral("reason")},
         QStringLiteral("Marks a serial (hex, colons allowed) revoked. --reason: unspecified,\n"
                        "keyCompromise, cACompromise, affiliationChanged, superseded,\n"
                        "cessationOfOperation, privilegeWithdrawn. Publish with 'ca crl'.\n") +
             passNotes},
        {QStringLiteral("crl"),
         QStringLiteral("DIR [--out FILE] [--next-update-days N] [--force] "
                        "PASSPHRASE"),
         pass + QStringList{QStringLiteral("out"), QStringLiteral("next-update-days"),
                            QStringLiteral("force")},
         QStringLiteral(
             "Signs a new CRL with the intermediate (saved as DIR/crl.pem, and FILE).\n") +
             passNotes},
    };
}

CERTDECK_COMMAND({QStringLiteral("ca"),
                  QStringLiteral("  ca init DIR --passphrase-file F   create a local root + "
                                 "intermediate CA\n"
                                 "  ca sign DIR CSR --profile server|client --out CERT   issue a "
                                 "certificate\n"
                                 "  ca revoke DIR SERIAL [--reason R]   revoke an issued "
                                 "certificate\n"
                                 "  ca crl DIR [--out FILE]   publish a CRL signed by the "
                                 "intermediate\n"),
                  runCa, caSubcommands()});

} // namespace certdeck::cli
