// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl p12 export|import: PKCS#12 files in and out; secrets only from
// files or environment variables, outputs written atomically (keys 0600).
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "common/SecureFile.h"
#include "crypto/CertificateReader.h"
#include "crypto/OpenSslError.h"
#include "crypto/Pkcs12.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <cstring>
#include <openssl/pem.h>

namespace certdeck::cli {

namespace {

using crypto::Certificate;
using crypto::Pkcs12;

int pemPassphrase(char* buf, int size, int /*rwflag*/, void* user)
{
    const auto* pass = static_cast<const QByteArray*>(user);
    if (pass == nullptr || pass->isEmpty() || pass->size() > size) {
        return -1;
    }
    std::memcpy(buf, pass->constData(), static_cast<size_t>(pass->size()));
    return static_cast<int>(pass->size());
}

/// The PEM private key in `path` (PKCS#8 or traditional, encrypted or not).
/// The key class proper lives elsewhere; this reads just enough to export.
Result<ossl::PKeyPtr> readKey(const QString& path, const QByteArray& passphrase)
{
    auto bundle = crypto::CertificateReader::readFile(path);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    const QString name = QFileInfo(path).fileName();
    if (bundle->privateKeysPem.size() != 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 must hold exactly one private key; it holds %2")
                        .arg(name)
                        .arg(bundle->privateKeysPem.size()));
    }
    const QByteArray& pem = bundle->privateKeysPem.first();
    ossl::BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    QByteArray pass = passphrase;
    ossl::PKeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, pemPassphrase, &pass)
                          : nullptr);
    if (!key) {
        const bool encrypted = pem.contains("ENCRYPTED");
        return fail(encrypted ? ErrorCode::Crypto : ErrorCode::InvalidInput,
                    encrypted && passphrase.isEmpty()
                        ? QStringLiteral("%1 is encrypted: give --key-passphrase-file or "
                                         "--key-passphrase-env")
                              .arg(name)
                    : encrypted ? QStringLiteral("Wrong passphrase for the key %1").arg(name)
                                : QStringLiteral("%1: the private key cannot be read").arg(name),
                    ossl::drainErrors());
    }
    return key;
}

Result<QList<Certificate>> readCerts(const QString& path)
{
    auto bundle = crypto::CertificateReader::readFile(path);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    if (bundle->certificates.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 holds no certificate").arg(QFileInfo(path).fileName()));
    }
    return bundle->certificates;
}

QByteArray pemOf(const QList<Certificate>& certs)
{
    QByteArray out;
    for (const Certificate& c : certs) {
        out += c.toPem();
    }
    return out;
}

