// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to core/dns: big-endian byte writer and a bounds-checked reader for
// DNS wire format. Every read says whether it fit; nothing indexes raw bytes
// elsewhere.

#include <QByteArray>
#include <QtGlobal>

namespace certdeck::dns::internal {

class ByteWriter
{
public:
    void u8(quint8 v) { m_out.append(static_cast<char>(v)); }
    void u16(quint16 v)
    {
        u8(static_cast<quint8>(v >> 8));
        u8(static_cast<quint8>(v & 0xff));
    }
    void u32(quint32 v)
    {
        u16(static_cast<quint16>(v >> 16));
        u16(static_cast<quint16>(v & 0xffff));
    }
    void u48(quint64 v)
    {
        u16(static_cast<quint16>((v >> 32) & 0xffff));
        u32(static_cast<quint32>(v & 0xffffffffU));
    }
    void bytes(const QByteArray& b) { m_out.append(b); }
    /// Overwrites a 16-bit value already written at `offset`.
    void patch16(qsizetype offset, quint16 v)
    {
        m_out[offset] = static_cast<char>(v >> 8);
        m_out[offset + 1] = static_cast<char>(v & 0xff);
    }
    [[nodiscard]] qsizetype size() const { return m_out.size(); }
    [[nodiscard]] const QByteArray& data() const { return m_out; }

private:
    QByteArray m_out;
};

class ByteReader
{
public:
    explicit ByteReader(const QByteArray& data, qsizetype pos = 0)
        : m_data(data)
        , m_pos(pos)
    {}
    [[nodiscard]] bool u8(quint8* v)
    {
        if (remaining() < 1) {
            return false;
        }
        *v = static_cast<quint8>(m_data.at(m_pos++));
        return true;
    }
    [[nodiscard]] bool u16(quint16* v)
    {
        quint8 a = 0;
        quint8 b = 0;
        if (remaining() < 2 || !u8(&a) || !u8(&b)) {
            return false;
        }
        *v = static_cast<quint16>((a << 8) | b);
        return true;
    }
    [[nodiscard]] bool u32(quint32* v)
    {
        quint16 a = 0;
        quint16 b = 0;
        if (remaining() < 4 || !u16(&a) || !u16(&b)) {
            return false;
        }
        *v = (static_cast<quint32>(a) << 16) | b;
        return true;
    }
    [[nodiscard]] bool u48(quint64* v)
    {
        quint16 hi = 0;
        quint32 lo = 0;
        if (remaining() < 6 || !u16(&hi) || !u32(&lo)) {
            return false;
        }
        *v = (static_cast<quint64>(hi) << 32) | lo;
        return true;
    }
    [[nodiscard]] bool bytes(qsizetype n, QByteArray* out)
    {
        if (n < 0 || remaining() < n) {
            return false;
        }
        *out = m_data.mid(m_pos, n);
        m_pos += n;
        return true;
    }
    [[nodiscard]] qsizetype pos() const { return m_pos; }
    void seek(qsizetype pos) { m_pos = pos; }
    [[nodiscard]] qsizetype remaining() const { return m_data.size() - m_pos; }
    [[nodiscard]] const QByteArray& data() const { return m_data; }

private:
    const QByteArray& m_data;
    qsizetype m_pos;
};

} // namespace certdeck::dns::internal
