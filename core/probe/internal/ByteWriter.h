// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QtGlobal>

namespace certdeck::probe::internal {

/// Appends big-endian integers and length-prefixed blocks to a buffer. A block
/// is opened with beginBlock(prefixBytes) and its length is filled in by
/// endBlock(), so nested TLS structures are written in order without counting
/// by hand. Lengths that do not fit their prefix are a caller bug: asserted,
/// and the ClientHello builder caps its inputs well below them.
class ByteWriter
{
public:
    void u8(quint8 v) { m_buf.append(static_cast<char>(v)); }
    void u16(quint16 v)
    {
        u8(static_cast<quint8>(v >> 8));
        u8(static_cast<quint8>(v & 0xff));
    }
    void u24(quint32 v)
    {
        u8(static_cast<quint8>((v >> 16) & 0xff));
        u16(static_cast<quint16>(v & 0xffff));
    }
    void bytes(const QByteArray& b) { m_buf.append(b); }

    /// Reserves a 1-, 2- or 3-byte length prefix for what follows.
    void beginBlock(int prefixBytes)
    {
        m_open.append({m_buf.size(), prefixBytes});
        m_buf.append(QByteArray(prefixBytes, '\0'));
    }
    /// Writes the length of everything appended since the matching beginBlock().
    void endBlock()
    {
        Q_ASSERT(!m_open.isEmpty());
        const auto [at, width] = m_open.takeLast();
        const qsizetype len = m_buf.size() - at - width;
        Q_ASSERT(len < (qsizetype(1) << (8 * width)));
        for (int i = 0; i < width; ++i) {
            m_buf[at + i] = static_cast<char>((len >> (8 * (width - 1 - i))) & 0xff);
        }
    }

    /// Bytes written so far, open blocks included.
    [[nodiscard]] qsizetype size() const { return m_buf.size(); }

    [[nodiscard]] const QByteArray& data() const
    {
        Q_ASSERT(m_open.isEmpty());
        return m_buf;
    }

private:
    QByteArray m_buf;
    QList<std::pair<qsizetype, int>> m_open;
};

} // namespace certdeck::probe::internal
