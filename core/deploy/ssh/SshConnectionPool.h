// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "deploy/ssh/SshConnectOutcome.h"
#include "deploy/ssh/SshOptions.h"

#include <QString>
#include <map>
#include <memory>
#include <mutex>

namespace certdeck::deploy {

class SshSession;

/// The exclusive use of one pooled connection, until the lease is
/// destroyed; another acquire() of the same host waits until then.
class SshLease
{
public:
    SshLease() = default;
    SshLease(SshLease&&) noexcept;
    SshLease& operator=(SshLease&&) noexcept;
    ~SshLease();

    /// How connecting ended. Only Connected leases have a usable session();
    /// for HostKeyUnknown and PassphraseNeeded, ask the user and acquire
    /// again with the answer in the options.
    [[nodiscard]] const SshConnectOutcome& outcome() const { return m_outcome; }
    [[nodiscard]] bool isConnected() const;
    /// The connected session (valid while the lease lives), or null.
    [[nodiscard]] SshSession* session() const;
    SshSession* operator->() const { return session(); }

private:
    friend class SshConnectionPool;
    struct Slot;
    void release();
    std::unique_lock<std::mutex> m_lock;
    std::shared_ptr<Slot> m_slot;
    SshConnectOutcome m_outcome;
};

/// One SSH connection per host, reused across the steps of a deploy (stage,
/// validate, switch, verify, roll back) and across hosts' steps in parallel:
/// each host is keyed by (host alias, user, port, config file). A lease
/// gives one thread the connection at a time. A connection found dead (cut,
/// timed out, cancelled) is replaced by a new one at the next acquire().
///
/// acquire() blocks (connect and login) like SshSession::connect(): call it
/// on a worker thread. The pool itself is thread-safe.
class SshConnectionPool
{
public:
    SshConnectionPool();
    ~SshConnectionPool();
    SshConnectionPool(const SshConnectionPool&) = delete;
    SshConnectionPool& operator=(const SshConnectionPool&) = delete;

    /// The host's open connection, or a new one made with `options`. An
    /// Error when connecting failed; otherwise a lease whose outcome says
    /// whether it is connected or which question the user must answer.
    /// The options of an open connection are not compared: the first ones
    /// made it (cancel is the exception: the lease's session listens to
    /// `options.cancel` for as long as the lease lives, and to nothing
    /// after).
    [[nodiscard]] Result<SshLease> acquire(const SshConnectOptions& options);

    /// Connections open now (for tests and the status line).
    [[nodiscard]] int openCount() const;
    /// Closes every connection not leased right now.
    void closeIdle();

    /// The pool's key for `options` (host, user and port as given, not as
    /// the config resolves them, plus the config file).
    [[nodiscard]] static QString keyOf(const SshConnectOptions& options);

private:
    mutable std::mutex m_mutex;
    std::map<QString, std::shared_ptr<SshLease::Slot>> m_slots;
};

} // namespace certdeck::deploy
