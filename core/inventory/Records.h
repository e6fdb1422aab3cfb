// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::inventory {

/// The kind of server behind an endpoint, which picks validate/reload commands.
enum class ServerKind
{
    Unknown,
    Nginx,
    Haproxy,
    Envoy,
    Apache,
    Other
};

/// A TLS endpoint the fleet serves: what gets probed and renewed.
struct Endpoint
{
    qint64 id = 0; ///< 0 until stored
    QString host;  ///< DNS name or IP literal
    quint16 port = 443;
    QString sniName;         ///< empty: same as host
    QString addressOverride; ///< connect here instead of resolving host (e.g. one node)
    QString group;           ///< "payments-api", "edge-eu"...
    QStringList tags;
    ServerKind serverKind = ServerKind::Unknown;
    QString notes;
    std::optional<qint64> deployTargetId;
    /// The CA bundle this endpoint's chain is verified against (an internal
    /// CA); unset: the group's bundle, else the system trust store.
    std::optional<qint64> trustBundleId;
    qint64 revision = 0; ///< optimistic concurrency: bumped on every update
    QDateTime createdUtc;
    QDateTime updatedUtc;
    QString updatedBy; ///< who saved the stored revision (audit actor)
};

/// A named set of trust anchors kept in the inventory (an internal CA's
/// root, a partner's private root), used to verify the chains of the
/// endpoints and groups it is set for.
struct TrustBundle
{
    qint64 id = 0;
    QString name;
    QByteArray pem; ///< one or more CERTIFICATE blocks
    int certificates = 0;
    QDateTime createdUtc;
    QDateTime updatedUtc;
};

/// Where and how a certificate is installed: files on a host reached over
/// SSH, or on the machine CertDeck runs on. A target holds only what its
/// source said: an import that was not told the host leaves it empty (the
/// admin fills it in before a deploy), and an unset port or empty command is
/// "not said", never a guess.
struct DeployTarget
{
    qint64 id = 0;
    QString sshHost; ///< empty: local, or not known yet (see `local`)
    /// Unset: not said; a deploy then uses what ssh itself would (its config, 22).
    std::optional<quint16> sshPort;
    QString sshUser;
    /// The files are on the machine that runs CertDeck: no SSH (no SSH host,
    /// user or port). False with an empty host: the host is not known yet.
    bool local = false;
    QString keyPath;         ///< remote private key file
    QString certPath;        ///< leaf only (may be empty)
    QString fullchainPath;   ///< leaf + chain (may be empty)
    QString combinedPemPath; ///< HAProxy style: fullchain + key in one file (may be empty)
    QString owner;           ///< remote user[:group] for the files
    QString group;
    int keyMode = 0600;
    int certMode = 0644;
    /// "nginx -t", "haproxy -c -f /etc/haproxy/haproxy.cfg"; empty: not said
    QString validateCommand;
    QString reloadCommand; ///< "systemctl reload nginx"; empty: not said
    qint64 revision = 0;
    QDateTime updatedUtc;
    QString updatedBy;
};

/// Where the inventory got a certificate from.
enum class CertificateSource
{
    Unknown, ///< recorded before sources were kept
    Acme,    ///< issued by an ACME CA through CertDeck
    LocalCa, ///< signed by a local CA through CertDeck
    Imported,
    Served ///< first seen served by an endpoint
};

/// A revocation CertDeck made or a responder reported.
struct CertificateRevocation
{
    QDateTime atUtc;
    QString reason;  ///< RFC 5280 reason name ("keyCompromise"); empty: unspecified
    QString foundBy; ///< "acme" (CertDeck revoked it), "ocsp", "crl", "staple"
};

/// A certificate known to the inventory (DER plus query columns).
struct CertificateRecord
{
    qint64 id = 0;
    QByteArray der;
    QString subject;
    QString issuer;
    QStringList sans;
    QString serialHex;
    QString sha256Hex; ///< fingerprint, unique
    QDateTime notBeforeUtc;
    QDateTime notAfterUtc;
    std::optional<qint64> keyId;
    /// The certificate that issued this one, as it was delivered with it.
    std::optional<qint64> issuedById;
    /// The issuer record (ACME account, local CA) that issued it.
    std::optional<qint64> issuerId;
    CertificateSource source = CertificateSource::Unknown;
    std::optional<CertificateRevocation> revocation;
};

