// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl chain verify: build and verify a served chain, one verdict per
// link, and say what is wrong with the chain as served.
#include "CliSupport.h"
#include "OperationRunner.h"
#include "crypto/ChainJob.h"
#include "crypto/ChainVerifier.h"
#include "crypto/TrustStore.h"
#include "revocation/RevocationCheck.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

using namespace certdeck::crypto;

// Chain files are a few KiB; a cap keeps a wrong path from eating memory.
constexpr qint64 kMaxChainFileBytes = 4 * 1024 * 1024;

// A deliberately small PEM/DER reader, private to this command, until the
// workbench's CertificateReader takes over (PKCS#7, PKCS#12...).
Result<QList<Certificate>> readChainFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(f.exists() ? ErrorCode::Io : ErrorCode::NotFound,
                    QStringLiteral("cannot read %1").arg(path), f.errorString());
    }
    if (f.size() > kMaxChainFileBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is %2 bytes; too big for a certificate chain")
                        .arg(path)
                        .arg(f.size()));
    }
    const QByteArray data = f.readAll();
    static const QByteArray begin("-----BEGIN CERTIFICATE-----");
    static const QByteArray end("-----END CERTIFICATE-----");
    QList<Certificate> out;
    if (!data.contains("-----BEGIN")) {
        auto der = Certificate::fromDer(data, path);
        if (!der) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 holds neither PEM certificates nor a DER certificate").arg(path),
                der.error().detail);
        }
        return QList<Certificate>{*der};
    }
    qsizetype pos = 0;
    while ((pos = data.indexOf(begin, pos)) >= 0) {
        const int line = static_cast<int>(data.left(pos).count('\n')) + 1;
        const qsizetype stop = data.indexOf(end, pos);
        if (stop < 0) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: certificate has no END line (truncated?)")
                            .arg(path)
                            .arg(line));
        }
        QByteArray body = data.mid(pos + begin.size(), stop - pos - begin.size());
        body.replace('\n', "").replace('\r', "").replace(' ', "");
        auto decoded =
            QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 line %2: the base64 body is damaged").arg(path).arg(line));
        }
        auto cert =
            Certificate::fromDer(decoded.decoded, QStringLiteral("%1 line %2").arg(path).arg(line));
        if (!cert) {
            return tl::unexpected(cert.error());
        }
        out << *cert;
        pos = stop + end.size();
    }
    if (out.isEmpty()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 holds no certificate (no BEGIN CERTIFICATE line)").arg(path));
    }
    return out;
}

QString sourceName(ChainLink::Source s)
{
    switch (s) {
    case ChainLink::Source::Served:
        return QStringLiteral("served");
    case ChainLink::Source::Aia:
        return QStringLiteral("aia");
    case ChainLink::Source::TrustStore:
        return QStringLiteral("trust-store");
    }
    return {};
}

QString problemName(LinkProblem p)
{
    switch (p) {
    case LinkProblem::Expired:
        return QStringLiteral("expired");
    case LinkProblem::NotYetValid:
        return QStringLiteral("not-yet-valid");
    case LinkProblem::UnknownIssuer:
        return QStringLiteral("unknown-issuer");
    case LinkProblem::SelfSignedUntrusted:
        return QStringLiteral("self-signed-untrusted");
    case LinkProblem::BadSignature:
        return QStringLiteral("bad-signature");
    case LinkProblem::WeakKey:
        return QStringLiteral("weak-key");
    case LinkProblem::Sha1Signature:
        return QStringLiteral("sha1-signature");
    case LinkProblem::NameConstraints:
        return QStringLiteral("name-constraints");
    case LinkProblem::HostnameMismatch:
        return QStringLiteral("hostname-mismatch");
    case LinkProblem::NotCa:
        return QStringLiteral("not-ca");
    case LinkProblem::WrongPurpose:
        return QStringLiteral("wrong-purpose");
    case LinkProblem::PathLength:
        return QStringLiteral("path-length");
    case LinkProblem::ExpiresSoon:
        return QStringLiteral("expires-soon");
    case LinkProblem::Revoked:
        return QStringLiteral("revoked");
    case LinkProblem::RevocationUnknown:
        return QStringLiteral("revocation-unknown");
    case LinkProblem::Other:
        break;
    }
    return QStringLiteral("other");
}

