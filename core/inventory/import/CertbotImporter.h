// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QString>

namespace certdeck::inventory {

/// Imports certbot's configuration folder (/etc/letsencrypt or a copy of
/// it): each lineage's live/NAME/{cert,chain,fullchain,privkey}.pem and
/// renewal/NAME.conf. Every non-wildcard name on the certificate becomes an
/// endpoint on port 443 (certbot names no port: the endpoint's notes say it
/// was assumed), the lineage's files a deploy target (paths, and the host or
/// "this machine" the admin gave; no SSH port and no validate or reload
/// command, which certbot does not say), the conf's ACME server an issuer
/// and its key type, challenge and renew-before days a renewal policy (none
/// when the key type is not one CertDeck makes: nothing is put in its place).
/// privkey.pem is never opened: its path is recorded.
///
/// A lineage with a missing file (a dangling live/ link, no renewal conf) is
/// imported as far as it goes, with a warning. Malformed input refuses the
/// whole import, naming every place (refuseMalformed()): a certificate file
/// that is there but does not read, a renewal conf line certbot would not
/// read either, a domain that is no host name. A folder with neither live/
/// nor renewal/ is an error.
class CertbotImporter
{
public:
    struct Options
    {
        QString sshHost; ///< the host the folder belongs to (deploy targets)
        QString sshUser;
        bool local = false; ///< the folder is this machine's: local deploy targets
        QString group;
    };

    [[nodiscard]] static Result<ImportPlan> importFolder(const QString& configDir,
                                                         const Options& options);
    [[nodiscard]] static Result<ImportPlan> importFolder(const QString& configDir);
};

} // namespace certdeck::inventory
