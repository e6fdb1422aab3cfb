// SPDX-License-Identifier: GPL-3.0-or-later
#include "TlsContextSet.h"

#include "TicketKeyRing.h"
#include "common/ByteReader.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/Wipe.h"

#include <QFile>
#include <algorithm>
#include <cstring>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/tls1.h>

namespace certdeck::proxy {

struct TlsContextSet::Group
{
    ossl::SslCtxPtr ctx;
    QStringList names;
    QList<int> keyTypes; ///< EVP_PKEY_EC, EVP_PKEY_RSA...: one certificate of each at most
};

struct TlsContextSet::StapleSlot
{
    const X509* leaf = nullptr;
    std::atomic<std::shared_ptr<const QByteArray>> der;
};

namespace {

// Mozilla's intermediate profile without finite-field DHE (which would need a
// dhparam file and is slower than ECDHE for no client that matters).
constexpr const char* kTls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
// Every context of every set: a session resumed under one context (or before
// a reload) is accepted by the others.
constexpr unsigned char kSessionIdContext[] = "certdeck-proxy";

struct Loaded
{
    QString file;
    ossl::X509Ptr leaf;
    ossl::X509StackPtr chain;
    ossl::PKeyPtr key;
    QStringList names;
};

int refusePassphrase(char*, int, int, void*)
{
    return 0;
}

Result<QByteArray> readPem(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1").arg(path), f.errorString());
    }
    if (f.size() > 1024 * 1024) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is over 1 MiB: not a certificate file").arg(path));
    }
    return f.readAll();
}

QStringList namesOf(X509* leaf)
{
    QStringList names;
    ossl::GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr)));
    if (sans) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
            if (gn->type == GEN_DNS) {
                const ASN1_STRING* s = gn->d.dNSName;
                names << QString::fromLatin1(
                             reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                             ASN1_STRING_length(s))
                             .toLower();
            }
        }
    }
    if (names.isEmpty()) {
        const X509_NAME* subject = X509_get_subject_name(leaf);
        const int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
        if (idx >= 0) {
            const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
            names << QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                                         ASN1_STRING_length(cn))
                         .toLower();
        }
    }
    ERR_clear_error(); // a missing extension is not an error here
    names.removeDuplicates();
    names.sort();
    return names;
}

QString keyTypeName(const EVP_PKEY* key)
{
    const int bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
        char group[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1) {
            const QString g = QString::fromLatin1(group);
            if (g == QLatin1String("prime256v1")) {
                return QStringLiteral("ECDSA P-256");
            }
            if (g == QLatin1String("secp384r1")) {
                return QStringLiteral("ECDSA P-384");
            }
            return QStringLiteral("ECDSA ") + g;
        }
        ERR_clear_error();
        return QStringLiteral("ECDSA %1").arg(bits);
    }
    case EVP_PKEY_RSA:
        return QStringLiteral("RSA %1").arg(bits);
    case EVP_PKEY_ED25519:
        return QStringLiteral("Ed25519");
    default:
        return QStringLiteral("key of %1 bits").arg(bits);
    }
}

Result<Loaded> loadFile(const QString& spec)
{
    const QStringList parts = spec.split(u',');
    if (parts.size() > 2 || parts.first().isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("'%1' is not FILE or CERT,KEY").arg(spec));
    }
    const QString certPath = parts.first();
    const QString keyPath = parts.size() == 2 ? parts.last() : certPath;
    auto certPem = readPem(certPath);
    if (!certPem) {
        return tl::unexpected(certPem.error());
    }
    Loaded out;
    out.file = spec;
    ossl::BioPtr bio(BIO_new_mem_buf(certPem->constData(), static_cast<int>(certPem->size())));
    if (!bio) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    out.leaf.reset(PEM_read_bio_X509(bio.get(), nullptr, refusePassphrase, nullptr));
    if (!out.leaf) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 holds no PEM certificate (BEGIN CERTIFICATE)").arg(certPath),
                    ossl::drainErrors());
    }
    out.chain.reset(sk_X509_new_null());
    while (true) {
        ossl::X509Ptr next(PEM_read_bio_X509(bio.get(), nullptr, refusePassphrase, nullptr));
        if (!next) {
            break;
        }
        if (sk_X509_push(out.chain.get(), next.get()) <= 0) {
            return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
        }
        next.release();
    }
    ERR_clear_error(); // the end of the certificates reads as "no start line"

    QByteArray keyPem;
    if (keyPath == certPath) {
        keyPem = *certPem;
    } else {
        auto k = readPem(keyPath);
        if (!k) {
            return tl::unexpected(k.error());
        }
        keyPem = *k;
    }
    ossl::BioPtr keyBio(BIO_new_mem_buf(keyPem.constData(), static_cast<int>(keyPem.size())));
    out.key.reset(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, refusePassphrase, nullptr)
                         : nullptr);
    crypto::wipe(keyPem);
    if (!out.key) {
        const QString evidence = ossl::drainErrors();
        const bool encrypted = evidence.contains(QLatin1String("bad decrypt")) ||
                               evidence.contains(QLatin1String("bad password")) ||
                               evidence.contains(QLatin1String("interrupted or cancelled"));
        return fail(ErrorCode::InvalidInput,
                    encrypted ? QStringLiteral("%1: the private key is encrypted; the proxy "
                                               "takes an unencrypted key in a 0600 file")
                                    .arg(keyPath)
                              : QStringLiteral("%1 holds no PEM private key").arg(keyPath),
                    evidence);
    }
    if (X509_check_private_key(out.leaf.get(), out.key.get()) != 1) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1: the private key does not belong to the certificate in %2")
                        .arg(keyPath, certPath),
                    ossl::drainErrors());
    }
    out.names = namesOf(out.leaf.get());
    if (out.names.isEmpty()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1: the certificate names no host (no DNS SAN, no CN)").arg(certPath));
    }
    return out;
}

