// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace certdeck::deploy {

/// How SshSession::exec() runs one command.
struct ExecOptions
{
    /// Milliseconds for the whole command, from opening the channel to its
    /// exit status; 0 takes SshTimeouts::execMs. When it passes, the command
    /// is sent SIGKILL and its channel closed; the connection stays usable.
    int timeoutMs = 0;
    /// Bytes kept of stdout and of stderr each; the rest is read and dropped
    /// (so the command never blocks on a full pipe) and `truncated` is set.
    qint64 maxOutputBytes = 4 * 1024 * 1024;
    /// Written to the command's stdin, then EOF. Use it for secrets: never
    /// put one on a command line (`ps` on the host shows command lines).
    QByteArray stdinData;
};

/// What a remote command did. A non-zero exit status is not an Error: the
/// caller decides (`nginx -t` failing is an answer, not a transport fault).
struct ExecResult
{
    /// The exit status; -1 when the command ended by a signal (`exitSignal`)
    /// or the server sent none.
    int exitStatus = -1;
    /// "TERM", "KILL"... when the command was killed by a signal.
    QString exitSignal;
    QByteArray out;
    QByteArray err;
    /// stdout or stderr was longer than ExecOptions::maxOutputBytes.
    bool truncated = false;

    [[nodiscard]] bool succeeded() const { return exitStatus == 0; }
};

} // namespace certdeck::deploy
