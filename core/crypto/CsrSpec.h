// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/KeyUsage.h"

#include <QFlags>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::crypto {

/// One subjectAltName entry, typed as the CLI writes it ("DNS:api.example.com",
/// "IP:10.0.0.5", "email:ops@example.com", "URI:spiffe://example/api").
struct SubjectAltName
{
    enum class Type
    {
        Dns,
        Ip,
        Email,
        Uri
    };
    Type type = Type::Dns;
    QString value;

    /// Parses "TYPE:value" (TYPE case-insensitive: DNS, IP, email, URI) and
    /// validates the value; the error names the entry.
    [[nodiscard]] static Result<SubjectAltName> parse(const QString& typed);
    /// Parses a comma-separated list of typed entries.
    [[nodiscard]] static Result<QList<SubjectAltName>> parseList(const QString& commaSeparated);
    /// Checks the value for its type: LDH labels and wildcard placement for
    /// DNS, a literal IPv4/IPv6 address for IP, local@domain for e-mail, an
    /// absolute URI for URI.
    [[nodiscard]] Status validate() const;
    /// "DNS:api.example.com", as openssl prints it (IPs in canonical form).
    [[nodiscard]] QString toString() const;

    [[nodiscard]] bool operator==(const SubjectAltName& other) const = default;
};

/// extendedKeyUsage purposes CertDeck offers.
enum class ExtendedKeyUsage
{
    ServerAuth,
    ClientAuth,
    CodeSigning,
    EmailProtection,
    TimeStamping,
    OcspSigning
};

/// Signature digest of a CSR. Ed25519 keys sign without a separate digest
/// and ignore this.
enum class CsrDigest
{
    Sha256,
    Sha384
};

/// The subject fields a CSR may carry; empty fields are left out.
struct CsrSubject
{
    QString commonName;
    QString organization;
    QString organizationalUnit;
    QString country; ///< two letters (ISO 3166)
    QString state;
    QString locality;
    QString emailAddress;

    [[nodiscard]] bool isEmpty() const;
};

/// What a new CSR should request. validate() tells what is wrong before
/// anything is signed.
struct CsrSpec
{
    CsrSubject subject;
    QList<SubjectAltName> sans;
    KeyUsages keyUsage;
    QList<ExtendedKeyUsage> extendedKeyUsage;
    /// TLS feature status_request (1.3.6.1.5.5.7.1.24): "OCSP must-staple".
    bool mustStaple = false;
    CsrDigest digest = CsrDigest::Sha256;

    /// Checks every field; the first problem found is returned in plain words
    /// ("SAN 'DNS:a.*.example.com': a wildcard is only allowed as the whole
    /// left-most label").
    [[nodiscard]] Status validate() const;
};

/// Parses "digitalSignature,keyEncipherment" (OpenSSL's names, case-insensitive).
[[nodiscard]] Result<KeyUsages> parseKeyUsages(const QString& commaSeparated);
/// Parses "serverAuth,clientAuth" (OpenSSL's names, case-insensitive).
[[nodiscard]] Result<QList<ExtendedKeyUsage>> parseExtendedKeyUsages(const QString& commaSeparated);
/// OpenSSL's short names, in bit order ("digitalSignature", ...).
[[nodiscard]] QStringList keyUsageNames(KeyUsages usages);
/// OpenSSL's short name of a purpose ("serverAuth").
[[nodiscard]] QString extendedKeyUsageName(ExtendedKeyUsage usage);

} // namespace certdeck::crypto
