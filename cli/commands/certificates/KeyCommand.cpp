// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl key: make a private key, show what a key file holds, and check
// that a key and a certificate belong together.
#include "CliSupport.h"
#include "OperationRunner.h"
#include "PassphraseSource.h"
#include "common/SecureFile.h"
#include "crypto/Certificate.h"
#include "crypto/Csr.h"
#include "crypto/KeyGenerator.h"
#include "crypto/PrivateKey.h"

#include <QFileInfo>
#include <QJsonObject>
#include <openssl/crypto.h>

namespace certdeck::cli {

namespace {

using crypto::Csr;
using crypto::KeyType;
using crypto::PrivateKey;

/// A passphrase read from a file or the environment, wiped when it goes.
class Passphrase
{
public:
    Passphrase() = default;
    Passphrase(const Passphrase&) = delete;
    Passphrase& operator=(const Passphrase&) = delete;
    ~Passphrase()
    {
        if (!m_bytes.isEmpty()) {
            OPENSSL_cleanse(m_bytes.data(), static_cast<size_t>(m_bytes.size()));
        }
    }
    QByteArray& bytes() { return m_bytes; }
    [[nodiscard]] const QByteArray& bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

struct PassphraseOptions
{
    QCommandLineOption file{QStringLiteral("passphrase-file"),
                            QStringLiteral("Read the passphrase from the first line of FILE."),
                            QStringLiteral("FILE")};
    QCommandLineOption env{QStringLiteral("passphrase-env"),
                           QStringLiteral("Read the passphrase from environment variable VAR."),
                           QStringLiteral("VAR")};

    void addTo(QCommandLineParser& p) const
    {
        p.addOption(file);
        p.addOption(env);
    }
    [[nodiscard]] bool given(const QCommandLineParser& p) const
    {
        return p.isSet(file) || p.isSet(env);
    }

    /// Fills `out` from --passphrase-file or --passphrase-env (at most one).
    /// Passphrases never come from an argument's value: those end up in
    /// shell history and in every user's `ps`.
    [[nodiscard]] Status read(const QCommandLineParser& p, Passphrase& out) const
    {
        if (p.isSet(file) && p.isSet(env)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("give --passphrase-file or --passphrase-env, not both"));
        }
        // One reader for every command (PassphraseSource.h).
        auto pass = readPassphrase(p.isSet(file) ? p.value(file) : QString(),
                                   p.isSet(env) ? p.value(env) : QString());
        if (!pass) {
            return tl::unexpected(pass.error());
        }
        out.bytes() = std::move(*pass);
        return {};
    }
};

QString pinBase64(const PrivateKey& key)
{
    return QString::fromLatin1(key.spkiSha256().toBase64());
}

/// Reads a key file (PEM or DER), asking for the passphrase options when
/// it is encrypted and none was given.
Result<PrivateKey> readKey(const QString& path, const Passphrase& passphrase)
{
    auto data = readFileCapped(path, 1024 * 1024);
    if (!data) {
        return tl::unexpected<Error>(data.error());
    }
    const QString name = QFileInfo(path).fileName();
    if (passphrase.bytes().isEmpty() && PrivateKey::isEncrypted(*data)) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("%1 is encrypted: give --passphrase-file FILE or "
                                   "--passphrase-env VAR")
                        .arg(name));
    }
    auto key = PrivateKey::fromData(*data, passphrase.bytes(), name);
    OPENSSL_cleanse(data->data(), static_cast<size_t>(data->size()));
    return key;
}

/// The first certificate of a PEM file, or a DER file.
Result<crypto::Certificate> readCertificate(const QString& path)
{
    auto data = readFileCapped(path, 16 * 1024 * 1024);
    if (!data) {
        return tl::unexpected<Error>(data.error());
    }
    const QString name = QFileInfo(path).fileName();
    static const QByteArray begin = "-----BEGIN CERTIFICATE-----";
    static const QByteArray end = "-----END CERTIFICATE-----";
    const qsizetype b = data->indexOf(begin);
    if (b < 0) {
        if (data->contains("-----BEGIN")) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 has no '%2' block").arg(name, QLatin1String(begin)));
        }
        return crypto::Certificate::fromDer(*data, name);
    }
    const qsizetype e = data->indexOf(end, b);
    if (e < 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the certificate has no END line (the file is "
                                   "truncated?)")
                        .arg(name));
    }
    QByteArray body = data->mid(b + begin.size(), e - b - begin.size());
    body.replace('\n', "").replace('\r', "").replace(' ', "");
    auto der = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
    if (!der) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the certificate's base64 body is damaged").arg(name));
    }
    return crypto::Certificate::fromDer(der.decoded, name);
}

