// SPDX-License-Identifier: GPL-3.0-or-later
// The endpoint dialog offers the inventory's trust bundles (read off the GUI
// thread), shows the one an endpoint has, and hands the choice back; "the
// group's bundle, else the system store" clears it.
#include "TestPki.h"
#include "inventory/Store.h"
#include "ui/fleet/EndpointDialog.h"

#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::ui;

class TestEndpointDialog : public QObject
{
    Q_OBJECT
private slots:
    void offersAndReturnsTheTrustBundle();
};

void TestEndpointDialog::offersAndReturnsTheTrustBundle()
{
    QTemporaryDir dir;
    test::TestPki pki;
    QVERIFY2(pki.create(dir.path(), {}), qPrintable(pki.errorString()));
    QFile root(pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    const QString db = dir.filePath(QStringLiteral("store.sqlite"));
    qint64 internal = 0;
    {
        auto store = inventory::Store::openSqlite(db);
        QVERIFY(store);
        auto a = (*store)->trustBundles().add(QStringLiteral("internal-ca"), root.readAll());
        QVERIFY(a);
        internal = a->id;
    }
    inventory::Endpoint e;
    e.id = 5;
    e.host = QStringLiteral("api.internal");
    e.trustBundleId = internal;
    EndpointDialog dialog(e, db);
    auto* trust = dialog.findChild<QComboBox*>(QStringLiteral("trustBundle"));
    QVERIFY(trust != nullptr);
    // Named once the list has been read.
    QTRY_VERIFY_WITH_TIMEOUT(trust->currentText().startsWith(QLatin1String("internal-ca")), 10000);
    QCOMPARE(dialog.endpoint().trustBundleId, std::optional<qint64>(internal));
    trust->setCurrentIndex(0);
    QVERIFY(!dialog.endpoint().trustBundleId.has_value());
}

QTEST_MAIN(TestEndpointDialog)
#include "test_endpointdialog.moc"