QString servedProblemName(ServedProblem p)
{
    switch (p) {
    case ServedProblem::MissingIntermediate:
        return QStringLiteral("missing-intermediate");
    case ServedProblem::WrongOrder:
        return QStringLiteral("wrong-order");
    case ServedProblem::Duplicate:
        return QStringLiteral("duplicate");
    case ServedProblem::Unrelated:
        return QStringLiteral("unrelated");
    case ServedProblem::RootIncluded:
        return QStringLiteral("root-included");
    case ServedProblem::Empty:
        return QStringLiteral("empty");
    }
    return {};
}

QString isoUtc(const QDateTime& t)
{
    return t.toUTC().toString(Qt::ISODate);
}

QJsonObject reportJson(const QString& file, const ChainReport& r, const QString& trustOrigin,
                       bool revocationChecked)
{
    QJsonArray built;
    for (const ChainLink& l : r.built) {
        QJsonArray findings;
        for (const LinkFinding& f : l.findings) {
            findings.append(QJsonObject{{QStringLiteral("problem"), problemName(f.problem)},
                                        {QStringLiteral("severity"), severityName(f.severity)},
                                        {QStringLiteral("message"), f.message},
                                        {QStringLiteral("detail"), f.detail}});
        }
        const Certificate& c = l.certificate;
        built.append(QJsonObject{
            {QStringLiteral("role"), linkRoleName(l.role)},
            {QStringLiteral("source"), sourceName(l.source)},
            {QStringLiteral("subject"), c.subject()},
            {QStringLiteral("issuer"), c.issuer()},
            {QStringLiteral("serial"), c.serialHex()},
            {QStringLiteral("notBefore"), isoUtc(c.notBefore())},
            {QStringLiteral("notAfter"), isoUtc(c.notAfter())},
            {QStringLiteral("sha256"), colonHex(c.fingerprint(QCryptographicHash::Sha256))},
            {QStringLiteral("verdict"), severityName(l.verdict())},
            {QStringLiteral("findings"), findings},
            {QStringLiteral("revocation"), revocationStatusName(l.revocation)},
            {QStringLiteral("revocationDetail"), l.revocationDetail}});
    }
    QJsonArray served;
    for (const Certificate& c : r.served) {
        served.append(QJsonObject{
            {QStringLiteral("subject"), c.subject()},
            {QStringLiteral("sha256"), colonHex(c.fingerprint(QCryptographicHash::Sha256))}});
    }
    QJsonArray servedFindings;
    for (const ServedFinding& f : r.servedFindings) {
        servedFindings.append(QJsonObject{{QStringLiteral("problem"), servedProblemName(f.problem)},
                                          {QStringLiteral("severity"), severityName(f.severity)},
                                          {QStringLiteral("message"), f.message},
                                          {QStringLiteral("detail"), f.detail}});
    }
    return QJsonObject{{QStringLiteral("file"), file},
                       {QStringLiteral("host"), r.hostname},
                       {QStringLiteral("trustStore"), trustOrigin},
                       {QStringLiteral("trusted"), r.trusted},
                       {QStringLiteral("verdict"), severityName(r.verdict())},
                       {QStringLiteral("summary"), r.summary},
                       {QStringLiteral("revocationChecked"), revocationChecked},
                       {QStringLiteral("built"), built},
                       {QStringLiteral("served"), served},
                       {QStringLiteral("servedFindings"), servedFindings}};
}

