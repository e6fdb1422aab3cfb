// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConnectionBudget.h"

#include <algorithm>

namespace certdeck::probe {

ConnectionBudget::ConnectionBudget(int total, int perAddress, QObject* parent)
    : QObject(parent)
    , m_total(std::max(1, total))
    , m_perAddress(std::max(1, perAddress))
{}

bool ConnectionBudget::tryAcquire(const QString& address)
{
    int& mine = m_byAddress[address];
    if (m_inUse >= m_total || mine >= m_perAddress) {
        return false;
    }
    ++mine;
    ++m_inUse;
    m_peak = std::max(m_peak, m_inUse);
    return true;
}

void ConnectionBudget::release(const QString& address)
{
    auto it = m_byAddress.find(address);
    if (it == m_byAddress.end() || it.value() <= 0) {
        return; // not ours to give back
    }
    if (--it.value() == 0) {
        m_byAddress.erase(it);
    }
    --m_inUse;
    emit released();
}

} // namespace certdeck::probe
