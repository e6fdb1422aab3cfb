// SPDX-License-Identifier: GPL-3.0-or-later
#include "Pkcs12.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <openssl/pem.h>
#include <openssl/provider.h>

namespace certdeck::crypto {

using ossl::Pkcs12Ptr;
using ossl::X509StackPtr;

namespace {

using ossl::LibCtxPtr;
using ossl::ProviderPtr;

/// A library context with the default and the legacy provider, used only to
/// read old files (RC2-40 from Windows XP-era exports and `openssl pkcs12
/// -legacy`). It is private so the process-wide default never offers the
/// legacy algorithms to anything else.
struct LegacyContext
{
    LegacyContext()
        : ctx(OSSL_LIB_CTX_new())
    {
        if (ctx) {
            defaultProvider.reset(OSSL_PROVIDER_load(ctx.get(), "default"));
            legacyProvider.reset(OSSL_PROVIDER_load(ctx.get(), "legacy"));
        }
        if (!defaultProvider || !legacyProvider) {
            static_cast<void>(ossl::drainErrors()); // the caller reports "cannot decrypt"
        }
    }
    [[nodiscard]] OSSL_LIB_CTX* get() const
    {
        return defaultProvider && legacyProvider ? ctx.get() : nullptr;
    }

    // Declared first, destroyed last: the providers are unloaded before
    // their context goes.
    LibCtxPtr ctx;
    ProviderPtr defaultProvider;
    ProviderPtr legacyProvider;
};

OSSL_LIB_CTX* legacyContext()
{
    static const LegacyContext context;
    return context.get();
}

/// Makes `ctx` this thread's default library context for its lifetime.
class ScopedDefaultContext
{
public:
    explicit ScopedDefaultContext(OSSL_LIB_CTX* ctx)
        : m_previous(OSSL_LIB_CTX_set0_default(ctx))
    {}
    ~ScopedDefaultContext() { OSSL_LIB_CTX_set0_default(m_previous); }
    ScopedDefaultContext(const ScopedDefaultContext&) = delete;
    ScopedDefaultContext& operator=(const ScopedDefaultContext&) = delete;

private:
    OSSL_LIB_CTX* m_previous;
};

struct Parsed
{
    ossl::PKeyPtr key;
    ossl::X509Ptr cert;
    X509StackPtr ca;
};

bool parse(PKCS12* p12, const QByteArray& pass, Parsed& out)
{
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    const int ok = PKCS12_parse(p12, pass.constData(), &key, &cert, &ca);
    out.key.reset(key);
    out.cert.reset(cert);
    out.ca.reset(ca);
    return ok == 1;
}

QByteArray keyToPem(EVP_PKEY* key, QString* error)
{
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        *error = ossl::drainErrors();
        return {};
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, static_cast<qsizetype>(len));
}

} // namespace

bool Pkcs12::looksLikePkcs12(const QByteArray& der)
{
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, der.size()));
    if (!p12) {
        static_cast<void>(ossl::drainErrors()); // "no" is the answer, not an error
    }
    return static_cast<bool>(p12);
}