QString tag(Severity s)
{
    switch (s) {
    case Severity::Ok:
        return QStringLiteral("[OK]     ");
    case Severity::Info:
        return QStringLiteral("[INFO]   ");
    case Severity::Warning:
        return QStringLiteral("[WARNING]");
    case Severity::Error:
        return QStringLiteral("[ERROR]  ");
    }
    return {};
}

void printHuman(QTextStream& out, const QString& file, const ChainReport& r,
                const QString& trustOrigin)
{
    out << file << ": " << (r.trusted ? "TRUSTED" : "NOT TRUSTED") << " - " << r.summary << "\n";
    out << "Checked "
        << (r.hostname.isEmpty() ? QStringLiteral("without a host name")
                                 : QStringLiteral("for ") + r.hostname)
        << " against " << trustOrigin << "\n\n";
    out << "Chain as built:\n";
    for (const ChainLink& l : r.built) {
        QStringList reasons;
        for (const LinkFinding& f : l.findings) {
            reasons << f.message;
        }
        out << "  " << tag(l.verdict()) << " " << linkRoleName(l.role).leftJustified(12) << " "
            << l.certificate.subject() << " (" << sourceName(l.source) << ")";
        if (!reasons.isEmpty()) {
            out << " - " << reasons.join(QStringLiteral("; "));
        }
        out << "\n";
        out << "              revocation: " << revocationStatusName(l.revocation);
        if (!l.revocationDetail.isEmpty()) {
            out << " - " << l.revocationDetail;
        }
        out << "\n";
    }
    out << "\nServed chain (" << r.served.size()
        << (r.served.size() == 1 ? " certificate" : " certificates") << "):";
    if (r.servedFindings.isEmpty()) {
        out << " no problems\n";
    } else {
        out << "\n";
        for (const ServedFinding& f : r.servedFindings) {
            out << "  " << tag(f.severity) << " " << servedProblemName(f.problem) << " - "
                << f.message << "\n";
        }
    }
    out.flush();
}

ExitCode exitCodeOf(const ChainReport& r)
{
    const Severity v = r.verdict();
    if (!r.trusted || v == Severity::Error) {
        return ExitCode::Critical;
    }
    // "Clean" means nothing at all to say, not even an included root.
    return v == Severity::Ok ? ExitCode::Ok : ExitCode::Warning;
}

