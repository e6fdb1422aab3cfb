// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace certdeck::test {

/// One accepted (protocol, cipher suite) pair as an external scanner reports it.
struct OracleSuite
{
    QString version;             ///< "SSLv3", "TLSv1.0" .. "TLSv1.3"
    std::optional<quint16> code; ///< sslscan gives the code point
    QString name;                ///< sslscan: OpenSSL name; nmap: IANA name (TLS 1.3 mapped)
};

/// A key-exchange group sslscan reports as supported.
struct OracleGroup
{
    QString version; ///< the protocol sslscan found it with
    quint16 id = 0;
};

/// Runs sslscan and nmap's ssl-enum-ciphers against a loopback port and reads
/// their accepted suites: the independent oracles for the prober. Knows
/// nothing of core/ (the fixtures library does not link it); the test maps
/// names to code points with the registry.
class ScannerOracle
{
public:
    /// `sslscan --no-colour --xml=FILE [--sni-name=SNI] 127.0.0.1:PORT`; its
    /// groups too when `groups` is given.
    [[nodiscard]] static std::optional<QList<OracleSuite>>
    sslscan(quint16 port, const QString& sni, const QString& workDir, QString* error,
            QList<OracleGroup>* groups = nullptr);
    /// `nmap -Pn -p PORT --script ssl-enum-ciphers 127.0.0.1`; with
    /// `preferences`, its "cipher preference" per protocol too.
    [[nodiscard]] static std::optional<QList<OracleSuite>>
    nmap(quint16 port, QString* error, QHash<QString, QString>* preferences = nullptr);

    /// The <cipher status="accepted|preferred"> entries of sslscan's XML.
    [[nodiscard]] static QList<OracleSuite> parseSslscanXml(const QByteArray& xml);
    /// The same per <ssltest> of a `sslscan --targets` run, keyed "HOST:PORT"
    /// as sslscan wrote them (a target without accepted suites maps to none).
    [[nodiscard]] static QHash<QString, QList<OracleSuite>>
    parseSslscanXmlByTarget(const QByteArray& xml);
    /// The <group> entries of sslscan's XML.
    [[nodiscard]] static QList<OracleGroup> parseSslscanGroups(const QByteArray& xml);
    /// The cipher lines under each protocol of nmap's ssl-enum-ciphers, with
    /// nmap's TLS 1.3 draft names (TLS_AKE_WITH_AES_128_GCM_SHA256) mapped to
    /// the RFC 8446 names (TLS_AES_128_GCM_SHA256).
    [[nodiscard]] static QList<OracleSuite> parseNmap(const QByteArray& text);
    /// nmap's "cipher preference: server|client|indeterminate" under each
    /// protocol, keyed "TLSv1.2". nmap decides it by swapping two suites, so
    /// it is an oracle for plain server or client order only (see
    /// tests/support/README.md).
    [[nodiscard]] static QHash<QString, QString> parseNmapPreferences(const QByteArray& text);
};

} // namespace certdeck::test
