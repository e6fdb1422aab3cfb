// SPDX-License-Identifier: GPL-3.0-or-later
// The Proxy page offscreen: Start with a bad field names it; Start with a
// real certificate serves curl through the proxy and the live statistics
// show the handshake; Stop drains and says so. An inventory endpoint picked
// as the source is served with its key from the vault (the passphrase asked
// once through the vault session), Reload takes its renewed certificate,
// and a wrong passphrase is told and forgotten.
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"
#include "ui/common/VaultSession.h"
#include "ui/proxy/ProxyPage.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;

namespace {

const QByteArray kVaultPassphrase = "proxy page vault";

QByteArray leafPem(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray all = f.readAll();
    return all.left(all.indexOf("-----END CERTIFICATE-----") + 25);
}

} // namespace

class TestProxyPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badFieldIsNamed();
    void startServeShowStatsStop();
    void endpointSourceServedAndReloaded();
    void wrongVaultPassphraseIsToldAndForgotten();

private:
    /// Records `leaf` as the endpoint's newest certificate, its key in the
    /// vault; its id, 0 on failure.
    qint64 recordFor(const TestPki::Leaf& leaf);
    QByteArray servedLeaf(quint16 port);
    QString m_store;
    qint64 m_endpoint = 0;
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

    m_store = m_dir.filePath(QStringLiteral("inventory.sqlite"));
    auto store = inventory::Store::openSqlite(m_store);
    QVERIFY(store);
    inventory::KeyVault vault(**store);
    inventory::ScryptCost cheap;
    cheap.n = std::uint64_t{1} << 12;
    QVERIFY(vault.init(kVaultPassphrase, cheap));
    inventory::Endpoint e;
    e.host = QStringLiteral("localhost");
    auto added = (*store)->endpoints().add(e);
    QVERIFY(added);
    m_endpoint = added->id;
}

qint64 TestProxyPage::recordFor(const TestPki::Leaf& leaf)
{
    QFile keyFile(leaf.key);
    auto store = inventory::Store::openSqlite(m_store);
    auto bundle = crypto::CertificateReader::readFile(leaf.fullchain);
    if (!store || !bundle || !keyFile.open(QIODevice::ReadOnly)) {
        return 0;
    }
    auto key = crypto::PrivateKey::fromPem(keyFile.readAll());
    inventory::KeyVault vault(**store);
    if (!key || !vault.unlock(kVaultPassphrase)) {
        return 0;
    }
    auto keyId = vault.storeKey(*key);
    if (!keyId) {
        return 0;
    }
    inventory::CertificateOrigin origin;
    origin.keyId = *keyId;
    auto id = (*store)->certificates().record(bundle->certificates, origin);
    if (!id ||
        !(*store)->certificates().addVersion(m_endpoint, *id, inventory::VersionState::Deployed)) {
        return 0;
    }
    return *id;
}

QByteArray TestProxyPage::servedLeaf(quint16 port)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("s_client"), QStringLiteral("-connect"),
             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-servername"),
             QStringLiteral("localhost")},
            &out, 30000, {}, "Q\n");
    const qsizetype b = out.indexOf("-----BEGIN CERTIFICATE-----");
    const qsizetype e = out.indexOf("-----END CERTIFICATE-----", b);
    return b < 0 || e < 0 ? QByteArray() : out.mid(b, e - b + 25);
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

