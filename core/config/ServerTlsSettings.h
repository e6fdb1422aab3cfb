// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "config/TlsPolicy.h"

#include <QString>
#include <QStringList>

namespace certdeck::config {

/// The servers a configuration can be generated for.
enum class ServerSoftware
{
    Nginx,
    Haproxy,
    Apache,
    Envoy,
};

/// "nginx", "haproxy", "apache", "envoy".
[[nodiscard]] QString serverSoftwareId(ServerSoftware server);
/// The inverse of serverSoftwareId(); anything else is InvalidInput naming
/// the text and the allowed names.
[[nodiscard]] Result<ServerSoftware> parseServerSoftware(const QString& text);
[[nodiscard]] QStringList serverSoftwareIds();

/// What a generated configuration is made from. The file paths are the
/// paths on the server the configuration is for (they are written into it
/// as given); validation copies local files into its own folder instead.
struct ServerTlsSettings
{
    TlsPolicyName policy = TlsPolicyName::Intermediate;
    /// server_name / ServerName / SNI names; the first is the main one.
    QStringList serverNames;
    /// Listen address: an IPv4 or IPv6 literal, or empty for every address.
    QString listenAddress;
    quint16 listenPort = 443;
    /// The certificate as served: the leaf followed by its intermediates
    /// (fullchain.pem). nginx's ssl_certificate, Apache's SSLCertificateFile
    /// and Envoy's certificate_chain name it.
    QString certificateFile = QStringLiteral("/etc/ssl/certdeck/fullchain.pem");
    QString keyFile = QStringLiteral("/etc/ssl/certdeck/privkey.pem");
    /// The intermediates alone (chain.pem): what OCSP responses are verified
    /// against (nginx ssl_trusted_certificate). Empty: the certificate file.
    QString chainFile;
    /// HAProxy's `crt`: key, leaf and chain in one file (mode 0600). Empty:
    /// "haproxy.pem" in the certificate file's folder.
    QString combinedPemFile;
    /// DH parameters; when set, the policy's DHE suites are offered too.
    QString dhparamFile;
    /// A session-ticket key file; empty turns session tickets off (a key
    /// that is never rotated would undo forward secrecy).
    QString ticketKeyFile;
    bool hsts = true;
    qint64 hstsMaxAge = kDefaultHstsMaxAge;
    bool ocspStapling = true;
    /// Where Apache keeps its stapling cache (shmcb file).
    QString apacheRuntimeDir = QStringLiteral("/var/run/apache2");

    /// The chain file, or the certificate file when none is set.
    [[nodiscard]] QString effectiveChainFile() const;
    /// The combined PEM, or its default next to the certificate file.
    [[nodiscard]] QString effectiveCombinedPemFile() const;
    /// "ADDR:PORT" (IPv6 in brackets) or "PORT" alone for every address.
    [[nodiscard]] QString listenText() const;
};

/// Sets listenAddress/listenPort from "PORT", "ADDR:PORT", "[IPv6]:PORT" or
/// "*:PORT"; InvalidInput quoting the text otherwise (a name, a port out of
/// range, anything with white space).
[[nodiscard]] Status parseListen(const QString& text, ServerTlsSettings* settings);

/// Refuses settings that would make a broken or injected configuration,
/// naming the field: no server name, a name that is not a host name, a path
/// that is not absolute or holds white space, quotes, ';', '#', '{', '}' or
/// control characters, an HSTS max-age below zero.
[[nodiscard]] Status checkSettings(const ServerTlsSettings& settings);

} // namespace certdeck::config
