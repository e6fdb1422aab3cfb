// SPDX-License-Identifier: GPL-3.0-or-later
#include "MultiNodeFixture.h"

namespace certdeck::test {

bool MultiNodeFixture::start(const TestPki& pki)
{
    if (!m_bind.start(
            QStringLiteral("test"),
            {QStringLiteral("multi 60 IN A 127.0.0.1"), QStringLiteral("multi 60 IN A 127.0.0.2"),
             QStringLiteral("multi 60 IN AAAA ::1"), QStringLiteral("alias 60 IN CNAME multi"),
             QStringLiteral("partial 60 IN A 127.0.0.1"),
             QStringLiteral("partial 60 IN A 127.0.0.3"),
             QStringLiteral("noaddr 60 IN TXT \"no address here\"")})) {
        m_error = m_bind.errorString();
        return false;
    }
    const QHostAddress one(QStringLiteral("127.0.0.1"));
    const QHostAddress two(QStringLiteral("127.0.0.2"));
    const QHostAddress three(QStringLiteral("127.0.0.3"));
    const QHostAddress six(QStringLiteral("::1"));
    const QString cert = QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n")
                             .arg(pki.good.fullchain, pki.good.key);
    // Another process may take the port between the check and nginx's bind.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePortOnAll({one, two, three, six});
        if (m_port == 0) {
            m_error = QStringLiteral("no port is free on 127.0.0.1-3 and ::1");
            return false;
        }
        m_both.setListen({one, six}, m_port);
        m_only13.setListen({two}, m_port);
        if (!m_both.start(cert + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n"
                                                "ssl_ciphers ECDHE+AESGCM;\n"))) {
            m_error = m_both.errorString();
            continue;
        }
        if (!m_only13.start(cert + QStringLiteral("ssl_protocols TLSv1.3;\n"))) {
            m_error = m_only13.errorString();
            m_both.stop();
            continue;
        }
        return true;
    }
    return false;
}

} // namespace certdeck::test