void TestProxyPage::endpointSourceServedAndReloaded()
{
    TestPki::LeafSpec s;
    s.name = QStringLiteral("stored-one");
    const TestPki::Leaf one = m_pki.issue(s);
    s.name = QStringLiteral("stored-two");
    const TestPki::Leaf two = m_pki.issue(s);
    QVERIFY(!one.name.isEmpty() && !two.name.isEmpty());
    QVERIFY(recordFor(one) > 0);

    ProxyPage page;
    VaultSession vault(m_store, &page);
    int asked = 0;
    vault.setPrompt([&asked](bool initialize, std::function<void(const QByteArray&)> answer) {
        ++asked;
        QVERIFY(!initialize);
        answer(kVaultPassphrase);
    });
    page.setInventory(m_store, &vault);
    page.setListen(QStringLiteral("127.0.0.1:0"));
    page.setBackend(QStringLiteral("127.0.0.1:%1").arg(m_backend.port()));
    QSignalSpy loaded(&page, &ProxyPage::endpointsLoaded);
    page.show();
    QVERIFY(loaded.wait(15000));
    QCOMPARE(loaded.first().at(0).toInt(), 1);
    auto* combo = page.findChild<QComboBox*>(QStringLiteral("proxyEndpoint"));
    QVERIFY2(combo->currentText().startsWith(QLatin1String("localhost:443")),
             qPrintable(combo->currentText()));
    page.findChild<QPushButton*>(QStringLiteral("proxyAddEndpoint"))->click();
    auto* certs = page.findChild<QListWidget*>(QStringLiteral("proxyCertificates"));
    QCOMPARE(certs->count(), 1);
    QCOMPARE(certs->item(0)->text(), QStringLiteral("Endpoint localhost:443"));

    QSignalSpy started(&page, &ProxyPage::started);
    page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->click();
    QVERIFY(started.wait(20000));
    QVERIFY2(started.first().at(0).toBool(), qPrintable(started.first().at(1).toString()));
    QCOMPARE(asked, 1);
    const QString status = page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text();
    const auto port = static_cast<quint16>(status.section(u':', 1, 1).section(u',', 0, 0).toUInt());
    QVERIFY2(port > 0, qPrintable(status));
    QCOMPARE(servedLeaf(port), leafPem(one.cert));

    // Renewed in the inventory: Reload serves it, without asking again.
    const qint64 twoId = recordFor(two);
    QVERIFY(twoId > 0);
    QSignalSpy reloaded(&page, &ProxyPage::reloaded);
    page.findChild<QPushButton*>(QStringLiteral("proxyReload"))->click();
    QVERIFY(reloaded.wait(20000));
    QVERIFY2(reloaded.first().at(0).toBool(), qPrintable(reloaded.first().at(1).toString()));
    QCOMPARE(servedLeaf(port), leafPem(two.cert));
    QCOMPARE(asked, 1);

    // Revoked meanwhile: the reload is refused and the running one stays.
    {
        auto store = inventory::Store::openSqlite(m_store);
        QVERIFY(store);
        inventory::CertificateRevocation why;
        why.atUtc = QDateTime::currentDateTimeUtc();
        why.reason = QStringLiteral("keyCompromise");
        QVERIFY((*store)->certificates().markRevoked(twoId, why));
    }
    reloaded.clear();
    page.findChild<QPushButton*>(QStringLiteral("proxyReload"))->click();
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(reloaded.first().at(0).toBool(), false);
    const QString refused = page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text();
    QVERIFY2(refused.startsWith(QLatin1String("Problem: reload failed, still serving the previous "
                                              "certificates: --cert endpoint:")) &&
                 refused.contains(QLatin1String("is revoked on")),
             qPrintable(refused));
    QCOMPARE(servedLeaf(port), leafPem(two.cert));
    QVERIFY(page.findChild<QPushButton*>(QStringLiteral("proxyStop"))->isEnabled());

    QSignalSpy stopped(&page, &ProxyPage::stopped);
    page.findChild<QPushButton*>(QStringLiteral("proxyStop"))->click();
    QVERIFY(stopped.wait(30000));
}

void TestProxyPage::wrongVaultPassphraseIsToldAndForgotten()
{
    ProxyPage page;
    VaultSession vault(m_store, &page);
    vault.setPrompt([](bool, std::function<void(const QByteArray&)> answer) {
        answer(QByteArrayLiteral("not the passphrase"));
    });
    page.setInventory(m_store, &vault);
    page.setListen(QStringLiteral("127.0.0.1:0"));
    page.setBackend(QStringLiteral("127.0.0.1:%1").arg(m_backend.port()));
    QSignalSpy loaded(&page, &ProxyPage::endpointsLoaded);
    page.show();
    QVERIFY(loaded.wait(15000));
    page.findChild<QPushButton*>(QStringLiteral("proxyAddEndpoint"))->click();
    QSignalSpy started(&page, &ProxyPage::started);
    page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->click();
    QVERIFY(started.wait(20000));
    QCOMPARE(started.first().at(0).toBool(), false);
    const QString status = page.findChild<QLabel*>(QStringLiteral("proxyStatus"))->text();
    QVERIFY2(status.startsWith(QLatin1String("Problem: the key vault: wrong master passphrase")),
             qPrintable(status));
    QVERIFY(!vault.isHeld());
    QVERIFY(!page.isRunning());
    QVERIFY(page.findChild<QPushButton*>(QStringLiteral("proxyStart"))->isEnabled());
}

QTEST_MAIN(TestProxyPage)
#include "test_proxypage.moc"
