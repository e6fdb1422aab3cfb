// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/OpenSslPtr.h"
#include "proxy/CertificateSource.h"
#include "proxy/ProxyConfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QStringList>
#include <atomic>
#include <memory>
#include <vector>

namespace certdeck::proxy {

class TicketKeyRing;

/// The certificates and TLS policy a proxy serves, as immutable OpenSSL
/// contexts: built off the event loops, swapped in whole on reload, and kept
/// alive by every connection that started under it (so a reload never breaks
/// a handshake in flight).
///
/// One context per group of names. Files whose leaves carry the same names
/// but different key types (ECDSA and RSA) share a context, and OpenSSL picks
/// the certificate by the client's signature algorithms and suites. The first
/// group is the default (no SNI, or a name no certificate has) and is also
/// the context every connection starts in: it holds the session cache, the
/// ticket callback and the ClientHello callback that switches to the
/// context of the SNI name.
class TlsContextSet
{
public:
    struct Options
    {
        TlsPolicy policy = TlsPolicy::Intermediate;
        QStringList alpn;
        std::chrono::seconds sessionLifetime{7200};
        bool ktls = false;
        TicketKeyRing* tickets = nullptr; ///< not owned; must outlive the set
    };

    /// One certificate as loaded, for reports and the console.
    struct Served
    {
        QString file; ///< the source's label: the file spec, or what an in-memory source says
        QStringList names;
        QString keyType; ///< "ECDSA P-256", "RSA 2048"
        QDateTime notAfter;
        ossl::X509Ptr leaf;   ///< for OCSP stapling
        ossl::X509Ptr issuer; ///< the next certificate of the chain, if any
    };

    /// Loads every file (see ProxyConfig::certificateFiles) and builds the
    /// contexts. Errors name the file and what is wrong with it.
    [[nodiscard]] static Result<std::shared_ptr<TlsContextSet>> build(const QStringList& files,
                                                                      const Options& options);
    /// The same from sources that are files (read now) or chains and keys
    /// in memory (checked as files are: the key must match the leaf, the
    /// leaf must name a host). Errors name the source by its label.
    [[nodiscard]] static Result<std::shared_ptr<TlsContextSet>>
    build(const QList<CertificateSource>& sources, const Options& options);
    ~TlsContextSet();
    TlsContextSet(const TlsContextSet&) = delete;
    TlsContextSet& operator=(const TlsContextSet&) = delete;

    /// A new server SSL in the default context; nullptr if OpenSSL fails.
    [[nodiscard]] SSL* newSsl() const;

    [[nodiscard]] const std::vector<Served>& served() const { return m_served; }

    /// Puts a DER OCSP response to staple for `leaf` (nullptr clears it);
    /// safe from any thread while handshakes run.
    void setStaple(const X509* leaf, std::shared_ptr<const QByteArray> der);
    [[nodiscard]] std::shared_ptr<const QByteArray> staple(const X509* leaf) const;

    /// The (protocol, IANA suite) pairs this policy serves, for tests and reports.
    [[nodiscard]] static QStringList policySuites(TlsPolicy policy);

private:
    TlsContextSet() = default;
    struct Group;
    struct StapleSlot;
    [[nodiscard]] Status configure(SSL_CTX* ctx, const Options& options, bool first);
    [[nodiscard]] const Group* findGroup(QByteArrayView serverName) const;
    static int onClientHello(SSL* ssl, int* alert, void* arg);
    static int onAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                      const unsigned char* in, unsigned int inlen, void* arg);
    static int onStatus(SSL* ssl, void* arg);

    std::vector<std::unique_ptr<Group>> m_groups;
    std::vector<Served> m_served;
    std::vector<std::unique_ptr<StapleSlot>> m_staples;
    QHash<QByteArray, const Group*> m_exact;
    QHash<QByteArray, const Group*> m_wildcard; ///< "*.example.com" under "example.com"
    QByteArray m_alpnWire;
};

} // namespace certdeck::proxy
