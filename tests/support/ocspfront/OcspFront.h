// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>
#include <QTcpServer>

class QTcpSocket;

namespace certdeck::test {

/// A loopback-only HTTP front for `openssl ocsp` in responder mode (whose own
/// `-port` listens on every interface). Each connection carries one OCSP
/// request, POSTed or GET per RFC 6960 appendix A; the front writes it to a
/// file, runs `openssl ocsp -index ... -reqin ... -respout ...` with the
/// settings read from its config file at that moment, and answers with the
/// response. Requests are served concurrently, each bounded in size and time.
class OcspFront : public QObject
{
public:
    /// `configPath` holds `key=value` lines: openssl, index, ca, rsigner,
    /// rkey, ndays. Until it exists the front answers 503.
    OcspFront(QString configPath, QString workDir);

    /// Listens on 127.0.0.1:port only.
    [[nodiscard]] bool listen(quint16 port);
    [[nodiscard]] QString errorString() const { return m_server.errorString(); }

    static constexpr qsizetype kMaxHeader = 8 * 1024;
    static constexpr qsizetype kMaxBody = 64 * 1024;
    static constexpr int kMaxConnections = 16;
    static constexpr int kConnectionTimeoutMs = 15000;
    static constexpr int kResponderTimeoutMs = 10000;

private:
    struct Exchange;
    void accept();
    void onReadyRead(QTcpSocket* socket, Exchange* ex);
    void runResponder(QTcpSocket* socket, Exchange* ex, const QByteArray& der);
    void reply(QTcpSocket* socket, Exchange* ex, int status, const QByteArray& contentType,
               const QByteArray& body);

    QTcpServer m_server;
    QString m_configPath;
    QString m_workDir;
    quint64 m_sequence = 0;
    int m_open = 0;
};

} // namespace certdeck::test
