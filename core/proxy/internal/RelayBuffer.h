// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace certdeck::proxy::internal {

/// A fixed-capacity byte buffer for one relay direction: filled at its tail,
/// drained at its head, allocated once per connection (never per record).
/// When it is full the proxy stops reading from the side that fills it.
class RelayBuffer
{
public:
    void allocate(std::size_t capacity)
    {
        m_data = std::make_unique<char[]>(capacity);
        m_capacity = capacity;
        m_head = m_tail = 0;
    }
    [[nodiscard]] bool isAllocated() const { return m_capacity != 0; }
    [[nodiscard]] std::size_t capacity() const { return m_capacity; }

    [[nodiscard]] const char* data() const { return m_data.get() + m_head; }
    [[nodiscard]] char* data() { return m_data.get() + m_head; }
    [[nodiscard]] std::size_t size() const { return m_tail - m_head; }
    [[nodiscard]] bool isEmpty() const { return m_tail == m_head; }

    /// Room at the tail, after moving the unread bytes to the front when that
    /// gains room (a memmove of what is left, not an allocation).
    [[nodiscard]] std::size_t space()
    {
        if (m_head != 0 && m_tail == m_capacity) {
            std::memmove(m_data.get(), m_data.get() + m_head, m_tail - m_head);
            m_tail -= m_head;
            m_head = 0;
        }
        return m_capacity - m_tail;
    }
    [[nodiscard]] char* tail() { return m_data.get() + m_tail; }
    void commit(std::size_t n) { m_tail += n; }
    void consume(std::size_t n)
    {
        m_head += n;
        if (m_head == m_tail) {
            m_head = m_tail = 0;
        }
    }
    /// Inserts `n` bytes at `offset` from the head (HTTP header injection);
    /// false when they do not fit.
    bool insert(std::size_t offset, const char* bytes, std::size_t n)
    {
        if (size() + n > m_capacity || offset > size()) {
            return false;
        }
        if (m_tail + n > m_capacity) {
            std::memmove(m_data.get(), m_data.get() + m_head, size());
            m_tail -= m_head;
            m_head = 0;
        }
        char* at = m_data.get() + m_head + offset;
        std::memmove(at + n, at, size() - offset);
        std::memcpy(at, bytes, n);
        m_tail += n;
        return true;
    }

private:
    std::unique_ptr<char[]> m_data;
    std::size_t m_capacity = 0;
    std::size_t m_head = 0;
    std::size_t m_tail = 0;
};

} // namespace certdeck::proxy::internal
