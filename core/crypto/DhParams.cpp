// SPDX-License-Identifier: GPL-3.0-or-later
#include "DhParams.h"

#include "common/OpensslThreadCleanup.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/KeyGenCallback.h"
#include "crypto/internal/KeyPemScanner.h"

#include <openssl/core_names.h>
#include <openssl/dh.h>

namespace certdeck::crypto {

namespace {

QString where(const QString& origin)
{
    return origin.isEmpty() ? QStringLiteral("the DH parameters") : origin;
}

} // namespace

DhParams::DhParams(ossl::PKeyPtr params)
    : m_params(std::move(params))
{}

DhParams::DhParams(const DhParams& other)
{
    if (other.m_params && EVP_PKEY_up_ref(other.m_params.get()) == 1) {
        m_params.reset(other.m_params.get());
    }
}

DhParams& DhParams::operator=(const DhParams& other)
{
    if (this != &other) {
        DhParams copy(other);
        m_params = std::move(copy.m_params);
    }
    return *this;
}

bool DhParams::isAllowedSize(int bits)
{
    return bits == 2048 || bits == 3072 || bits == 4096;
}

Result<DhParams> DhParams::generate(int bits, const PrimeSearchCallback& onProgress)
{
    if (!isAllowedSize(bits)) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("DH parameters must be 2048, 3072 or 4096 bits, not %1").arg(bits));
    }
    ossl::PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
    if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set up DH parameter generation"),
                    ossl::drainErrors());
    }
    // A safe prime with generator 2, as `openssl dhparam` makes: the PKCS#3
    // form every TLS server reads (FIPS 186 "DHX" parameters are not).
    size_t primeBits = static_cast<size_t>(bits);
    int generator = 2;
    char type[] = "generator";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_FFC_TYPE, type, 0),
        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_FFC_PBITS, &primeBits),
        OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_GENERATOR, &generator), OSSL_PARAM_END};
    if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot set the DH parameter size"),
                    ossl::drainErrors());
    }
    internal::KeyGenCallbackState cb(&onProgress);
    cb.attach(ctx.get());
    EVP_PKEY* raw = nullptr;
    const int ok = EVP_PKEY_paramgen(ctx.get(), &raw);
    ossl::PKeyPtr dh(raw);
    if (ok != 1 || !dh) {
        const QString detail = ossl::drainErrors();
        if (cb.stopped) {
            return fail(ErrorCode::Cancelled,
                        QStringLiteral("DH parameter generation was cancelled"));
        }
        return fail(ErrorCode::Crypto, QStringLiteral("DH parameter generation failed"), detail);
    }
    return DhParams(std::move(dh));
}

TypedJob<DhParams>* DhParams::generateJob(int bits, QObject* parent)
{
    return new TypedJob<DhParams>(
        [bits](const JobControl& control) -> Result<DhParams> {
            const certdeck::OpensslThreadCleanup cleanup;
            const QString step = QStringLiteral("Generating %1-bit DH parameters").arg(bits);
            control.reportProgress(step, Job::Indeterminate, QStringLiteral("started"));
            if (control.isCancelled()) {
                return fail(ErrorCode::Cancelled,
                            QStringLiteral("DH parameter generation was cancelled"));
            }
            auto dh = generate(bits, [&control, &step](const PrimeSearchProgress& p) {
                if (control.isCancelled()) {
                    return false;
                }
                control.reportProgress(
                    step, Job::Indeterminate,
                    QStringLiteral("%1 safe-prime candidates tested").arg(p.candidatesTested));
                return true;
            });
            if (dh) {
                control.reportProgress(step, 1.0, QStringLiteral("done"));
            }
            return dh;
        },
        parent);
}

Result<DhParams> DhParams::fromPem(const QByteArray& pem, const QString& origin)
{
    const QString name = where(origin);
    const QList<internal::KeyPemBlock> blocks = internal::scanPemBlocks(pem);
    for (const internal::KeyPemBlock& b : blocks) {
        if (b.label != "DH PARAMETERS") {
            continue;
        }
        if (!b.problem.isEmpty()) {
            return fail(ErrorCode::InvalidInput, QStringLiteral("%1 %2").arg(name, b.problem));
        }
        EVP_PKEY* raw = nullptr;
        ossl::DecoderCtxPtr dctx(OSSL_DECODER_CTX_new_for_pkey(
            &raw, "PEM", nullptr, "DH", EVP_PKEY_KEY_PARAMETERS, nullptr, nullptr));
        const auto* p = reinterpret_cast<const unsigned char*>(b.text.constData());
        size_t len = static_cast<size_t>(b.text.size());
        const int ok = dctx ? OSSL_DECODER_from_data(dctx.get(), &p, &len) : 0;
        ossl::PKeyPtr dh(raw);
        if (ok != 1 || !dh) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: the DH parameters cannot be read")
                            .arg(name)
                            .arg(b.beginLine),
                        ossl::drainErrors());
        }
        return DhParams(std::move(dh));
    }
    return fail(ErrorCode::InvalidInput,
                QStringLiteral("%1 has no '-----BEGIN DH PARAMETERS-----' block").arg(name));
}

int DhParams::bits() const
{
    return m_params ? EVP_PKEY_get_bits(m_params.get()) : 0;
}

QByteArray DhParams::toPem() const
{
    if (!m_params) {
        return {};
    }
    ossl::EncoderCtxPtr ectx(OSSL_ENCODER_CTX_new_for_pkey(m_params.get(), EVP_PKEY_KEY_PARAMETERS,
                                                           "PEM", "type-specific", nullptr));
    unsigned char* raw = nullptr;
    size_t len = 0;
    if (!ectx || OSSL_ENCODER_to_data(ectx.get(), &raw, &len) != 1) {
        static_cast<void>(ossl::drainErrors());
        return {};
    }
    const ossl::EncodedBuffer buf(raw, ossl::ClearFree{len});
    return QByteArray(reinterpret_cast<const char*>(buf.get()), static_cast<qsizetype>(len));
}

} // namespace certdeck::crypto
