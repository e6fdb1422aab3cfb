// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QtGlobal>
#include <optional>

namespace certdeck::probe::internal {

/// Reads big-endian integers and length-prefixed blocks from a view, never
/// past its end: every read returns nullopt when the bytes are not there, and
/// offset() says where the reader stood (for error messages).
class ByteReader
{
public:
    explicit ByteReader(QByteArrayView data, qsizetype baseOffset = 0)
        : m_data(data)
        , m_base(baseOffset)
    {}

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
    [[nodiscard]] std::optional<QByteArrayView> bytes(qsizetype n)
    {
        if (n < 0 || remaining() < n) {
            return std::nullopt;
        }
        const QByteArrayView v = m_data.sliced(m_pos, n);
        m_pos += n;
        return v;
    }
    /// A block with a `prefixBytes` length in front, as a reader of its own
    /// whose offsets continue this one's.
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

    [[nodiscard]] qsizetype remaining() const { return m_data.size() - m_pos; }
    [[nodiscard]] bool atEnd() const { return remaining() == 0; }
    /// Position from the start of the outermost buffer.
    [[nodiscard]] qsizetype offset() const { return m_base + m_pos; }

private:
    QByteArrayView m_data;
    qsizetype m_base = 0;
    qsizetype m_pos = 0;
};

} // namespace certdeck::probe::internal
