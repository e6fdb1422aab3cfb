// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PeerProcess.h"

#include <QProcessEnvironment>
#include <QString>

namespace certdeck::test {

/// A private D-Bus session bus (dbus-daemon with its own config, a unix
/// socket in the FixtureDir, no service activation) and a real GNOME Keyring
/// (`gnome-keyring-daemon --foreground --components=secrets`) owning
/// org.freedesktop.secrets on it, its login keyring created and unlocked
/// with a random password fed on stdin from a 0600 file. Keyring files live
/// in the FixtureDir (HOME and XDG_* point there). Nothing talks to the
/// machine's own session bus. Both processes are stopped by PID.
class SecretServiceFixture
{
public:
    SecretServiceFixture();
    ~SecretServiceFixture();
    SecretServiceFixture(const SecretServiceFixture&) = delete;
    SecretServiceFixture& operator=(const SecretServiceFixture&) = delete;

    /// Starts the bus, then the keyring; returns once the keyring owns
    /// org.freedesktop.secrets. On failure errorString() has the log tails.
    [[nodiscard]] bool start();
    /// Stops the keyring, then the bus.
    void stop();
    /// Stops only the keyring daemon: the bus stays, without a Secret Service.
    void stopKeyring();
    /// Points this process's DBUS_SESSION_BUS_ADDRESS at the private bus
    /// (call before the first D-Bus use) and turns off GDBus's
    /// "exit-on-close" for it: libsecret (under QtKeychain) uses GDBus,
    /// which would raise SIGTERM in this process when the bus stops at
    /// teardown. False (and errorString()) if GIO cannot be reached.
    [[nodiscard]] bool useBusInThisProcess();

    /// "unix:path=..." of the private bus: put it in
    /// DBUS_SESSION_BUS_ADDRESS before the first D-Bus use of the process.
    [[nodiscard]] QString busAddress() const;
    /// An environment for tools that should use this keyring (secret-tool).
    [[nodiscard]] QProcessEnvironment environment() const;
    /// Runs `secret-tool ARGS` against this keyring (the independent oracle);
    /// returns its exit code, `output` gets stdout and stderr.
    int secretTool(const QStringList& args, QByteArray* output) const;

    [[nodiscard]] qint64 busPid() const { return m_bus.pid(); }
    [[nodiscard]] qint64 keyringPid() const { return m_keyring.pid(); }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    [[nodiscard]] bool secretsOwned() const;

    FixtureDir m_dir;
    PeerProcess m_bus;
    PeerProcess m_keyring;
    QString m_error;
};

} // namespace certdeck::test
