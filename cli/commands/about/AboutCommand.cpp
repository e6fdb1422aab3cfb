// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl about: versions and the CPU's crypto features.
#include "CliSupport.h"
#include "common/BuildInfo.h"
#include "common/CpuFeatures.h"

#include <QJsonObject>

namespace certdeck::cli {

namespace {

ExitCode runAbout(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("about"), p.positionalArguments(), &code)) {
        return code;
    }
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("'about' takes no arguments"));
    }
    common.apply(p, ctx);
    const BuildInfo b = BuildInfo::current();
    const CpuFeatures cpu = CpuFeatures::detect();
    if (ctx.json) {
        QJsonObject feats;
        for (const auto& f : cpu.flags()) {
            feats.insert(f.name, f.present);
        }
        printJson(ctx.out, {{QStringLiteral("certdeck"), b.certdeck},
                            {QStringLiteral("qt"), b.qtRuntime},
                            {QStringLiteral("qtBuild"), b.qtBuild},
                            {QStringLiteral("openssl"), b.openssl},
                            {QStringLiteral("opensslBuild"), b.opensslBuild},
                            {QStringLiteral("libssh"), b.libssh},
                            {QStringLiteral("kf6SyntaxHighlighting"), b.kf6Highlighting},
                            {QStringLiteral("cpu"),
                             QJsonObject{{QStringLiteral("architecture"), cpu.architecture},
                                         {QStringLiteral("vendor"), cpu.vendor},
                                         {QStringLiteral("model"), cpu.model},
                                         {QStringLiteral("features"), feats}}}});
        return ExitCode::Ok;
    }
    ctx.out << "CertDeck     " << b.certdeck << "\n"
            << "Qt           " << b.qtRuntime << " (built with " << b.qtBuild << ")\n"
            << "OpenSSL      " << b.openssl << "\n"
            << "libssh       " << b.libssh << "\n"
            << "Highlighting " << (b.kf6Highlighting ? "KF6 SyntaxHighlighting" : "built-in")
            << "\n"
            << "CPU          " << cpu.architecture;
    if (!cpu.model.isEmpty()) {
        ctx.out << ", " << cpu.model;
    }
    ctx.out << "\n";
    for (const auto& f : cpu.flags()) {
        ctx.out << "  " << f.name.leftJustified(13) << (f.present ? "yes" : "no") << "\n";
    }
    ctx.out.flush();
    return ExitCode::Ok;
}

} // namespace

QList<SubcommandSpec> aboutSubcommands()
{
    return {
        {QString(),
         QString(),
         {},
         QStringLiteral("Prints the versions of CertDeck and the libraries it runs on, and the\n"
                        "CPU's crypto instruction sets.")}};
}

CERTDECK_COMMAND(
    {QStringLiteral("about"),
     QStringLiteral("  about        versions of CertDeck, Qt, OpenSSL, libssh; the CPU's "
                    "crypto features\n"),
     runAbout, aboutSubcommands()});

} // namespace certdeck::cli
