// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace certdeck::probe {

/// Connections that many probers may have open at once, shared on one event
/// loop: at most `total` in all, and at most `perAddress` to any one address,
/// so a fleet scan never hammers a host that serves many names or ports.
/// Probers take a slot before each connection and give it back after;
/// released() tells waiting probers to try again. Single-threaded: it lives
/// on the probers' thread.
class ConnectionBudget : public QObject
{
    Q_OBJECT
public:
    ConnectionBudget(int total, int perAddress, QObject* parent = nullptr);

    /// Takes a slot for a connection to `address`; false when either bound
    /// is reached.
    [[nodiscard]] bool tryAcquire(const QString& address);
    /// Gives back a slot taken for `address`.
    void release(const QString& address);

    [[nodiscard]] int inUse() const { return m_inUse; }
    /// The most slots that were ever in use at once (for tests and reports).
    [[nodiscard]] int peak() const { return m_peak; }

signals:
    /// A slot became free.
    void released();

private:
    int m_total;
    int m_perAddress;
    int m_inUse = 0;
    int m_peak = 0;
    QHash<QString, int> m_byAddress;
};

} // namespace certdeck::probe
