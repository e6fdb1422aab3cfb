// SPDX-License-Identifier: GPL-3.0-or-later
// OCSP stapling by the proxy: the staple is the fixture's `openssl ocsp`
// answer (checked by `openssl ocsp -respin` and seen by `openssl s_client
// -status`), it is refreshed once half its validity has passed (the
// refresher's clock is moved, the responder's is not), and it is dropped
// once its nextUpdate has passed and no fresh answer can be had.
#include "OcspFixture.h"
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "proxy/Proxy.h"
#include "proxy/StapleRefresher.h"
#include "proxy/TlsContextSet.h"

#include <QRegularExpression>
#include <QTest>

using namespace certdeck;
using namespace certdeck::proxy;
using namespace certdeck::test;

class TestProxyOcsp : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void staplesRefreshesAndDrops();

private:
    QByteArray sClientStatus(quint16 port);
    static QByteArray producedAt(const QByteArray& text);

    FixtureDir m_dir;
    OcspFixture m_ocsp;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    TestBackend m_backend;
};

void TestProxyOcsp::initTestCase()
{
    QVERIFY2(m_ocsp.start(), qPrintable(m_ocsp.errorString()));
    TestPki::Options o;
    o.ocspUrl = m_ocsp.url();
    QVERIFY2(m_pki.create(m_dir.path(), o), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("stapled");
    m_leaf = m_pki.issue(spec);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY2(m_ocsp.serve(m_pki), qPrintable(m_ocsp.errorString()));
    QVERIFY(m_backend.start());
}

QByteArray TestProxyOcsp::sClientStatus(quint16 port)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("s_client"), QStringLiteral("-connect"),
             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-status")},
            &out, 30000, {}, "Q\n");
    return out;
}

QByteArray TestProxyOcsp::producedAt(const QByteArray& text)
{
    const auto m = QRegularExpression(QStringLiteral("Produced At: ([^\\n]+)"))
                       .match(QString::fromLatin1(text));
    return m.hasMatch() ? m.captured(1).trimmed().toLatin1() : QByteArray();
}

void TestProxyOcsp::staplesRefreshesAndDrops()
{
    ProxyConfig c;
    c.listen = {QHostAddress(QHostAddress::LocalHost), 0};
    c.backend = {QHostAddress(QHostAddress::LocalHost), m_backend.port()};
    c.certificateFiles = {m_leaf.fullchain + u',' + m_leaf.key};
    Proxy proxy(c);
    QVERIFY(proxy.start());

    // Before the first answer: no staple, and the handshake does not wait.
    QVERIFY(sClientStatus(proxy.port()).contains("OCSP response: no response sent"));

    qint64 offset = 0;
    StapleRefresher::Options options;
    options.tick = std::chrono::milliseconds(100);
    options.retry = std::chrono::seconds(3600);
    options.now = [&offset] {
        return QDateTime::currentDateTimeUtc().addSecs(offset);
    };
    StapleRefresher refresher([&proxy] { return proxy.contexts(); }, options);
    refresher.start();
    QTRY_VERIFY_WITH_TIMEOUT(refresher.states().value(0).stapled, 20000);
    QCOMPARE(refresher.states().value(0).fetches, 1);

    const X509* leaf = proxy.contexts()->served().front().leaf.get();
    const auto first = proxy.contexts()->staple(leaf);
    QVERIFY(first && !first->isEmpty());
    // The staple is the responder's answer: `openssl ocsp` checks it on its own.
    const QString der = m_dir.filePath(QStringLiteral("staple.der"));
    QVERIFY(m_dir.write(QStringLiteral("staple.der"), *first));
    QByteArray check;
    QCOMPARE(
        runTool(QStringLiteral("openssl"),
                {QStringLiteral("ocsp"), QStringLiteral("-respin"), der, QStringLiteral("-CAfile"),
                 m_pki.rootCert, QStringLiteral("-issuer"), m_pki.intermediateCert,
                 QStringLiteral("-cert"), m_leaf.cert, QStringLiteral("-resp_text")},
                &check),
        0);
    QVERIFY2(check.contains(m_leaf.cert.toLatin1() + ": good"), check.constData());
    QVERIFY2(check.contains("Response verify OK"), check.constData());
    QByteArray served = sClientStatus(proxy.port());
    QVERIFY2(served.contains("OCSP Response Status: successful"), served.constData());
    QVERIFY2(served.contains("Cert Status: good"), served.constData());
    QCOMPARE(producedAt(served), producedAt(check));

    // Past the middle of its validity (a day): a new answer replaces it.
    offset = 13 * 3600;
    refresher.checkNow();
    QTRY_VERIFY_WITH_TIMEOUT(
        refresher.states().value(0).fetches == 2 && proxy.contexts()->staple(leaf) != first, 20000);
    QVERIFY(refresher.states().value(0).stapled);
    QVERIFY(*proxy.contexts()->staple(leaf) != *first);
    served = sClientStatus(proxy.port());
    QVERIFY2(served.contains("Cert Status: good"), served.constData());

    // Past nextUpdate with the responder gone: no staple rather than a stale one.
    m_ocsp.stop();
    offset = 25 * 3600;
    refresher.checkNow();
    QVERIFY(!refresher.states().value(0).stapled);
    QTRY_COMPARE_WITH_TIMEOUT(refresher.states().value(0).fetches, 3, 20000);
    QTRY_VERIFY(refresher.states().value(0).status.contains(QLatin1String("unreachable")));
    QVERIFY(!proxy.contexts()->staple(leaf));
    QVERIFY(sClientStatus(proxy.port()).contains("OCSP response: no response sent"));
}

QTEST_GUILESS_MAIN(TestProxyOcsp)
#include "test_proxy_ocsp.moc"
