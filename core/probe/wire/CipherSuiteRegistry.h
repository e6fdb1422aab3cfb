// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "probe/wire/CipherSuite.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>

namespace certdeck::probe {

/// The IANA TLS cipher-suite registry, read from core/probe/data/cipher_suites.tsv
/// (embedded at build time). Immutable after construction and safe to share
/// between threads.
class CipherSuiteRegistry
{
public:
    /// The registry built into this binary. The embedded table is checked by
    /// unit tests, so a parse failure here is a build bug: it yields an empty
    /// registry and loadError() says why.
    [[nodiscard]] static const CipherSuiteRegistry& instance();

    /// Parses a table in the data file's format; `source` names it in errors
    /// ("cipher_suites.tsv line 12: ...").
    [[nodiscard]] static Result<CipherSuiteRegistry> parse(QByteArrayView tsv,
                                                           const QString& source);

    /// All suites in code-point order, signaling values included.
    [[nodiscard]] const QList<CipherSuite>& all() const { return m_suites; }
    /// The suite with that code point, or nullptr when it is not registered.
    [[nodiscard]] const CipherSuite* find(quint16 code) const;
    /// The suite with that IANA name (case-sensitive), or nullptr.
    [[nodiscard]] const CipherSuite* findByIanaName(const QString& name) const;
    /// The suite with that OpenSSL name, or nullptr.
    [[nodiscard]] const CipherSuite* findByOpensslName(const QString& name) const;
    /// Code points of every real suite (no SCSV) defined for `version`: the
    /// TLS 1.3 suites for TLS 1.3, every other suite for SSLv3..TLS 1.2 (a
    /// scanner offers suites beyond their defined range on purpose, to catch
    /// servers that accept them anyway).
    [[nodiscard]] QList<quint16> probeSuitesFor(TlsVersion version) const;
    /// Empty unless instance() failed to read the embedded table.
    [[nodiscard]] QString loadError() const { return m_loadError; }

private:
    QList<CipherSuite> m_suites;
    QHash<quint16, qsizetype> m_byCode;
    QHash<QString, qsizetype> m_byIana;
    QHash<QString, qsizetype> m_byOpenssl;
    QString m_loadError;
};

} // namespace certdeck::probe
