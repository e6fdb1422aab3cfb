// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QtGlobal>

namespace certdeck {

/// Appends big-endian integers and length-prefixed blocks to a buffer: the
/// one writer of raw protocol bytes (ClientHello, DNS messages, TSIG, test
/// peers' records). A block is opened with beginBlock(prefixBytes) and its
/// length filled in by endBlock(), so nested structures are written in order
/// without counting by hand.
///
/// A block longer than its prefix can count, an endBlock() without a
/// beginBlock(), a patch outside what was written, or a value too wide for
/// its field make the writer fail: ok() turns false and stays false, so a
/// caller writes everything and checks once.
class ByteWriter
{
public:
    void u8(quint8 v) { m_buf.append(static_cast<char>(v)); }
    void u16(quint16 v) { uint(v, 2); }
    /// 24 bits; a larger value fails the writer.
    void u24(quint32 v) { uint(v, 3); }
    void u32(quint32 v) { uint(v, 4); }
    /// 48 bits (TSIG time); a larger value fails the writer.
    void u48(quint64 v) { uint(v, 6); }
    /// `v` in `width` bytes (1 to 8); a value that needs more fails the writer.
    void uint(quint64 v, int width)
    {
        if (width < 1 || width > 8 || (width < 8 && (v >> (8 * width)) != 0)) {
            m_ok = false;
            width = qBound(1, width, 8);
        }
        for (int i = width - 1; i >= 0; --i) {
            m_buf.append(static_cast<char>((v >> (8 * i)) & 0xff));
        }
    }
    void bytes(QByteArrayView b) { m_buf.append(b); }

    /// Reserves a 1-, 2-, 3- or 4-byte length prefix for what follows.
    void beginBlock(int prefixBytes)
    {
        if (prefixBytes < 1 || prefixBytes > 4) {
            m_ok = false;
            prefixBytes = qBound(1, prefixBytes, 4);
        }
        m_open.append({m_buf.size(), prefixBytes});
        m_buf.append(QByteArray(prefixBytes, '\0'));
    }
    /// Writes the length of everything appended since the matching
    /// beginBlock(). A length its prefix cannot hold fails the writer.
    void endBlock()
    {
        if (m_open.isEmpty()) {
            m_ok = false;
            return;
        }
        const auto [at, width] = m_open.takeLast();
        const qsizetype len = m_buf.size() - at - width;
        if (static_cast<quint64>(len) >= (quint64(1) << (8 * width))) {
            m_ok = false;
            return;
        }
        writeAt(at, static_cast<quint64>(len), width);
    }
    /// Overwrites a 16-bit value already written at `offset` (a DNS count).
    void patch16(qsizetype offset, quint16 v)
    {
        if (offset < 0 || offset + 2 > m_buf.size()) {
            m_ok = false;
            return;
        }
        writeAt(offset, v, 2);
    }

    /// Bytes written so far, open blocks included.
    [[nodiscard]] qsizetype size() const { return m_buf.size(); }
    /// False once anything did not fit; also false while a block is open.
    [[nodiscard]] bool ok() const { return m_ok && m_open.isEmpty(); }
    /// What was written. Meaningful only when ok().
    [[nodiscard]] const QByteArray& data() const { return m_buf; }

private:
    void writeAt(qsizetype at, quint64 v, int width)
    {
        for (int i = 0; i < width; ++i) {
            m_buf[at + i] = static_cast<char>((v >> (8 * (width - 1 - i))) & 0xff);
        }
    }

    QByteArray m_buf;
    QList<std::pair<qsizetype, int>> m_open;
    bool m_ok = true;
};

} // namespace certdeck
