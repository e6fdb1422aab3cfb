// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/SshCancel.h"

#include <map>
#include <mutex>

namespace certdeck::deploy {

namespace detail {
struct SshCancelState
{
    std::mutex mutex;
    bool cancelled = false;
    int nextId = 1;
    std::map<int, std::function<void()>> listeners;
};
} // namespace detail

SshCancel::SshCancel()
    : m_state(std::make_shared<detail::SshCancelState>())
{}

void SshCancel::cancel() const
{
    // Listeners run under the lock, so unsubscribe() from another thread
    // waits until a running listener has returned (the session it points at
    // may be about to be destroyed).
    std::lock_guard lock(m_state->mutex);
    if (m_state->cancelled) {
        return;
    }
    m_state->cancelled = true;
    for (const auto& [id, listener] : m_state->listeners) {
        listener();
    }
}

bool SshCancel::isCancelled() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->cancelled;
}

int SshCancel::subscribe(std::function<void()> listener) const
{
    std::lock_guard lock(m_state->mutex);
    const int id = m_state->nextId++;
    if (m_state->cancelled) {
        listener();
    }
    m_state->listeners.emplace(id, std::move(listener));
    return id;
}

void SshCancel::unsubscribe(int id) const
{
    std::lock_guard lock(m_state->mutex);
    m_state->listeners.erase(id);
}

} // namespace certdeck::deploy