Result<Pkcs12::Contents> Pkcs12::import(const QByteArray& der, const QByteArray& passphrase,
                                        const QString& origin)
{
    const QString where = origin.isEmpty() ? QStringLiteral("PKCS#12 data") : origin;
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, der.size()));
    if (!p12) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a PKCS#12 file (its DER does not parse)").arg(where),
                    ossl::drainErrors());
    }
    Contents out;
    QByteArray pass = passphrase;
    out.hadMac = PKCS12_mac_present(p12.get()) == 1;
    if (out.hadMac) {
        // The MAC is checked first and on its own so that a wrong passphrase
        // is told apart from a damaged file or a missing algorithm.
        if (pass.isEmpty()) {
            if (PKCS12_verify_mac(p12.get(), "", 0) != 1 &&
                PKCS12_verify_mac(p12.get(), nullptr, 0) != 1) {
                static_cast<void>(ossl::drainErrors()); // expected: it has a passphrase
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("%1 is PKCS#12 and needs a passphrase").arg(where));
            }
        } else if (PKCS12_verify_mac(p12.get(), pass.constData(), static_cast<int>(pass.size())) !=
                   1) {
            return fail(ErrorCode::Crypto,
                        QStringLiteral("Wrong passphrase for %1 (the PKCS#12 MAC does not "
                                       "match)")
                            .arg(where),
                        ossl::drainErrors());
        }
    }
    Parsed parsed;
    if (!parse(p12.get(), pass, parsed)) {
        const QString firstError = ossl::drainErrors();
        OSSL_LIB_CTX* legacy = legacyContext();
        bool ok = false;
        if (legacy != nullptr) {
            const ScopedDefaultContext scope(legacy);
            ok = parse(p12.get(), pass, parsed);
        }
        if (!ok) {
            const QString second = ossl::drainErrors();
            return fail(out.hadMac ? ErrorCode::Unsupported : ErrorCode::Crypto,
                        out.hadMac ? QStringLiteral("%1: the passphrase is right but the "
                                                    "contents cannot be decrypted (unsupported "
                                                    "algorithm or damaged file)")
                                         .arg(where)
                                   : QStringLiteral("%1 has no MAC and cannot be decrypted "
                                                    "with this passphrase")
                                         .arg(where),
                        firstError +
                            (second.isEmpty() ? QString() : QStringLiteral("; ") + second));
        }
        out.usedLegacyAlgorithms = true;
    }
    if (parsed.key) {
        QString error;
        out.keyPem = keyToPem(parsed.key.get(), &error);
        if (out.keyPem.isEmpty()) {
            return fail(ErrorCode::Crypto,
                        QStringLiteral("%1: the private key cannot be re-encoded").arg(where),
                        error);
        }
        out.key = std::move(parsed.key);
    }
    if (parsed.cert) {
        int aliasLen = 0;
        const unsigned char* alias = X509_alias_get0(parsed.cert.get(), &aliasLen);
        if (alias != nullptr) {
            out.friendlyName = QString::fromUtf8(reinterpret_cast<const char*>(alias), aliasLen);
        }
        out.leaf = Certificate(std::move(parsed.cert));
    }
    // PKCS12_parse returns the extra certificates in file order.
    while (parsed.ca && sk_X509_num(parsed.ca.get()) > 0) {
        out.chain << Certificate(ossl::X509Ptr(sk_X509_shift(parsed.ca.get())));
    }
    if (out.leaf.isNull() && !out.chain.isEmpty()) {
        out.leaf = out.chain.takeFirst();
    }
    return out;
}

Result<QByteArray> Pkcs12::exportDer(EVP_PKEY* key, const Certificate& leaf,
                                     const QList<Certificate>& chain, const QByteArray& passphrase,
                                     const QString& friendlyName, Profile profile)
{
    if (passphrase.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A PKCS#12 file needs a passphrase; an empty one protects "
                                   "nothing"));
    }
    if (key == nullptr || leaf.isNull()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A PKCS#12 export needs a private key and its certificate"));
    }
    if (X509_check_private_key(leaf.handle(), key) != 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The private key does not belong to the certificate %1")
                        .arg(leaf.subject()),
                    ossl::drainErrors());
    }
    X509StackPtr ca(sk_X509_new_null());
    if (!ca) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    for (const Certificate& c : chain) {
        if (X509_up_ref(c.handle()) != 1 || sk_X509_push(ca.get(), c.handle()) <= 0) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot collect the chain"),
                        ossl::drainErrors());
        }
    }
    const bool modern = profile == Profile::Modern;
    const int pbe = modern ? NID_aes_256_cbc : NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
    const int iter = modern ? ModernIterations : LegacyIterations;
    const QByteArray name = friendlyName.toUtf8();
    // mac_iter -1: no MAC yet; it is set below with the digest we choose
    // (PKCS12_create's own MAC is always SHA-1).
    Pkcs12Ptr p12(PKCS12_create_ex(passphrase.constData(),
                                   name.isEmpty() ? nullptr : name.constData(), key, leaf.handle(),
                                   ca.get(), pbe, pbe, iter, -1, 0, nullptr, nullptr));
    if (!p12) {
        return fail(ErrorCode::Crypto, QStringLiteral("Cannot build the PKCS#12 structure"),
                    ossl::drainErrors());
    }
    if (PKCS12_set_mac(p12.get(), passphrase.constData(), static_cast<int>(passphrase.size()),
                       nullptr, 0, iter, modern ? EVP_sha256() : EVP_sha1()) != 1) {
        return fail(ErrorCode::Crypto, QStringLiteral("Cannot add the PKCS#12 MAC"),
                    ossl::drainErrors());
    }
    const int len = i2d_PKCS12(p12.get(), nullptr);
    if (len <= 0) {
        return fail(ErrorCode::Crypto, QStringLiteral("Cannot encode the PKCS#12 file"),
                    ossl::drainErrors());
    }
    QByteArray out(len, Qt::Uninitialized);
    auto* w = reinterpret_cast<unsigned char*>(out.data());
    if (i2d_PKCS12(p12.get(), &w) != len) {
        return fail(ErrorCode::Crypto, QStringLiteral("Cannot encode the PKCS#12 file"),
                    ossl::drainErrors());
    }
    return out;
}

} // namespace certdeck::crypto
