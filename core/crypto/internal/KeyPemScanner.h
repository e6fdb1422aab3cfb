// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to PrivateKey and DhParams: finds the PEM blocks in a file and
// checks their framing and base64 with line numbers, so an error can say
// "site.key line 12: base64 body is truncated" instead of OpenSSL's
// "no start line". OpenSSL still does the decoding proper.

#include "common/ByteReader.h"
#include "crypto/Wipe.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace certdeck::crypto::internal {

/// One "-----BEGIN label-----" ... "-----END label-----" block.
struct KeyPemBlock
{
    QByteArray label;        ///< "PRIVATE KEY", "CERTIFICATE"...
    int beginLine = 0;       ///< 1-based line of the BEGIN line
    bool hasHeaders = false; ///< RFC 1421 headers (Proc-Type, DEK-Info): legacy encryption
    bool encrypted = false;  ///< "Proc-Type: 4,ENCRYPTED"
    QByteArray text;         ///< the block as it stands in the file, BEGIN to END lines
    QByteArray base64;       ///< the body without whitespace
    QString problem;         ///< empty if the framing and base64 are sound
};

inline bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

/// Every PEM block in `data`, in order. Text outside blocks (comments,
/// "Bag Attributes" from openssl pkcs12) is ignored.
inline QList<KeyPemBlock> scanPemBlocks(const QByteArray& data)
{
    static const QByteArray begin = "-----BEGIN ";
    static const QByteArray end = "-----END ";
    static const QByteArray dashes = "-----";
    QList<KeyPemBlock> blocks;
    const QList<QByteArray> lines = data.split('\n');
    KeyPemBlock* open = nullptr;
    bool inHeaders = false;
    bool seenPadding = false;
    int lastBodyLine = 0;
    qsizetype blockStart = 0;
    qsizetype offset = 0;
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNo = i + 1;
        const QByteArray raw = lines.at(i);
        const qsizetype lineStart = offset;
        offset += raw.size() + 1;
        const QByteArray line = raw.trimmed();
        if (line.startsWith(begin) && line.endsWith(dashes) && line.size() > begin.size() + 5) {
            if (open != nullptr && open->problem.isEmpty()) {
                open->problem = QStringLiteral("line %1: '-----BEGIN %2-----' has no END line "
                                               "before the next block starts")
                                    .arg(open->beginLine)
                                    .arg(QString::fromLatin1(open->label));
            }
            blocks.append(KeyPemBlock{});
            open = &blocks.last();
            open->label = line.mid(begin.size(), line.size() - begin.size() - dashes.size());
            open->beginLine = lineNo;
            blockStart = lineStart;
            inHeaders = true;
            seenPadding = false;
            lastBodyLine = lineNo;
            continue;
        }
        if (open == nullptr || !open->text.isEmpty()) {
            continue;
        }
        if (line.startsWith(end)) {
            const QByteArray label = line.mid(end.size(), line.size() - end.size() - dashes.size());
            if (!line.endsWith(dashes) || label != open->label) {
                if (open->problem.isEmpty()) {
                    open->problem =
                        QStringLiteral("line %1: '%2' does not close '-----BEGIN %3-----'")
                            .arg(lineNo)
                            .arg(QString::fromLatin1(line), QString::fromLatin1(open->label));
                }
            } else if (open->problem.isEmpty() && open->base64.isEmpty()) {
                open->problem = QStringLiteral("lines %1-%2: the '%3' block has no body")
                                    .arg(open->beginLine)
                                    .arg(lineNo)
                                    .arg(QString::fromLatin1(open->label));
            } else if (open->problem.isEmpty() && open->base64.size() % 4 != 0) {
                open->problem = QStringLiteral("line %1: base64 body is truncated (%2 "
                                               "characters, not a multiple of 4)")
                                    .arg(lastBodyLine)
                                    .arg(open->base64.size());
            }
            open->text = data.mid(blockStart, offset - blockStart);
            open = nullptr;
            continue;
        }
        if (!open->problem.isEmpty()) {
            continue;
        }
        if (inHeaders && line.contains(':')) {
            open->hasHeaders = true;
            if (line.startsWith("Proc-Type:") && line.contains("ENCRYPTED")) {
                open->encrypted = true;
            }
            continue;
        }
        if (line.isEmpty()) {
            // The blank line that ends RFC 1421 headers, or stray spacing.
            continue;
        }
        inHeaders = false;
        for (char c : line) {
            if (!isBase64Char(c)) {
                open->problem = QStringLiteral("line %1: '%2' is not a base64 character")
                                    .arg(lineNo)
                                    .arg(QString::fromLatin1(&c, 1));
                break;
            }
            if (c != '=' && seenPadding) {
                open->problem =
                    QStringLiteral("line %1: base64 continues after its '=' padding").arg(lineNo);
                break;
            }
            seenPadding = seenPadding || c == '=';
        }
        open->base64 += line;
        lastBodyLine = lineNo;
    }
    if (open != nullptr) {
        if (open->problem.isEmpty()) {
            open->problem = QStringLiteral("line %1: '-----BEGIN %2-----' has no END line (the "
                                           "file is truncated?)")
                                .arg(open->beginLine)
                                .arg(QString::fromLatin1(open->label));
        }
        open->text = data.mid(blockStart);
    }
    return blocks;
}

/// Why `der` is not one whole DER structure, or empty if its outer
/// SEQUENCE's length matches the bytes present.
inline QString derFramingProblem(const QByteArray& der)
{
    if (der.isEmpty()) {
        return QStringLiteral("is empty");
    }
    ByteReader r(der);
    if (r.u8() != quint8(0x30)) {
        return QStringLiteral("is not DER: it does not start with an ASN.1 SEQUENCE");
    }
    const auto lengthByte = r.peekU8();
    if (!lengthByte) {
        return QStringLiteral("is truncated after 1 byte");
    }
    if (*lengthByte == 0x80 || *lengthByte > 0x84) {
        return QStringLiteral("is not DER: its length field is invalid");
    }
    const auto derLength = r.derLength();
    if (!derLength) {
        return QStringLiteral("is truncated inside its first length field");
    }
    const qsizetype header = r.position();
    const quint64 length = *derLength;
    const quint64 total = static_cast<quint64>(header) + length;
    const auto have = static_cast<quint64>(der.size());
    if (total > have) {
        return QStringLiteral("is truncated: its structure announces %1 bytes, only %2 are "
                              "present")
            .arg(total)
            .arg(have);
    }
    if (total < have) {
        return QStringLiteral("has %1 bytes of trailing data after the key").arg(have - total);
    }
    return {};
}

} // namespace certdeck::crypto::internal
