// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "crypto/Csr.h"
#include "crypto/CsrSpec.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace certdeck::crypto {

/// How a local-CA certificate will be used; fixes its KU and EKU.
enum class CaProfileKind
{
    Server, ///< EKU serverAuth; needs a DNS or IP SAN
    Client, ///< EKU clientAuth (mTLS between services)
};

/// What to issue: the purpose and the lifetime.
struct CaProfile
{
    CaProfileKind kind = CaProfileKind::Server;
    int lifetimeDays = 90;
    /// When > 0 the certificate is short-lived: it lasts this many hours and
    /// lifetimeDays is ignored (east-west certs renewed by automation).
    int lifetimeHours = 0;
};

/// CRLReason (RFC 5280 5.3.1) values a local CA offers. certificateHold is
/// left out: a hold can be lifted, and this CA never un-revokes.
enum class RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    PrivilegeWithdrawn = 9,
};

/// "keyCompromise" (case-insensitive) to the reason.
[[nodiscard]] Result<RevocationReason> parseRevocationReason(const QString& name);
[[nodiscard]] QString revocationReasonName(RevocationReason reason);

/// How to create a CA.
struct LocalCaOptions
{
    QString rootName = QStringLiteral("CertDeck Local Root CA");
    QString intermediateName = QStringLiteral("CertDeck Local Intermediate CA");
    QString organization; ///< O= on both, if set
    /// p256, p384, rsa2048, rsa3072, rsa4096 or ed25519 (both CA keys).
    QString keyType = QStringLiteral("p256");
    int rootDays = 3650;
    int intermediateDays = 1825;
    /// Permitted DNS subtrees for the intermediate ("internal.example" or
    /// ".internal.example"). When only DNS subtrees are given, all IP
    /// addresses are excluded, so the constraint cannot be bypassed by IP.
    QStringList permittedDns;
    /// Permitted IP ranges in CIDR form ("10.0.0.0/8", "fd00::/8").
    QStringList permittedIp;
};

/// One certificate the CA has issued (or its own), from the serial store.
struct CaRecord
{
    QString serial;  ///< upper-case hex, no colons
    QString subject; ///< RFC 2253
    QDateTime notBefore;
    QDateTime notAfter;
    QString profile; ///< root, intermediate, server, client
    bool revoked = false;
    QDateTime revokedAt;
    RevocationReason reason = RevocationReason::Unspecified;
};

/// What sign() hands back.
struct CaIssued
{
    Certificate certificate;
    QList<Certificate> chain; ///< intermediate, then root
    CaRecord record;
    /// CSR extensions that were not copied, in plain words
    /// ("X509v3 Basic Constraints: not copied").
    QStringList ignoredExtensions;
};

/// A two-tier CA kept in a folder: root.pem, root.key, intermediate.pem,
/// intermediate.key (keys as AES-256 encrypted PKCS#8, 0600 in a 0700
/// folder), chain.pem, index.json (serial store, CRL number) and crl.pem.
/// Changes are written (atomically, under a lock file) before a call
/// returns, so a reported certificate is always in the serial store.
/// Move-only: it holds the decrypted intermediate key.
class LocalCa
{
public:
    LocalCa(LocalCa&&) noexcept = default;
    LocalCa& operator=(LocalCa&&) noexcept = default;
    LocalCa(const LocalCa&) = delete;
    LocalCa& operator=(const LocalCa&) = delete;
    ~LocalCa();

    /// Creates a root and an intermediate in `dir` (which must not already
    /// hold a CA), both keys encrypted under `passphrase`.
    [[nodiscard]] static Result<LocalCa> init(const QString& dir, const LocalCaOptions& options,
                                              const QByteArray& passphrase);
    /// Where the console keeps the CA called `name`:
    /// $XDG_DATA_HOME/certdeck/ca/NAME (~/.local/share/certdeck/ca/NAME).
    [[nodiscard]] static QString defaultFolder(const QString& name);
    /// Opens an existing CA, decrypting the intermediate key. A wrong
    /// passphrase is a PermissionDenied error, and nothing is written.
    [[nodiscard]] static Result<LocalCa> open(const QString& dir, const QByteArray& passphrase);

    /// Issues a certificate for `csr` under `profile`. The CSR's signature
    /// must verify; only its subject, SANs (unless `sanOverride` is given)
    /// and must-staple are copied, KU/EKU come from the profile. Names
    /// outside the intermediate's name constraints are refused before
    /// anything is signed.
    [[nodiscard]] Result<CaIssued> sign(const Csr& csr, const CaProfile& profile,
                                        const QList<SubjectAltName>& sanOverride = {});
    /// Marks an issued certificate revoked. Serials are matched ignoring
    /// case, colons and leading zeros.
    [[nodiscard]] Result<CaRecord> revoke(const QString& serial, RevocationReason reason);
    /// Signs a new CRL (next CRL number, AKI, reasons) with the
    /// intermediate, saves it as crl.pem in the folder and returns its PEM.
    [[nodiscard]] Result<QByteArray> crl(int nextUpdateDays = 7);

    /// Everything in the serial store, oldest first.
    [[nodiscard]] Result<QList<CaRecord>> records() const;

    [[nodiscard]] const Certificate& root() const { return m_root; }
    [[nodiscard]] const Certificate& intermediate() const { return m_intermediate; }
    [[nodiscard]] QString dir() const { return m_dir; }
    /// The intermediate's permitted DNS subtrees and IP ranges (CIDR).
    [[nodiscard]] QStringList permittedDns() const { return m_permittedDns; }
    [[nodiscard]] QStringList permittedIp() const { return m_permittedIp; }

    /// Replaces the clock (tests move time without sleeping).
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

private:
    LocalCa() = default;
    [[nodiscard]] QString path(const char* name) const;
    [[nodiscard]] QDateTime now() const;
    void loadNameConstraints();

    QString m_dir;
    Certificate m_root;
    Certificate m_intermediate;
    ossl::PKeyPtr m_intermediateKey;
    // The intermediate's name constraints, read once at open/init.
    QStringList m_permittedDns;
    QStringList m_permittedIp;
    QStringList m_excludedIp;
    std::function<QDateTime()> m_clock;
};

} // namespace certdeck::crypto
