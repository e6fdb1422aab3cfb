// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <optional>

namespace certdeck::acme {

/// One Link header entry (RFC 8288) as ACME uses them: rel="up",
/// rel="alternate", rel="index".
struct AcmeLink
{
    QUrl url;
    QString rel;
};

/// A successful (2xx) answer of the ACME server.
struct AcmeResponse
{
    int status = 0;
    QByteArray body;
    QJsonObject json; ///< body parsed when it is a JSON object, else empty
    QByteArray contentType;
    QUrl location; ///< Location header (account and order URLs)
    QList<AcmeLink> links;
    /// Retry-After in seconds from now, when the server sent one.
    std::optional<int> retryAfterSeconds;

    /// URLs of the links with relation `rel`, in order.
    [[nodiscard]] QList<QUrl> linksWithRel(const QString& rel) const
    {
        QList<QUrl> out;
        for (const AcmeLink& l : links) {
            if (l.rel == rel) {
                out << l.url;
            }
        }
        return out;
    }

    /// Parses Link header values: `<url>;rel="alternate", <url2>;rel=up`.
    /// Relative URLs are resolved against `base`; malformed entries skipped.
    [[nodiscard]] static QList<AcmeLink> parseLinks(const QByteArray& headerValue,
                                                    const QUrl& base);
    /// Retry-After as delta-seconds or an HTTP-date, in seconds from `now`
    /// (never negative); nullopt when absent or unreadable.
    [[nodiscard]] static std::optional<int> parseRetryAfter(const QByteArray& headerValue,
                                                            const QDateTime& now);
};

} // namespace certdeck::acme
