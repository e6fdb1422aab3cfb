// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "deploy/ssh/RemoteExec.h"

#include <QString>
#include <QStringList>

/// Building POSIX sh command lines for remote hosts, and reading their
/// answers. The remote side is assumed to be a POSIX shell with UTF-8 names.
namespace certdeck::deploy::remoteshell {

/// `text` as one sh word: single quotes, with each ' written as '\''.
[[nodiscard]] QString quote(const QString& text);

/// The words of `argv` quoted and joined by spaces: one simple command.
[[nodiscard]] QString command(const QStringList& argv);

/// `shellCommand` run through `sudo -n` when `useSudo`: `sudo -n -- sh -c
/// '<shellCommand>'`, so redirections and pipes run as root too. -n: sudo
/// must never wait for a password on a session that has no terminal; it
/// fails at once instead, and sudoError() explains that failure.
[[nodiscard]] QString withSudo(const QString& shellCommand, bool useSudo = true);

/// The stderr of `sudo -n` refusing because it needs a password
/// ("sudo: a password is required"), or saying the user may not run sudo
/// at all ("... is not in the sudoers file", "... is not allowed to ...").
[[nodiscard]] bool isSudoRefusal(const QByteArray& stderrText);

/// Turns a finished command into a Status: success for exit 0, else an
/// Error naming `what` (a plain-words step: "validate nginx"), `host`, the
/// exit status or signal, and the last lines of stderr. A sudo refusal gets
/// PermissionDenied with the remedy (a NOPASSWD rule for the login user);
/// other failures get Io.
[[nodiscard]] Status checkExit(const ExecResult& result, const QString& what, const QString& host);

} // namespace certdeck::deploy::remoteshell
