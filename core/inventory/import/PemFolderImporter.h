// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/import/ImportPlan.h"

#include <QString>

namespace certdeck::inventory {

/// Imports a folder of certificate files (PEM, DER, PKCS#7; subfolders
/// too): each leaf certificate's DNS and IP names (its common name when it
/// has no SAN) become endpoints on port 443, linked to that certificate.
/// CA certificates are kept, unlinked. Files holding a private key are
/// recorded by path and never decoded; a broken file is a warning and the
/// rest of the folder is still read.
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
