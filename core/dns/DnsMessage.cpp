// SPDX-License-Identifier: GPL-3.0-or-later
// DNS wire format by hand (a few hundred lines) rather than through ldns:
// RFC 2136 + TSIG needs only this much, and the module stays within the
// libraries core/ already links.
#include "dns/DnsMessage.h"

#include "common/ByteReader.h"
#include "common/ByteWriter.h"

#include <algorithm>

namespace certdeck::dns {

namespace {

constexpr int kMaxPointerJumps = 64;

// Reads a possibly compressed name at the reader's position; the reader ends
// after the name's in-place bytes.
bool readName(ByteReader& r, QString* out)
{
    QStringList labels;
    qsizetype wireLength = 0;
    qsizetype resumeAt = -1;
    int jumps = 0;
    while (true) {
        const auto len = r.u8();
        if (!len) {
            return false;
        }
        if ((*len & 0xc0) == 0xc0) {
            const auto low = r.u8();
            if (!low) {
                return false;
            }
            const qsizetype target = ((*len & 0x3f) << 8) | *low;
            // Only backward pointers: a forward or self pointer can loop.
            if (++jumps > kMaxPointerJumps || target >= r.position() - 2) {
                return false;
            }
            if (resumeAt < 0) {
                resumeAt = r.position();
            }
            if (!r.seek(target)) {
                return false;
            }
            continue;
        }
        if ((*len & 0xc0) != 0) {
            return false; // extended label types are obsolete
        }
        if (*len == 0) {
            break;
        }
        const auto label = r.bytes(*len);
        if (!label) {
            return false;
        }
        wireLength += *len + 1;
        if (wireLength > 255) {
            return false;
        }
        labels << QString::fromLatin1(*label).toLower();
    }
    if (resumeAt >= 0 && !r.seek(resumeAt)) {
        return false;
    }
    *out = labels.join(u'.');
    return true;
}

bool readRecord(ByteReader& r, DnsRecord* rec)
{
    if (!readName(r, &rec->name)) {
        return false;
    }
    const auto type = r.u16();
    const auto rrClass = r.u16();
    const auto ttl = r.u32();
    const qsizetype rdataStart = r.position();
    const auto rdata = r.block(2);
    if (!type || !rrClass || !ttl || !rdata) {
        return false;
    }
    rec->type = *type;
    rec->rrClass = *rrClass;
    rec->ttl = *ttl;
    rec->rdata = rdata->data().toByteArray();
    if (rec->type == RrType::Cname) {
        // The name must lie inside the rdata, though it may point back: read
        // it in the whole message, then check where it ended.
        ByteReader inner(r.data());
        if (!inner.seek(rdataStart + 2) || !readName(inner, &rec->target) ||
            inner.position() != r.position()) {
            return false;
        }
    }
    return true;
}

bool writeRecord(ByteWriter& w, const DnsRecord& rec)
{
    QByteArray name;
    if (!appendWireName(name, rec.name) || rec.rdata.size() > 0xffff) {
        return false;
    }
    w.bytes(name);
    w.u16(rec.type);
    w.u16(rec.rrClass);
    w.u32(rec.ttl);
    w.u16(static_cast<quint16>(rec.rdata.size()));
    w.bytes(rec.rdata);
    return true;
}

} // namespace

bool appendWireName(QByteArray& out, const QString& name)
{
    QString n = name.toLower();
    if (n.endsWith(u'.')) {
        n.chop(1);
    }
    QByteArray wire;
    if (!n.isEmpty()) {
        for (const QString& label : n.split(u'.')) {
            const QByteArray l = label.toLatin1();
            if (l.isEmpty() || l.size() > 63) {
                return false;
            }
            wire.append(static_cast<char>(l.size()));
            wire.append(l);
        }
    }
    wire.append('\0');
    if (wire.size() > 255) {
        return false;
    }
    out.append(wire);
    return true;
}

QByteArray DnsRecord::txtRdata(const QByteArray& text)
{
    QByteArray out;
    qsizetype pos = 0;
    do {
        const QByteArray chunk = text.mid(pos, 255);
        out.append(static_cast<char>(chunk.size()));
        out.append(chunk);
        pos += 255;
    } while (pos < text.size());
    return out;
}

Result<QByteArray> DnsRecord::txtText(const QByteArray& rdata)
{
    ByteReader r(rdata);
    QByteArray out;
    while (!r.atEnd()) {
        const auto chunk = r.block(1);
        if (!chunk) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("TXT record data is truncated at byte %1").arg(r.offset()));
        }
        out.append(chunk->data());
    }
    return out;
}

Result<QByteArray> DnsMessage::encode() const
{
    ByteWriter w;
    w.u16(id);
    w.u16(flags);
    w.u16(static_cast<quint16>(questions.size()));
    w.u16(static_cast<quint16>(answers.size()));
    w.u16(static_cast<quint16>(authorities.size()));
    w.u16(static_cast<quint16>(additionals.size()));
    for (const DnsQuestion& q : questions) {
        QByteArray name;
        if (!appendWireName(name, q.name)) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("'%1' is not a valid DNS name").arg(q.name));
        }
        w.bytes(name);
        w.u16(q.type);
        w.u16(q.qClass);
    }
    for (const QList<DnsRecord>* section : {&answers, &authorities, &additionals}) {
        for (const DnsRecord& rec : *section) {
            if (!writeRecord(w, rec)) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("record '%1' does not fit DNS (name or data too long)")
                                .arg(rec.name));
            }
        }
    }
    return w.data();
}

Result<DnsMessage> DnsMessage::decode(const QByteArray& wire)
{
    ByteReader r(wire);
    DnsMessage m;
    quint16 counts[4] = {};
    std::optional<quint16> header[6];
    for (auto& field : header) {
        field = r.u16();
    }
    if (!std::all_of(std::begin(header), std::end(header),
                     [](const std::optional<quint16>& f) { return f.has_value(); })) {
        return fail(
            ErrorCode::Protocol,
            QStringLiteral("DNS message of %1 bytes is shorter than its header").arg(wire.size()));
    }
    m.id = *header[0];
    m.flags = *header[1];
    for (int i = 0; i < 4; ++i) {
        counts[i] = *header[i + 2];
    }
    for (int i = 0; i < counts[0]; ++i) {
        DnsQuestion q;
        const bool named = readName(r, &q.name);
        const auto type = r.u16();
        const auto qClass = r.u16();
        if (!named || !type || !qClass) {
            return fail(ErrorCode::Protocol,
                        QStringLiteral("DNS message: question %1 is malformed (offset %2)")
                            .arg(i + 1)
                            .arg(r.offset()));
        }
        q.type = *type;
        q.qClass = *qClass;
        m.questions << q;
    }
    const char* names[] = {"answer", "authority", "additional"};
    QList<DnsRecord>* sections[] = {&m.answers, &m.authorities, &m.additionals};
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < counts[s + 1]; ++i) {
            DnsRecord rec;
            if (s == 2) {
                m.lastAdditionalOffset = r.offset();
            }
            if (!readRecord(r, &rec)) {
                return fail(ErrorCode::Protocol,
                            QStringLiteral("DNS message: %1 record %2 is malformed (offset %3)")
                                .arg(QLatin1String(names[s]))
                                .arg(i + 1)
                                .arg(r.offset()));
            }
            *sections[s] << rec;
        }
    }
    return m;
}

QString DnsMessage::rcodeName(int rcode)
{
    static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && rcode < static_cast<int>(std::size(names))) {
        return QString::fromLatin1(names[rcode]);
    }
    return QStringLiteral("RCODE%1").arg(rcode);
}

} // namespace certdeck::dns
