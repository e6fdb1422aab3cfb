// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "config/ServerTlsSettings.h"

#include <QString>
#include <QStringList>

namespace certdeck::config {

/// A server's TLS configuration made from a policy, as text to put into
/// the server's configuration, with what the admin must know about it.
struct GeneratedConfig
{
    ServerSoftware server = ServerSoftware::Nginx;
    TlsPolicyName policy = TlsPolicyName::Intermediate;
    /// nginx: a `server { }` block for the http context. HAProxy: a `global`
    /// section and a `frontend`. Apache: global SSL lines and a
    /// `<VirtualHost>`. Envoy: a static `listeners:` entry (YAML).
    QString text;
    /// Things to act on: the old policy's legacy warning, a ticket key to
    /// rotate, an HAProxy PEM to assemble, a module to enable.
    QStringList warnings;
};

/// Generates the configuration of `server` for `settings` (checked first by
/// checkSettings(); its error is returned as is). Pure text work: no file
/// is read and nothing runs; see ConfigValidator for the check by the server.
[[nodiscard]] Result<GeneratedConfig> generateConfig(ServerSoftware server,
                                                     const ServerTlsSettings& settings);

} // namespace certdeck::config
