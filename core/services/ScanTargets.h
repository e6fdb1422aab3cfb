// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "inventory/Store.h"
#include "services/ScanTarget.h"

namespace certdeck::services {

/// The inventory's endpoints (all, or those `filter` selects) as scan
/// targets, each with the trust anchors that apply to it: its own bundle,
/// else its group's, else the system store.
[[nodiscard]] Result<QList<ScanTarget>> scanTargets(const inventory::Store& store,
                                                    const inventory::EndpointFilter& filter = {});

/// One inventory endpoint as a scan target (its anchors resolved).
[[nodiscard]] Result<ScanTarget> scanTarget(const inventory::Store& store,
                                            const inventory::Endpoint& endpoint);

/// What the inventory knows of an ad-hoc target (an endpoint at the same
/// host, port and SNI): its anchors, unless `keepAnchors` (--ca-file), and its
/// recorded certificate, so that an ad-hoc probe of a known endpoint is judged
/// as a scan of it is (trust, served.differs). Unknown targets are left as
/// they are (the system store, nothing recorded).
[[nodiscard]] Status adoptInventory(const inventory::Store& store, ScanTarget& target,
                                    bool keepAnchors = false);

/// Anchors read from a PEM file (`certdeckctl probe|scan --ca-file`), which
/// override those of the inventory. InvalidInput or Io naming the file.
[[nodiscard]] Result<TrustAnchors> anchorsFromFile(const QString& path);

} // namespace certdeck::services
