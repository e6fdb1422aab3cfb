// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QString>
#include <optional>

namespace certdeck::inventory {

/// The inputs CertDeck imports a fleet from.
enum class ImportFormat
{
    NginxDump, ///< `nginx -T` output
    HostList,  ///< host[:port] lines, or CSV with host, port, sni, group
    Certbot,   ///< a certbot configuration folder (/etc/letsencrypt)
    PemFolder, ///< a folder of PEM/DER certificate files
    Json       ///< a CertDeck JSON export
};

/// What to import and how to describe what it finds.
struct ImportRequest
{
    ImportFormat format = ImportFormat::HostList;
    QString path;
    /// The host the files live on (deploy targets). Empty and not `local`:
    /// the targets are imported without a host, for the admin to fill in.
    QString sshHost;
    QString sshUser; ///< the SSH user of those deploy targets
    /// The files are on the machine CertDeck runs on (local deploy targets);
    /// not with sshHost or sshUser.
    bool local = false;
    QString group; ///< given to new endpoints that have no group of their own
};

/// The CLI name of a format: nginx, hosts, certbot, pem, json.
[[nodiscard]] QString importFormatName(ImportFormat format);
/// The format named by importFormatName(), or nullopt.
[[nodiscard]] std::optional<ImportFormat> importFormatFromName(const QString& name);

/// Guesses the format of `path` from what is there: a folder with live/ and
/// renewal/ is certbot's, another folder is a PEM folder; a file starting
/// with `{` is JSON, one with nginx's "# configuration file" banner or a
/// `server {` block is nginx -T output, anything else a host list. Reads at
/// most the first 64 KiB. An error when the path does not exist.
[[nodiscard]] Result<ImportFormat> guessImportFormat(const QString& path);

/// Reads `request.path` with the importer for its format and returns the plan
/// (nothing is written anywhere). Endpoints without a group get
/// `request.group`.
[[nodiscard]] Result<ImportPlan> readImport(const ImportRequest& request);

} // namespace certdeck::inventory
