// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"
#include "revocation/Crl.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <memory>

class QNetworkAccessManager;

namespace certdeck::revocation {

namespace internal {
class HttpExchange;
} // namespace internal

/// How a CrlClient fetches.
struct CrlClientOptions
{
    int timeoutMs = 5000;
    qint64 maxBytes = 10 * 1024 * 1024;
    bool useCache = true; ///< answer from / fill RevocationCache
    QDateTime now;        ///< null: the current time when the CRL arrives
};

/// What one CRL distribution point says.
struct CrlAnswer
{
    QUrl url;
    bool fromCache = false;
    qint64 bytes = 0; ///< size of the CRL as fetched
    CrlCheck check;
};

/// Fetches a CRL from a distribution point (http or https, DER or PEM, with
/// a size cap and a time limit) on the calling thread's event loop, then
/// decodes and checks it for one certificate off that thread (checkCrl).
/// CRLs that verify go into RevocationCache until their nextUpdate, and a
/// cached CRL is used (and checked again for this certificate) instead of a
/// fetch.
///
/// The result is an error only when no CRL came (unreachable, timeout, HTTP
/// error, over the cap); bytes that are no CRL, or a CRL that does not
/// verify, make a CrlAnswer whose check.problems say why. finished() is
/// emitted exactly once, from the event loop; also after cancel().
/// Destroying the client never waits for a check in progress: its result is
/// dropped.
class CrlClient : public QObject
{
    Q_OBJECT
public:
    explicit CrlClient(QNetworkAccessManager* network, CrlClientOptions options = {},
                       QObject* parent = nullptr);
    ~CrlClient() override;

    void check(const QUrl& url, const crypto::Certificate& cert, const crypto::Certificate& issuer);
    /// Aborts the open request; finished() follows with a Cancelled error.
    void cancel();

    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] const Result<CrlAnswer>& result() const { return m_result; }

signals:
    void finished();

private:
    struct Work
    {
        Crl crl; ///< null when the bytes did not decode
        CrlCheck check;
    };
    void onExchange();
    void runCheck(const QByteArray& bytes, const Crl& cached);
    void onChecked(const Work& work);
    void finish(Result<CrlAnswer> result);
    [[nodiscard]] QDateTime now() const;

    QNetworkAccessManager* m_network;
    CrlClientOptions m_options;
    QUrl m_url;
    crypto::Certificate m_cert;
    crypto::Certificate m_issuer;
    std::unique_ptr<internal::HttpExchange> m_exchange;
    QPointer<QObject> m_checking; ///< receives the check from the pool (runOnPool)
    bool m_fromCache = false;
    qint64 m_bytes = 0;
    bool m_started = false;
    bool m_finished = false;
    Result<CrlAnswer> m_result;
};

} // namespace certdeck::revocation
