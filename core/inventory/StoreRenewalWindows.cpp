// SPDX-License-Identifier: GPL-3.0-or-later
// Store: renewal windows suggested by ACME CAs (ARI, RFC 9773), one per
// certificate, found by the certificate's SHA-256 fingerprint.
#include "Store.h"
#include "internal/SqlSupport.h"

#include <QSqlDatabase>

namespace certdeck::inventory {

using internal::execPrepared;

Result<RenewalWindow> Store::setRenewalWindow(const QString& sha256Hex, const RenewalWindow& window)
{
    const QString sha256 = sha256Hex.toLower();
    if (!window.windowStartUtc.isValid() || !window.windowEndUtc.isValid() ||
        window.windowEndUtc < window.windowStartUtc) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("A renewal window needs a start and an end not before it"),
                    sha256);
    }
    auto cert = certificateBySha256(sha256);
    if (!cert) {
        return tl::unexpected(cert.error());
    }
    if (!*cert) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("No certificate with SHA-256 fingerprint %1 in the inventory")
                        .arg(sha256),
                    m_location);
    }
    RenewalWindow stored = window;
    stored.certificateId = (*cert)->id;
    stored.fetchedUtc =
        window.fetchedUtc.isValid() ? window.fetchedUtc.toUTC() : QDateTime::currentDateTimeUtc();
    const QString subject = QStringLiteral("certificate %1 (%2)").arg((*cert)->subject, sha256);
    const Status s = mutate(QStringLiteral("renewal-window.set"), subject, [&]() -> Status {
        QSqlQuery del(QSqlDatabase::database(m_connectionName, false));
        del.prepare(QStringLiteral("DELETE FROM renewal_windows WHERE certificate_id = ?"));
        del.addBindValue(stored.certificateId);
        if (auto e = execPrepared(del, QStringLiteral("Cannot replace the renewal window")); !e) {
            return e;
        }
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.prepare(QStringLiteral("INSERT INTO renewal_windows (certificate_id, window_start_utc, "
                                 "window_end_utc, explanation_url, retry_after_utc, fetched_utc) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"));
        q.addBindValue(stored.certificateId);
        q.addBindValue(internal::timeText(stored.windowStartUtc));
        q.addBindValue(internal::timeText(stored.windowEndUtc));
        q.addBindValue(stored.explanationUrl);
        q.addBindValue(internal::timeText(stored.retryAfterUtc));
        q.addBindValue(internal::timeText(stored.fetchedUtc));
        return execPrepared(q, QStringLiteral("Cannot store the renewal window"));
    });
    if (!s) {
        return tl::unexpected(s.error());
    }
    // What a reader gets back: times at the store's one-second precision.
    stored.windowStartUtc = internal::timeFromText(internal::timeText(stored.windowStartUtc));
    stored.windowEndUtc = internal::timeFromText(internal::timeText(stored.windowEndUtc));
    stored.retryAfterUtc = internal::timeFromText(internal::timeText(stored.retryAfterUtc));
    stored.fetchedUtc = internal::timeFromText(internal::timeText(stored.fetchedUtc));
    return stored;
}

Result<std::optional<RenewalWindow>> Store::renewalWindow(const QString& sha256Hex) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT w.certificate_id, w.window_start_utc, w.window_end_utc, "
                             "w.explanation_url, w.retry_after_utc, w.fetched_utc "
                             "FROM renewal_windows w JOIN certificates c ON c.id = "
                             "w.certificate_id WHERE c.sha256_hex = ?"));
    q.addBindValue(sha256Hex.toLower());
    if (auto s = execPrepared(q, QStringLiteral("Cannot read the renewal window")); !s) {
        return tl::unexpected(s.error());
    }
    if (!q.next()) {
        return std::optional<RenewalWindow>();
    }
    RenewalWindow w;
    w.certificateId = q.value(0).toLongLong();
    w.windowStartUtc = internal::timeFromText(q.value(1).toString());
    w.windowEndUtc = internal::timeFromText(q.value(2).toString());
    w.explanationUrl = q.value(3).toString();
    w.retryAfterUtc = internal::timeFromText(q.value(4).toString());
    w.fetchedUtc = internal::timeFromText(q.value(5).toString());
    return std::optional<RenewalWindow>(w);
}

} // namespace certdeck::inventory
