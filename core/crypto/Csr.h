// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/CsrSpec.h"
#include "crypto/OpenSslPtr.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace certdeck::crypto {

/// One extension a CSR asks for, decoded for display.
struct CsrExtension
{
    QString oid;  ///< dotted form ("2.5.29.17")
    QString name; ///< OpenSSL's long name ("X509v3 Subject Alternative Name")
    bool critical = false;
    QString value; ///< as `openssl req -text` prints it
};

/// A PKCS#10 certificate signing request: built from a CsrSpec and a key, or
/// parsed from a file. Copies are deep (X509_REQ has no reference count).
class Csr
{
public:
    Csr() = default;
    /// Takes ownership of `req`.
    explicit Csr(ossl::X509ReqPtr req);
    Csr(const Csr& other);
    Csr& operator=(const Csr& other);
    Csr(Csr&&) noexcept = default;
    Csr& operator=(Csr&&) noexcept = default;
    ~Csr() = default;

    /// Validates `spec` and signs a new CSR with `key`. The key is borrowed:
    /// the caller keeps ownership, nothing keeps a pointer to it afterwards.
    /// Ed25519/Ed448 keys sign without a digest (spec.digest is ignored).
    [[nodiscard]] static Result<Csr> build(const CsrSpec& spec, EVP_PKEY* key);
    /// Like build(), with the key read from PEM (PKCS#8, encrypted PKCS#8 or
    /// traditional); `passphrase` is used only when the key is encrypted, and
    /// a missing or wrong one is a PermissionDenied error naming `keyOrigin`.
    /// The decrypted key lives only inside this call. (Until crypto/PrivateKey
    /// loads keys for the CLI; then callers use build().)
    [[nodiscard]] static Result<Csr> buildWithPemKey(const CsrSpec& spec, const QByteArray& keyPem,
                                                     const QByteArray& passphrase,
                                                     const QString& keyOrigin);
    /// Parses the first "CERTIFICATE REQUEST" PEM block in `pem`; errors name
    /// `origin` and the line ("req.pem line 7: ...").
    [[nodiscard]] static Result<Csr> fromPem(const QByteArray& pem, const QString& origin = {});
    /// Parses one DER CSR; trailing bytes are an error.
    [[nodiscard]] static Result<Csr> fromDer(const QByteArray& der, const QString& origin = {});

    [[nodiscard]] bool isNull() const { return !m_req; }
    /// The OpenSSL object, still owned by this Csr.
    [[nodiscard]] X509_REQ* handle() const { return m_req.get(); }

    [[nodiscard]] QByteArray toDer() const;
    [[nodiscard]] QByteArray toPem() const;

    /// Checks the self-signature with the CSR's own public key: proof that
    /// the requester holds the private key and that nothing was altered.
    [[nodiscard]] Status verifySignature() const;

    /// Subject in RFC 2253 form ("CN=api.example.com,O=Example").
    [[nodiscard]] QString subject() const;
    /// The subject's last commonName, or empty.
    [[nodiscard]] QString commonName() const;
    /// Requested subjectAltName entries, in order. Types CertDeck does not
    /// issue (otherName, dirName...) appear in requestedExtensions() only.
    [[nodiscard]] QList<SubjectAltName> subjectAltNames() const;
    [[nodiscard]] KeyUsages keyUsage() const;
    [[nodiscard]] QList<ExtendedKeyUsage> extendedKeyUsage() const;
    /// The TLS feature extension asks for status_request (must-staple).
    [[nodiscard]] bool mustStaple() const;
    /// Every requested extension, decoded as `openssl req -text` shows it.
    [[nodiscard]] QList<CsrExtension> requestedExtensions() const;

    /// DER SubjectPublicKeyInfo, to match the CSR against a key.
    [[nodiscard]] QByteArray publicKeyDer() const;
    /// "EC P-256", "RSA 3072", "ED25519"...
    [[nodiscard]] QString publicKeyDescription() const;
    /// OpenSSL's long name ("ecdsa-with-SHA384", "ED25519").
    [[nodiscard]] QString signatureAlgorithm() const;

private:
    ossl::X509ReqPtr m_req;
};

} // namespace certdeck::crypto
