// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::crypto {

/// One X.509 certificate: a cheap-to-copy value (copies share the OpenSSL
/// object by reference count). Decoding every field and extension for display
/// is CertificateDetails' job; this class answers what the engine asks often.
class Certificate
{
public:
    Certificate() = default;
    /// Takes ownership of `x509`.
    explicit Certificate(ossl::X509Ptr x509);
    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;
    ~Certificate() = default;

    /// Parses one DER certificate; `origin` ("chain.pem #2") names it in errors.
    [[nodiscard]] static Result<Certificate> fromDer(const QByteArray& der,
                                                     const QString& origin = {});

    [[nodiscard]] bool isNull() const { return !m_x509; }
    /// The OpenSSL object, still owned by this Certificate.
    [[nodiscard]] X509* handle() const { return m_x509.get(); }

    [[nodiscard]] QByteArray toDer() const;
    [[nodiscard]] QByteArray toPem() const;

    /// Distinguished names in RFC 2253 form ("CN=example.com,O=Example").
    [[nodiscard]] QString subject() const;
    [[nodiscard]] QString issuer() const;
    /// The subject's last commonName, or empty.
    [[nodiscard]] QString commonName() const;
    /// Serial number as upper-case hex with colons ("0A:1F:...").
    [[nodiscard]] QString serialHex() const;
    [[nodiscard]] QDateTime notBefore() const;
    [[nodiscard]] QDateTime notAfter() const;
    /// Whole days from `now` until notAfter (negative once expired).
    [[nodiscard]] qint64 daysLeft(const QDateTime& now) const;

    /// Digest of the DER encoding (SHA-256 and SHA-1 fingerprints).
    [[nodiscard]] QByteArray fingerprint(QCryptographicHash::Algorithm algorithm) const;
    /// SHA-256 of the DER SubjectPublicKeyInfo: the HPKP/SPKI pin.
    [[nodiscard]] QByteArray spkiSha256() const;

    /// Subject and issuer are the same name (a root, or a self-signed leaf).
    [[nodiscard]] bool isSelfIssued() const;
    /// basicConstraints CA:TRUE.
    [[nodiscard]] bool isCa() const;
    /// subjectAltName dNSName and iPAddress entries, in order.
    [[nodiscard]] QStringList dnsNames() const;
    [[nodiscard]] QStringList ipAddresses() const;
    /// Whether clients reaching `name` (a DNS name or an IP address) accept
    /// this certificate for it: RFC 6125 matching of the SANs (a wildcard
    /// covers one label), as OpenSSL's X509_check_host / X509_check_ip do.
    [[nodiscard]] bool matchesHost(const QString& name) const;

    /// Same DER encoding.
    [[nodiscard]] bool operator==(const Certificate& other) const;

private:
    ossl::X509Ptr m_x509;
};

/// "AB:CD:..." as OpenSSL's -fingerprint prints it.
[[nodiscard]] QString colonHex(const QByteArray& bytes);

} // namespace certdeck::crypto
