// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/PemFolderImporter.h"

#include "common/HostPort.h"
#include "inventory/import/CertificateFileScanner.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace certdeck::inventory {

namespace {

bool looksLikeKeyFile(const QString& name)
{
    const QString n = name.toLower();
    return n.endsWith(QLatin1String(".key")) || n.startsWith(QLatin1String("privkey")) ||
           n.endsWith(QLatin1String("-key.pem")) || n.endsWith(QLatin1String("_key.pem")) ||
           n == QLatin1String("key.pem");
}

bool certificateSuffix(const QString& name)
{
    static const QStringList suffixes = {
        QStringLiteral("pem"), QStringLiteral("crt"), QStringLiteral("cer"), QStringLiteral("der"),
        QStringLiteral("p7b"), QStringLiteral("p7c"), QStringLiteral("cert")};
    return suffixes.contains(QFileInfo(name).suffix().toLower());
}

} // namespace

Result<ImportPlan> PemFolderImporter::importFolder(const QString& folder)
{
    return importFolder(folder, Options{});
}

Result<ImportPlan> PemFolderImporter::importFolder(const QString& folder, const Options& options)
{
    const QFileInfo info(folder);
    if (!info.exists()) {
        return fail(ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(folder));
    }
    if (!info.isDir()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 is not a folder").arg(folder));
    }
    const QDir root(folder);
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden,
                    options.recursive ? QDirIterator::Subdirectories
                                      : QDirIterator::NoIteratorFlags);
    while (it.hasNext()) {
        files << it.next();
        if (files.size() > MaxFiles) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 holds more than %2 files; import a smaller folder")
                            .arg(folder)
                            .arg(MaxFiles));
        }
    }
    std::sort(files.begin(), files.end());

    ImportPlan plan;
    QStringList problems;
    int certificateFiles = 0;
    for (const QString& path : std::as_const(files)) {
        const QString rel = root.relativeFilePath(path);
        const QString name = QFileInfo(path).fileName();
        if (looksLikeKeyFile(name)) {
            plan.addPrivateKeyPath(path);
            continue;
        }
        if (!certificateSuffix(name)) {
            continue;
        }
        auto scanned = CertificateFileScanner::scanFile(path);
        if (!scanned) {
            // Named like a certificate and damaged (cut off, not PEM, not
            // DER): the folder is refused, not imported without it. A PEM
            // file of other blocks (DH parameters, a CSR) reads as empty.
            problems << rel + QStringLiteral(": ") + scanned.error().message;
            continue;
        }
        if (scanned->hasPrivateKey) {
            plan.addPrivateKeyPath(path);
        }
        if (scanned->certificates.isEmpty()) {
            continue;
        }
        ++certificateFiles;
        for (qsizetype i = 0; i < scanned->certificates.size(); ++i) {
            const crypto::Certificate& cert = scanned->certificates[i];
            // A bundle's first certificate is its leaf unless it is a CA.
            const bool leaf = i == 0 && !cert.isCa();
            const int c = plan.addCertificate(cert, path, -1, leaf);
            if (!leaf) {
                continue;
            }
            QStringList names = cert.dnsNames();
            names << cert.ipAddresses();
            if (names.isEmpty() && !cert.commonName().isEmpty()) {
                names << cert.commonName();
            }
            QStringList wildcards;
            QStringList odd;
            for (const QString& n : std::as_const(names)) {
                if (n.contains(u'*')) {
                    wildcards << n;
                    continue;
                }
                // A common name is often no host ("Payments API"), and a CA
                // may put any text in a dNSName: never an endpoint.
                auto host = parseHostName(n);
                if (!host) {
                    odd << n;
                    continue;
                }
                Endpoint e;
                e.host = *host;
                e.port = 443;
                e.group = options.group;
                e.notes = QStringLiteral("certificate file %1; port 443 assumed (a "
                                         "certificate names no port)")
                              .arg(rel);
                const int idx = plan.addEndpoint(e, rel);
                if (!plan.certificates[c].endpointIndexes.contains(idx)) {
                    plan.certificates[c].endpointIndexes << idx;
                }
            }
            if (!wildcards.isEmpty()) {
                plan.warnings << QStringLiteral("%1: %2 not probed (wildcard)")
                                     .arg(rel, wildcards.join(QStringLiteral(", ")));
            }
            if (!odd.isEmpty()) {
                plan.warnings << QStringLiteral("%1: \"%2\" is no host name; not probed")
                                     .arg(rel, odd.join(QStringLiteral("\", \"")));
            }
        }
    }
    if (!problems.isEmpty()) {
        return refuseMalformed(problems);
    }
    if (certificateFiles == 0) {
        plan.warnings << QStringLiteral("%1: no certificate found").arg(folder);
    }
    return plan;
}

} // namespace certdeck::inventory
