// SPDX-License-Identifier: GPL-3.0-or-later
#include "OcspFront.h"

#include "common/ByteReader.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QProcess>
#include <QTcpSocket>
#include <QTimer>
#include <cstdio>

namespace certdeck::test {

namespace {

QByteArray statusLine(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("200 OK");
    case 400:
        return QByteArrayLiteral("400 Bad Request");
    case 405:
        return QByteArrayLiteral("405 Method Not Allowed");
    case 411:
        return QByteArrayLiteral("411 Length Required");
    case 413:
        return QByteArrayLiteral("413 Payload Too Large");
    case 431:
        return QByteArrayLiteral("431 Request Header Fields Too Large");
    case 501:
        return QByteArrayLiteral("501 Not Implemented");
    case 503:
        return QByteArrayLiteral("503 Service Unavailable");
    default:
        return QByteArrayLiteral("500 Internal Server Error");
    }
}

// True when `der` is exactly one DER SEQUENCE (what an OCSPRequest is): a
// cheap bounds-checked look at the outer TLV, so garbage gets a 400 without
// running openssl and a truncated body is not mistaken for a request.
bool isOneDerSequence(const QByteArray& der)
{
    ByteReader r(der);
    if (r.u8() != quint8(0x30)) {
        return false;
    }
    const auto length = r.derLength();
    return length && static_cast<quint64>(r.remaining()) == *length;
}

// RFC 6960 appendix A.1: GET {url}/{url-encoding of base-64 encoding of the
// DER OCSPRequest}. Clients differ on escaping and on the alphabet, so take
// percent-escapes or raw characters, and base64 or base64url.
QByteArray decodeGetTarget(QByteArray target)
{
    if (target.startsWith("http://")) {
        const qsizetype slash = target.indexOf('/', 7);
        target = slash < 0 ? QByteArray() : target.mid(slash);
    }
    if (!target.startsWith('/') || target.size() < 2) {
        return {};
    }
    const QByteArray b64 = QByteArray::fromPercentEncoding(target.mid(1));
    for (const auto options : {QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding}) {
        auto decoded =
            QByteArray::fromBase64Encoding(b64, options | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded) {
            return *decoded;
        }
    }
    return {};
}

QHash<QString, QString> readConfig(const QString& path)
{
    QHash<QString, QString> config;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return config;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith('#')) {
            config.insert(QString::fromUtf8(line.left(eq).trimmed()),
                          QString::fromUtf8(line.mid(eq + 1).trimmed()));
        }
    }
    return config;
}

} // namespace

/// One connection's state; dies with its socket.
struct OcspFront::Exchange : public QObject
{
    using QObject::QObject;
    ~Exchange() override
    {
        if (process != nullptr) {
            // No finished() callback into a half-destroyed exchange.
            QObject::disconnect(process, nullptr, nullptr, nullptr);
            process->kill();
            process->waitForFinished(2000);
        }
        for (const QString& file : files) {
            QFile::remove(file);
        }
    }
    QByteArray buffer;
    QByteArray method;
    qsizetype contentLength = -1;
    bool headerDone = false;
    bool answered = false;
    QProcess* process = nullptr;
    QStringList files;
};

OcspFront::OcspFront(QString configPath, QString workDir)
    : m_configPath(std::move(configPath))
    , m_workDir(std::move(workDir))
{
    connect(&m_server, &QTcpServer::newConnection, this, &OcspFront::accept);
}

bool OcspFront::listen(quint16 port)
{
    return m_server.listen(QHostAddress(QHostAddress::LocalHost), port);
}

void OcspFront::accept()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        auto* ex = new Exchange(socket);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (m_open >= kMaxConnections) {
            reply(socket, ex, 503, "text/plain", "too many connections\n");
            continue;
        }
        ++m_open;
        connect(socket, &QObject::destroyed, this, [this] { --m_open; });
        connect(socket, &QTcpSocket::readyRead, ex,
                [this, socket, ex] { onReadyRead(socket, ex); });
        // A slow or silent client never holds a slot for long.
        QTimer::singleShot(kConnectionTimeoutMs, ex, [socket] {
            socket->abort();
            socket->deleteLater();
        });
    }
}

