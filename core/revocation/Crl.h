// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "revocation/CertStatus.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

namespace certdeck::revocation {

/// A decoded certificate revocation list (RFC 5280 5): a cheap-to-copy,
/// read-only value (copies share the OpenSSL object), safe to read from
/// several threads at once.
class Crl
{
public:
    Crl() = default;

    /// Decodes one CRL, DER or PEM ("-----BEGIN X509 CRL-----");
    /// `origin` (the URL) names it in errors. Nothing is verified here.
    [[nodiscard]] static Result<Crl> parse(const QByteArray& bytes, const QString& origin);

    [[nodiscard]] bool isNull() const { return !m_crl; }
    /// The OpenSSL object, still owned by this Crl.
    [[nodiscard]] X509_CRL* handle() const { return m_crl.get(); }
    [[nodiscard]] QString issuer() const; ///< RFC 2253
    [[nodiscard]] QDateTime thisUpdate() const;
    [[nodiscard]] QDateTime nextUpdate() const; ///< null when the CRL has none
    [[nodiscard]] int entryCount() const;
    /// Bytes as fetched (DER or PEM).
    [[nodiscard]] qint64 encodedSize() const { return m_size; }

private:
    std::shared_ptr<X509_CRL> m_crl;
    qint64 m_size = 0;
};

/// What a CRL says about one certificate.
struct CrlCheck
{
    /// Good (not listed), Revoked (listed), or Unknown when the CRL does not
    /// cover the certificate (its scope or reasons); unset when it cannot be
    /// relied on (see problems).
    std::optional<CertStatus> status;
    QString issuer; ///< the CRL's issuer name
    QDateTime thisUpdate;
    QDateTime nextUpdate;
    QDateTime revocationTime;
    QString revocationReason; ///< "keyCompromise"; empty when the entry gives none
    bool signatureValid = false;
    QString note; ///< why an Unknown status: what the CRL's scope leaves out
    /// Why the CRL cannot be relied on, one sentence each.
    QStringList problems;

    [[nodiscard]] bool verified() const
    {
        return signatureValid && status.has_value() && problems.isEmpty();
    }
};

/// Checks `crl` for `cert` issued by `issuer` at `now`: the CRL's issuer is
/// `issuer`'s subject, `issuer` may sign CRLs (keyUsage cRLSign when
/// present), the signature verifies with its key, thisUpdate is not in the
/// future and nextUpdate not past (kClockSkewSeconds), then looks up the
/// serial number. Indirect and delta CRLs are refused. Pure; thread-safe.
[[nodiscard]] CrlCheck checkCrl(const Crl& crl, const crypto::Certificate& cert,
                                const crypto::Certificate& issuer, const QDateTime& now);

} // namespace certdeck::revocation
