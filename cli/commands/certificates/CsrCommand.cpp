// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl csr: make a certificate signing request from a key, or show one.
#include "CliSupport.h"
#include "PassphraseSource.h"
#include "common/SecureFile.h"
#include "crypto/Csr.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

using namespace certdeck::crypto;

QJsonObject csrJson(const Csr& csr)
{
    QJsonArray sans;
    for (const SubjectAltName& s : csr.subjectAltNames()) {
        sans.append(s.toString());
    }
    QJsonArray eku;
    for (ExtendedKeyUsage u : csr.extendedKeyUsage()) {
        eku.append(extendedKeyUsageName(u));
    }
    QJsonArray exts;
    for (const CsrExtension& e : csr.requestedExtensions()) {
        exts.append(QJsonObject{{QStringLiteral("oid"), e.oid},
                                {QStringLiteral("name"), e.name},
                                {QStringLiteral("critical"), e.critical},
                                {QStringLiteral("value"), e.value}});
    }
    return QJsonObject{
        {QStringLiteral("subject"), csr.subject()},
        {QStringLiteral("commonName"), csr.commonName()},
        {QStringLiteral("subjectAltNames"), sans},
        {QStringLiteral("keyUsage"), QJsonArray::fromStringList(keyUsageNames(csr.keyUsage()))},
        {QStringLiteral("extendedKeyUsage"), eku},
        {QStringLiteral("mustStaple"), csr.mustStaple()},
        {QStringLiteral("publicKey"), csr.publicKeyDescription()},
        {QStringLiteral("spkiSha256"),
         QString::fromLatin1(
             QCryptographicHash::hash(csr.publicKeyDer(), QCryptographicHash::Sha256).toHex())},
        {QStringLiteral("signatureAlgorithm"), csr.signatureAlgorithm()},
        {QStringLiteral("signatureValid"), bool(csr.verifySignature())},
        {QStringLiteral("extensions"), exts}};
}

void printCsr(QTextStream& out, const Csr& csr)
{
    QStringList sans;
    for (const SubjectAltName& s : csr.subjectAltNames()) {
        sans << s.toString();
    }
    QStringList eku;
    for (ExtendedKeyUsage u : csr.extendedKeyUsage()) {
        eku << extendedKeyUsageName(u);
    }
    const auto none = [](const QString& s) {
        return s.isEmpty() ? QStringLiteral("-") : s;
    };
    out << "Subject       " << none(csr.subject()) << "\n"
        << "SANs          " << none(sans.join(QStringLiteral(", "))) << "\n"
        << "Key usage     " << none(keyUsageNames(csr.keyUsage()).join(QStringLiteral(", ")))
        << "\n"
        << "Ext. usage    " << none(eku.join(QStringLiteral(", "))) << "\n"
        << "Must-staple   " << (csr.mustStaple() ? "yes" : "no") << "\n"
        << "Public key    " << csr.publicKeyDescription() << "\n"
        << "Signature     " << csr.signatureAlgorithm() << ", "
        << (csr.verifySignature() ? "verifies" : "DOES NOT VERIFY") << "\n";
    out.flush();
}

