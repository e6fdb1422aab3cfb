// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "BindFixture.h"
#include "NginxFixture.h"
#include "TestPki.h"

namespace certdeck::test {

/// Several nodes behind names, on loopback: BIND 9 serves zone "test" with
/// multi.test (A 127.0.0.1, A 127.0.0.2, AAAA ::1), alias.test (CNAME
/// multi), partial.test (A 127.0.0.1, A 127.0.0.3), noaddr.test (TXT only);
/// gone.test does not exist. On one port free on all those addresses, one
/// nginx listens on 127.0.0.1 and [::1] (TLS 1.2 + 1.3, ECDHE+AESGCM) and one
/// on 127.0.0.2 (TLS 1.3 only); nothing listens on 127.0.0.3.
class MultiNodeFixture
{
public:
    /// `pki` must hold the standard set (its "good" leaf is served).
    [[nodiscard]] bool start(const TestPki& pki);

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] quint16 dnsPort() const { return m_bind.port(); }
    /// "127.0.0.1:<dnsPort>", for --resolver.
    [[nodiscard]] QString resolver() const
    {
        return QStringLiteral("127.0.0.1:%1").arg(m_bind.port());
    }
    [[nodiscard]] QString errorString() const { return m_error; }

private:
    BindFixture m_bind;
    NginxFixture m_both;
    NginxFixture m_only13;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace certdeck::test