// A chain and key already in memory: the OpenSSL objects are shared (up-ref),
// never serialised, so the key exists nowhere but in its EVP_PKEY.
Result<Loaded> loadMemory(const CertificateSource& source)
{
    const QString& label = source.label;
    if (source.chain.isEmpty() || source.chain.first().isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1: no certificate").arg(label));
    }
    if (source.key.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1: no private key").arg(label));
    }
    Loaded out;
    out.file = label;
    X509* leaf = source.chain.first().handle();
    if (X509_up_ref(leaf) != 1) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("%1: cannot share the certificate").arg(label),
                    ossl::drainErrors());
    }
    out.leaf.reset(leaf);
    out.chain.reset(sk_X509_new_null());
    if (!out.chain) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    for (qsizetype i = 1; i < source.chain.size(); ++i) {
        X509* next = source.chain.at(i).handle();
        if (next == nullptr) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: chain certificate #%2 is empty").arg(label).arg(i + 1));
        }
        if (X509_up_ref(next) != 1) {
            return fail(ErrorCode::Internal,
                        QStringLiteral("%1: cannot share the chain").arg(label),
                        ossl::drainErrors());
        }
        if (sk_X509_push(out.chain.get(), next) <= 0) {
            X509_free(next);
            return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
        }
    }
    EVP_PKEY* key = source.key.handle();
    if (EVP_PKEY_up_ref(key) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("%1: cannot share the key").arg(label),
                    ossl::drainErrors());
    }
    out.key.reset(key);
    if (X509_check_private_key(out.leaf.get(), out.key.get()) != 1) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1: the private key does not belong to the certificate").arg(label),
            ossl::drainErrors());
    }
    out.names = namesOf(out.leaf.get());
    if (out.names.isEmpty()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1: the certificate names no host (no DNS SAN, no CN)").arg(label));
    }
    return out;
}

QDateTime asn1Time(const ASN1_TIME* t)
{
    struct tm tm = {};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return {};
    }
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

} // namespace

TlsContextSet::~TlsContextSet() = default;

