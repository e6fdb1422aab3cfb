// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

namespace certdeck::test {

/// A real OpenSSH sshd on a free 127.0.0.1 port (IPv4 only), with its own
/// ed25519 host key, sshd_config, authorized_keys and pid file in its fixture
/// folder. Public-key login only (no PAM, passwords or keyboard-interactive);
/// the current user may log in (root too: PermitRootLogin prohibit-password).
/// SFTP is served by internal-sftp; TCP, agent and X11 forwarding are off.
///
/// For the client it writes an ed25519 key pair (private key mode 0600, no
/// passphrase) whose public key is authorized, a known_hosts file holding
/// "[127.0.0.1]:PORT <host key>", and an ssh_config whose Host alias
/// "fixture" carries everything needed to connect, so that both
/// `ssh -F sshConfigPath() fixture` and libssh (SSH_OPTIONS_HOST "fixture"
/// plus ssh_options_parse_config(sshConfigPath())) log in without touching
/// the user's ~/.ssh.
class SshdFixture
{
public:
    SshdFixture();
    ~SshdFixture();
    SshdFixture(const SshdFixture&) = delete;
    SshdFixture& operator=(const SshdFixture&) = delete;

    /// The Host alias in sshConfigPath().
    static constexpr const char* hostAlias = "fixture";

    /// Makes the keys and files, then starts sshd and waits until it listens.
    /// `extraConfig` (`{port}` and `{dir}` replaced) goes first in
    /// sshd_config, where it wins over the fixture's settings (sshd keeps the
    /// first value of each keyword); it must not hold Match blocks. Retries
    /// on a port taken meanwhile.
    [[nodiscard]] bool start(const QString& extraConfig = {});
    /// Ends sshd and every session process it forked (they leave sshd's
    /// process group with setsid). Idempotent.
    void stop();

    /// Replaces the host key with a new ed25519 key and restarts sshd on the
    /// same port. known_hosts keeps the old key, so clients now see a changed
    /// host key; trustCurrentHostKey() accepts the new one. Fails (with sshd's
    /// log) if another process took the port while sshd was down.
    [[nodiscard]] bool replaceHostKey();
    /// Rewrites known_hosts with the current host key.
    bool trustCurrentHostKey();
    /// Appends a public key file's line to authorized_keys (read by sshd at
    /// each login, so no restart is needed).
    bool authorizeKey(const QString& publicKeyPath);

    [[nodiscard]] quint16 port() const { return m_port; }
    /// The login name of the user running the test.
    [[nodiscard]] QString user() const { return m_user; }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] qint64 pid() const { return m_process.pid(); }
    [[nodiscard]] QString errorString() const { return m_error; }

    [[nodiscard]] QString configPath() const
    {
        return m_dir.filePath(QStringLiteral("sshd_config"));
    }
    [[nodiscard]] QString clientKeyPath() const
    {
        return m_dir.filePath(QStringLiteral("client_ed25519"));
    }
    [[nodiscard]] QString clientPublicKeyPath() const
    {
        return clientKeyPath() + QStringLiteral(".pub");
    }
    [[nodiscard]] QString knownHostsPath() const
    {
        return m_dir.filePath(QStringLiteral("known_hosts"));
    }
    [[nodiscard]] QString sshConfigPath() const
    {
        return m_dir.filePath(QStringLiteral("ssh_config"));
    }
    [[nodiscard]] QString authorizedKeysPath() const
    {
        return m_dir.filePath(QStringLiteral("authorized_keys"));
    }
    [[nodiscard]] QString hostKeyPath() const
    {
        return m_dir.filePath(QStringLiteral("ssh_host_ed25519_key"));
    }
    [[nodiscard]] QString hostPublicKeyPath() const
    {
        return hostKeyPath() + QStringLiteral(".pub");
    }
    /// The current host key's "SHA256:..." fingerprint, as ssh-keygen -l prints it.
    [[nodiscard]] QString hostKeyFingerprint() const { return m_hostFingerprint; }

    /// The sshd binary (CERTDECK_SSHD overrides /usr/sbin/sshd). sshd re-executes
    /// itself per connection, so it must be an absolute path.
    [[nodiscard]] static QString binary();

private:
    bool prepare();
    bool makeHostKey();
    bool keygen(const QStringList& args, QByteArray* output = nullptr);
    bool writeClientFiles();
    bool launch(const QString& extraConfig);

    FixtureDir m_dir;
    PeerProcess m_process;
    quint16 m_port = 0;
    QString m_user;
    QString m_extraConfig;
    QString m_hostFingerprint;
    QString m_error;
    bool m_prepared = false;
};

} // namespace certdeck::test