ExitCode runNew(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    PassphraseOptions pass;
    pass.addTo(p);
    const QCommandLineOption type(QStringLiteral("type"),
                                  QStringLiteral("rsa2048, rsa3072, rsa4096, p256, p384 or "
                                                 "ed25519."),
                                  QStringLiteral("TYPE"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Key file to write."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption noEncrypt(QStringLiteral("no-encrypt"),
                                       QStringLiteral("Write the key unencrypted."));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Replace an existing file."));
    p.addOptions({type, out, noEncrypt, force});
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("key"),
                         QStringList{QStringLiteral("new")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    if (!p.positionalArguments().isEmpty()) {
        return usageError(ctx, QStringLiteral("'key new' takes no arguments; see --help"));
    }
    if (!p.isSet(type) || !p.isSet(out)) {
        return usageError(ctx, QStringLiteral("'key new' needs --type and --out"));
    }
    const auto keyType = crypto::keyTypeFromName(p.value(type));
    if (!keyType) {
        return usageError(ctx, QStringLiteral("unknown key type '%1' (rsa2048, rsa3072, rsa4096, "
                                              "p256, p384, ed25519)")
                                   .arg(p.value(type)));
    }
    if (p.isSet(noEncrypt) == pass.given(p)) {
        return usageError(ctx, QStringLiteral("choose --passphrase-file, --passphrase-env or "
                                              "--no-encrypt"));
    }
    const QString path = p.value(out);
    // Refuse before spending seconds on an RSA key; the write checks again.
    if (!p.isSet(force) && QFileInfo::exists(path)) {
        return reportError(ctx,
                           Error{ErrorCode::Conflict,
                                 QStringLiteral("%1 exists; use --force to replace it").arg(path),
                                 {}});
    }
    Passphrase passphrase;
    if (const Status s = pass.read(p, passphrase); !s) {
        return reportError(ctx, s.error());
    }

    crypto::KeyGenerator gen(*keyType);
    // A prime search reports ten times a second: a line a second is plenty.
    OperationRunner(ctx, QStringLiteral("key")).throttleRepeats(1000).run(gen);
    const auto key = gen.result();
    if (!key) {
        return reportError(ctx, key.error());
    }
    QByteArray pem;
    if (passphrase.bytes().isEmpty()) {
        pem = key->toPkcs8Pem();
    } else {
        auto enc = key->toEncryptedPkcs8Pem(passphrase.bytes());
        if (!enc) {
            return reportError(ctx, enc.error());
        }
        pem = std::move(*enc);
    }
    const Status written =
        writeFileAtomically(path, pem, WriteOptions{.secret = true, .overwrite = p.isSet(force)});
    OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
    if (!written) {
        return reportError(ctx, written.error());
    }
    const bool encrypted = !passphrase.bytes().isEmpty();
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("type"), crypto::keyTypeName(*keyType)},
                            {QStringLiteral("description"), key->description()},
                            {QStringLiteral("bits"), key->bits()},
                            {QStringLiteral("path"), QFileInfo(path).absoluteFilePath()},
                            {QStringLiteral("encrypted"), encrypted},
                            {QStringLiteral("spkiSha256"), pinBase64(*key)}});
        return ExitCode::Ok;
    }
    ctx.out << "Wrote " << key->description() << " key to " << path
            << (encrypted ? " (encrypted: scrypt + AES-256-CBC)" : " (not encrypted)") << "\n"
            << "SPKI pin (sha256, base64): " << pinBase64(*key) << "\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runShow(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    PassphraseOptions pass;
    pass.addTo(p);
    p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Key file (PEM or DER)."));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("key"),
                         QStringList{QStringLiteral("show")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1) {
        return usageError(ctx, QStringLiteral("'key show' needs one key file"));
    }
    Passphrase passphrase;
    if (const Status s = pass.read(p, passphrase); !s) {
        return reportError(ctx, s.error());
    }
    auto raw = readFileCapped(pos.first(), 1024 * 1024);
    const bool encrypted = raw && PrivateKey::isEncrypted(*raw);
    if (raw) {
        OPENSSL_cleanse(raw->data(), static_cast<size_t>(raw->size()));
    }
    const auto key = readKey(pos.first(), passphrase);
    if (!key) {
        return reportError(ctx, key.error());
    }
    const auto type = key->keyType();
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("type"), type ? crypto::keyTypeName(*type) : QString()},
                            {QStringLiteral("description"), key->description()},
                            {QStringLiteral("bits"), key->bits()},
                            {QStringLiteral("path"), QFileInfo(pos.first()).absoluteFilePath()},
                            {QStringLiteral("encrypted"), encrypted},
                            {QStringLiteral("spkiSha256"), pinBase64(*key)}});
        return ExitCode::Ok;
    }
    ctx.out << "Key        " << key->description() << "\n"
            << "Bits       " << key->bits() << "\n"
            << "Encrypted  " << (encrypted ? "yes" : "no") << "\n"
            << "SPKI pin   sha256/" << pinBase64(*key) << "\n";
    ctx.out.flush();
    return ExitCode::Ok;
}

