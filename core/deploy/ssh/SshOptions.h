// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "deploy/ssh/SshCancel.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

namespace certdeck::deploy {

/// The limit of each step of an SSH conversation, in milliseconds. Every
/// step has one: a peer that stops answering costs at most this long.
struct SshTimeouts
{
    /// TCP connect (or starting the ProxyCommand), banner and key exchange.
    int connectMs = 15000;
    /// Public-key authentication (agent and key files).
    int authMs = 15000;
    /// One remote command, unless ExecOptions says otherwise.
    int execMs = 60000;
    /// One SFTP call (a whole file read or write counts as one).
    int sftpMs = 30000;
};

/// How to reach one host, as `ssh` would: `host` is a Host alias of the
/// ssh_config (or a plain name or address), and the config supplies
/// HostName, User, Port, IdentityFile, ProxyJump/ProxyCommand,
/// UserKnownHostsFile... What is set here wins over the config.
///
/// libssh 0.10 reads these ssh_config keywords: Host, Match (not `exec`),
/// Include, HostName, Port, User, IdentityFile, IdentityAgent, ProxyCommand,
/// ProxyJump, UserKnownHostsFile, GlobalKnownHostsFile, ConnectTimeout,
/// Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms, PubkeyAcceptedAlgorithms,
/// Compression, PubkeyAuthentication, BindAddress, RekeyLimit, LogLevel. It
/// ignores (with a debug line) IdentitiesOnly, CertificateFile,
/// AddKeysToAgent, HostKeyAlias, CanonicalizeHostname, ConnectionAttempts,
/// ServerAlive*, ForwardAgent, PreferredAuthentications, AddressFamily,
/// UpdateHostKeys, VerifyHostKeyDNS. StrictHostKeyChecking is always on here,
/// whatever the config says (see SshSession::connect()).
///
/// ProxyJump becomes `ssh -W '[%h]:%p' JUMP` run by /bin/sh: the jump hop is
/// OpenSSH's own client, with its own host key check and agent/keys. With an
/// explicit configFile, that client is given `-F configFile` too, and
/// `-o BatchMode=yes` so that it never waits for a prompt nobody sees.
struct SshConnectOptions
{
    /// Host alias, name or address (required).
    QString host;
    /// Overrides the config's User; empty: the config's, else the local login.
    QString user;
    /// Overrides the config's Port; 0: the config's, else 22.
    int port = 0;
    /// The ssh_config to read instead of ~/.ssh/config and /etc/ssh/ssh_config.
    QString configFile;
    /// Overrides the config's UserKnownHostsFile.
    QString knownHostsFile;
    /// Key files tried in addition to the config's IdentityFile lines.
    QStringList identityFiles;
    /// Use ssh-agent (SSH_AUTH_SOCK, or the config's IdentityAgent).
    bool useAgent = true;
    /// The passphrase of an encrypted key file, once connect() has said it
    /// needs one. Held only in memory, handed to libssh only through its
    /// passphrase callback, wiped once logged in; never logged.
    QByteArray passphrase;
    /// The "SHA256:..." fingerprint of a host key the user has accepted. If
    /// the host presents exactly this key and known_hosts has no key of that
    /// type for it, connect() records it in known_hosts and goes on. Never
    /// overrides a changed key.
    QString acceptHostKey;
    SshTimeouts timeouts;
    /// Ends the connection from any thread (see SshCancel). Copies of these
    /// options share the token: give each operation a new SshCancel.
    SshCancel cancel;
};

} // namespace certdeck::deploy
