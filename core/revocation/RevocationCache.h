// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "revocation/Crl.h"
#include "revocation/OcspClient.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>
#include <optional>

namespace certdeck::revocation {

/// The process-wide cache of verified revocation answers, safe to use from
/// any thread: OCSP answers by CertID until their nextUpdate, CRLs by URL
/// until theirs (kDefaultSeconds when a response or CRL gives none). Only
/// answers that verified are put in; expired entries are never returned.
/// Bounded: the oldest entries make room (kMaxOcspEntries, kMaxCrlBytes).
class RevocationCache
{
public:
    static constexpr int kDefaultSeconds = 10 * 60;
    static constexpr int kMaxOcspEntries = 4096;
    static constexpr qint64 kMaxCrlBytes = 64 * 1024 * 1024;

    [[nodiscard]] static RevocationCache& instance();

    [[nodiscard]] std::optional<OcspAnswer> ocsp(const QByteArray& certId,
                                                 const QDateTime& now) const;
    void putOcsp(const QByteArray& certId, const OcspAnswer& answer, const QDateTime& now);

    [[nodiscard]] std::optional<Crl> crl(const QString& url, const QDateTime& now) const;
    void putCrl(const QString& url, const Crl& crl, const QDateTime& now);

    /// Forgets everything (tests, or a user who wants fresh answers).
    void clear();
    [[nodiscard]] qsizetype ocspCount() const;
    [[nodiscard]] qsizetype crlCount() const;

private:
    RevocationCache() = default;

    template <class T>
    struct Entry
    {
        T value;
        QDateTime expires;
        quint64 order = 0; ///< insertion order: the smallest goes first
    };
    [[nodiscard]] static QDateTime expiryOf(const QDateTime& nextUpdate, const QDateTime& now);

    mutable QMutex m_mutex;
    QHash<QByteArray, Entry<OcspAnswer>> m_ocsp;
    QHash<QString, Entry<Crl>> m_crls;
    qint64 m_crlBytes = 0;
    quint64 m_order = 0;
};

} // namespace certdeck::revocation
