// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl cert show: every field and extension of the certificates in a
// file (PEM, DER, PKCS#7, PKCS#12) or served by a live endpoint.
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "crypto/CertificateDetails.h"
#include "crypto/CertificateProblems.h"
#include "crypto/CertificateReader.h"
#include "crypto/ServedChainFetcher.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>

namespace certdeck::cli {

namespace {

using crypto::CertificateBundle;
using crypto::CertificateDetails;
using crypto::CertificateField;

constexpr int NameColumn = 36;
constexpr int HexLine = 48; // 16 bytes as "AB:"

QString formatName(CertificateBundle::Format f)
{
    switch (f) {
    case CertificateBundle::Format::Pem:
        return QStringLiteral("PEM");
    case CertificateBundle::Format::Der:
        return QStringLiteral("DER");
    case CertificateBundle::Format::Pkcs7:
        return QStringLiteral("PKCS#7");
    case CertificateBundle::Format::Pkcs12:
        return QStringLiteral("PKCS#12");
    }
    return {};
}

void printField(QTextStream& out, const CertificateField& f, int depth)
{
    const QString indent(2 + depth * 2, u' ');
    QString name = indent + f.name;
    if (f.critical) {
        name += QStringLiteral(" [critical]");
    }
    if (f.value.isEmpty()) {
        out << name << "\n";
    } else {
        // Aligned "name  value" lines; long hex (keys, signatures) wraps at
        // 16 bytes a line, as `openssl x509 -text` does.
        static const QRegularExpression hex(QStringLiteral("^([0-9A-F]{2}:)+[0-9A-F]{2}$"));
        const QString pad(NameColumn, u' ');
        QString value = f.value;
        if (value.size() > HexLine && hex.match(value).hasMatch()) {
            QStringList lines;
            for (qsizetype i = 0; i < value.size(); i += HexLine) {
                lines << value.mid(i, HexLine);
            }
            value = lines.join(u'\n' + pad);
        }
        out << name.leftJustified(NameColumn - 2) << "  " << value << "\n";
    }
    // Children that only repeat the parent's one-line value add nothing.
    const bool repeat = f.children.size() == 1 && f.children.first().value == f.value &&
                        f.children.first().children.isEmpty();
    if (!repeat) {
        for (const CertificateField& c : f.children) {
            printField(out, c, depth + 1);
        }
    }
}

/// One problem of certificate `index` (0-based) of the file or chain.
struct ListedProblem
{
    int index = 0;
    QString subject;
    crypto::CertificateProblem problem;
};

ExitCode exitCodeOf(const QString& verdict)
{
    if (verdict == QLatin1String("critical")) {
        return ExitCode::Critical;
    }
    return verdict == QLatin1String("warning") ? ExitCode::Warning : ExitCode::Ok;
}

bool looksLikeEndpoint(const QString& arg)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(\[[0-9a-fA-F:.]+\]|[^/\s:]+):\d{1,5}$)"));
    return re.match(arg).hasMatch();
}