ExitCode runExport(CommandContext& ctx, const QCommandLineParser& p,
                   const QCommandLineOption& keyOpt, const QCommandLineOption& certOpt,
                   const QCommandLineOption& chainOpt, const QCommandLineOption& outOpt,
                   const QCommandLineOption& legacyOpt, const QCommandLineOption& nameOpt,
                   const QCommandLineOption& forceOpt, const PassphraseOption& pass,
                   const PassphraseOption& keyPass)
{
    if (!p.isSet(keyOpt) || !p.isSet(certOpt) || !p.isSet(outOpt)) {
        return usageError(ctx, QStringLiteral("'p12 export' needs --key, --cert and --out"));
    }
    if (!pass.isSet(p)) {
        return usageError(ctx, QStringLiteral("'p12 export' needs --passphrase-file or "
                                              "--passphrase-env (never a passphrase argument)"));
    }
    auto passphrase = pass.read(p, ctx.err);
    if (!passphrase) {
        return reportError(ctx, passphrase.error());
    }
    auto keyPassphrase = keyPass.read(p, ctx.err);
    if (!keyPassphrase) {
        return reportError(ctx, keyPassphrase.error());
    }
    auto key = readKey(p.value(keyOpt), *keyPassphrase);
    if (!key) {
        return reportError(ctx, key.error());
    }
    auto certs = readCerts(p.value(certOpt));
    if (!certs) {
        return reportError(ctx, certs.error());
    }
    const Certificate leaf = certs->takeFirst();
    QList<Certificate> chain = *certs; // a fullchain.pem given as --cert brings its chain
    if (p.isSet(chainOpt)) {
        auto more = readCerts(p.value(chainOpt));
        if (!more) {
            return reportError(ctx, more.error());
        }
        chain << *more;
    }
    const bool legacy = p.isSet(legacyOpt);
    const QString friendly = p.isSet(nameOpt) ? p.value(nameOpt) : leaf.commonName();
    auto der = Pkcs12::exportDer(key->get(), leaf, chain, *passphrase, friendly,
                                 legacy ? Pkcs12::Profile::Legacy : Pkcs12::Profile::Modern);
    if (!der) {
        return reportError(ctx, der.error());
    }
    const QString out = p.value(outOpt);
    WriteOptions w;
    w.secret = true;
    w.overwrite = p.isSet(forceOpt);
    if (auto s = writeFileAtomically(out, *der, w); !s) {
        Error e = s.error();
        if (e.code == ErrorCode::Conflict) {
            e.message += QStringLiteral(" (use --force to replace it)");
        }
        return reportError(ctx, e);
    }
    const QString profile = legacy ? QStringLiteral("legacy") : QStringLiteral("modern");
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("out"), out},
                            {QStringLiteral("profile"), profile},
                            {QStringLiteral("friendlyName"), friendly},
                            {QStringLiteral("subject"), leaf.subject()},
                            {QStringLiteral("chainCertificates"), chain.size()}});
    } else {
        ctx.out << "Wrote " << out << " (PKCS#12, " << profile
                << (legacy ? ": 3DES + SHA-1 MAC" : ": AES-256-CBC/PBKDF2 + SHA-256 MAC")
                << ", mode 0600): " << leaf.subject() << " + " << chain.size()
                << " chain certificate(s)\n";
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runImport(CommandContext& ctx, const QCommandLineParser& p, const QString& file,
                   const QCommandLineOption& outDirOpt, const QCommandLineOption& forceOpt,
                   const PassphraseOption& pass)
{
    if (!p.isSet(outDirOpt)) {
        return usageError(ctx, QStringLiteral("'p12 import' needs --out-dir DIR"));
    }
    auto passphrase = pass.read(p, ctx.err);
    if (!passphrase) {
        return reportError(ctx, passphrase.error());
    }
    auto data = readFileCapped(file, crypto::CertificateReader::MaxBytes);
    if (!data) {
        return reportError(ctx, data.error());
    }
    const QString name = QFileInfo(file).fileName();
    auto contents = Pkcs12::import(*data, *passphrase, name);
    if (!contents) {
        Error e = contents.error();
        if (e.message.contains(QLatin1String("needs a passphrase"))) {
            e.message += QStringLiteral(": give --passphrase-file or --passphrase-env");
        }
        return reportError(ctx, e);
    }
    if (contents->leaf.isNull()) {
        return reportError(ctx, Error{ErrorCode::InvalidInput,
                                      QStringLiteral("%1 holds no certificate").arg(name),
                                      {}});
    }
    const QDir dir(p.value(outDirOpt));
    struct Output
    {
        QString file;
        QByteArray data;
        bool secret;
    };
    QList<Output> outputs;
    if (!contents->keyPem.isEmpty()) {
        outputs << Output{QStringLiteral("privkey.pem"), contents->keyPem, true};
    }
    outputs << Output{QStringLiteral("cert.pem"), contents->leaf.toPem(), false};
    if (!contents->chain.isEmpty()) {
        outputs << Output{QStringLiteral("chain.pem"), pemOf(contents->chain), false};
    }
    outputs << Output{QStringLiteral("fullchain.pem"),
                      contents->leaf.toPem() + pemOf(contents->chain), false};
    const bool force = p.isSet(forceOpt);
    // All or nothing: refuse before writing anything if one file exists.
    if (!force) {
        for (const Output& o : outputs) {
            if (QFileInfo::exists(dir.filePath(o.file))) {
                return reportError(ctx, Error{ErrorCode::Conflict,
                                              QStringLiteral("%1 already exists; nothing was "
                                                             "written (use --force to replace)")
                                                  .arg(dir.filePath(o.file)),
                                              {}});
            }
        }
    }
    QJsonArray written;
    for (const Output& o : outputs) {
        // privkey.pem comes first, so a new folder is created 0700; the
        // certificates are public and get 0644.
        WriteOptions w;
        w.secret = o.secret;
        w.overwrite = force;
        const Status s = writeFileAtomically(dir.filePath(o.file), o.data, w);
        if (!s) {
            return reportError(ctx, s.error());
        }
        written.append(dir.filePath(o.file));
    }
    if (ctx.json) {
        QJsonObject o{{QStringLiteral("written"), written},
                      {QStringLiteral("subject"), contents->leaf.subject()},
                      {QStringLiteral("chainCertificates"), contents->chain.size()},
                      {QStringLiteral("hasKey"), !contents->keyPem.isEmpty()},
                      {QStringLiteral("friendlyName"), contents->friendlyName},
                      {QStringLiteral("legacyAlgorithms"), contents->usedLegacyAlgorithms}};
        printJson(ctx.out, o);
    } else {
        ctx.out << "Imported " << name << ": " << contents->leaf.subject() << " + "
                << contents->chain.size() << " chain certificate(s)"
                << (contents->keyPem.isEmpty() ? ", no private key" : ", private key") << "\n";
        for (const QJsonValue& v : written) {
            ctx.out << "  wrote " << v.toString() << "\n";
        }
        if (contents->usedLegacyAlgorithms) {
            ctx.out << "  note: the file uses legacy encryption (RC2/RC4/DES); export it again "
                       "without --legacy\n";
        }
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

ExitCode runP12(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption key(QStringLiteral("key"), QStringLiteral("Private key (PEM)."),
                                 QStringLiteral("KEY"));
    const QCommandLineOption cert(QStringLiteral("cert"),
                                  QStringLiteral("Certificate, or a full chain with the leaf "
                                                 "first."),
                                  QStringLiteral("CERT"));
    const QCommandLineOption chain(QStringLiteral("chain"),
                                   QStringLiteral("Intermediate certificates."),
                                   QStringLiteral("CHAIN"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("PKCS#12 file to write."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption outDir(QStringLiteral("out-dir"),
                                    QStringLiteral("Folder for cert.pem, chain.pem, "
                                                   "fullchain.pem, privkey.pem."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption legacy(QStringLiteral("legacy"),
                                    QStringLiteral("3DES + SHA-1 MAC for Java 8 and old "
                                                   "Windows."));
    const QCommandLineOption name(QStringLiteral("name"),
                                  QStringLiteral("Friendly name (default: the certificate's "
                                                 "CN)."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Replace existing files."));
    const PassphraseOption pass({}, QStringLiteral("PKCS#12 "));
    const PassphraseOption keyPass(QStringLiteral("key-"), QStringLiteral("key's "));
    for (const QCommandLineOption* o :
         {&key, &cert, &chain, &out, &outDir, &legacy, &name, &force}) {
        p.addOption(*o);
    }
    pass.addTo(p);
    keyPass.addTo(p);
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("export or import"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("p12"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (!pos.isEmpty() && pos.first() == QLatin1String("export") && pos.size() == 1) {
        return runExport(ctx, p, key, cert, chain, out, legacy, name, force, pass, keyPass);
    }
    if (!pos.isEmpty() && pos.first() == QLatin1String("import") && pos.size() == 2) {
        return runImport(ctx, p, pos.at(1), outDir, force, pass);
    }
    return usageError(ctx, QStringLiteral("'p12' needs: export --key KEY --cert CERT --out FILE, "
                                          "or import FILE --out-dir DIR"));
}

} // namespace

QList<SubcommandSpec> p12Subcommands()
{
    const QString secrets = QStringLiteral(
        "Nothing is overwritten without --force. Passphrases are read from files or\n"
        "environment variables, never from arguments.");
    return {
        {QStringLiteral("export"),
         QStringLiteral("--key KEY --cert CERT [--chain CHAIN] --out FILE\n"
                        "         (--passphrase-file F | --passphrase-env VAR)\n"
                        "         [--key-passphrase-file F | --key-passphrase-env VAR]\n"
                        "         [--legacy] [--name NAME] [--force]"),
         {QStringLiteral("key"), QStringLiteral("cert"), QStringLiteral("chain"),
          QStringLiteral("out"), QStringLiteral("passphrase-file"),
          QStringLiteral("passphrase-env"), QStringLiteral("key-passphrase-file"),
          QStringLiteral("key-passphrase-env"), QStringLiteral("legacy"), QStringLiteral("name"),
          QStringLiteral("force")},
         QStringLiteral("Writes AES-256-CBC/PBKDF2 with a SHA-256 MAC (modern), or with --legacy\n"
                        "3DES with a SHA-1 MAC for Java 8 and older Windows. The file is mode\n"
                        "0600.\n") +
             secrets},
        {QStringLiteral("import"),
         QStringLiteral("FILE --out-dir DIR (--passphrase-file F | --passphrase-env VAR) "
                        "[--force]"),
         {QStringLiteral("out-dir"), QStringLiteral("passphrase-file"),
          QStringLiteral("passphrase-env"), QStringLiteral("force")},
         QStringLiteral("Writes cert.pem, chain.pem, fullchain.pem and privkey.pem (0600).\n") +
             secrets},
    };
}

CERTDECK_COMMAND({QStringLiteral("p12"),
                  QStringLiteral("  p12 export|import          PKCS#12 files out of key + "
                                 "certificates, and back into PEM files\n"),
                  runP12, p12Subcommands()});

} // namespace certdeck::cli
