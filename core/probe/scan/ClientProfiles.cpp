// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientProfiles.h"

#include "crypto/OpenSslPtr.h"
#include "probe/wire/CipherSuiteRegistry.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <memory>
#include <openssl/ssl.h>

namespace certdeck::probe {

namespace {

const QString kModern = QStringLiteral("mozilla-modern");
const QString kIntermediate = QStringLiteral("mozilla-intermediate");
const QString kLocal = QStringLiteral("local-openssl");

const QStringList& tls13Suites()
{
    static const QStringList s = {QStringLiteral("TLS_AES_128_GCM_SHA256"),
                                  QStringLiteral("TLS_AES_256_GCM_SHA384"),
                                  QStringLiteral("TLS_CHACHA20_POLY1305_SHA256")};
    return s;
}

std::optional<quint16> suiteCode(const QString& text)
{
    const CipherSuiteRegistry& reg = CipherSuiteRegistry::instance();
    if (const CipherSuite* s = reg.findByIanaName(text)) {
        return s->code;
    }
    if (const CipherSuite* s = reg.findByOpensslName(text)) {
        return s->code;
    }
    if (text.startsWith(QLatin1String("0x"), Qt::CaseInsensitive) && text.size() == 6) {
        bool ok = false;
        const uint code = text.mid(2).toUInt(&ok, 16);
        if (ok) {
            return quint16(code);
        }
    }
    return std::nullopt;
}

std::optional<TlsVersion> versionByName(const QString& text)
{
    for (TlsVersion v : allTlsVersions()) {
        if (tlsVersionName(v).compare(text, Qt::CaseInsensitive) == 0) {
            return v;
        }
    }
    return std::nullopt;
}

Result<ClientProfile> named(const QString& name, const QList<TlsVersion>& versions,
                            const QStringList& suites)
{
    ClientProfile p;
    p.name = name;
    p.versions = versions;
    for (const QString& s : suites) {
        const auto code = suiteCode(s);
        if (!code) {
            return fail(ErrorCode::Internal,
                        QStringLiteral("built-in client profile %1 names an unknown suite %2")
                            .arg(name, s));
        }
        p.suites << *code;
    }
    return p;
}

// SSL_get1_supported_ciphers() hands over the stack, not its entries.
struct CipherStackFree
{
    void operator()(STACK_OF(SSL_CIPHER) * stack) const { sk_SSL_CIPHER_free(stack); }
};
using CipherStack = std::unique_ptr<STACK_OF(SSL_CIPHER), CipherStackFree>;

// What a default client context of the linked OpenSSL offers.
Result<ClientProfile> localOpenssl()
{
    ossl::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot make an OpenSSL client context"));
    }
    ossl::SslPtr ssl(SSL_new(ctx.get()));
    if (!ssl) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot make an OpenSSL connection"));
    }
    ClientProfile p;
    p.name = QStringLiteral("this machine's OpenSSL (%1)")
                 .arg(QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION)));
    // 0 means "the lowest the library supports".
    const long minVersion = SSL_CTX_get_min_proto_version(ctx.get());
    const long maxVersion = SSL_CTX_get_max_proto_version(ctx.get());
    for (TlsVersion v : allTlsVersions()) {
        const long wire = long(v);
        if ((minVersion == 0 || wire >= minVersion) && (maxVersion == 0 || wire <= maxVersion)) {
            p.versions << v;
        }
    }
    // What a handshake would offer: the configured list without what this
    // connection cannot use (PSK and SRP suites need callbacks it lacks).
    const CipherStack ciphers(SSL_get1_supported_ciphers(ssl.get()));
    if (!ciphers) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("OpenSSL lists no cipher suite for a default client"));
    }
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers.get()); ++i) {
        p.suites << quint16(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(ciphers.get(), i)));
    }
    return p;
}

} // namespace

QStringList builtinClientProfileNames()
{
    return {kModern, kIntermediate, kLocal};
}

