// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "crypto/Certificate.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::crypto {

/// What a certificate file held.
struct CertificateBundle
{
    enum class Format
    {
        Pem,
        Der,
        Pkcs7,
        Pkcs12
    };

    Format format = Format::Pem;
    QList<Certificate> certificates; ///< in file order
    /// PEM blocks of private keys found beside the certificates (PKCS#8,
    /// traditional RSA/EC, encrypted or not), untouched, for the key class.
    /// Secret: never log them.
    QList<QByteArray> privateKeysPem;
    /// What was found but not used ("line 40 (block 3): CERTIFICATE REQUEST
    /// skipped"), for the user to see.
    QStringList notes;
};

/// Reads certificates from PEM bundles (any order and mix of blocks), DER,
/// PKCS#7 (.p7b, DER or PEM) and PKCS#12, telling the format by content.
/// Errors say where: "bundle.pem line 31 (block 2): base64 body is truncated".
class CertificateReader
{
public:
    /// Larger files are refused: the biggest real bundles (every public CA,
    /// a thousand-link chain test) are a few MB.
    static constexpr qint64 MaxBytes = 8 * 1024 * 1024;

    /// Reads the file at `path`; `passphrase` is used only for PKCS#12.
    [[nodiscard]] static Result<CertificateBundle> readFile(const QString& path,
                                                            const QByteArray& passphrase = {});
    /// Same for bytes already in memory; `originName` ("bundle.pem") names
    /// the input in errors.
    [[nodiscard]] static Result<CertificateBundle>
    readBytes(const QByteArray& data, const QString& originName, const QByteArray& passphrase = {});
};

} // namespace certdeck::crypto
