// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"
#include "crypto/KeyUsage.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::crypto {

/// One node of the field tree that the console's inspector and
/// `certdeckctl cert show` draw: "Validity" with "Not Before" below it.
struct CertificateField
{
    QString name;  ///< "Subject Alternative Name", "Not After"...
    QString value; ///< the value in plain words; empty for pure group nodes
    QString oid;   ///< dotted OID for extensions, algorithms and name attributes
    bool critical = false;
    QList<CertificateField> children;

    [[nodiscard]] QJsonObject toJson() const;
};

/// One certificate policy: its OID and any CPS URIs / user notices.
struct CertificatePolicy
{
    QString oid;
    QString name; ///< "anyPolicy", "CA/B domain-validated"... or empty
    QStringList qualifiers;
};

/// One signed certificate timestamp embedded in the certificate (RFC 6962).
struct SignedCertificateTimestamp
{
    int version = 0;     ///< 0 = v1
    QByteArray logId;    ///< SHA-256 of the log's key
    QDateTime timestamp; ///< UTC, millisecond precision
};

/// One extension as found in the certificate, decoded or not.
struct ExtensionInfo
{
    QString oid;
    QString name; ///< OpenSSL's long name, or empty for unknown OIDs
    bool critical = false;
    bool known = false;        ///< CertDeck (through OpenSSL) understands its contents
    bool decodeFailed = false; ///< known OID, but the value did not parse
    QByteArray value;          ///< the extnValue octets (DER)
};

/// Every RFC 5280 field and every common extension of one certificate,
/// decoded for display and for the engine's checks. A value type: decode once,
/// read many times. Time is injected so "days left" is testable.
struct CertificateDetails
{
    /// Decodes `certificate`; `now` (UTC) is the reference for days left.
    [[nodiscard]] static CertificateDetails decode(const Certificate& certificate,
                                                   const QDateTime& now);

    // Basic fields.
    int version = 0; ///< 1, 2 or 3 (as people count, not the encoded 0..2)
    QString serialHex;
    QString signatureAlgorithm;    ///< "ecdsa-with-SHA256", "sha256WithRSAEncryption"
    QString signatureAlgorithmOid; ///< dotted
    QString subject;               ///< RFC 2253
    QString issuer;                ///< RFC 2253
    QDateTime notBefore;           ///< UTC
    QDateTime notAfter;            ///< UTC
    qint64 daysLeft = 0;           ///< from `now`; negative once expired
    bool expired = false;
    bool notYetValid = false;

    // Subject public key.
    QString publicKeyAlgorithm; ///< "RSA", "EC", "ED25519"...
    int publicKeyBits = 0;
    QString curve; ///< "prime256v1" for EC keys, else empty

    // Digests.
    QString sha256Fingerprint; ///< "AB:CD:..." as `openssl x509 -fingerprint -sha256`
    QString sha1Fingerprint;
    QString spkiPinSha256; ///< base64 SHA-256 of the SubjectPublicKeyInfo (HPKP pin)

    // Extensions the engine asks about.
    std::optional<bool> basicConstraintsCa;  ///< unset when the extension is absent
    std::optional<int> pathLengthConstraint; ///< unset when absent or unlimited
    std::optional<quint16> keyUsageBits;     ///< KeyUsage flags; unset when absent
    QStringList keyUsageNames;               ///< "Digital Signature"...
    QStringList extendedKeyUsageOids;
    QStringList extendedKeyUsageNames; ///< "TLS Web Server Authentication"...
    QStringList subjectAltNames;       ///< "DNS:example.com", "IP Address:127.0.0.1"
    QByteArray subjectKeyId;
    QByteArray authorityKeyId;
    QStringList ocspUrls;
    QStringList caIssuersUrls;
    QStringList crlUrls;
    QList<CertificatePolicy> policies;
    QStringList permittedSubtrees; ///< name constraints, "DNS:.example.com"
    QStringList excludedSubtrees;
    bool mustStaple = false; ///< TLS feature status_request (RFC 7633)
    QList<SignedCertificateTimestamp> scts;
    QList<ExtensionInfo> extensions; ///< all of them, in certificate order

    /// The whole certificate as a tree (Version, Serial, Signature Algorithm,
    /// Issuer, Validity, Subject, Public Key, Extensions, Signature,
    /// Fingerprints).
    QList<CertificateField> fields;

    [[nodiscard]] bool hasKeyUsage(KeyUsage usage) const
    {
        return keyUsageBits && (*keyUsageBits & static_cast<quint16>(usage)) != 0;
    }
    /// Extensions marked critical that CertDeck does not understand; RFC 5280
    /// says a verifier must then reject the certificate.
    [[nodiscard]] QList<ExtensionInfo> unknownCriticalExtensions() const;

    /// All of the above for `--json` and the inventory.
    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace certdeck::crypto
