// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace certdeck::deploy::internal {

/// Why a session's socket was shut down under it.
enum class AbortReason
{
    None,
    Timeout,
    Cancelled,
};

/// Shuts a session's socket down (shutdown(2), never close(2), so the
/// descriptor number cannot be reused under libssh) when an armed deadline
/// passes or when abort() is called from another thread. A libssh call
/// blocked on the socket then wakes with an error: this is how blocking
/// calls (SFTP in libssh 0.10 has no non-blocking mode) get a timeout and a
/// cancel. Once fired, the socket is dead for good and reason() says why.
///
/// The timer thread starts at the first arm() and is joined by the
/// destructor.
class SocketAlarm
{
public:
    using Clock = std::chrono::steady_clock;

    SocketAlarm() = default;
    ~SocketAlarm();
    SocketAlarm(const SocketAlarm&) = delete;
    SocketAlarm& operator=(const SocketAlarm&) = delete;

    /// The socket to shut down; -1 forgets it (before libssh closes it). A
    /// socket set after abort() is shut down at once.
    void setSocket(int fd);
    /// Shuts the socket down now (any thread). The first reason sticks.
    void abort(AbortReason reason);
    /// Shuts the socket down at `deadline` unless disarmed first.
    void arm(Clock::time_point deadline);
    void disarm();
    /// What shut the socket down, if anything did (sticky).
    [[nodiscard]] AbortReason reason() const;
    /// Forgets the socket and the reason, for a new connection.
    void reset();

private:
    void run();
    void fireLocked(AbortReason reason);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::thread m_thread;
    int m_fd = -1;
    bool m_armed = false;
    bool m_stop = false;
    Clock::time_point m_deadline;
    AbortReason m_reason = AbortReason::None;
};

} // namespace certdeck::deploy::internal