ExitCode runMatch(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    PassphraseOptions pass;
    pass.addTo(p);
    p.addPositionalArgument(QStringLiteral("key"), QStringLiteral("Key file."));
    p.addPositionalArgument(QStringLiteral("cert"), QStringLiteral("Certificate file."));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("key"),
                         QStringList{QStringLiteral("match")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2) {
        return usageError(ctx, QStringLiteral("'key match' needs a key file and a certificate"));
    }
    Passphrase passphrase;
    if (const Status s = pass.read(p, passphrase); !s) {
        return reportError(ctx, s.error());
    }
    const auto key = readKey(pos.at(0), passphrase);
    if (!key) {
        return reportError(ctx, key.error());
    }
    // A CSR is matched by its public key, before it is sent to a CA.
    if (auto data = readFileCapped(pos.at(1), 1024 * 1024);
        data && data->contains("-----BEGIN CERTIFICATE REQUEST-----")) {
        const auto csr = Csr::fromPem(*data, QFileInfo(pos.at(1)).fileName());
        if (!csr) {
            return reportError(ctx, csr.error());
        }
        const auto same = key->matchesPublicKeyDer(csr->publicKeyDer());
        if (!same) {
            return reportError(ctx, same.error());
        }
        const QString csrPin = QString::fromLatin1(
            QCryptographicHash::hash(csr->publicKeyDer(), QCryptographicHash::Sha256).toBase64());
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("match"), *same},
                                {QStringLiteral("key"), QFileInfo(pos.at(0)).absoluteFilePath()},
                                {QStringLiteral("csr"), QFileInfo(pos.at(1)).absoluteFilePath()},
                                {QStringLiteral("subject"), csr->subject()},
                                {QStringLiteral("keySpkiSha256"), pinBase64(*key)},
                                {QStringLiteral("csrSpkiSha256"), csrPin}});
        } else {
            ctx.out << (*same ? "MATCH - " : "MISMATCH - ") << pos.at(0)
                    << (*same ? " belongs to " : " does not belong to ") << pos.at(1) << " ("
                    << csr->subject() << ")\n"
                    << "  key pin  sha256/" << pinBase64(*key) << "\n"
                    << "  CSR pin  sha256/" << csrPin << "\n";
            ctx.out.flush();
        }
        return *same ? ExitCode::Ok : ExitCode::Critical;
    }
    const auto cert = readCertificate(pos.at(1));
    if (!cert) {
        return reportError(ctx, cert.error());
    }
    const bool match = key->matchesCertificate(*cert);
    const QString certPin = QString::fromLatin1(cert->spkiSha256().toBase64());
    if (ctx.json) {
        printJson(ctx.out,
                  {{QStringLiteral("match"), match},
                   {QStringLiteral("key"), QFileInfo(pos.at(0)).absoluteFilePath()},
                   {QStringLiteral("certificate"), QFileInfo(pos.at(1)).absoluteFilePath()},
                   {QStringLiteral("subject"), cert->subject()},
                   {QStringLiteral("keySpkiSha256"), pinBase64(*key)},
                   {QStringLiteral("certificateSpkiSha256"), certPin}});
    } else {
        ctx.out << (match ? "MATCH - " : "MISMATCH - ") << pos.at(0)
                << (match ? " belongs to " : " does not belong to ") << pos.at(1) << " ("
                << cert->subject() << ")\n"
                << "  key pin          sha256/" << pinBase64(*key) << "\n"
                << "  certificate pin  sha256/" << certPin << "\n";
        ctx.out.flush();
    }
    return match ? ExitCode::Ok : ExitCode::Critical;
}

