// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "TestPki.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslServer>
#include <QString>

class QSslSocket;

namespace certdeck::test {

/// An ACME "CA" on 127.0.0.1 that gets a client as far as registering and
/// then stops answering: it serves a directory (GET /dir) and nonces (HEAD
/// /nonce), over HTTPS with a leaf of its own TestPki, and reads a POST to
/// /new-acct without ever replying. For tests that interrupt a client while
/// the CA holds its registration. Runs on the test's event loop (HTTP/1.1,
/// keep-alive); no process to leave behind.
class StallingAcmeServer : public QObject
{
    Q_OBJECT
public:
    explicit StallingAcmeServer(QObject* parent = nullptr);

    /// Makes the PKI in `dir` and listens; false with errorString() on failure.
    [[nodiscard]] bool start(const QString& dir);
    [[nodiscard]] QString directoryUrl() const;
    /// The root to trust (--ca-file).
    [[nodiscard]] QString caFile() const { return m_pki.rootCert; }
    [[nodiscard]] QString errorString() const { return m_error; }
    /// How many newAccount requests arrived (and were left unanswered).
    [[nodiscard]] int stalledRequests() const { return m_stalled; }

signals:
    /// A newAccount request arrived; it will never be answered.
    void registrationStalled();

private:
    void serve(QSslSocket* socket);

    TestPki m_pki;
    QSslServer m_server;
    QString m_error;
    int m_stalled = 0;
    int m_nonce = 0;
};

} // namespace certdeck::test
