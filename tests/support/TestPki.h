// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::test {

/// A test PKI made by the `openssl` CLI (an independent tool, so tests of our
/// own parsers are not checked against themselves): root -> intermediate ->
/// leaves, with `openssl ca`'s database for revocation (CRL and OCSP index).
class TestPki
{
public:
    enum class KeyType
    {
        EcdsaP256,
        Rsa2048,
        Rsa1024
    };

    struct Leaf
    {
        QString name;
        QString cert;      ///< leaf only (what a misconfigured server serves as cert.pem)
        QString key;       ///< PKCS#8 PEM, mode 0600
        QString fullchain; ///< leaf + intermediate
        QString chain;     ///< intermediate only
    };

    struct LeafSpec
    {
        QString name; ///< file stem, unique within the PKI
        QString commonName = QStringLiteral("localhost");
        QStringList sans = {QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1")};
        QDateTime notBefore;            ///< default: now - 1 hour
        QDateTime notAfter;             ///< default: now + 90 days
        bool revoke = false;            ///< revoke (keyCompromise) right after issuing
        std::optional<KeyType> keyType; ///< default: the PKI's key type
        QString digest = QStringLiteral("sha256");
        bool clientAuth = false;
        /// AIA OCSP / CRL distribution point of this leaf, instead of the
        /// PKI's Options (an empty string: none).
        std::optional<QString> ocspUrl;
        std::optional<QString> crlUrl;
    };

    /// A delegated OCSP responder certificate (RFC 6960 4.2.2.2) issued by
    /// the intermediate.
    struct Responder
    {
        QString cert;
        QString key; ///< PKCS#8 PEM, mode 0600
    };

    /// A CRL written by `openssl ca -gencrl` with chosen dates.
    struct CrlSpec
    {
        QString path;
        QDateTime lastUpdate; ///< default: now
        QDateTime nextUpdate; ///< default: now + 30 days
        bool der = false;     ///< DER instead of PEM
    };

    /// Options that end up in the certificates' extensions.
    struct Options
    {
        KeyType keyType = KeyType::EcdsaP256;
        QString ocspUrl;      ///< AIA OCSP in leaves, if set
        QString caIssuersUrl; ///< AIA caIssuers in leaves, if set (the intermediate, DER)
        QString crlUrl;       ///< CRL distribution point in leaves, if set
    };

    /// Makes root and intermediate in `dir` (which must exist). On failure,
    /// returns false and sets errorString() with the tool's output.
    bool create(const QString& dir, const Options& options);

    /// Issues a leaf from the intermediate; an empty name on failure.
    Leaf issue(const LeafSpec& spec);

    /// Issues the standard set: good, expired, notYetValid, wrongHost, revoked.
    /// Writes crl.pem afterwards.
    bool issueStandardSet();

    /// Regenerates crl.pem (signed by the intermediate) from the CA database.
    bool writeCrl();
    /// Writes a CRL from the CA database as `spec` says.
    bool writeCrl(const CrlSpec& spec);

    /// Issues a responder certificate from the intermediate, with
    /// id-kp-OCSPSigning in its EKU when `ocspSigning` (without it, a
    /// responder must be refused); an empty cert on failure.
    Responder issueResponder(const QString& name, bool ocspSigning = true);

    /// Drops `leaf` from the CA database, as if its record were lost: `openssl
    /// ocsp` then answers "unknown" for it.
    bool forget(const Leaf& leaf);

    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] QString dir() const { return m_dir; }

    QString rootCert, rootKey;
    QString intermediateCert, intermediateKey;
    QString intermediateDer; ///< what an AIA caIssuers server serves
    QString caIndex;         ///< `openssl ca` index.txt (for `openssl ocsp -index`)
    QString crl;             ///< crl.pem after writeCrl()
    Leaf good, expired, notYetValid, wrongHost, revoked;

private:
    bool openssl(const QStringList& args, const QByteArray& stdinData = {});
    bool makeKey(const QString& path, KeyType type);
    QString m_dir;
    Options m_options;
    QString m_error;
};

} // namespace certdeck::test
