// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/SshConnectionPool.h"

#include "deploy/internal/Log.h"
#include "deploy/ssh/SshSession.h"

namespace certdeck::deploy {

struct SshLease::Slot
{
    /// Held by the lease for as long as it uses the session.
    std::mutex use;
    std::unique_ptr<SshSession> session;
};

SshLease::SshLease(SshLease&&) noexcept = default;

SshLease& SshLease::operator=(SshLease&& other) noexcept
{
    if (this != &other) {
        release();
        m_lock = std::move(other.m_lock);
        m_slot = std::move(other.m_slot);
        m_outcome = std::move(other.m_outcome);
    }
    return *this;
}

SshLease::~SshLease()
{
    release();
}

void SshLease::release()
{
    if (m_lock.owns_lock()) {
        // A cancel of the operation that leased it must not cut the idle
        // connection (nor the next operation's use of it) later.
        if (m_slot && m_slot->session) {
            m_slot->session->setCancel(SshCancel());
        }
        // Unlock before the slot may go (members are destroyed in reverse
        // order, the slot and its mutex first).
        m_lock.unlock();
    }
    m_slot.reset();
}

bool SshLease::isConnected() const
{
    return m_slot && m_slot->session && m_outcome.status == SshConnectOutcome::Status::Connected &&
           m_slot->session->isConnected();
}

SshSession* SshLease::session() const
{
    return isConnected() ? m_slot->session.get() : nullptr;
}

SshConnectionPool::SshConnectionPool() = default;
SshConnectionPool::~SshConnectionPool() = default;

QString SshConnectionPool::keyOf(const SshConnectOptions& options)
{
    return QStringLiteral("%1\n%2\n%3\n%4")
        .arg(options.host, options.user)
        .arg(options.port)
        .arg(options.configFile);
}

Result<SshLease> SshConnectionPool::acquire(const SshConnectOptions& options)
{
    std::shared_ptr<SshLease::Slot> slot;
    {
        std::lock_guard lock(m_mutex);
        auto& entry = m_slots[keyOf(options)];
        if (!entry) {
            entry = std::make_shared<SshLease::Slot>();
        }
        slot = entry;
    }
    SshLease lease;
    lease.m_slot = slot;
    lease.m_lock = std::unique_lock(slot->use);
    if (slot->session && slot->session->isConnected()) {
        // The caller's cancel applies to this use of the connection.
        slot->session->setCancel(options.cancel);
        lease.m_outcome.hostKey = slot->session->hostKey();
        return lease;
    }
    if (slot->session) {
        qCDebug(lcDeploy).noquote()
            << "reconnecting to" << slot->session->label() << "after the connection was lost";
    }
    slot->session = std::make_unique<SshSession>(options);
    Result<SshConnectOutcome> outcome = slot->session->connect();
    if (!outcome) {
        slot->session.reset();
        return tl::unexpected(outcome.error());
    }
    lease.m_outcome = *outcome;
    if (outcome->status != SshConnectOutcome::Status::Connected) {
        slot->session.reset();
    }
    return lease;
}

int SshConnectionPool::openCount() const
{
    std::lock_guard lock(m_mutex);
    int count = 0;
    for (const auto& [key, slot] : m_slots) {
        std::unique_lock use(slot->use, std::try_to_lock);
        // A leased slot is in use, so open by definition.
        if (!use.owns_lock() || (slot->session && slot->session->isConnected())) {
            ++count;
        }
    }
    return count;
}

void SshConnectionPool::closeIdle()
{
    std::lock_guard lock(m_mutex);
    for (auto& [key, slot] : m_slots) {
        std::unique_lock use(slot->use, std::try_to_lock);
        if (use.owns_lock()) {
            slot->session.reset();
        }
    }
}

} // namespace certdeck::deploy
