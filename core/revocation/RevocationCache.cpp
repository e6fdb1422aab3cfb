// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/RevocationCache.h"

#include <QMutexLocker>

namespace certdeck::revocation {

namespace {

template <class Map>
void dropOldest(Map& map)
{
    auto oldest = map.begin();
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->order < oldest->order) {
            oldest = it;
        }
    }
    if (oldest != map.end()) {
        map.erase(oldest);
    }
}

} // namespace

RevocationCache& RevocationCache::instance()
{
    static RevocationCache cache;
    return cache;
}

QDateTime RevocationCache::expiryOf(const QDateTime& nextUpdate, const QDateTime& now)
{
    return nextUpdate.isValid() ? nextUpdate : now.addSecs(kDefaultSeconds);
}

std::optional<OcspAnswer> RevocationCache::ocsp(const QByteArray& certId,
                                                const QDateTime& now) const
{
    if (certId.isEmpty()) {
        return std::nullopt;
    }
    const QMutexLocker lock(&m_mutex);
    const auto it = m_ocsp.constFind(certId);
    if (it == m_ocsp.cend() || it->expires <= now) {
        return std::nullopt;
    }
    return it->value;
}

void RevocationCache::putOcsp(const QByteArray& certId, const OcspAnswer& answer,
                              const QDateTime& now)
{
    const QDateTime expires = expiryOf(answer.response.nextUpdate, now);
    if (certId.isEmpty() || expires <= now) {
        return;
    }
    const QMutexLocker lock(&m_mutex);
    m_ocsp.remove(certId);
    while (m_ocsp.size() >= kMaxOcspEntries) {
        dropOldest(m_ocsp);
    }
    m_ocsp.insert(certId, Entry<OcspAnswer>{answer, expires, ++m_order});
}

std::optional<Crl> RevocationCache::crl(const QString& url, const QDateTime& now) const
{
    const QMutexLocker lock(&m_mutex);
    const auto it = m_crls.constFind(url);
    if (it == m_crls.cend() || it->expires <= now) {
        return std::nullopt;
    }
    return it->value;
}

void RevocationCache::putCrl(const QString& url, const Crl& crl, const QDateTime& now)
{
    const QDateTime expires = expiryOf(crl.nextUpdate(), now);
    if (crl.isNull() || expires <= now || crl.encodedSize() > kMaxCrlBytes) {
        return;
    }
    const QMutexLocker lock(&m_mutex);
    if (const auto old = m_crls.constFind(url); old != m_crls.cend()) {
        m_crlBytes -= old->value.encodedSize();
        m_crls.erase(old);
    }
    while (!m_crls.isEmpty() && m_crlBytes + crl.encodedSize() > kMaxCrlBytes) {
        auto oldest = m_crls.begin();
        for (auto it = m_crls.begin(); it != m_crls.end(); ++it) {
            if (it->order < oldest->order) {
                oldest = it;
            }
        }
        m_crlBytes -= oldest->value.encodedSize();
        m_crls.erase(oldest);
    }
    m_crls.insert(url, Entry<Crl>{crl, expires, ++m_order});
    m_crlBytes += crl.encodedSize();
}

void RevocationCache::clear()
{
    const QMutexLocker lock(&m_mutex);
    m_ocsp.clear();
    m_crls.clear();
    m_crlBytes = 0;
}

qsizetype RevocationCache::ocspCount() const
{
    const QMutexLocker lock(&m_mutex);
    return m_ocsp.size();
}

qsizetype RevocationCache::crlCount() const
{
    const QMutexLocker lock(&m_mutex);
    return m_crls.size();
}

} // namespace certdeck::revocation