void OcspFront::onReadyRead(QTcpSocket* socket, Exchange* ex)
{
    if (ex->answered) {
        socket->readAll();
        return;
    }
    ex->buffer += socket->readAll();
    if (!ex->headerDone) {
        qsizetype end = ex->buffer.indexOf("\r\n\r\n");
        qsizetype sep = 4;
        if (end < 0) {
            end = ex->buffer.indexOf("\n\n");
            sep = 2;
        }
        if (end < 0 || end > kMaxHeader) {
            if (end > kMaxHeader || ex->buffer.size() > kMaxHeader) {
                reply(socket, ex, 431, "text/plain", "request header too large\n");
            }
            return;
        }
        const QList<QByteArray> lines = ex->buffer.left(end).split('\n');
        const QList<QByteArray> request = lines.first().trimmed().split(' ');
        if (request.size() != 3 || !request.at(2).startsWith("HTTP/1.")) {
            reply(socket, ex, 400, "text/plain", "malformed request line\n");
            return;
        }
        ex->method = request.at(0);
        bool chunked = false;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon <= 0) {
                continue;
            }
            const QByteArray name = lines.at(i).left(colon).trimmed().toLower();
            const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
            if (name == "content-length") {
                bool ok = false;
                ex->contentLength = value.toLongLong(&ok);
                if (!ok || ex->contentLength < 0) {
                    reply(socket, ex, 400, "text/plain", "bad Content-Length\n");
                    return;
                }
            } else if (name == "transfer-encoding") {
                chunked = true;
            }
        }
        ex->buffer.remove(0, end + sep);
        ex->headerDone = true;
        if (ex->method == "GET") {
            const QByteArray der = decodeGetTarget(request.at(1));
            if (!isOneDerSequence(der)) {
                reply(socket, ex, 400, "text/plain", "GET path is not a base64 OCSP request\n");
                return;
            }
            runResponder(socket, ex, der);
            return;
        }
        if (ex->method != "POST") {
            reply(socket, ex, 405, "text/plain", "only GET and POST\n");
            return;
        }
        if (chunked) {
            reply(socket, ex, 501, "text/plain", "chunked bodies are not supported\n");
            return;
        }
        if (ex->contentLength < 0) {
            reply(socket, ex, 411, "text/plain", "Content-Length required\n");
            return;
        }
        if (ex->contentLength > kMaxBody) {
            reply(socket, ex, 413, "text/plain", "request too large\n");
            return;
        }
    }
    if (ex->method == "POST" && ex->buffer.size() >= ex->contentLength) {
        const QByteArray der = ex->buffer.left(ex->contentLength);
        if (!isOneDerSequence(der)) {
            reply(socket, ex, 400, "text/plain", "body is not a DER OCSP request\n");
            return;
        }
        runResponder(socket, ex, der);
    }
}

void OcspFront::runResponder(QTcpSocket* socket, Exchange* ex, const QByteArray& der)
{
    const QHash<QString, QString> config = readConfig(m_configPath);
    for (const char* key : {"index", "ca", "rsigner", "rkey"}) {
        if (config.value(QLatin1String(key)).isEmpty()) {
            reply(socket, ex, 503, "text/plain", "responder not configured\n");
            return;
        }
    }
    const quint64 seq = ++m_sequence;
    const QString req = QDir(m_workDir).filePath(QStringLiteral("req-%1.der").arg(seq));
    const QString resp = QDir(m_workDir).filePath(QStringLiteral("resp-%1.der").arg(seq));
    ex->files << req << resp;
    QFile f(req);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(der) != der.size()) {
        reply(socket, ex, 500, "text/plain", "cannot write the request file\n");
        return;
    }
    f.close();

    ex->process = new QProcess(ex);
    QProcess* p = ex->process;
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardInputFile(QProcess::nullDevice());
    connect(
        p, &QProcess::finished, ex, [this, socket, ex, p, resp](int code, QProcess::ExitStatus st) {
            const QByteArray output = p->readAll();
            QFile out(resp);
            const QByteArray body = out.open(QIODevice::ReadOnly) ? out.readAll() : QByteArray();
            if (st == QProcess::NormalExit && code == 0 && !body.isEmpty()) {
                reply(socket, ex, 200, "application/ocsp-response", body);
            } else if (output.contains("Error reading OCSP request")) {
                reply(socket, ex, 400, "text/plain", output);
            } else {
                reply(socket, ex, 500, "text/plain", "openssl ocsp failed:\n" + output);
            }
        });
    connect(p, &QProcess::errorOccurred, ex, [this, socket, ex, p](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            reply(socket, ex, 500, "text/plain", p->errorString().toUtf8() + '\n');
        }
    });
    QTimer::singleShot(kResponderTimeoutMs, p, [p] { p->kill(); });
    const QString openssl = config.value(QStringLiteral("openssl"), QStringLiteral("openssl"));
    p->start(openssl, {QStringLiteral("ocsp"), QStringLiteral("-index"),
                       config.value(QStringLiteral("index")), QStringLiteral("-CA"),
                       config.value(QStringLiteral("ca")), QStringLiteral("-rsigner"),
                       config.value(QStringLiteral("rsigner")), QStringLiteral("-rkey"),
                       config.value(QStringLiteral("rkey")), QStringLiteral("-reqin"), req,
                       QStringLiteral("-respout"), resp, QStringLiteral("-ndays"),
                       config.value(QStringLiteral("ndays"), QStringLiteral("1"))});
}

void OcspFront::reply(QTcpSocket* socket, Exchange* ex, int status, const QByteArray& contentType,
                      const QByteArray& body)
{
    if (ex->answered) {
        return;
    }
    ex->answered = true;
    socket->write("HTTP/1.0 " + statusLine(status) + "\r\nContent-Type: " + contentType +
                  "\r\nContent-Length: " + QByteArray::number(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
    std::printf("%s %d %lld bytes\n", ex->method.isEmpty() ? "-" : ex->method.constData(), status,
                static_cast<long long>(body.size()));
    std::fflush(stdout);
}

} // namespace certdeck::test
