// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/challenge/TlsAlpnResponder.h"

#include "common/ByteReader.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace certdeck::acme {

namespace {

using namespace ossl;

constexpr int kHandshakeMs = 10000;

// The self-signed challenge certificate of RFC 8737 section 3.
Result<ossl::X509Ptr> makeCertificate(EVP_PKEY* key, const AcmeIdentifier& id,
                                      const QByteArray& keyAuthorization)
{
    ossl::X509Ptr x(X509_new());
    Asn1IntegerPtr serial(ASN1_INTEGER_new());
    if (!x || !serial || X509_set_version(x.get(), 2) != 1 ||
        ASN1_INTEGER_set_int64(serial.get(), QDateTime::currentMSecsSinceEpoch()) != 1 ||
        X509_set_serialNumber(x.get(), serial.get()) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(x.get()), 7 * 24 * 3600) == nullptr ||
        X509_set_pubkey(x.get(), key) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot start a TLS-ALPN-01 certificate"),
                    ossl::drainErrors());
    }
    X509_NAME* name = X509_get_subject_name(x.get());
    const QByteArray cn = QByteArrayLiteral("ACME TLS-ALPN-01 challenge");
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.constData()),
                                   static_cast<int>(cn.size()), -1, 0) != 1 ||
        X509_set_issuer_name(x.get(), name) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot name the challenge certificate"),
                    ossl::drainErrors());
    }

    // subjectAltName: exactly the identifier.
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    GeneralNamePtr gn(GENERAL_NAME_new());
    Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
    if (!names || !gn || !value) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    QByteArray raw;
    int type = GEN_DNS;
    if (id.type == AcmeIdentifier::Type::Ip) {
        const QHostAddress a(id.value);
        if (a.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = a.toIPv4Address();
            raw = QByteArray(4, '\0');
            for (int i = 0; i < 4; ++i) {
                raw[i] = static_cast<char>((v4 >> (24 - 8 * i)) & 0xff);
            }
        } else {
            const Q_IPV6ADDR v6 = a.toIPv6Address();
            raw = QByteArray(reinterpret_cast<const char*>(v6.c), 16);
        }
        type = GEN_IPADD;
    } else {
        raw = id.value.toLatin1();
    }
    if (ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(raw.constData()),
                              static_cast<int>(raw.size())) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    // GEN_DNS holds an IA5String, GEN_IPADD an OCTET STRING: both are
    // ASN1_STRINGs; set0 takes ownership.
    GENERAL_NAME_set0_value(gn.get(), type, value.release());
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) == 0) {
        return fail(ErrorCode::Internal, QStringLiteral("out of memory"), ossl::drainErrors());
    }
    static_cast<void>(gn.release());
    if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot add the subjectAltName"),
                    ossl::drainErrors());
    }

    // id-pe-acmeIdentifier (1.3.6.1.5.5.7.1.31), critical: the extension's
    // value is the DER of an OCTET STRING holding SHA-256(keyAuthorization).
    const QByteArray digest =
        QCryptographicHash::hash(keyAuthorization, QCryptographicHash::Sha256);
    const QByteArray der = QByteArray("\x04\x20", 2) + digest;
    Asn1ObjectPtr oid(OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1));
    Asn1OctetStringPtr extValue(ASN1_OCTET_STRING_new());
    if (!oid || !extValue ||
        ASN1_OCTET_STRING_set(extValue.get(),
                              reinterpret_cast<const unsigned char*>(der.constData()),
                              static_cast<int>(der.size())) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot encode acmeIdentifier"),
                    ossl::drainErrors());
    }
    X509ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, extValue.get()));
    if (!ext || X509_add_ext(x.get(), ext.get(), -1) != 1) {
        return fail(ErrorCode::Internal, QStringLiteral("cannot add acmeIdentifier"),
                    ossl::drainErrors());
    }
    if (X509_sign(x.get(), key, EVP_sha256()) <= 0) {
        return fail(ErrorCode::Crypto, QStringLiteral("cannot sign the challenge certificate"),
                    ossl::drainErrors());
    }
    return x;
}

} // namespace

