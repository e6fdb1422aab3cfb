// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "deploy/ssh/RemoteExec.h"
#include "deploy/ssh/SshConnectOutcome.h"
#include "deploy/ssh/SshOptions.h"

#include <QString>
#include <memory>

namespace certdeck::deploy {

namespace internal {
struct SshLink;
struct AuthPrompt;
} // namespace internal

class SftpClient;

/// One SSH connection to one host through libssh, logged in the way the
/// admin's own `ssh` would (ssh_config, ssh-agent, key files), with strict
/// known_hosts checking.
///
/// Threading: every call here blocks until its step is done or its timeout
/// (SshTimeouts) passes, so it runs on a worker thread (a Job's work, a
/// ThreadedOperation's flow, runOnPool), never on the GUI thread. One thread
/// at a time uses a session; SshConnectionPool hands sessions out that way.
/// Only abort() and the SshCancel in the options may be used from other
/// threads: they shut the socket down, which wakes the blocked call; the
/// session is then dead (isConnected() false) and its calls fail with
/// ErrorCode::Cancelled.
///
/// A step that times out during connect, auth or SFTP ends the connection
/// too (ErrorCode::Timeout). A remote command that times out is killed with
/// its process group (SIGKILL through a second command on the same
/// connection) and its channel closed; the connection stays usable. A
/// cancelled command is not killed: the connection is gone with it.
///
/// Never logged: passphrases, key material, stdin data, file contents.
/// Commands are logged at debug level, so secrets go through stdin
/// (ExecOptions::stdinData), never on a command line.
class SshSession
{
public:
    explicit SshSession(SshConnectOptions options);
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    /// Connects, checks the host key, logs in. Ends with an Error (network,
    /// timeout, refused login, a changed host key, a wrong passphrase) or an
    /// outcome: Connected, or a question for the user (HostKeyUnknown,
    /// PassphraseNeeded) after which this session is closed and the caller
    /// connects again with the answer in the options (setOptions()).
    ///
    /// A host key different from the one known_hosts holds for the host is
    /// refused with ErrorCode::Crypto, naming the known_hosts file and line;
    /// nothing in the options overrides that (the user edits known_hosts).
    /// A wrong passphrase is ErrorCode::PermissionDenied whose message says
    /// so; a login refused with every key is PermissionDenied too.
    [[nodiscard]] Result<SshConnectOutcome> connect();
    /// Authenticated and not cut since.
    [[nodiscard]] bool isConnected() const;
    /// Closes the connection (SFTP first); idempotent.
    void disconnect();
    /// Shuts the socket down from any thread (see the class comment).
    void abort();

    /// Replaces the options for the next connect() (with acceptHostKey or a
    /// passphrase after a question). Wipes the previous passphrase.
    void setOptions(SshConnectOptions options);
    /// Listens to `cancel` from now on instead of the options' one (a pooled
    /// connection serves one operation after another).
    void setCancel(const SshCancel& cancel);
    [[nodiscard]] const SshConnectOptions& options() const { return m_options; }
    /// How messages name this host: "alias (user@host:port)".
    [[nodiscard]] QString label() const;
    /// The host key of the last connect() (empty before).
    [[nodiscard]] const SshHostKey& hostKey() const { return m_hostKey; }

    /// Runs `command` through the login user's shell (which must be a POSIX
    /// one: sh, bash, dash, ksh, zsh; see remoteshell::withSudo for root)
    /// and returns its exit status and output. An Error only for transport
    /// faults, a timeout or a cancel.
    [[nodiscard]] Result<ExecResult> exec(const QString& command, const ExecOptions& options = {});

    /// The SFTP subsystem on this connection, opened at first use and kept
    /// until disconnect(). Owned by the session.
    [[nodiscard]] Result<SftpClient*> sftp();

private:
    [[nodiscard]] Status applyOptions();
    [[nodiscard]] Status connectSocket();
    [[nodiscard]] Result<SshConnectOutcome> checkHostKey();
    [[nodiscard]] Result<SshConnectOutcome> authenticate();
    [[nodiscard]] Result<ExecResult> runCommand(const QString& command, const ExecOptions& options,
                                                bool killOnTimeout);
    bool killRemoteGroup(qint64 pid);
    void subscribeCancel();
    void unsubscribeCancel();

    SshConnectOptions m_options;
    std::unique_ptr<internal::SshLink> m_link;
    std::unique_ptr<internal::AuthPrompt> m_prompt;
    std::unique_ptr<SftpClient> m_sftp;
    SshHostKey m_hostKey;
    int m_cancelId = -1;
};

} // namespace certdeck::deploy
