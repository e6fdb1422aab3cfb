// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace certdeck::crypto {

/// PKCS#12 (.p12/.pfx) in and out. The key stays type-neutral (an EVP_PKEY
/// and its PKCS#8 PEM) so the key class can take it over.
class Pkcs12
{
public:
    /// Encryption and MAC of a written file.
    enum class Profile
    {
        /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates,
        /// HMAC-SHA256 MAC: what OpenSSL 3 writes by default, read by current
        /// browsers, Java 12+, Windows 10 1709+ and macOS 13+.
        Modern,
        /// pbeWithSHA1And3-KeyTripleDES-CBC for key and certificates and a
        /// SHA-1 MAC, for Java 8 and older Windows. Triple-DES rather than
        /// RC2-40 (what `openssl pkcs12 -legacy` uses for certificates)
        /// because it needs no OpenSSL legacy provider and is not broken.
        Legacy
    };

    /// What a PKCS#12 file held.
    struct Contents
    {
        ossl::PKeyPtr key;        ///< null when the file holds no key
        QByteArray keyPem;        ///< the key as unencrypted PKCS#8 PEM (secret!)
        Certificate leaf;         ///< the certificate matching the key (or the first one)
        QList<Certificate> chain; ///< the other certificates, in file order
        QString friendlyName;
        /// True when the file needed OpenSSL's legacy provider (RC2, RC4,
        /// single DES): worth re-exporting with Profile::Modern.
        bool usedLegacyAlgorithms = false;
        bool hadMac = true;
    };

    /// Iterations of PBKDF2 and of the MAC for Profile::Modern.
    static constexpr int ModernIterations = 10000;
    /// Iterations for Profile::Legacy (OpenSSL's historical default).
    static constexpr int LegacyIterations = 2048;

    /// Reads a DER PKCS#12. `origin` names the file in errors. Without a
    /// passphrase (an empty one is tried) returns InvalidInput "needs a
    /// passphrase"; a wrong one gives Crypto "wrong passphrase". The MAC is
    /// always checked before anything is decrypted.
    [[nodiscard]] static Result<Contents>
    import(const QByteArray& der, const QByteArray& passphrase, const QString& origin = {});

    /// True when `der` is a DER PKCS#12 structure (no passphrase needed).
    [[nodiscard]] static bool looksLikePkcs12(const QByteArray& der);

    /// Writes key + leaf + chain as DER PKCS#12. Fails when the key does not
    /// belong to the leaf or the passphrase is empty.
    [[nodiscard]] static Result<QByteArray> exportDer(EVP_PKEY* key, const Certificate& leaf,
                                                      const QList<Certificate>& chain,
                                                      const QByteArray& passphrase,
                                                      const QString& friendlyName,
                                                      Profile profile = Profile::Modern);
};

} // namespace certdeck::crypto
