// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace certdeck::deploy {

/// A host key as the server presented it.
struct SshHostKey
{
    /// "SHA256:" + unpadded base64 of the key's SHA-256, as `ssh-keygen -l`
    /// and OpenSSH's prompts print it.
    QString fingerprint;
    /// "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"...
    QString keyType;
    /// The known_hosts name it is checked under: "host" or "[host]:port".
    QString knownHostsName;
    /// The known_hosts file an accepted key goes into.
    QString knownHostsFile;
};

/// What SshSession::connect() ended with when it did not fail outright.
struct SshConnectOutcome
{
    enum class Status
    {
        /// Connected and authenticated: ready for exec() and sftp().
        Connected,
        /// known_hosts has no key for this host: ask the user about
        /// `hostKey` and connect again with SshConnectOptions::acceptHostKey
        /// set to its fingerprint, or give up. The session is closed.
        HostKeyUnknown,
        /// The server would take a key file that is encrypted: ask for its
        /// passphrase (`keyFile` names it when libssh could tell) and connect
        /// again with SshConnectOptions::passphrase. The session is closed.
        PassphraseNeeded,
    };

    Status status = Status::Connected;
    /// The host's key (every status).
    SshHostKey hostKey;
    /// PassphraseNeeded: the key file, when known.
    QString keyFile;
};

} // namespace certdeck::deploy
