// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QByteArray>
#include <QString>

namespace certdeck::inventory {

/// Turns `nginx -T` output into an ImportPlan: each TLS server block's
/// server_name entries become endpoints (one per name and TLS port), its
/// ssl_certificate/ssl_certificate_key pair a deploy target. The target holds
/// what the dump and the admin said: the file paths, and the host, user or
/// "this machine" from the options; no SSH port and no validate or reload
/// command, which a dump does not say (the endpoints' server kind, nginx,
/// does). Include files are followed through the dump, ssl_* settings
/// inherited from `http`.
///
/// Skipped with a warning (line-numbered): servers without an ssl listen
/// (or `ssl on`), names that cannot be probed (`_`, wildcards, regexes,
/// words that are no host name: kept as notes on the server's endpoints).
/// Refused whole, naming every place (refuseMalformed()): what `nginx -t`
/// itself would refuse, so no real dump holds it: a listen port outside
/// 1-65535 or not a number, a listen address that is no address or host
/// name, and a dump cut off inside a directive or a block.
class NginxDumpImporter
{
public:
    /// Dumps of real fleets reach a few MB (thousands of vhosts); larger
    /// input is refused rather than parsed for minutes.
    static constexpr qint64 MaxBytes = 16 * 1024 * 1024;

    struct Options
    {
        /// The host the dump came from: the deploy targets' SSH host, and the
        /// name probed for servers that have no usable server_name. Empty
        /// (and not `local`): the targets' host is left for the admin.
        QString sshHost;
        QString sshUser;
        /// The dump is of the machine CertDeck runs on: deploy targets are
        /// local (no SSH). Not with sshHost.
        bool local = false;
        QString group; ///< given to every endpoint
        /// Read the ssl_certificate files too (for a dump of this machine, or
        /// of a copy of the server's files under `fileRoot`). Missing files
        /// are warnings. Keys are never read: their paths are recorded.
        bool readCertificates = false;
        QString fileRoot; ///< prefix for ssl_certificate paths when reading
    };

    [[nodiscard]] static Result<ImportPlan> parse(const QByteArray& dump, const QString& originName,
                                                  const Options& options);
    [[nodiscard]] static Result<ImportPlan> readFile(const QString& path, const Options& options);
};

} // namespace certdeck::inventory