ExitCode runChain(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("DNS name the leaf must be valid for."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption ip(QStringLiteral("ip"),
                                QStringLiteral("IP address the leaf must be valid for."),
                                QStringLiteral("ADDR"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"),
                                    QStringLiteral("Trust only the anchors in this PEM bundle."),
                                    QStringLiteral("BUNDLE"));
    const QCommandLineOption noAia(QStringLiteral("no-aia"),
                                   QStringLiteral("Do not fetch missing issuers through AIA."));
    const QCommandLineOption days(QStringLiteral("expiring-days"),
                                  QStringLiteral("Warn when a link expires within N days "
                                                 "(default 30)."),
                                  QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption noRevocation(
        QStringLiteral("no-revocation"),
        QStringLiteral("Do not check revocation (OCSP, then CRL) after verifying."));
    p.addOptions({host, ip, caFile, noAia, days, noRevocation});
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("verify"));
    p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("PEM or DER chain file"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("chain"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || pos.at(0) != QLatin1String("verify")) {
        return usageError(ctx, QStringLiteral("usage: certdeckctl chain verify FILE [options]"));
    }
    if (p.isSet(host) && p.isSet(ip)) {
        return usageError(ctx, QStringLiteral("give --host or --ip, not both"));
    }
    if (p.isSet(ip) && QHostAddress(p.value(ip)).isNull()) {
        return usageError(ctx, QStringLiteral("--ip %1 is not an IP address").arg(p.value(ip)));
    }
    bool daysOk = false;
    const int expiringDays = p.value(days).toInt(&daysOk);
    if (!daysOk || expiringDays < 0) {
        return usageError(ctx, QStringLiteral("--expiring-days needs a whole number of days"));
    }

    const QString file = pos.at(1);
    auto served = readChainFile(file);
    if (!served) {
        return reportError(ctx, served.error());
    }
    auto trust = p.isSet(caFile) ? TrustStore::fromFile(p.value(caFile)) : TrustStore::system();
    if (!trust) {
        return reportError(ctx, trust.error());
    }
    const QString trustOrigin = trust->origin();

    ChainInput input;
    input.served = *served;
    input.host = p.isSet(ip) ? p.value(ip) : p.value(host);
    ChainJobOptions options;
    options.fetchAia = !p.isSet(noAia);
    options.verify.expiringSoonDays = expiringDays;
    // A file may list its certificates in any order.
    options.verify.leafPosition = ChainVerifyOptions::LeafPosition::Detect;

    // Progress on stderr; Ctrl-C cancels (the AIA or revocation request in
    // flight is aborted at once) and exits with 3.
    ChainJob job(std::move(input), *trust, QDateTime::currentDateTimeUtc(), options);
    if (const Status built = OperationRunner(ctx, QStringLiteral("chain")).run(job); !built) {
        return reportError(ctx, built.error());
    }
    ChainReport report = job.report();
    const bool checkRevocation = !p.isSet(noRevocation);
    if (checkRevocation) {
        revocation::RevocationCheck check(report, revocation::RevocationOptions{});
        if (const Status checked = OperationRunner(ctx, QStringLiteral("revocation")).run(check);
            !checked) {
            return reportError(ctx, checked.error());
        }
        report = check.report();
    } else {
        for (ChainLink& l : report.built) {
            l.revocationDetail = QStringLiteral("not checked (--no-revocation)");
        }
    }
    if (ctx.json) {
        printJson(ctx.out, reportJson(file, report, trustOrigin, checkRevocation));
    } else {
        printHuman(ctx.out, file, report, trustOrigin);
    }
    return exitCodeOf(report);
}

} // namespace

QList<SubcommandSpec> chainSubcommands()
{
    return {{QStringLiteral("verify"),
             QStringLiteral("FILE [--host NAME|--ip ADDR] [--ca-file BUNDLE] [--no-aia] "
                            "[--no-revocation] [--expiring-days N] [--json]"),
             {QStringLiteral("host"), QStringLiteral("ip"), QStringLiteral("ca-file"),
              QStringLiteral("no-aia"), QStringLiteral("expiring-days"),
              QStringLiteral("no-revocation")},
             QStringLiteral(
                 "Builds the chain from the leaf in FILE (any order; PEM or DER) to a trust\n"
                 "anchor of the system store or of BUNDLE, fetching a missing intermediate\n"
                 "through AIA caIssuers (plain http, 5 s, 64 KiB) unless --no-aia. Prints a\n"
                 "verdict per link and what is wrong with the chain as served.\n"
                 "\n"
                 "Then, unless --no-revocation, checks each link but the anchor for\n"
                 "revocation: its AIA OCSP responders (signed response, nonce, 5 s), and\n"
                 "its CRL distribution points (http, 10 MiB, 5 s) when OCSP gives no usable\n"
                 "answer. A revoked link makes the chain not trusted; a status that cannot\n"
                 "be told (unreachable, unknown, a response that does not verify) is a\n"
                 "warning.\n"
                 "\n"
                 "  0  trusted and clean\n"
                 "  1  trusted, with warnings (expiring soon, root included, wrong order,\n"
                 "     revocation status unknown...)\n"
                 "  2  not trusted (a revoked link...), or an error finding (missing\n"
                 "     intermediate...)\n"
                 "  3  unreadable input or usage error")}};
}

CERTDECK_COMMAND({QStringLiteral("chain"),
                  QStringLiteral("  chain verify FILE  build and verify a certificate chain "
                                 "(--host, --ip, --ca-file, --no-aia, --no-revocation)\n"),
                  runChain, chainSubcommands()});

} // namespace certdeck::cli
