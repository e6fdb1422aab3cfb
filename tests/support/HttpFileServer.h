// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

namespace certdeck::test {

/// A tiny plain-HTTP/1.0 server on 127.0.0.1 for tests that fetch files (AIA
/// caIssuers, CRLs): fixed answers per path, plus the misbehaviours a client
/// must survive (never answering, answering too much, lying about length).
class HttpFileServer : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Normal,   ///< 200 with Content-Length
        NoLength, ///< 200, body until close, no Content-Length
        Stall,    ///< accept the request, never answer
    };

    explicit HttpFileServer(QObject* parent = nullptr);

    /// Listens on a free loopback port (or `port`); false on failure.
    [[nodiscard]] bool listen(quint16 port = 0);
    void close();
    [[nodiscard]] quint16 port() const { return m_port; }
    /// "http://127.0.0.1:PORT/path"; stays valid after close().
    [[nodiscard]] QUrl url(const QString& path) const;

    /// Serves `body` at `path`; other paths answer 404.
    void setFile(const QString& path, const QByteArray& body, Mode mode = Mode::Normal,
                 const QByteArray& contentType = "application/pkix-cert");
    /// Answers `path` with a 302 to `to`.
    void setRedirect(const QString& path, const QUrl& to);

    /// Requests received so far, by path.
    [[nodiscard]] int requestCount(const QString& path) const { return m_requests.value(path); }
    /// The methods of those requests, in order ("GET", "POST").
    [[nodiscard]] QStringList methods(const QString& path) const { return m_methods.value(path); }

private:
    struct Entry
    {
        QByteArray body;
        Mode mode = Mode::Normal;
        QByteArray contentType;
        QUrl redirect;
    };
    void onConnection();
    void answer(QTcpSocket* socket, const QByteArray& request);

    QTcpServer m_server;
    quint16 m_port = 0;
    QHash<QString, Entry> m_files;
    QHash<QString, int> m_requests;
    QHash<QString, QStringList> m_methods;
};

} // namespace certdeck::test
