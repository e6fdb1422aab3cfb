// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"

#include <optional>

namespace certdeck::inventory {

/// Stable lower-case names of record enums, as stored and as the CLI and
/// JSON show them ("nginx", "deployed").
[[nodiscard]] QString serverKindName(ServerKind kind);
/// The kind for `name` (case-insensitive), or nullopt when unknown.
[[nodiscard]] std::optional<ServerKind> serverKindFromName(const QString& name);
/// Every accepted server kind name, for help texts.
[[nodiscard]] QStringList serverKindNames();

[[nodiscard]] QString versionStateName(VersionState state);
[[nodiscard]] std::optional<VersionState> versionStateFromName(const QString& name);

/// "acme", "local-ca", "imported", "served"; "unknown" for Unknown.
[[nodiscard]] QString certificateSourceName(CertificateSource source);
[[nodiscard]] std::optional<CertificateSource> certificateSourceFromName(const QString& name);

[[nodiscard]] QString keyProtectionName(KeyProtection protection);
[[nodiscard]] std::optional<KeyProtection> keyProtectionFromName(const QString& name);

/// "host:port", with brackets around an IPv6 literal ("[::1]:443").
[[nodiscard]] QString endpointAddress(const QString& host, quint16 port);

/// Where a deploy target's files are, as shown to the admin: "deploy@web1",
/// "web1:2222" (a port only when one was given), "this machine", or "SSH host
/// not set" for a target whose host is still to be filled in.
[[nodiscard]] QString deployTargetWhere(const DeployTarget& target);

} // namespace certdeck::inventory
