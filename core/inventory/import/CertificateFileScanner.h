// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace certdeck::inventory {

/// The certificates of one file, and whether it also held a private key.
struct ScannedCertificateFile
{
    QList<crypto::Certificate> certificates; ///< in file order (leaf first in a fullchain)
    bool hasPrivateKey = false;              ///< a "PRIVATE KEY" PEM block was present
};

/// Reads the certificates of a file for the importers without ever decoding
/// a private key: key blocks are blanked (line numbers kept, so errors still
/// point at the right line) before CertificateReader sees the text, and
/// every buffer that held them is wiped.
class CertificateFileScanner
{
public:
    [[nodiscard]] static Result<ScannedCertificateFile> scanFile(const QString& path);
    /// `origin` ("fullchain.pem") names the input in errors.
    [[nodiscard]] static Result<ScannedCertificateFile> scanBytes(QByteArray data,
                                                                  const QString& origin);
};

} // namespace certdeck::inventory
