// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QHash>
#include <QList>
#include <QString>
#include <memory>

namespace certdeck::crypto {

/// A set of trust anchors: the system's bundle or one the user gives. An
/// explicit value, never global state: every chain check names the store it
/// trusts. Copies share one read-only OpenSSL store, so a TrustStore can be
/// used from many threads at once.
class TrustStore
{
public:
    /// An empty store: nothing is trusted.
    TrustStore();

    /// The system anchors: $SSL_CERT_FILE, else OpenSSL's default file (on
    /// Debian /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt).
    [[nodiscard]] static Result<TrustStore> system();
    /// Anchors from a PEM bundle (or one DER certificate); `origin` names it in
    /// errors and in origin().
    [[nodiscard]] static Result<TrustStore> fromPem(const QByteArray& data, const QString& origin);
    /// Reads a bundle file as fromPem().
    [[nodiscard]] static Result<TrustStore> fromFile(const QString& path);
    /// Exactly these anchors.
    [[nodiscard]] static Result<TrustStore> fromCertificates(const QList<Certificate>& anchors,
                                                             const QString& origin = {});

    [[nodiscard]] const QList<Certificate>& anchors() const { return m_anchors; }
    [[nodiscard]] bool isEmpty() const { return m_anchors.isEmpty(); }
    /// Where the anchors came from ("/etc/ssl/certs/ca-certificates.crt").
    [[nodiscard]] QString origin() const { return m_origin; }

    /// True when `cert` (same DER) is one of the anchors.
    [[nodiscard]] bool contains(const Certificate& cert) const;
    /// Anchors whose subject is `cert`'s issuer name (candidates only; the
    /// caller checks key identifiers and the signature).
    [[nodiscard]] QList<Certificate> issuersByName(const Certificate& cert) const;

    /// The shared OpenSSL store holding the anchors; read-only, never modify.
    [[nodiscard]] X509_STORE* handle() const { return m_store.get(); }

private:
    QList<Certificate> m_anchors;
    QMultiHash<QByteArray, qsizetype> m_bySubject; ///< DER subject name -> index
    QHash<QByteArray, qsizetype> m_byFingerprint;  ///< SHA-256 of DER -> index
    std::shared_ptr<X509_STORE> m_store;
    QString m_origin;
};

} // namespace certdeck::crypto