QStringList TlsContextSet::policySuites(TlsPolicy policy)
{
    QStringList out = {
        QStringLiteral("TLSv1.3 TLS_AES_128_GCM_SHA256"),
        QStringLiteral("TLSv1.3 TLS_AES_256_GCM_SHA384"),
        QStringLiteral("TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"),
    };
    if (policy == TlsPolicy::Intermediate) {
        out << QStringLiteral("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
            << QStringLiteral("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
            << QStringLiteral("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
            << QStringLiteral("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
            << QStringLiteral("TLSv1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
            << QStringLiteral("TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    }
    return out;
}

Status TlsContextSet::configure(SSL_CTX* ctx, const Options& options, bool first)
{
    const auto broken = [](const QString& what) {
        return fail(ErrorCode::Internal, what, ossl::drainErrors());
    };
    const int minVersion = options.policy == TlsPolicy::Modern ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(ctx, minVersion) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        return broken(QStringLiteral("cannot set the TLS versions of the policy"));
    }
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
        return broken(QStringLiteral("cannot set the cipher suites of the policy"));
    }
    if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
        return broken(QStringLiteral("cannot set the key-exchange groups of the policy"));
    }
    // Clients that close without close_notify (most load generators) end
    // the stream like an EOF, not like an attack.
    uint64_t opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF;
    if (options.ktls) {
        opts |= SSL_OP_ENABLE_KTLS;
    }
    SSL_CTX_set_options(ctx, opts);
    // Partial and moving writes: the relay hands SSL_write whatever the
    // backend buffer holds and retries from its new position. Released
    // buffers: an idle connection does not keep OpenSSL's 2 x 16 KiB.
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1) != 1) {
        return broken(QStringLiteral("cannot set the session id context"));
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, 20480);
    SSL_CTX_set_timeout(ctx, static_cast<long>(options.sessionLifetime.count()));
    // One TLS 1.3 ticket per handshake: clients resume with one, and each
    // ticket costs an encryption on the handshake path.
    SSL_CTX_set_num_tickets(ctx, 1);
    if (options.tickets != nullptr) {
        options.tickets->install(ctx);
    }
    if (!m_alpnWire.isEmpty()) {
        SSL_CTX_set_alpn_select_cb(ctx, &TlsContextSet::onAlpn, this);
    }
    // SSL_CTX_set_tlsext_status_cb() is a macro with a C cast; the call it makes:
    SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB,
                          reinterpret_cast<void (*)()>(&TlsContextSet::onStatus));
    SSL_CTX_set_tlsext_status_arg(ctx, this);
    if (first) {
        SSL_CTX_set_client_hello_cb(ctx, &TlsContextSet::onClientHello, this);
    }
    return {};
}

Result<std::shared_ptr<TlsContextSet>> TlsContextSet::build(const QStringList& files,
                                                            const Options& options)
{
    QList<CertificateSource> sources;
    sources.reserve(files.size());
    for (const QString& f : files) {
        sources << CertificateSource::fromFile(f);
    }
    return build(sources, options);
}

Result<std::shared_ptr<TlsContextSet>> TlsContextSet::build(const QList<CertificateSource>& sources,
                                                            const Options& options)
{
    if (sources.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no certificate given (--cert)"));
    }
    std::shared_ptr<TlsContextSet> set(new TlsContextSet());
    for (const QString& proto : options.alpn) {
        const QByteArray p = proto.toLatin1();
        if (p.isEmpty() || p.size() > 255) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("ALPN protocol '%1' must be 1 to 255 bytes").arg(proto));
        }
        set->m_alpnWire.append(static_cast<char>(p.size())).append(p);
    }
    QHash<QString, Group*> byNames;
    for (const CertificateSource& source : sources) {
        const QString& spec = source.label;
        auto loaded = source.isFile() ? loadFile(source.file) : loadMemory(source);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        const QString key = loaded->names.join(u',');
        Group* group = byNames.value(key);
        const int type = EVP_PKEY_get_base_id(loaded->key.get());
        if (group == nullptr) {
            auto g = std::make_unique<Group>();
            g->names = loaded->names;
            g->ctx.reset(SSL_CTX_new_ex(nullptr, nullptr, TLS_server_method()));
            if (!g->ctx) {
                return fail(ErrorCode::Internal, QStringLiteral("cannot make a TLS context"),
                            ossl::drainErrors());
            }
            if (auto st = set->configure(g->ctx.get(), options, set->m_groups.empty()); !st) {
                return tl::unexpected(st.error());
            }
            group = g.get();
            byNames.insert(key, group);
            set->m_groups.push_back(std::move(g));
        } else if (group->keyTypes.contains(type)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: a certificate with this key type for %2 is already "
                                       "loaded (one ECDSA and one RSA per name)")
                            .arg(spec, key));
        }
        group->keyTypes << type;
        if (SSL_CTX_use_cert_and_key(group->ctx.get(), loaded->leaf.get(), loaded->key.get(),
                                     loaded->chain.get(), 1) != 1) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: OpenSSL refuses this certificate and key").arg(spec),
                        ossl::drainErrors());
        }
        Served served;
        served.file = spec;
        served.names = loaded->names;
        served.keyType = keyTypeName(loaded->key.get());
        served.notAfter = asn1Time(X509_get0_notAfter(loaded->leaf.get()));
        if (sk_X509_num(loaded->chain.get()) > 0) {
            X509* issuer = sk_X509_value(loaded->chain.get(), 0);
            X509_up_ref(issuer);
            served.issuer.reset(issuer);
        }
        auto slot = std::make_unique<StapleSlot>();
        slot->leaf = loaded->leaf.get();
        set->m_staples.push_back(std::move(slot));
        served.leaf = std::move(loaded->leaf);
        set->m_served.push_back(std::move(served));
    }
    for (const auto& g : set->m_groups) {
        for (const QString& name : g->names) {
            if (name.startsWith(QLatin1String("*."))) {
                set->m_wildcard.insert(name.mid(2).toLatin1(), g.get());
            } else {
                set->m_exact.insert(name.toLatin1(), g.get());
            }
        }
    }
    return set;
}

