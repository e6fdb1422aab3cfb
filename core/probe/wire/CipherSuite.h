// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/wire/TlsVersion.h"

#include <QString>

namespace certdeck::probe {

/// How much a cipher suite can be trusted today. The data file's strength
/// column applies these rules, first match wins (test_ciphersuiteregistry
/// re-derives every row from them).
enum class SuiteStrength
{
    Insecure, ///< no encryption, no authentication, export-grade, RC4, DES or RC2
    Weak,     ///< 64-bit block ciphers (3DES, IDEA, GOST 28147/Magma) or HMAC-MD5
    Medium,   ///< sound cipher, but no forward secrecy or not AEAD (CBC + HMAC)
    Strong,   ///< forward secrecy and an AEAD cipher
    Signaling ///< not a suite: TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV
};

/// "insecure", "weak", "medium", "strong", "signaling".
[[nodiscard]] QString suiteStrengthName(SuiteStrength strength);

/// "0xC02F": how reports write a cipher-suite code point.
[[nodiscard]] QString cipherSuiteCode(quint16 code);

/// One entry of the IANA TLS Cipher Suites registry, with what we derive from it.
struct CipherSuite
{
    quint16 code = 0;
    QString ianaName;       ///< "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    QString opensslName;    ///< "ECDHE-RSA-AES128-GCM-SHA256"; empty when OpenSSL has none
    QString keyExchange;    ///< RSA, DHE, ECDHE, ECDH, DH, PSK, ..., "any" for TLS 1.3
    QString authentication; ///< RSA, ECDSA, DSS, anon, PSK, ..., "any" for TLS 1.3
    QString cipher;         ///< AES_128_GCM, 3DES_EDE_CBC, CHACHA20_POLY1305, NULL ...
    int bits = 0;           ///< effective symmetric key bits (40 for export, 112 for 3DES)
    QString mac;            ///< SHA, SHA256, SHA384, MD5, or AEAD
    TlsVersion minVersion = TlsVersion::Ssl3;  ///< oldest protocol it is defined for
    TlsVersion maxVersion = TlsVersion::Tls12; ///< newest protocol it is defined for
    SuiteStrength strength = SuiteStrength::Medium;

    /// True for the TLS 1.3 suites (which say nothing of key exchange).
    [[nodiscard]] bool isTls13() const { return minVersion == TlsVersion::Tls13; }
    /// True when the key exchange gives forward secrecy.
    [[nodiscard]] bool forwardSecret() const;
    /// "0xC02F".
    [[nodiscard]] QString codeString() const;
};

} // namespace certdeck::probe
