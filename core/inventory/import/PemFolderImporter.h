// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QString>

namespace certdeck::inventory {

/// Imports a folder of certificate files (PEM, DER, PKCS#7; subfolders
/// too): each leaf certificate's DNS and IP names (its common name when it
/// has no SAN) become endpoints on port 443 (their notes say the port was
/// assumed: a certificate names none), linked to that certificate.
/// CA certificates are kept, unlinked. Files holding a private key are
/// recorded by path and never decoded. A name that is no host name (a
/// common name such as "Payments API") is noted, never made an endpoint. A
/// file named like a certificate (.pem, .crt, .cer, .der, .p7b...) that
/// does not read refuses the whole folder, naming every such file and where
/// it breaks (refuseMalformed()); a PEM file of other blocks (DH
/// parameters, a CSR) is passed over.
class PemFolderImporter
{
public:
    static constexpr int MaxFiles = 10000;

    struct Options
    {
        QString group;
        bool recursive = true;
    };

    [[nodiscard]] static Result<ImportPlan> importFolder(const QString& folder,
                                                         const Options& options);
    [[nodiscard]] static Result<ImportPlan> importFolder(const QString& folder);
};

} // namespace certdeck::inventory
