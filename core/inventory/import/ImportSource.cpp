// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportSource.h"

#include "common/SecureFile.h"
#include "inventory/import/CertbotImporter.h"
#include "inventory/import/HostListImporter.h"
#include "inventory/import/InventoryJson.h"
#include "inventory/import/NginxDumpImporter.h"
#include "inventory/import/PemFolderImporter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace certdeck::inventory {

namespace {

constexpr qint64 kMaxJsonBytes = 256 * 1024 * 1024;

Result<ImportPlan> readJson(const QString& path)
{
    auto data = readFileCapped(path, kMaxJsonBytes);
    if (!data) {
        return tl::unexpected(data.error());
    }
    const QString name = QFileInfo(path).fileName();
    auto doc = InventoryJson::read(*data, name);
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    return InventoryJson::toPlan(*doc, name);
}

Result<ImportPlan> readPlan(const ImportRequest& r)
{
    switch (r.format) {
    case ImportFormat::NginxDump: {
        NginxDumpImporter::Options o;
        o.sshHost = r.sshHost;
        o.sshUser = r.sshUser;
        o.local = r.local;
        o.readCertificates = true;
        return NginxDumpImporter::readFile(r.path, o);
    }
    case ImportFormat::HostList:
        return HostListImporter::readFile(r.path);
    case ImportFormat::Certbot: {
        CertbotImporter::Options o;
        o.sshHost = r.sshHost;
        o.sshUser = r.sshUser;
        o.local = r.local;
        o.group = r.group;
        return CertbotImporter::importFolder(r.path, o);
    }
    case ImportFormat::PemFolder: {
        PemFolderImporter::Options o;
        o.group = r.group;
        return PemFolderImporter::importFolder(r.path, o);
    }
    case ImportFormat::Json:
        return readJson(r.path);
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("Unknown import format"));
}

} // namespace

QString importFormatName(ImportFormat format)
{
    switch (format) {
    case ImportFormat::NginxDump:
        return QStringLiteral("nginx");
    case ImportFormat::HostList:
        return QStringLiteral("hosts");
    case ImportFormat::Certbot:
        return QStringLiteral("certbot");
    case ImportFormat::PemFolder:
        return QStringLiteral("pem");
    case ImportFormat::Json:
        return QStringLiteral("json");
    }
    return {};
}

std::optional<ImportFormat> importFormatFromName(const QString& name)
{
    for (ImportFormat f : {ImportFormat::NginxDump, ImportFormat::HostList, ImportFormat::Certbot,
                           ImportFormat::PemFolder, ImportFormat::Json}) {
        if (importFormatName(f) == name) {
            return f;
        }
    }
    return std::nullopt;
}

Result<ImportFormat> guessImportFormat(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return fail(ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(path));
    }
    if (info.isDir()) {
        const QDir d(path);
        if (d.exists(QStringLiteral("live")) && d.exists(QStringLiteral("renewal"))) {
            return ImportFormat::Certbot;
        }
        return ImportFormat::PemFolder;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io, QStringLiteral("Cannot read %1").arg(path), f.errorString());
    }
    const QByteArray head = f.read(64 * 1024);
    const QByteArray trimmed = head.trimmed();
    if (trimmed.startsWith('{')) {
        return ImportFormat::Json;
    }
    static const QRegularExpression serverBlock(QStringLiteral("(^|\\n)\\s*server\\s*\\{"));
    if (head.contains("# configuration file ") ||
        serverBlock.match(QString::fromUtf8(head)).hasMatch()) {
        return ImportFormat::NginxDump;
    }
    return ImportFormat::HostList;
}

Result<ImportPlan> readImport(const ImportRequest& request)
{
    if (request.local && (!request.sshHost.isEmpty() || !request.sshUser.isEmpty())) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The files are either on this machine or on an SSH host "
                                   "(%1), not both")
                        .arg(request.sshHost.isEmpty() ? request.sshUser : request.sshHost));
    }
    auto plan = readPlan(request);
    if (!plan) {
        return plan;
    }
    if (!request.group.isEmpty()) {
        for (Endpoint& e : plan->endpoints) {
            if (e.group.isEmpty()) {
                e.group = request.group;
            }
        }
    }
    return plan;
}

} // namespace certdeck::inventory
