// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::dns {

/// DNS record types and classes this module uses.
namespace RrType {
constexpr quint16 A = 1;
constexpr quint16 Cname = 5;
constexpr quint16 Soa = 6;
constexpr quint16 Txt = 16;
constexpr quint16 Aaaa = 28;
constexpr quint16 Tsig = 250;
constexpr quint16 Any = 255;
} // namespace RrType
namespace RrClass {
constexpr quint16 In = 1;
constexpr quint16 None = 254; ///< RFC 2136: delete this exact record
constexpr quint16 Any = 255;
} // namespace RrClass

/// One resource record; `rdata` is the raw wire form.
struct DnsRecord
{
    QString name; ///< lower-case, no trailing dot ("" is the root)
    quint16 type = 0;
    quint16 rrClass = RrClass::In;
    quint32 ttl = 0;
    QByteArray rdata;
    /// decode() only: a CNAME's canonical name (its rdata may point into the
    /// message, so it is read while the whole message is at hand).
    QString target = {};

    /// A TXT record's rdata from one string (split into 255-byte chunks).
    [[nodiscard]] static QByteArray txtRdata(const QByteArray& text);
    /// The strings of TXT rdata, each chunk joined; an error when a length
    /// byte runs past the end.
    [[nodiscard]] static Result<QByteArray> txtText(const QByteArray& rdata);
};

/// A question (or, in an UPDATE, the zone).
struct DnsQuestion
{
    QString name;
    quint16 type = 0;
    quint16 qClass = RrClass::In;
};

/// A DNS message (RFC 1035 4.1), also used for UPDATE (RFC 2136), whose
/// sections are zone / prerequisite / update / additional.
struct DnsMessage
{
    quint16 id = 0;
    quint16 flags = 0; ///< QR, opcode, AA, TC, RD, RA, Z, rcode
    QList<DnsQuestion> questions;
    QList<DnsRecord> answers;     ///< UPDATE: prerequisites
    QList<DnsRecord> authorities; ///< UPDATE: updates
    QList<DnsRecord> additionals;
    /// decode() only: wire offset where the last additional record starts
    /// (the TSIG record, when there is one), else -1.
    qsizetype lastAdditionalOffset = -1;

    static constexpr quint16 QrFlag = 0x8000;
    static constexpr quint16 TcFlag = 0x0200;
    static constexpr quint16 RdFlag = 0x0100;
    static constexpr quint16 OpcodeUpdate = 5 << 11;

    [[nodiscard]] int rcode() const { return flags & 0x000f; }
    [[nodiscard]] int opcode() const { return (flags >> 11) & 0x0f; }
    [[nodiscard]] bool isResponse() const { return (flags & QrFlag) != 0; }
    [[nodiscard]] bool isTruncated() const { return (flags & TcFlag) != 0; }

    /// Wire form, names uncompressed; an error for a name that does not fit
    /// DNS (label over 63 bytes, name over 255).
    [[nodiscard]] Result<QByteArray> encode() const;
    /// Parses a message (name compression followed, with loops and forward
    /// jumps refused); errors name the section and the offset.
    [[nodiscard]] static Result<DnsMessage> decode(const QByteArray& wire);

    /// "NOERROR", "NXDOMAIN", "NOTAUTH"...
    [[nodiscard]] static QString rcodeName(int rcode);
};

/// Appends `name` in uncompressed wire form (lower-cased); false when a label
/// is empty or longer than 63 bytes or the name longer than 255.
[[nodiscard]] bool appendWireName(QByteArray& out, const QString& name);

} // namespace certdeck::dns