ExitCode runNew(CommandContext& ctx, const QCommandLineParser& p, const QStringList& pos)
{
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("'csr new' takes options only"));
    }
    const QString keyPath = p.value(QStringLiteral("key"));
    const QString outPath = p.value(QStringLiteral("out"));
    if (keyPath.isEmpty() || outPath.isEmpty()) {
        return usageError(ctx, QStringLiteral("'csr new' needs --key KEY and --out FILE"));
    }
    const bool force = p.isSet(QStringLiteral("force"));
    if (!force && QFileInfo::exists(outPath)) {
        return reportError(
            ctx, Error{ErrorCode::Conflict,
                       QStringLiteral("%1 exists; give --force to replace it").arg(outPath),
                       {}});
    }
    CsrSpec spec;
    spec.subject.commonName = p.value(QStringLiteral("cn"));
    spec.subject.organization = p.value(QStringLiteral("org"));
    spec.subject.organizationalUnit = p.value(QStringLiteral("ou"));
    spec.subject.country = p.value(QStringLiteral("country"));
    spec.subject.state = p.value(QStringLiteral("state"));
    spec.subject.locality = p.value(QStringLiteral("locality"));
    spec.subject.emailAddress = p.value(QStringLiteral("email"));
    spec.mustStaple = p.isSet(QStringLiteral("must-staple"));
    const QString digest = p.value(QStringLiteral("digest")).toLower();
    if (digest == QLatin1String("sha384")) {
        spec.digest = CsrDigest::Sha384;
    } else if (!digest.isEmpty() && digest != QLatin1String("sha256")) {
        return usageError(ctx, QStringLiteral("--digest must be sha256 or sha384"));
    }
    auto sans = SubjectAltName::parseList(p.values(QStringLiteral("san")).join(u','));
    if (!sans) {
        return reportError(ctx, sans.error());
    }
    spec.sans = *sans;
    auto ku = parseKeyUsages(p.values(QStringLiteral("ku")).join(u','));
    if (!ku) {
        return reportError(ctx, ku.error());
    }
    spec.keyUsage = *ku;
    auto eku = parseExtendedKeyUsages(p.values(QStringLiteral("eku")).join(u','));
    if (!eku) {
        return reportError(ctx, eku.error());
    }
    spec.extendedKeyUsage = *eku;
    if (auto s = spec.validate(); !s) {
        return reportError(ctx, s.error());
    }

    auto pass = readPassphrase(p.value(QStringLiteral("passphrase-file")),
                               p.value(QStringLiteral("passphrase-env")));
    if (!pass) {
        return reportError(ctx, pass.error());
    }
    auto keyPem = readFileCapped(keyPath, 1024 * 1024);
    if (!keyPem) {
        return reportError(ctx, keyPem.error());
    }
    auto csr = Csr::buildWithPemKey(spec, *keyPem, *pass, keyPath);
    keyPem->fill('\0');
    pass->fill('\0');
    if (!csr) {
        return reportError(ctx, csr.error());
    }
    WriteOptions opts;
    opts.overwrite = force;
    if (auto s = writeFileAtomically(outPath, csr->toPem(), opts); !s) {
        return reportError(ctx, s.error());
    }
    if (ctx.json) {
        QJsonObject o = csrJson(*csr);
        o.insert(QStringLiteral("file"), QFileInfo(outPath).absoluteFilePath());
        printJson(ctx.out, o);
        return ExitCode::Ok;
    }
    ctx.out << "CSR written to " << outPath << "\n";
    printCsr(ctx.out, *csr);
    return ExitCode::Ok;
}

ExitCode runShow(CommandContext& ctx, const QStringList& pos)
{
    if (pos.size() != 2) {
        return usageError(ctx, QStringLiteral("'csr show' needs one FILE"));
    }
    const QString path = pos.at(1);
    auto data = readFileCapped(path, 1024 * 1024);
    if (!data) {
        return reportError(ctx, data.error());
    }
    auto csr = data->contains("-----BEGIN") ? Csr::fromPem(*data, path) : Csr::fromDer(*data, path);
    if (!csr) {
        return reportError(ctx, csr.error());
    }
    const bool valid = bool(csr->verifySignature());
    if (ctx.json) {
        QJsonObject o = csrJson(*csr);
        o.insert(QStringLiteral("file"), path);
        printJson(ctx.out, o);
    } else {
        printCsr(ctx.out, *csr);
    }
    if (!valid) {
        ctx.err << "certdeckctl: " << path
                << ": the signature does not verify (altered, or not made with its key)\n";
        ctx.err.flush();
        return ExitCode::Critical;
    }
    return ExitCode::Ok;
}

