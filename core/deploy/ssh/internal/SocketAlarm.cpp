// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/internal/SocketAlarm.h"

#include <sys/socket.h>

namespace certdeck::deploy::internal {

SocketAlarm::~SocketAlarm()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void SocketAlarm::setSocket(int fd)
{
    std::lock_guard lock(m_mutex);
    m_fd = fd;
    if (m_fd >= 0 && m_reason != AbortReason::None) {
        ::shutdown(m_fd, SHUT_RDWR);
    }
}

void SocketAlarm::abort(AbortReason reason)
{
    std::lock_guard lock(m_mutex);
    fireLocked(reason);
}

void SocketAlarm::arm(Clock::time_point deadline)
{
    {
        std::lock_guard lock(m_mutex);
        m_deadline = deadline;
        m_armed = true;
        if (!m_thread.joinable()) {
            m_thread = std::thread([this] { run(); });
        }
    }
    m_wake.notify_all();
}

void SocketAlarm::disarm()
{
    std::lock_guard lock(m_mutex);
    m_armed = false;
}

AbortReason SocketAlarm::reason() const
{
    std::lock_guard lock(m_mutex);
    return m_reason;
}

void SocketAlarm::reset()
{
    std::lock_guard lock(m_mutex);
    m_fd = -1;
    m_armed = false;
    m_reason = AbortReason::None;
}

void SocketAlarm::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        if (!m_armed) {
            m_wake.wait(lock);
            continue;
        }
        // Re-read the deadline after every wake: arm() may have moved it.
        if (Clock::now() >= m_deadline) {
            m_armed = false;
            fireLocked(AbortReason::Timeout);
            continue;
        }
        m_wake.wait_until(lock, m_deadline);
    }
}

void SocketAlarm::fireLocked(AbortReason reason)
{
    if (m_reason == AbortReason::None) {
        m_reason = reason;
    }
    if (m_fd >= 0) {
        ::shutdown(m_fd, SHUT_RDWR);
    }
}

} // namespace certdeck::deploy::internal