ExitCode runCert(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption sni(QStringLiteral("sni"),
                                 QStringLiteral("Server name to send (default: the host)."),
                                 QStringLiteral("NAME"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Connect and handshake timeout in seconds "
                                                    "(default 10)."),
                                     QStringLiteral("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption warnDays(QStringLiteral("warn-days"),
                                      QStringLiteral("Exit 1 when a certificate expires within "
                                                     "DAYS (default 30)."),
                                      QStringLiteral("DAYS"), QStringLiteral("30"));
    const PassphraseOption pass({}, QStringLiteral("PKCS#12 "));
    p.addOption(sni);
    p.addOption(timeout);
    p.addOption(warnDays);
    pass.addTo(p);
    p.addPositionalArgument(QStringLiteral("show"), QStringLiteral("the action"));
    p.addPositionalArgument(QStringLiteral("FILE|HOST:PORT"), QStringLiteral("what to show"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("cert"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || pos.first() != QLatin1String("show")) {
        return usageError(ctx, QStringLiteral("'cert' needs: show FILE|HOST:PORT"));
    }
    const QString target = pos.at(1);
    bool okNum = false;
    const int warn = p.value(warnDays).toInt(&okNum);
    if (!okNum || warn < 0) {
        return usageError(ctx, QStringLiteral("--warn-days needs a number of days"));
    }
    const int timeoutSec = p.value(timeout).toInt(&okNum);
    if (!okNum || timeoutSec <= 0) {
        return usageError(ctx, QStringLiteral("--timeout needs a number of seconds"));
    }

    CertificateBundle bundle;
    QJsonObject served;
    const bool isFile = QFileInfo::exists(target) || !looksLikeEndpoint(target);
    if (isFile) {
        if (p.isSet(sni)) {
            return usageError(ctx, QStringLiteral("--sni is for HOST:PORT, not for a file"));
        }
        auto passphrase = pass.read(p, ctx.err);
        if (!passphrase) {
            return reportError(ctx, passphrase.error());
        }
        auto read = crypto::CertificateReader::readFile(target, *passphrase);
        if (!read) {
            return reportError(ctx, read.error());
        }
        bundle = *read;
    } else {
        auto options = crypto::ServedChainFetcher::parseEndpoint(target);
        if (!options) {
            return reportError(ctx, options.error());
        }
        options->sni = p.value(sni);
        options->connectTimeoutMs = timeoutSec * 1000;
        options->handshakeTimeoutMs = timeoutSec * 1000;
        if (!ctx.json) {
            ctx.err << "Connecting to " << target << "...\n";
            ctx.err.flush();
        }
        auto chain = crypto::ServedChainFetcher::fetch(*options);
        if (!chain) {
            return reportError(ctx, chain.error());
        }
        bundle.certificates = chain->certificates;
        served = QJsonObject{{QStringLiteral("protocol"), chain->protocol},
                             {QStringLiteral("cipher"), chain->cipher},
                             {QStringLiteral("sni"), chain->sni},
                             {QStringLiteral("peerAddress"), chain->peerAddress}};
    }
    if (bundle.certificates.isEmpty()) {
        return reportError(ctx, Error{ErrorCode::InvalidInput,
                                      QStringLiteral("%1 holds no certificate").arg(target),
                                      bundle.notes.join(QStringLiteral("; "))});
    }

    // The judging is core's (certificateProblems), so the console says the same.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<CertificateDetails> all;
    QList<ListedProblem> problems;
    QList<crypto::CertificateProblem> flat;
    for (int i = 0; i < bundle.certificates.size(); ++i) {
        const crypto::Certificate& c = bundle.certificates.at(i);
        all << CertificateDetails::decode(c, now);
        for (const crypto::CertificateProblem& pr : crypto::certificateProblems(c, now, warn)) {
            problems << ListedProblem{i, all.last().subject, pr};
            flat << pr;
        }
    }
    const QString verdict = crypto::problemsVerdict(flat);
    const ExitCode result = exitCodeOf(verdict);

    if (ctx.json) {
        QJsonArray certs;
        for (const CertificateDetails& d : all) {
            certs.append(d.toJson());
        }
        QJsonArray problemArray;
        for (const ListedProblem& lp : problems) {
            problemArray << QJsonObject{
                {QStringLiteral("code"), lp.problem.code},
                {QStringLiteral("severity"), crypto::problemSeverityName(lp.problem.severity)},
                {QStringLiteral("message"), lp.problem.message},
                {QStringLiteral("certificate"), lp.index + 1},
                {QStringLiteral("subject"), lp.subject}};
        }
        QJsonObject o{{QStringLiteral("source"), target},
                      {QStringLiteral("certificates"), certs},
                      {QStringLiteral("notes"), QJsonArray::fromStringList(bundle.notes)},
                      {QStringLiteral("problems"), problemArray},
                      {QStringLiteral("verdict"), verdict}};
        if (isFile) {
            o.insert(QStringLiteral("format"), formatName(bundle.format));
            o.insert(QStringLiteral("privateKeys"), bundle.privateKeysPem.size());
        } else {
            o.insert(QStringLiteral("served"), served);
        }
        printJson(ctx.out, o);
        return result;
    }
    if (isFile) {
        ctx.out << target << ": " << formatName(bundle.format) << ", " << all.size()
                << " certificate(s)";
        if (!bundle.privateKeysPem.isEmpty()) {
            ctx.out << ", " << bundle.privateKeysPem.size() << " private key(s)";
        }
        ctx.out << "\n";
    } else {
        ctx.out << target << ": " << served.value(QStringLiteral("protocol")).toString() << ", "
                << served.value(QStringLiteral("cipher")).toString() << ", " << all.size()
                << " certificate(s) served\n";
    }
    for (const QString& n : bundle.notes) {
        ctx.out << "  note: " << n << "\n";
    }
    if (problems.isEmpty()) {
        ctx.out << "\nProblems: none\n";
    } else {
        ctx.out << "\nProblems\n";
        for (const ListedProblem& lp : problems) {
            ctx.out << "  "
                    << crypto::problemSeverityName(lp.problem.severity).toUpper().leftJustified(9)
                    << " certificate " << (lp.index + 1) << " (" << lp.subject
                    << "): " << lp.problem.message << "\n";
        }
    }
    ctx.out << "Verdict: " << verdict.toUpper() << "\n";
    for (int i = 0; i < all.size(); ++i) {
        ctx.out << "\nCertificate " << (i + 1) << " of " << all.size() << ": " << all.at(i).subject
                << "\n";
        for (const CertificateField& f : all.at(i).fields) {
            printField(ctx.out, f, 0);
        }
    }
    ctx.out.flush();
    return result;
}

} // namespace

QList<SubcommandSpec> certSubcommands()
{
    return {{QStringLiteral("show"),
             QStringLiteral("FILE|HOST:PORT [--sni NAME] [--json]\n"
                            "         [--passphrase-file F | --passphrase-env VAR]\n"
                            "         [--timeout SECONDS] [--warn-days DAYS]"),
             {QStringLiteral("sni"), QStringLiteral("timeout"), QStringLiteral("warn-days"),
              QStringLiteral("passphrase-file"), QStringLiteral("passphrase-env")},
             QStringLiteral(
                 "Shows every field and extension of each certificate in FILE (PEM bundle,\n"
                 "DER, PKCS#7 .p7b, PKCS#12 .p12/.pfx) or in the chain HOST:PORT serves\n"
                 "(exactly as served, not verified), then its problems and a verdict:\n"
                 "CRITICAL (exit 2) when a certificate is expired or not yet valid, has an RSA\n"
                 "or DSA key under 2048 bits or an EC key under 256, an MD5 or SHA-1 signature\n"
                 "(not counted on a self-signed root, whose signature no client checks), or a\n"
                 "critical extension OpenSSL does not understand; WARNING (exit 1) when one\n"
                 "expires within --warn-days; else OK (0). --json gives \"problems\" (code,\n"
                 "severity, message, certificate) and \"verdict\" (ok, warning, critical).")}};
}

CERTDECK_COMMAND({QStringLiteral("cert"),
                  QStringLiteral("  cert show FILE|HOST:PORT   every field and extension of a "
                                 "file's or a server's certificates\n"),
                  runCert, certSubcommands()});

} // namespace certdeck::cli