ExitCode runCsr(CommandContext& ctx, const QStringList& args)
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
    opt("key", "Private key (PEM).", "KEY");
    opt("passphrase-file", "Read the key's passphrase from this file.", "FILE");
    opt("passphrase-env", "Read the key's passphrase from this environment variable.", "VAR");
    opt("cn", "Subject common name.", "NAME");
    opt("org", "Subject organisation (O).", "O");
    opt("ou", "Subject organisational unit (OU).", "OU");
    opt("country", "Subject country (C), two letters.", "CC");
    opt("state", "Subject state or province (ST).", "ST");
    opt("locality", "Subject locality (L).", "L");
    opt("email", "Subject emailAddress.", "ADDR");
    opt("san", "Subject alternative names, comma-separated, typed.", "LIST");
    opt("ku", "Key usage, comma-separated.", "LIST");
    opt("eku", "Extended key usage, comma-separated.", "LIST");
    opt("must-staple", "Ask for the TLS feature status_request (OCSP must-staple).");
    opt("digest", "sha256 (default) or sha384.", "NAME");
    opt("out", "Where to write the CSR (PEM).", "FILE");
    opt("force", "Replace an existing output file.");
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (!checkSubcommand(ctx, p, QStringLiteral("csr"), pos, &code)) {
        return code;
    }
    if (pos.isEmpty()) {
        return usageError(ctx, QStringLiteral("'csr' needs an action: new or show"));
    }
    if (pos.first() == QLatin1String("new")) {
        return runNew(ctx, p, pos);
    }
    if (pos.first() == QLatin1String("show")) {
        return runShow(ctx, pos);
    }
    return usageError(ctx,
                      QStringLiteral("unknown 'csr' action '%1' (new or show)").arg(pos.first()));
}

} // namespace

QList<SubcommandSpec> csrSubcommands()
{
    return {
        {QStringLiteral("new"),
         QStringLiteral(
             "--key KEY [--passphrase-file F | --passphrase-env VAR]\n"
             "         [--cn NAME] [--org O] [--ou OU] [--country CC] [--state ST]\n"
             "         [--locality L] [--email ADDR]\n"
             "         [--san DNS:a.example,IP:10.0.0.1,email:x@a.example,URI:spiffe://..]\n"
             "         [--ku digitalSignature,keyEncipherment] [--eku serverAuth,clientAuth]\n"
             "         [--must-staple] [--digest sha256|sha384] --out FILE [--force]"),
         {QStringLiteral("key"), QStringLiteral("passphrase-file"),
          QStringLiteral("passphrase-env"), QStringLiteral("cn"), QStringLiteral("org"),
          QStringLiteral("ou"), QStringLiteral("country"), QStringLiteral("state"),
          QStringLiteral("locality"), QStringLiteral("email"), QStringLiteral("san"),
          QStringLiteral("ku"), QStringLiteral("eku"), QStringLiteral("must-staple"),
          QStringLiteral("digest"), QStringLiteral("out"), QStringLiteral("force")},
         QStringLiteral("Signs a PKCS#10 request with KEY (PEM; encrypted keys need their\n"
                        "passphrase, read from a file or an environment variable, never from the\n"
                        "command line). Ed25519 keys sign without a digest. An existing FILE is\n"
                        "kept unless --force.")},
        {QStringLiteral("show"),
         QStringLiteral("FILE"),
         {},
         QStringLiteral("Decodes a request (PEM or DER) and checks its signature: exit 2 when the\n"
                        "signature does not verify, 3 when the file cannot be read.")},
    };
}

CERTDECK_COMMAND({QStringLiteral("csr"),
                  QStringLiteral("  csr new --key KEY --cn NAME --san ... --out FILE   make a "
                                 "certificate signing request\n"
                                 "  csr show FILE   decode a CSR and check its signature\n"),
                  runCsr, csrSubcommands()});

} // namespace certdeck::cli