ExitCode runKey(CommandContext& ctx, const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    // The action's parser sees "key ACTION" as its argv[0].
    QStringList rest = args.mid(1);
    if (!rest.isEmpty()) {
        rest[0] = args.at(0) + u' ' + action;
    }
    if (action == QLatin1String("new")) {
        return runNew(ctx, rest);
    }
    if (action == QLatin1String("show")) {
        return runShow(ctx, rest);
    }
    if (action == QLatin1String("match")) {
        return runMatch(ctx, rest);
    }
    if (action == QLatin1String("--help") || action == QLatin1String("-h")) {
        return commandHelp(ctx, QStringLiteral("key"));
    }
    return usageError(ctx, QStringLiteral("'key' needs an action: new, show or match"));
}

} // namespace

QList<SubcommandSpec> keySubcommands()
{
    return {
        {QStringLiteral("new"),
         QStringLiteral("--type TYPE --out FILE\n"
                        "         (--passphrase-file FILE | --passphrase-env VAR | --no-encrypt)\n"
                        "         [--force]"),
         {QStringLiteral("type"), QStringLiteral("out"), QStringLiteral("no-encrypt"),
          QStringLiteral("force"), QStringLiteral("passphrase-file"),
          QStringLiteral("passphrase-env")},
         QStringLiteral("Generates a private key and writes it as PKCS#8 PEM, mode 0600 (a new\n"
                        "folder is made 0700). With a passphrase the key is encrypted with\n"
                        "AES-256-CBC under a scrypt-derived key. TYPE is rsa2048, rsa3072,\n"
                        "rsa4096, p256, p384 or ed25519. An existing file is never replaced\n"
                        "without --force. Prints the type and the SPKI pin (SHA-256, base64).")},
        {QStringLiteral("show"),
         QStringLiteral("FILE [--passphrase-file FILE | --passphrase-env VAR]"),
         {QStringLiteral("passphrase-file"), QStringLiteral("passphrase-env")},
         QStringLiteral("Prints a key's type, size, SPKI pin and whether the file is encrypted;\n"
                        "never the key itself.")},
        {QStringLiteral("match"),
         QStringLiteral("KEY CERT [--passphrase-file FILE | --passphrase-env VAR]"),
         {QStringLiteral("passphrase-file"), QStringLiteral("passphrase-env")},
         QStringLiteral("Checks that CERT (PEM or DER; the first certificate of a chain file)\n"
                        "or a CSR (PEM) carries KEY's public key. Exit 0 when they match, 2 when\n"
                        "they do not.")},
    };
}

CERTDECK_COMMAND({QStringLiteral("key"),
                  QStringLiteral("  key new --type T --out F  generate a private key (0600 "
                                 "file, encrypted unless --no-encrypt)\n"
                                 "  key show FILE             type, size, SPKI pin of a key\n"
                                 "  key match KEY CERT        exit 0 if CERT carries KEY, 2 "
                                 "if not\n"),
                  runKey, keySubcommands()});

} // namespace certdeck::cli
