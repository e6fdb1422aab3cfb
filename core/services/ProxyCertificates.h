// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "proxy/CertificateSource.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::inventory {
class KeyVault;
class Store;
} // namespace certdeck::inventory

namespace certdeck::services {

/// How the proxy's `--cert` names a certificate.
enum class ProxyCertificateKind
{
    File,    ///< "FILE" (chain and key) or "CERT,KEY"
    Endpoint ///< an inventory endpoint: its ID or HOST[:PORT]
};

/// A spec with a comma or a slash, ending in .pem, .crt, .cer or .key, or
/// naming an existing file, is a file; "endpoint:REF" and anything else is
/// an endpoint. `ref` receives the
/// endpoint reference (without the prefix) or the file spec.
[[nodiscard]] ProxyCertificateKind classifyProxyCertificate(const QString& spec,
                                                            QString* ref = nullptr);

struct ProxyCertificateOptions
{
    /// Serve an expired, not yet valid or revoked certificate anyway (each
    /// one is named in ProxyCertificates::warnings).
    bool force = false;
    QDateTime now; ///< invalid: the current time
};

/// What the proxy serves for a list of `--cert` specs.
struct ProxyCertificates
{
    QList<proxy::CertificateSource> sources; ///< in the order given: the first is the default
    QStringList warnings;                    ///< what `force` let through
    bool needsVault = false;                 ///< some spec named an endpoint
};

/// Resolves each spec: a file stays a file source (read by the proxy at each
/// load); an endpoint becomes its current certificate (the newest version in
/// its history) with the chain recorded above it and its private key from
/// `vault`, all in memory. Refused, naming the spec: an endpoint not in the
/// inventory, one without a certificate, a certificate whose key is not in
/// the vault (issued elsewhere: give the files), a locked vault, and unless
/// `force` an expired, not yet valid or revoked certificate. Call again to
/// re-resolve (after a renewal the endpoint's new certificate is taken).
/// Uses the store from its thread.
[[nodiscard]] Result<ProxyCertificates>
proxyCertificatesFor(inventory::Store& store, const inventory::KeyVault& vault,
                     const QStringList& specs, const ProxyCertificateOptions& options = {});

/// An endpoint the proxy can serve the current certificate of, for pickers.
struct ProxyEndpointChoice
{
    qint64 endpointId = 0;
    QString address;     ///< "www.example.com:443", with " (SNI name)" when it differs
    QString subject;     ///< the current certificate's names
    QDateTime notAfter;  ///< the current certificate's expiry
    bool hasKey = false; ///< the certificate's key is in the inventory
};

/// Every endpoint with a current certificate, ordered as the fleet lists them.
[[nodiscard]] Result<QList<ProxyEndpointChoice>> proxyEndpointChoices(inventory::Store& store);

} // namespace certdeck::services
