// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>

namespace certdeck::deploy {

namespace detail {
struct SshCancelState;
} // namespace detail

/// A cancel signal for SSH work that blocks on a worker thread. Copies share
/// one state. cancel() may be called from any thread (the GUI thread, in a
/// Job's or ThreadedOperation's onCancel()): it does not set a flag for the
/// work to find later, it runs every listener at once, and an SshSession
/// listening shuts its socket down, which wakes whatever libssh call is
/// blocked on it. Such a session is then dead; the pool reconnects next time.
class SshCancel
{
public:
    SshCancel();

    /// Idempotent; the listeners run once, on the calling thread.
    void cancel() const;
    [[nodiscard]] bool isCancelled() const;

    /// Adds a listener (called at once when already cancelled) and returns
    /// its id for unsubscribe(). A listener must be quick and thread-safe,
    /// and must not call back into this SshCancel.
    int subscribe(std::function<void()> listener) const;
    /// Removes a listener; when this returns, it is not running and will not
    /// run again.
    void unsubscribe(int id) const;

private:
    std::shared_ptr<detail::SshCancelState> m_state;
};

} // namespace certdeck::deploy
