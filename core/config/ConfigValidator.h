// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "config/ConfigGenerator.h"
#include "config/ServerTlsSettings.h"

#include <QString>

namespace certdeck::config {

/// Local copies of the files a configuration names, for validation on this
/// machine when the configuration is for another one. An empty field means
/// "the path in the settings is readable here".
struct ValidationFiles
{
    QString certificateFile;
    QString keyFile;
    QString chainFile;
    QString dhparamFile;
    QString ticketKeyFile;
};

struct ValidationOptions
{
    /// The server binary; empty: found in /usr/sbin, /usr/local/sbin, /sbin,
    /// then PATH (nginx, haproxy, apache2, envoy).
    QString binary;
    /// The check is stopped (by its own process handle) after this long.
    int timeoutMs = 30000;
    ValidationFiles files;
};

/// What the server's own check said.
struct ValidationReport
{
    /// False when there is no binary for this server here and that is not
    /// an error: Envoy (Debian 12 packages none). `skippedReason` says so.
    bool ran = false;
    QString skippedReason;
    /// The command as run ("/usr/sbin/nginx -t -p DIR -e ... -c DIR/nginx.conf").
    QString command;
    /// Its standard error and output (warnings such as "ssl_stapling
    /// ignored" for a certificate without an OCSP URL).
    QString output;
};

/// Checks a generated configuration with the real server before it is
/// offered: the configuration for `settings` is generated again with every
/// file path pointing into a private temporary folder (0700) that holds
/// copies of the certificate, chain, dhparam and ticket key files and of the
/// key (0600; HAProxy's combined PEM is assembled there too), wrapped in the
/// smallest configuration the server needs to run from that folder, and
/// checked with `nginx -t`, `haproxy -c -f`, `apache2 -t` or `envoy --mode
/// validate`. Nothing outside the folder is read or written besides the
/// source files and the binary; the folder is removed afterwards.
///
/// BLOCKING: it runs a process and waits for it (at most
/// options.timeoutMs); call it off the GUI thread (a ThreadedOperation or
/// PoolTask), from one thread at a time per call (no shared state).
///
/// Errors: a missing or unreadable local file is NotFound/Io naming the
/// file and which one it is; no binary for nginx, HAProxy or Apache is
/// Unsupported; the server refusing the configuration is InvalidInput with
/// its output as the detail (the evidence); a check that ran past the
/// timeout is Timeout.
[[nodiscard]] Result<ValidationReport> validateConfig(ServerSoftware server,
                                                      const ServerTlsSettings& settings,
                                                      const ValidationOptions& options = {});

/// Where validateConfig() looks for the binary, or empty if none is found.
[[nodiscard]] QString findServerBinary(ServerSoftware server);

} // namespace certdeck::config
