// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

namespace certdeck::inventory {

/// Secrets in the desktop's keyring (the Secret Service of GNOME Keyring or
/// KeePassXC, KWallet) through QtKeychain, never with its plain-file
/// fallback. Every call blocks until the keyring answers or `timeoutMs`
/// passes, so call it off the GUI thread (the keyring may show an unlock
/// prompt). QtKeychain's jobs all run on one process-wide thread of their
/// own, whatever thread calls.
class OsKeyring
{
public:
    /// `service` names CertDeck's entries in the keyring.
    explicit OsKeyring(QString service = QStringLiteral("CertDeck"), int timeoutMs = 60000);

    /// Stores (or replaces) `secret` under `key`.
    [[nodiscard]] Status write(const QString& key, const QByteArray& secret) const;
    /// The secret under `key`: NotFound when there is none.
    [[nodiscard]] Result<QByteArray> read(const QString& key) const;
    /// Removes `key`; removing a missing entry is not an error.
    [[nodiscard]] Status remove(const QString& key) const;
    /// Whether a keyring answers here: ok, or Unsupported saying why (no
    /// Secret Service on the session bus, no session bus at all...).
    [[nodiscard]] Status probe() const;

    [[nodiscard]] QString service() const { return m_service; }

private:
    QString m_service;
    int m_timeoutMs;
};

} // namespace certdeck::inventory