/// One TLS connection, driven through memory BIOs.
class TlsAlpnResponder::Connection : public QObject
{
public:
    Connection(TlsAlpnResponder* owner, QTcpSocket* socket, ossl::SslPtr ssl)
        : QObject(socket)
        , m_owner(owner)
        , m_socket(socket)
        , m_ssl(std::move(ssl))
    {
        // BIO_new never fails short of memory exhaustion; SSL_set_bio takes both.
        BIO* in = BIO_new(BIO_s_mem());
        BIO* out = BIO_new(BIO_s_mem());
        SSL_set_bio(m_ssl.get(), in, out);
        SSL_set_accept_state(m_ssl.get());
        m_in = in;
        m_out = out;
        connect(socket, &QTcpSocket::readyRead, this, &Connection::pump);
        auto* timer = new QTimer(this);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, socket, &QTcpSocket::abort);
        timer->start(kHandshakeMs);
    }

private:
    void pump()
    {
        const QByteArray data = m_socket->readAll();
        if (!data.isEmpty()) {
            BIO_write(m_in, data.constData(), static_cast<int>(data.size()));
        }
        if (!m_done) {
            const int rc = SSL_do_handshake(m_ssl.get());
            if (rc == 1) {
                m_done = true;
                if (m_owner) {
                    ++m_owner->m_answered;
                }
                // The validator only looks at the certificate: say goodbye.
                SSL_shutdown(m_ssl.get());
            } else if (const int err = SSL_get_error(m_ssl.get(), rc);
                       err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                static_cast<void>(ossl::drainErrors());
                flush();
                m_socket->disconnectFromHost();
                return;
            }
        }
        flush();
        if (m_done) {
            m_socket->disconnectFromHost();
        }
    }

    void flush()
    {
        char buf[4096];
        int n = 0;
        while ((n = BIO_read(m_out, buf, sizeof buf)) > 0) {
            m_socket->write(buf, n);
        }
    }

    QPointer<TlsAlpnResponder> m_owner;
    QTcpSocket* m_socket;
    ossl::SslPtr m_ssl;
    BIO* m_in = nullptr;  // owned by m_ssl
    BIO* m_out = nullptr; // owned by m_ssl
    bool m_done = false;
};

TlsAlpnResponder::TlsAlpnResponder(QObject* parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TlsAlpnResponder::onNewConnection);
}

TlsAlpnResponder::~TlsAlpnResponder() = default;

Status TlsAlpnResponder::listen(const QHostAddress& address, quint16 port)
{
    if (!m_ctx) {
        ossl::PKeyPtr key(EVP_EC_gen("P-256"));
        ossl::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
        if (!key || !ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("cannot set up TLS for TLS-ALPN-01"),
                        ossl::drainErrors());
        }
        SSL_CTX_set_alpn_select_cb(ctx.get(), &TlsAlpnResponder::selectAlpn, this);
        SSL_CTX_set_client_hello_cb(ctx.get(), &TlsAlpnResponder::selectCertificate, this);
        m_key = std::move(key);
        m_ctx = std::move(ctx);
    }
    if (!m_server.listen(address, port)) {
        return fail(m_server.serverError() == QAbstractSocket::SocketAccessError
                        ? ErrorCode::PermissionDenied
                        : ErrorCode::Network,
                    QStringLiteral("the TLS-ALPN-01 responder cannot listen on %1 port %2")
                        .arg(address.toString())
                        .arg(port),
                    m_server.errorString());
    }
    m_address = address;
    return {};
}