/// A CA's renewal suggestion (ARI, RFC 9773) kept with a certificate.
struct RenewalWindow
{
    qint64 certificateId = 0;
    QDateTime windowStartUtc;
    QDateTime windowEndUtc;
    QString explanationUrl;
    /// The CA asked not to be asked again before this (Retry-After); invalid
    /// when it did not say.
    QDateTime retryAfterUtc;
    QDateTime fetchedUtc;
};

/// What happened to a certificate on an endpoint.
enum class VersionState
{
    Issued,
    Deployed,
    Replaced,
    RolledBack
};

/// One certificate in an endpoint's history.
struct CertificateVersion
{
    qint64 id = 0;
    qint64 endpointId = 0;
    qint64 certificateId = 0;
    VersionState state = VersionState::Issued;
    QDateTime atUtc;
};

/// An issuer: an ACME account or a local CA.
struct IssuerRecord
{
    enum class Kind
    {
        AcmeAccount,
        LocalCa
    };
    qint64 id = 0;
    Kind kind = Kind::AcmeAccount;
    QString name;
    QString directoryUrl; ///< ACME directory, or the CA folder for a local CA
    QString accountUrl;   ///< ACME account URL once registered
    std::optional<qint64> accountKeyId;
    QStringList contact;   ///< ACME: "mailto:..." URIs as the CA last confirmed them
    QString status;        ///< ACME: "valid", "deactivated", "revoked" as last seen
    QString trustFile;     ///< ACME: PEM roots trusted for the CA's TLS; empty: the system's
    QString keyAlgorithm;  ///< ACME: the account key's JWS algorithm ("ES256")
    QString keyThumbprint; ///< ACME: the account key's RFC 7638 thumbprint
    QDateTime updatedUtc;
};

/// Key protection: how a private key is held (never plain text).
enum class KeyProtection
{
    MasterPassphrase,
    OsKeyring
};

/// A private key record; `encrypted` is the ciphertext (or empty when the OS
/// keyring holds it under `keyringId`).
struct KeyRecord
{
    qint64 id = 0;
    QString description; ///< "ECDSA P-256"
    QByteArray spkiSha256;
    KeyProtection protection = KeyProtection::MasterPassphrase;
    QByteArray encrypted;
    QString keyringId;
    QDateTime createdUtc;
};

/// How an endpoint is renewed.
struct RenewalPolicy
{
    qint64 id = 0;
    qint64 endpointId = 0;
    QString keyType = QStringLiteral("p256");
    int renewBeforeDays = 30;
    QString challenge = QStringLiteral("http-01"); ///< http-01, dns-01, tls-alpn-01
    std::optional<qint64> issuerId;
};

/// One probe of an endpoint.
struct ProbeRecord
{
    qint64 id = 0;
    qint64 endpointId = 0;
    QDateTime atUtc;
    QString status; ///< "ok", "warning", "critical", "error"
    QString grade;  ///< "A", "B"... empty if not graded
    std::optional<qint64> servedCertificateId;
    QByteArray reportJson; ///< the full probe report
};

/// An alert raised for an endpoint.
struct AlertRecord
{
    qint64 id = 0;
    std::optional<qint64> endpointId;
    QString code;     ///< "expiring", "expired", "chain-incomplete"...
    QString severity; ///< "warning", "critical"
    QString message;
    QDateTime raisedUtc;
    std::optional<QDateTime> resolvedUtc;
};

/// One line of the append-only audit log.
struct AuditEntry
{
    qint64 id = 0;
    QDateTime atUtc;
    QString actor;   ///< OS user name or the CLI's --actor
    QString action;  ///< "endpoint.add", "deploy", "rollback"...
    QString subject; ///< what it was done to
    QString result;  ///< "ok" or an error code
    QString detail;
};

} // namespace certdeck::inventory
