// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The local CA's serial store: every serial it ever used, with subject,
// validity, profile and revocation status, and the next CRL number. Kept as
// one JSON file written atomically, self-contained so the CA folder can be
// moved or backed up as a unit (the fleet inventory imports it separately).

#include "common/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace certdeck::crypto::internal {

struct CaIndexEntry
{
    QString serial;  ///< upper-case hex of the DER bytes, no colons
    QString subject; ///< RFC 2253
    QDateTime notBefore;
    QDateTime notAfter;
    QString profile; ///< root, intermediate, server, client
    bool revoked = false;
    QDateTime revokedAt;
    int reason = 0; ///< CRLReason code (RFC 5280 5.3.1)
};

class CaIndex
{
public:
    /// Reads `path`; a damaged file is an error naming it, never an empty index.
    [[nodiscard]] static Result<CaIndex> load(const QString& path);
    /// Writes atomically (temporary file + rename).
    [[nodiscard]] Status save(const QString& path) const;

    /// Upper-case hex without colons or spaces ("0a:1f" -> "0A1F"); empty if
    /// it is not hex. find() also ignores leading zeros.
    [[nodiscard]] static QString normalizeSerial(const QString& serial);

    [[nodiscard]] bool contains(const QString& serial) const;
    /// Index into entries(), or -1.
    [[nodiscard]] qsizetype find(const QString& serial) const;
    void add(const CaIndexEntry& entry);

    [[nodiscard]] const QList<CaIndexEntry>& entries() const { return m_entries; }
    [[nodiscard]] CaIndexEntry& entry(qsizetype i) { return m_entries[i]; }
    [[nodiscard]] qint64 crlNumber() const { return m_crlNumber; }
    void setCrlNumber(qint64 n) { m_crlNumber = n; }

private:
    QList<CaIndexEntry> m_entries;
    qint64 m_crlNumber = 1;
};

} // namespace certdeck::crypto::internal