QString TlsAlpnResponder::sniName(const AcmeIdentifier& identifier)
{
    if (identifier.type == AcmeIdentifier::Type::Dns) {
        return identifier.value;
    }
    const QHostAddress a(identifier.value);
    if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = a.toIPv4Address();
        return QStringLiteral("%1.%2.%3.%4.in-addr.arpa")
            .arg(v4 & 0xff)
            .arg((v4 >> 8) & 0xff)
            .arg((v4 >> 16) & 0xff)
            .arg(v4 >> 24);
    }
    const Q_IPV6ADDR v6 = a.toIPv6Address();
    QStringList nibbles;
    for (int i = 15; i >= 0; --i) {
        nibbles << QString::number(v6.c[i] & 0x0f, 16) << QString::number(v6.c[i] >> 4, 16);
    }
    return nibbles.join(u'.') + QStringLiteral(".ip6.arpa");
}

void TlsAlpnResponder::publish(const AcmeIdentifier& identifier, const QByteArray& token,
                               const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    if (!m_server.isListening()) {
        done(fail(ErrorCode::Internal,
                  QStringLiteral("the TLS-ALPN-01 responder is not listening")));
        return;
    }
    if (identifier.isWildcard()) {
        done(fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1: TLS-ALPN-01 cannot prove a wildcard").arg(identifier.toString())));
        return;
    }
    auto cert = makeCertificate(m_key.get(), identifier, keyAuthorization);
    if (!cert) {
        done(tl::unexpected(cert.error()));
        return;
    }
    auto challenge = std::make_shared<Challenge>();
    challenge->certificate = std::move(*cert);
    m_certs.insert(sniName(identifier), challenge);
    done({});
}

void TlsAlpnResponder::withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                                const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    Q_UNUSED(keyAuthorization)
    m_certs.remove(sniName(identifier));
    done({});
}

QString TlsAlpnResponder::describe() const
{
    return QStringLiteral("the built-in TLS-ALPN-01 responder on %1 port %2")
        .arg(m_address.toString())
        .arg(m_server.serverPort());
}

int TlsAlpnResponder::selectAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                                 const unsigned char* in, unsigned int inlen, void* arg)
{
    Q_UNUSED(ssl)
    Q_UNUSED(arg)
    // RFC 8737 section 3: only acme-tls/1 is served.
    unsigned char* selected = nullptr;
    static const unsigned char server[] = {10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'};
    if (SSL_select_next_proto(&selected, outlen, server, sizeof server, in, inlen) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int TlsAlpnResponder::selectCertificate(SSL* ssl, int* alert, void* arg)
{
    auto* self = static_cast<TlsAlpnResponder*>(arg);
    // The server name from the ClientHello's SNI extension.
    const unsigned char* ext = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) != 1) {
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_CLIENT_HELLO_ERROR;
    }
    // ServerNameList (RFC 6066 3): a 2-byte list length, then entries of
    // name_type (1) and a 2-byte-prefixed name; the first host_name counts.
    ByteReader extension(
        QByteArrayView(reinterpret_cast<const char*>(ext), static_cast<qsizetype>(len)));
    auto list = extension.block(2);
    const auto nameType = list ? list->u8() : std::nullopt;
    const auto hostName = list ? list->block(2) : std::nullopt;
    if (!nameType || *nameType != TLSEXT_NAMETYPE_host_name || !hostName || hostName->atEnd()) {
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_CLIENT_HELLO_ERROR;
    }
    const QString name = QString::fromLatin1(hostName->data()).toLower();
    const auto it = self->m_certs.constFind(name);
    if (it == self->m_certs.cend() || SSL_use_certificate(ssl, (*it)->certificate.get()) != 1 ||
        SSL_use_PrivateKey(ssl, self->m_key.get()) != 1) {
        static_cast<void>(ossl::drainErrors());
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

void TlsAlpnResponder::onNewConnection()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::errorOccurred, socket, &QObject::deleteLater);
        ossl::SslPtr ssl(SSL_new(m_ctx.get()));
        if (!ssl) {
            static_cast<void>(ossl::drainErrors());
            socket->abort();
            continue;
        }
        new Connection(this, socket, std::move(ssl));
    }
}

} // namespace certdeck::acme
