// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QtGlobal>
#include <optional>

namespace certdeck {

/// Reads big-endian integers and length-prefixed blocks from a view, never
/// past its end. The one reader of raw protocol bytes in CertDeck (TLS
/// records and extensions, DNS messages, TSIG, DER lengths): every read
/// returns nullopt (or false) when the bytes are not there and leaves the
/// position where it was, and offset() says where the reader stood in the
/// outermost buffer, for error messages that name a byte.
///
/// The reader only views the bytes: the buffer must outlive it.
class ByteReader
{
public:
    /// `baseOffset`: where `data` starts in the outermost buffer, so that
    /// offset() of a reader over a slice counts from the whole message.
    explicit ByteReader(QByteArrayView data, qsizetype baseOffset = 0)
        : m_data(data)
        , m_base(baseOffset)
    {}

    /// An unsigned big-endian integer of `width` bytes (1 to 4).
    [[nodiscard]] std::optional<quint32> uint(int width)
    {
        if (width < 1 || width > 4 || remaining() < width) {
            return std::nullopt;
        }
        quint32 v = 0;
        for (int i = 0; i < width; ++i) {
            v = (v << 8) | static_cast<quint8>(m_data[m_pos + i]);
        }
        m_pos += width;
        return v;
    }
    [[nodiscard]] std::optional<quint8> u8()
    {
        const auto v = uint(1);
        return v ? std::optional<quint8>(static_cast<quint8>(*v)) : std::nullopt;
    }
    [[nodiscard]] std::optional<quint16> u16()
    {
        const auto v = uint(2);
        return v ? std::optional<quint16>(static_cast<quint16>(*v)) : std::nullopt;
    }
    [[nodiscard]] std::optional<quint32> u24() { return uint(3); }
    [[nodiscard]] std::optional<quint32> u32() { return uint(4); }
    /// 48 bits, as DNS TSIG writes its time (RFC 8945).
    [[nodiscard]] std::optional<quint64> u48()
    {
        if (remaining() < 6) {
            return std::nullopt;
        }
        const quint64 hi = *uint(2);
        const quint64 lo = *uint(4);
        return (hi << 32) | lo;
    }
    /// An ASN.1 DER definite length (X.690 8.1.3.3 and 8.1.3.5): one byte
    /// below 0x80, else 0x81 to 0x84 followed by that many big-endian bytes.
    /// The indefinite form (0x80) and longer fields are refused.
    [[nodiscard]] std::optional<quint32> derLength()
    {
        const qsizetype start = m_pos;
        const auto first = u8();
        if (!first || *first < 0x80) {
            return first;
        }
        const auto length = uint(*first & 0x7f);
        if (!length) {
            m_pos = start;
        }
        return length;
    }
    /// The next byte without consuming it.
    [[nodiscard]] std::optional<quint8> peekU8() const
    {
        if (atEnd()) {
            return std::nullopt;
        }
        return static_cast<quint8>(m_data[m_pos]);
    }

    /// The next `n` bytes, as a view into the buffer.
    [[nodiscard]] std::optional<QByteArrayView> bytes(qsizetype n)
    {
        if (n < 0 || remaining() < n) {
            return std::nullopt;
        }
        const QByteArrayView v = m_data.sliced(m_pos, n);
        m_pos += n;
        return v;
    }
    /// Everything left (possibly empty); the reader is then at its end.
    [[nodiscard]] QByteArrayView rest()
    {
        const QByteArrayView v = m_data.sliced(m_pos);
        m_pos = m_data.size();
        return v;
    }
    /// Steps over `n` bytes; false (and no move) when fewer are left.
    [[nodiscard]] bool skip(qsizetype n) { return bytes(n).has_value(); }

    /// A block with a `prefixBytes` (1 to 4) length in front, as a reader of
    /// its own whose offsets continue this one's. Nothing is consumed when
    /// the prefix or the body is cut short.
    [[nodiscard]] std::optional<ByteReader> block(int prefixBytes)
    {
        const qsizetype start = m_pos;
        const auto len = uint(prefixBytes);
        if (!len) {
            return std::nullopt;
        }
        const auto body = bytes(static_cast<qsizetype>(*len));
        if (!body) {
            m_pos = start;
            return std::nullopt;
        }
        return ByteReader(*body, m_base + start + prefixBytes);
    }

    /// Moves to `pos` within this reader's view (0 to its size); false, and
    /// no move, outside it. DNS name compression jumps with it.
    [[nodiscard]] bool seek(qsizetype pos)
    {
        if (pos < 0 || pos > m_data.size()) {
            return false;
        }
        m_pos = pos;
        return true;
    }

    /// Position within this reader's view.
    [[nodiscard]] qsizetype position() const { return m_pos; }
    [[nodiscard]] qsizetype remaining() const { return m_data.size() - m_pos; }
    [[nodiscard]] bool atEnd() const { return remaining() == 0; }
    /// Position from the start of the outermost buffer.
    [[nodiscard]] qsizetype offset() const { return m_base + m_pos; }
    /// The whole view this reader reads, from its start.
    [[nodiscard]] QByteArrayView data() const { return m_data; }

private:
    QByteArrayView m_data;
    qsizetype m_base = 0;
    qsizetype m_pos = 0;
};

} // namespace certdeck
