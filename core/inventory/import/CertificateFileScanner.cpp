// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/CertificateFileScanner.h"

#include "common/SecureFile.h"
#include "crypto/CertificateReader.h"
#include "crypto/Wipe.h"

#include <QFileInfo>
#include <openssl/crypto.h>

namespace certdeck::inventory {

namespace {

using crypto::wipe;

/// Replaces every byte of each "...PRIVATE KEY-----" PEM block except line
/// breaks with spaces; true if there was one.
bool blankPrivateKeyBlocks(QByteArray& data)
{
    bool found = false;
    qsizetype pos = 0;
    while ((pos = data.indexOf("-----BEGIN ", pos)) >= 0) {
        const qsizetype labelEnd = data.indexOf("-----", pos + 11);
        if (labelEnd < 0) {
            break;
        }
        const QByteArray label = data.mid(pos + 11, labelEnd - pos - 11);
        if (!label.endsWith("PRIVATE KEY")) {
            pos = labelEnd + 5;
            continue;
        }
        found = true;
        const QByteArray endMarker = "-----END " + label + "-----";
        qsizetype end = data.indexOf(endMarker, labelEnd);
        end = end < 0 ? data.size() : end + endMarker.size();
        for (qsizetype i = pos; i < end; ++i) {
            if (data[i] != '\n') {
                data[i] = ' ';
            }
        }
        pos = end;
    }
    return found;
}

} // namespace

Result<ScannedCertificateFile> CertificateFileScanner::scanFile(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    auto data = readFileCapped(path, crypto::CertificateReader::MaxBytes);
    if (!data) {
        Error e = data.error();
        e.message = path + QStringLiteral(": ") + e.message;
        return tl::unexpected(e);
    }
    return scanBytes(std::move(*data), name);
}

Result<ScannedCertificateFile> CertificateFileScanner::scanBytes(QByteArray data,
                                                                 const QString& origin)
{
    ScannedCertificateFile out;
    out.hasPrivateKey = blankPrivateKeyBlocks(data);
    if (out.hasPrivateKey && !data.contains("-----BEGIN ")) {
        wipe(data);
        return out; // a key file: nothing else to read
    }
    auto bundle = crypto::CertificateReader::readBytes(data, origin);
    wipe(data);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    for (QByteArray& k : bundle->privateKeysPem) {
        wipe(k); // a DER/PKCS#12 key the blanking could not see
        out.hasPrivateKey = true;
    }
    out.certificates = bundle->certificates;
    return out;
}

} // namespace certdeck::inventory
