// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl dhparam: DH parameters for servers that still offer DHE suites.
#include "CliSupport.h"
#include "OperationRunner.h"
#include "common/SecureFile.h"
#include "crypto/DhParams.h"

#include <QFileInfo>
#include <QJsonObject>
#include <memory>

namespace certdeck::cli {

namespace {

ExitCode runDhparam(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption bits(QStringLiteral("bits"),
                                  QStringLiteral("2048, 3072 or 4096 (default 2048)."),
                                  QStringLiteral("N"), QStringLiteral("2048"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("File to write."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Replace an existing file."));
    p.addOptions({bits, out, force});
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("dhparam"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("'dhparam' takes no arguments; see --help"));
    }
    bool ok = false;
    const int n = p.value(bits).toInt(&ok);
    if (!ok || !crypto::DhParams::isAllowedSize(n)) {
        return usageError(
            ctx, QStringLiteral("--bits must be 2048, 3072 or 4096, not '%1'").arg(p.value(bits)));
    }
    if (!p.isSet(out)) {
        return usageError(ctx, QStringLiteral("'dhparam' needs --out FILE"));
    }
    const QString path = p.value(out);
    // Refuse before a search that may take minutes; the write checks again.
    if (!p.isSet(force) && QFileInfo::exists(path)) {
        return reportError(ctx,
                           Error{ErrorCode::Conflict,
                                 QStringLiteral("%1 exists; use --force to replace it").arg(path),
                                 {}});
    }
    std::unique_ptr<TypedJob<crypto::DhParams>> job(crypto::DhParams::generateJob(n));
    // A prime search reports ten times a second: a line a second is plenty.
    OperationRunner(ctx, QStringLiteral("dhparam")).throttleRepeats(1000).run(*job);
    const auto dh = job->result();
    if (!dh) {
        return reportError(ctx, dh.error());
    }
    const Status written = writeFileAtomically(
        path, dh->toPem(), WriteOptions{.secret = false, .overwrite = p.isSet(force)});
    if (!written) {
        return reportError(ctx, written.error());
    }
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("bits"), dh->bits()},
                            {QStringLiteral("path"), QFileInfo(path).absoluteFilePath()}});
        return ExitCode::Ok;
    }
    ctx.out << "Wrote " << dh->bits() << "-bit DH parameters to " << path << "\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

} // namespace

QList<SubcommandSpec> dhparamSubcommands()
{
    return {
        {QString(),
         QStringLiteral("[--bits 2048|3072|4096] --out FILE [--force]"),
         {QStringLiteral("bits"), QStringLiteral("out"), QStringLiteral("force")},
         QStringLiteral("Generates Diffie-Hellman parameters (a safe prime, generator 2) as\n"
                        "'BEGIN DH PARAMETERS' PEM for nginx's ssl_dhparam. The search for a\n"
                        "safe prime takes from seconds to minutes (4096 bits: many minutes);\n"
                        "its progress is shown on stderr. Smaller sizes are weak and refused.")}};
}

CERTDECK_COMMAND({QStringLiteral("dhparam"),
                  QStringLiteral("  dhparam --bits N --out F  generate DH parameters (2048, "
                                 "3072 or 4096 bits)\n"),
                  runDhparam, dhparamSubcommands()});

} // namespace certdeck::cli
