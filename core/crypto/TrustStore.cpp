// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrustStore.h"

#include "crypto/OpenSslError.h"
#include "crypto/internal/PemBlocks.h"

#include <QFile>

namespace certdeck::crypto {

namespace {

// Bundles are small (the Debian one is ~220 KiB); a cap keeps a wrong path
// (a disk image, /dev/zero) from eating memory.
constexpr qint64 kMaxBundleBytes = 16 * 1024 * 1024;

QByteArray nameDer(const X509_NAME* name)
{
    const unsigned char* der = nullptr;
    size_t len = 0;
    if (name == nullptr || X509_NAME_get0_der(name, &der, &len) != 1) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char*>(der), static_cast<qsizetype>(len));
}

} // namespace

TrustStore::TrustStore()
    : m_store(X509_STORE_new(), ossl::Deleter<X509_STORE_free>{})
{}

Result<TrustStore> TrustStore::system()
{
    QString path = qEnvironmentVariable(X509_get_default_cert_file_env());
    if (path.isEmpty()) {
        path = QString::fromLocal8Bit(X509_get_default_cert_file());
    }
    return fromFile(path);
}

Result<TrustStore> TrustStore::fromFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(f.exists() ? ErrorCode::Io : ErrorCode::NotFound,
                    QStringLiteral("cannot read the trust bundle %1").arg(path), f.errorString());
    }
    if (f.size() > kMaxBundleBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the trust bundle %1 is %2 bytes; more than %3 is no bundle")
                        .arg(path)
                        .arg(f.size())
                        .arg(kMaxBundleBytes));
    }
    return fromPem(f.readAll(), path);
}

Result<TrustStore> TrustStore::fromPem(const QByteArray& data, const QString& origin)
{
    auto certs = internal::readCertificates(data, origin);
    if (!certs) {
        return tl::unexpected(certs.error());
    }
    return fromCertificates(*certs, origin);
}

Result<TrustStore> TrustStore::fromCertificates(const QList<Certificate>& anchors,
                                                const QString& origin)
{
    TrustStore t;
    t.m_origin = origin.isEmpty() ? QStringLiteral("given anchors") : origin;
    if (!t.m_store) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot create an OpenSSL trust store"),
                    ossl::drainErrors());
    }
    for (const Certificate& c : anchors) {
        if (c.isNull()) {
            continue;
        }
        const QByteArray fp = c.fingerprint(QCryptographicHash::Sha256);
        if (t.m_byFingerprint.contains(fp)) {
            continue; // bundles repeat anchors; one is enough
        }
        // X509_STORE_add_cert takes its own reference.
        if (X509_STORE_add_cert(t.m_store.get(), c.handle()) != 1) {
            return fail(ErrorCode::Internal,
                        QStringLiteral("cannot add %1 to the trust store").arg(c.subject()),
                        ossl::drainErrors());
        }
        const qsizetype index = t.m_anchors.size();
        t.m_anchors << c;
        t.m_byFingerprint.insert(fp, index);
        t.m_bySubject.insert(nameDer(X509_get_subject_name(c.handle())), index);
    }
    return t;
}

bool TrustStore::contains(const Certificate& cert) const
{
    return !cert.isNull() && m_byFingerprint.contains(cert.fingerprint(QCryptographicHash::Sha256));
}

QList<Certificate> TrustStore::issuersByName(const Certificate& cert) const
{
    QList<Certificate> out;
    if (cert.isNull()) {
        return out;
    }
    const auto range = m_bySubject.equal_range(nameDer(X509_get_issuer_name(cert.handle())));
    for (auto it = range.first; it != range.second; ++it) {
        out << m_anchors.at(*it);
    }
    return out;
}

} // namespace certdeck::crypto