SSL* TlsContextSet::newSsl() const
{
    return SSL_new(m_groups.front()->ctx.get());
}

void TlsContextSet::setStaple(const X509* leaf, std::shared_ptr<const QByteArray> der)
{
    for (const auto& slot : m_staples) {
        if (slot->leaf == leaf) {
            slot->der.store(std::move(der));
            return;
        }
    }
}

std::shared_ptr<const QByteArray> TlsContextSet::staple(const X509* leaf) const
{
    for (const auto& slot : m_staples) {
        if (slot->leaf == leaf) {
            return slot->der.load();
        }
    }
    return {};
}

const TlsContextSet::Group* TlsContextSet::findGroup(QByteArrayView serverName) const
{
    // Lower-cased into a stack buffer: no allocation per handshake.
    char buf[256];
    qsizetype n = serverName.size();
    if (n > 0 && serverName[n - 1] == '.') {
        --n;
    }
    if (n <= 0 || n >= static_cast<qsizetype>(sizeof buf)) {
        return nullptr;
    }
    for (qsizetype i = 0; i < n; ++i) {
        const char c = serverName[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    const QByteArray name = QByteArray::fromRawData(buf, n);
    if (const auto it = m_exact.constFind(name); it != m_exact.cend()) {
        return *it;
    }
    const qsizetype dot = name.indexOf('.');
    if (dot > 0) {
        const QByteArray parent = QByteArray::fromRawData(buf + dot + 1, n - dot - 1);
        if (const auto it = m_wildcard.constFind(parent); it != m_wildcard.cend()) {
            return *it;
        }
    }
    return nullptr;
}

int TlsContextSet::onClientHello(SSL* ssl, int* /*alert*/, void* arg)
{
    const auto* self = static_cast<const TlsContextSet*>(arg);
    if (self->m_groups.size() < 2) {
        return SSL_CLIENT_HELLO_SUCCESS;
    }
    const unsigned char* data = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &data, &len) != 1) {
        return SSL_CLIENT_HELLO_SUCCESS; // no SNI: the default certificate
    }
    ByteReader reader(QByteArrayView(data, static_cast<qsizetype>(len)));
    auto list = reader.block(2);
    while (list && !list->atEnd()) {
        const auto type = list->u8();
        auto name = list->block(2);
        if (!type || !name) {
            break; // malformed: OpenSSL's own parser refuses it afterwards
        }
        if (*type != TLSEXT_NAMETYPE_host_name) {
            continue;
        }
        const auto bytes = name->bytes(name->remaining());
        const Group* group = bytes ? self->findGroup(*bytes) : nullptr;
        if (group != nullptr && group != self->m_groups.front().get()) {
            if (SSL_set_SSL_CTX(ssl, group->ctx.get()) == nullptr) {
                ERR_clear_error();
                return SSL_CLIENT_HELLO_ERROR;
            }
        }
        break;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

int TlsContextSet::onAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                          const unsigned char* in, unsigned int inlen, void* arg)
{
    const auto* self = static_cast<const TlsContextSet*>(arg);
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen,
                              reinterpret_cast<const unsigned char*>(self->m_alpnWire.constData()),
                              static_cast<unsigned int>(self->m_alpnWire.size()), in,
                              inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

int TlsContextSet::onStatus(SSL* ssl, void* arg)
{
    const auto* self = static_cast<const TlsContextSet*>(arg);
    const X509* cert = SSL_get_certificate(ssl);
    const auto der = cert != nullptr ? self->staple(cert) : nullptr;
    if (!der || der->isEmpty()) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    // OpenSSL frees the response it is given, so each handshake gets a copy.
    auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(static_cast<size_t>(der->size())));
    if (copy == nullptr) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    std::memcpy(copy, der->constData(), static_cast<size_t>(der->size()));
    if (SSL_set_tlsext_status_ocsp_resp(ssl, copy, der->size()) != 1) {
        OPENSSL_free(copy);
        ERR_clear_error();
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

} // namespace certdeck::proxy