Result<ClientProfile> builtinClientProfile(const QString& name)
{
    if (name == kModern) {
        return named(QStringLiteral("Mozilla modern client"), {TlsVersion::Tls13}, tls13Suites());
    }
    if (name == kIntermediate) {
        return named(QStringLiteral("Mozilla intermediate client"),
                     {TlsVersion::Tls12, TlsVersion::Tls13},
                     tls13Suites() + QStringList{QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256"),
                                                 QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256"),
                                                 QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384"),
                                                 QStringLiteral("ECDHE-RSA-AES256-GCM-SHA384"),
                                                 QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305"),
                                                 QStringLiteral("ECDHE-RSA-CHACHA20-POLY1305"),
                                                 QStringLiteral("DHE-RSA-AES128-GCM-SHA256"),
                                                 QStringLiteral("DHE-RSA-AES256-GCM-SHA384"),
                                                 QStringLiteral("DHE-RSA-CHACHA20-POLY1305")});
    }
    if (name == kLocal) {
        return localOpenssl();
    }
    return fail(ErrorCode::NotFound,
                QStringLiteral("there is no built-in client profile '%1' (there are: %2)")
                    .arg(name, builtinClientProfileNames().join(QStringLiteral(", "))));
}

Result<ClientProfile> parseClientProfile(QByteArrayView json, const QString& source)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &err);
    if (err.error != QJsonParseError::NoError) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1: not JSON at offset %2: %3")
                                                 .arg(source)
                                                 .arg(err.offset)
                                                 .arg(err.errorString()));
    }
    if (!doc.isObject()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: a client profile is a JSON object with name, versions and "
                                   "suites")
                        .arg(source));
    }
    const QJsonObject o = doc.object();
    ClientProfile p;
    p.name = o.value(QStringLiteral("name")).toString();
    if (p.name.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the profile has no name").arg(source));
    }
    const QJsonValue versions = o.value(QStringLiteral("versions"));
    const QJsonValue suites = o.value(QStringLiteral("suites"));
    if (!versions.isArray() || versions.toArray().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: 'versions' must list at least one protocol version, e.g. "
                                   "[\"TLSv1.2\"]")
                        .arg(source));
    }
    if (!suites.isArray() || suites.toArray().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: 'suites' must list at least one cipher suite").arg(source));
    }
    for (const QJsonValue& v : versions.toArray()) {
        const auto version = versionByName(v.toString());
        if (!version) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: '%2' is not a protocol version (SSLv3, TLSv1.0, "
                                       "TLSv1.1, TLSv1.2, TLSv1.3)")
                            .arg(source, v.toVariant().toString()));
        }
        if (!p.versions.contains(*version)) {
            p.versions << *version;
        }
    }
    for (const QJsonValue& v : suites.toArray()) {
        const auto code = suiteCode(v.toString());
        if (!code) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("%1: suite '%2' is neither an IANA nor an OpenSSL name nor a "
                               "code point like 0xC02F")
                    .arg(source, v.toVariant().toString()));
        }
        if (!p.suites.contains(*code)) {
            p.suites << *code;
        }
    }
    return p;
}

Result<ClientProfile> loadClientProfile(const QString& nameOrPath)
{
    if (builtinClientProfileNames().contains(nameOrPath)) {
        return builtinClientProfile(nameOrPath);
    }
    if (!QFileInfo::exists(nameOrPath)) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("'%1' is neither a built-in client profile (%2) nor a file")
                        .arg(nameOrPath, builtinClientProfileNames().join(QStringLiteral(", "))));
    }
    QFile f(nameOrPath);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot read %1: %2").arg(nameOrPath, f.errorString()));
    }
    // A profile is a few kilobytes; refuse to slurp anything huge.
    const QByteArray data = f.read(1 << 20);
    return parseClientProfile(data, QFileInfo(nameOrPath).fileName());
}

} // namespace certdeck::probe
