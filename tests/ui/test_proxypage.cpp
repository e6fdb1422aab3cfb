// SPDX-License-Identifier: GPL-3.0-or-later
// The Proxy page offscreen: Start with a bad field names it; Start with a
// real certificate serves curl through the proxy and the live statistics
// show the handshake; Stop drains and says so.
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "ui/proxy/ProxyPage.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;

class TestProxyPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badFieldIsNamed();
    void startServeShowStatsStop();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_leaf;
    TestBackend m_backend;
};

void TestProxyPage::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("page");
    m_leaf = m_pki.issue(s);
    QVERIFY2(!m_leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    QVERIFY(m_backend.start());
}

void TestProxyPage::badFieldIsNamed()
{
    ProxyPage page;
    page.show();
    page.setListen(QStringLiteral("127.0.0.1:0"));
    page.setBackend(QStringLiteral("backend.example:80"));
    page.setCertificateFiles({m_leaf.fullchain + u',' + m_leaf.key});
    QSignalSpy started(&page, &ProxyPage::started);
    page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->click();
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.first().at(0).toBool(), false);
    const QString status = page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text();
    QVERIFY2(status.startsWith(QLatin1String("Problem: Backend:")), qPrintable(status));
    QVERIFY(!page.isRunning());
}

void TestProxyPage::startServeShowStatsStop()
{
    ProxyPage page;
    page.show();
    page.setListen(QStringLiteral("127.0.0.1:0"));
    page.setBackend(QStringLiteral("127.0.0.1:%1").arg(m_backend.port()));
    page.setCertificateFiles({m_leaf.fullchain + u',' + m_leaf.key});
    QSignalSpy started(&page, &ProxyPage::started);
    page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->click();
    QVERIFY(started.wait(15000));
    QVERIFY2(started.first().at(0).toBool(), qPrintable(started.first().at(1).toString()));
    const QString status = page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text();
    const QString port = status.section(u':', 1, 1).section(u',', 0, 0);
    QVERIFY2(port.toUInt() > 0, qPrintable(status));
    QVERIFY(page.findChild<QLabel*>(QStringLiteral("proxyHardware"))
                ->text()
                .contains(QLatin1String("kernel TLS")));
    QVERIFY(!page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->isEnabled());

    QByteArray out;
    QCOMPARE(
        runTool(QStringLiteral("curl"),
                {QStringLiteral("-sSk"), QStringLiteral("https://127.0.0.1:%1/page").arg(port)},
                &out),
        0);
    QVERIFY(out.contains("GET /page"));
    QTRY_COMPARE_WITH_TIMEOUT(page.findChild<QLabel*>(QStringLiteral("statHandshakes"))->text(),
                              QStringLiteral("1 / 0"), 10000);
    QVERIFY(page.findChild<QLabel*>(QStringLiteral("statSuites"))
                ->text()
                .contains(QLatin1String("TLS_AES_")));
    QCOMPARE(page.findChild<QLabel*>(QStringLiteral("statErrors"))->text(), QStringLiteral("none"));

    QSignalSpy stopped(&page, &ProxyPage::stopped);
    page.findChild<QPushButton*>(QStringLiteral("proxyStop"))->click();
    QVERIFY(stopped.wait(30000));
    QCOMPARE(page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text(),
             QStringLiteral("Stopped."));
    QVERIFY(!page.isRunning());
    QVERIFY(!tcpPortAnswers(static_cast<quint16>(port.toUInt())));
}

QTEST_MAIN(TestProxyPage)
#include "test_proxypage.moc"
