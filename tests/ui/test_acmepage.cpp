// SPDX-License-Identifier: GPL-3.0-or-later
// The ACME page offscreen against a real Pebble: an account made through the
// New account dialog (the CA's terms linked from its directory) is listed
// with its status, contact and key thumbprint; an order through the order
// dialog shows each authorization moving from pending through "challenge
// published" and "processing" to valid, and the certificate lands in the
// inventory and the chosen folder; a responder port that is taken and a
// challenge the CA cannot reach each show their reason in the rows; a wrong
// master passphrase is told and forgotten; roll-over and deactivation
// update the list.
#include "PebbleFixture.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"
#include "ui/acme/AcmeAccountDialog.h"
#include "ui/acme/AcmeOrderDialog.h"
#include "ui/acme/AcmePage.h"
#include "ui/common/VaultSession.h"
#include "ui/fleet/EndpointDetail.h"
#include "ui/fleet/FleetModel.h"
#include "ui/fleet/FleetPage.h"
#include "ui/shell/MainWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableWidget>
#include <QTcpServer>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;

namespace {

const QByteArray kPassphrase = "correct horse battery staple";

QString cell(const QTableWidget* t, int row, const QString& header)
{
    for (int c = 0; c < t->columnCount(); ++c) {
        if (t->horizontalHeaderItem(c)->text() == header) {
            return t->item(row, c) != nullptr ? t->item(row, c)->text() : QString();
        }
    }
    return {};
}

} // namespace

class TestAcmePage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void createAccountThroughTheDialog();
    void orderShowsEveryAuthorizationLive();
    void orderForAnEndpointShowsInTheFleet();
    void takenResponderPortIsToldPerName();
    void unreachableChallengeIsToldPerName();
    void badOrderInputIsRefused();
    void wrongPassphraseIsToldAndForgotten();
    void rolloverAndDeactivate();
    void cleanupTestCase();

private:
    std::unique_ptr<AcmePage> makePage(const QByteArray& passphrase = kPassphrase);
    AcmeOrderDialog* orderDialog(AcmePage& page, const QString& names, quint16 port);
    std::unique_ptr<PebbleFixture> m_pebble;
    FixtureDir m_dir;
    QString m_store;
};

void TestAcmePage::initTestCase()
{
    m_pebble = std::make_unique<PebbleFixture>();
    PebbleFixture::Options opt;
    opt.authzReusePercent = 0;
    QVERIFY2(m_pebble->start(opt), qPrintable(m_pebble->errorString()));
    m_store = m_dir.filePath(QStringLiteral("inventory.sqlite"));
}

void TestAcmePage::cleanupTestCase()
{
    m_pebble.reset();
}

std::unique_ptr<AcmePage> TestAcmePage::makePage(const QByteArray& passphrase)
{
    auto page = std::make_unique<AcmePage>(m_store);
    page->vaultSession()->setPrompt(
        [passphrase](bool, std::function<void(const QByteArray&)> answer) { answer(passphrase); });
    page->resize(1100, 600);
    page->show();
    return page;
}

void TestAcmePage::createAccountThroughTheDialog()
{
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(page->accountsTable()->rowCount(), 0);
    QVERIFY2(page->statusText().contains(QLatin1String("No ACME account yet")),
             qPrintable(page->statusText()));

    AcmeAccountDialog* d = page->openNewAccountDialog();
    QVERIFY(d->isVisible());
    QSignalSpy read(d, &AcmeAccountDialog::directoryRead);
    d->trustFileEdit()->setText(m_pebble->caFile());
    d->directoryEdit()->setText(m_pebble->directoryUrl());
    d->contactEdit()->setText(QStringLiteral("ops@example.test"));
    // Without agreeing to the terms nothing can be created.
    QVERIFY(!d->createButton()->isEnabled());
    QVERIFY(read.wait(20000));
    QCOMPARE(read.last().first().toBool(), true);
    QVERIFY2(d->termsText().contains(QLatin1String("Terms of service: <a href=")),
             qPrintable(d->termsText()));
    // A half-given external account binding is refused in words.
    d->eabKidEdit()->setText(QStringLiteral("kid-1"));
    d->agreeBox()->setChecked(true);
    QVERIFY(!d->createButton()->isEnabled());
    d->eabKidEdit()->clear();
    QVERIFY(d->createButton()->isEnabled());

    QSignalSpy done(page.get(), &AcmePage::accountActionFinished);
    QTest::mouseClick(d->createButton(), Qt::LeftButton);
    QVERIFY(done.wait(60000));
    QVERIFY2(done.last().at(0).toBool(), qPrintable(done.last().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(page->accountsTable()->rowCount(), 1, 20000);
    const QTableWidget* t = page->accountsTable();
    const QString name = QStringLiteral("127.0.0.1:%1").arg(m_pebble->acmePort());
    QCOMPARE(cell(t, 0, QStringLiteral("Name")), name);
    QCOMPARE(cell(t, 0, QStringLiteral("CA directory")), m_pebble->directoryUrl());
    QCOMPARE(cell(t, 0, QStringLiteral("Status")), QStringLiteral("valid"));
    QCOMPARE(cell(t, 0, QStringLiteral("Contact")), QStringLiteral("ops@example.test"));
    QVERIFY2(cell(t, 0, QStringLiteral("Account key")).startsWith(QStringLiteral("ES256 · ")),
             qPrintable(cell(t, 0, QStringLiteral("Account key"))));
    QCOMPARE(cell(t, 0, QStringLiteral("Account key")).size(), 8 + 43);

    // The store holds the account, its key only as vault ciphertext.
    auto store = inventory::Store::openUrl(m_store);
    QVERIFY(store);
    auto issuers = (*store)->issuers().list();
    QVERIFY(issuers && issuers->size() == 1);
    QVERIFY(issuers->constFirst().accountUrl.startsWith(QLatin1String("https://127.0.0.1")));
    QVERIFY(issuers->constFirst().accountKeyId.has_value());
    auto key = (*store)->keys().get(*issuers->constFirst().accountKeyId);
    QVERIFY(key && !key->encrypted.isEmpty());
}

AcmeOrderDialog* TestAcmePage::orderDialog(AcmePage& page, const QString& names, quint16 port)
{
    AcmeOrderDialog* d = page.openOrderDialog();
    d->namesEdit()->setPlainText(names);
    d->setChallenge(AcmeOrderDialog::Challenge::Http01Responder);
    d->responderEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(port));
    return d;
}

void TestAcmePage::orderShowsEveryAuthorizationLive()
{
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    AcmeOrderDialog* d = orderDialog(*page,
                                     QStringLiteral("www.example.test\napi.example.test\n"
                                                    "127.0.0.1\n"),
                                     m_pebble->httpPort());
    const QString folder = m_dir.filePath(QStringLiteral("issued"));
    d->outputFolderEdit()->setText(folder);
    // Every state each row passes through, as the admin would have seen it.
    QHash<int, QStringList> seen;
    connect(d->authorizations()->model(), &QAbstractItemModel::dataChanged, d,
            [d, &seen](const QModelIndex& topLeft) {
                if (topLeft.column() != 2) {
                    return;
                }
                const QString text = d->authorizations()->item(topLeft.row(), 2)->text();
                QStringList& states = seen[topLeft.row()];
                if (states.isEmpty() || states.constLast() != text) {
                    states << text;
                }
            });
    QSignalSpy finished(d, &AcmeOrderDialog::orderFinished);
    QVERIFY(d->start());
    QVERIFY(finished.wait(120000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(d->authorizations()->rowCount(), 3);
    for (const QString& id :
         {QStringLiteral("dns:www.example.test"), QStringLiteral("dns:api.example.test"),
          QStringLiteral("ip:127.0.0.1")}) {
        QCOMPARE(d->rowState(id), QStringLiteral("valid"));
    }
    // waiting -> publishing -> published -> (processing, when the CA is not
    // done at the first poll) -> valid, in that order, for every row.
    QCOMPARE(seen.size(), 3);
    for (const QStringList& states : std::as_const(seen)) {
        QStringList core = states;
        core.removeAll(QStringLiteral("processing: the CA is checking"));
        QVERIFY2(core == (QStringList{
                             QStringLiteral("waiting"), QStringLiteral("publishing the challenge"),
                             QStringLiteral("challenge published"), QStringLiteral("valid")}),
                 qPrintable(states.join(u'|')));
    }

    // Where the dialog says it went: the inventory and the folder.
    const services::IssuedRecord stored = d->stored();
    QVERIFY2(d->resultText().contains(QStringLiteral("certificate #%1").arg(stored.certificateId)),
             qPrintable(d->resultText()));
    QVERIFY(d->resultText().contains(folder));
    QVERIFY(d->openButton()->isEnabled());
    auto store = inventory::Store::openUrl(m_store);
    QVERIFY(store);
    auto record = (*store)->certificates().get(stored.certificateId);
    QVERIFY(record);
    QCOMPARE(QSet<QString>(record->sans.cbegin(), record->sans.cend()),
             (QSet<QString>{QStringLiteral("www.example.test"), QStringLiteral("api.example.test"),
                            QStringLiteral("127.0.0.1")}));
    QCOMPARE(record->keyId, std::optional<qint64>(stored.keyId));
    auto files = crypto::CertificateReader::readFile(folder + QStringLiteral("/fullchain.pem"));
    QVERIFY(files && !files->certificates.isEmpty());
    QCOMPARE(files->certificates.constFirst().toDer(), record->der);
    QCOMPARE(QFile(folder + QStringLiteral("/privkey.pem")).permissions() & 0x0077,
             QFile::Permissions());
}

void TestAcmePage::orderForAnEndpointShowsInTheFleet()
{
    // The console as a whole: the order is opened from the endpoint's
    // detail in Fleet, and the Fleet row shows the new certificate's
    // expiry when the order ends, without a Reload.
    qint64 endpointId = 0;
    {
        auto store = inventory::Store::openUrl(m_store);
        QVERIFY(store);
        inventory::Endpoint e;
        e.host = QStringLiteral("fleet.example.test");
        auto added = (*store)->endpoints().add(e);
        QVERIFY2(added, qPrintable(added ? QString() : added.error().toString()));
        endpointId = added->id;
    }
    MainWindow w(m_store);
    w.resize(1400, 900);
    auto* fleet = w.findChild<FleetPage*>();
    auto* acme = w.findChild<AcmePage*>();
    QVERIFY(fleet != nullptr && acme != nullptr);
    acme->vaultSession()->setPrompt(
        [](bool, std::function<void(const QByteArray&)> answer) { answer(kPassphrase); });
    QSignalSpy accounts(acme, &AcmePage::accountsLoaded);
    QSignalSpy reloaded(fleet, &FleetPage::reloaded);
    w.show();
    QVERIFY(reloaded.wait(20000));
    QVERIFY(accounts.count() > 0 || accounts.wait(20000));
    const auto row = [fleet, endpointId](int col) {
        const QModelIndexList hit = fleet->proxy()->match(
            fleet->proxy()->index(0, 0), FleetModel::IdRole, endpointId, 1, Qt::MatchExactly);
        return hit.isEmpty() ? QString() : hit.first().siblingAtColumn(col).data().toString();
    };
    QCOMPARE(row(FleetModel::Status), QStringLiteral("NO CERTIFICATE"));

    QSignalSpy detailLoaded(fleet->detail(), &EndpointDetail::loaded);
    QVERIFY(fleet->selectEndpoint(endpointId));
    QVERIFY(detailLoaded.wait(20000));
    auto* order = fleet->detail()->findChild<QPushButton*>(QStringLiteral("detailOrder"));
    QVERIFY(order != nullptr && order->isEnabled());
    QTest::mouseClick(order, Qt::LeftButton);
    QCOMPARE(w.currentPageTitle(), QStringLiteral("ACME"));
    auto* d = acme->findChild<AcmeOrderDialog*>();
    QVERIFY(d != nullptr);
    QCOMPARE(d->endpointId(), endpointId);
    // The endpoint's name is put in as the name to order.
    QTRY_COMPARE_WITH_TIMEOUT(d->namesEdit()->toPlainText(), QStringLiteral("fleet.example.test"),
                              20000);
    QVERIFY2(d->endpointBox()->currentText().startsWith(QLatin1String("fleet.example.test:443")),
             qPrintable(d->endpointBox()->currentText()));
    d->setChallenge(AcmeOrderDialog::Challenge::Http01Responder);
    d->responderEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(m_pebble->httpPort()));
    QSignalSpy finished(d, &AcmeOrderDialog::orderFinished);
    reloaded.clear();
    QVERIFY(d->start());
    QVERIFY(finished.wait(120000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QVERIFY2(
        d->resultText().contains(QLatin1String("current certificate of fleet.example.test:443")),
        qPrintable(d->resultText()));
    const services::IssuedRecord stored = d->stored();
    QCOMPARE(stored.endpointId, std::optional<qint64>(endpointId));
    const QString expiry = stored.notAfterUtc.toUTC().toString(QStringLiteral("yyyy-MM-dd"));
    QTRY_VERIFY2_WITH_TIMEOUT(row(FleetModel::Expires).startsWith(expiry),
                              qPrintable(row(FleetModel::Expires)), 20000);
    QCOMPARE(row(FleetModel::Status), QStringLiteral("OK"));
    // The detail beside it was re-read too: the new certificate, issued.
    QTRY_VERIFY_WITH_TIMEOUT(
        fleet->detail()->summaryText().contains(QLatin1String("not seen served yet")), 20000);
    QVERIFY2(fleet->detail()->summaryText().contains(QLatin1String("acme")),
             qPrintable(fleet->detail()->summaryText()));
    d->close();
}

void TestAcmePage::takenResponderPortIsToldPerName()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost));
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    AcmeOrderDialog* d =
        orderDialog(*page, QStringLiteral("taken.example.test"), squatter.serverPort());
    QSignalSpy finished(d, &AcmeOrderDialog::orderFinished);
    QVERIFY(d->start());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last().at(0).toBool(), false);
    const QString state = d->rowState(QStringLiteral("dns:taken.example.test"));
    QVERIFY2(state.startsWith(QLatin1String("not proved: the HTTP-01 responder cannot listen on "
                                            "127.0.0.1 port")),
             qPrintable(state));
    QVERIFY(d->resultText().startsWith(QLatin1String("Error: ")));
    // The operating system's reason is part of the words.
    QVERIFY2(state.contains(QLatin1String("in use"), Qt::CaseInsensitive), qPrintable(state));
}

void TestAcmePage::unreachableChallengeIsToldPerName()
{
    // The responder listens, but not where Pebble connects: the CA's
    // validation fails and its reason is shown in the row.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 elsewhere = probe.serverPort();
    probe.close();
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    AcmeOrderDialog* d = orderDialog(
        *page, QStringLiteral("unreachable.example.test\nnever.example.test"), elsewhere);
    QSignalSpy finished(d, &AcmeOrderDialog::orderFinished);
    QVERIFY(d->start());
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.last().at(0).toBool(), false);
    // Names are proved one after the other: the first the CA checks fails
    // with its reason; the other says it was not attempted, and why.
    QStringList states{d->rowState(QStringLiteral("dns:unreachable.example.test")),
                       d->rowState(QStringLiteral("dns:never.example.test"))};
    std::sort(states.begin(), states.end());
    QVERIFY2(states.at(0).startsWith(QLatin1String("invalid: ")), qPrintable(states.at(0)));
    QVERIFY2(states.at(0).contains(QLatin1String("refused"), Qt::CaseInsensitive),
             qPrintable(states.at(0)));
    QVERIFY2(states.at(1).startsWith(QLatin1String("not attempted: the order stopped when ")),
             qPrintable(states.at(1)));
}

void TestAcmePage::badOrderInputIsRefused()
{
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    AcmeOrderDialog* d = orderDialog(*page, QStringLiteral("*.example.test"), 80);
    QVERIFY(!d->start());
    QVERIFY2(d->problemText().contains(QLatin1String("only DNS-01 can prove it")),
             qPrintable(d->problemText()));
    d->namesEdit()->setPlainText(QStringLiteral("ok.example.test"));
    d->responderEdit()->setText(QStringLiteral("127.0.0.1:99999"));
    QVERIFY(!d->start());
    QVERIFY2(d->problemText().contains(
                 QLatin1String("\"127.0.0.1:99999\": port 99999 is out of range (1-65535)")),
             qPrintable(d->problemText()));
    d->setChallenge(AcmeOrderDialog::Challenge::Dns01);
    d->namesEdit()->setPlainText(QStringLiteral("192.0.2.1"));
    QVERIFY(!d->start());
    QVERIFY2(d->problemText().contains(QLatin1String("DNS-01 cannot prove it")),
             qPrintable(d->problemText()));
    QCOMPARE(d->authorizations()->rowCount(), 0);
    QVERIFY(!d->isRunning());
}

void TestAcmePage::wrongPassphraseIsToldAndForgotten()
{
    auto page = makePage("not the passphrase");
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    QSignalSpy done(page.get(), &AcmePage::accountActionFinished);
    page->refreshSelected();
    QVERIFY(done.wait(60000));
    QCOMPARE(done.last().at(0).toBool(), false);
    QVERIFY2(page->statusText().contains(QLatin1String("wrong master passphrase")),
             qPrintable(page->statusText()));
    QVERIFY(!page->vaultSession()->isHeld());
    QCOMPARE(cell(page->accountsTable(), 0, QStringLiteral("Status")), QStringLiteral("valid"));
}

void TestAcmePage::rolloverAndDeactivate()
{
    auto page = makePage();
    QSignalSpy loaded(page.get(), &AcmePage::accountsLoaded);
    QVERIFY(loaded.wait(20000));
    const QString before = cell(page->accountsTable(), 0, QStringLiteral("Account key"));
    QSignalSpy done(page.get(), &AcmePage::accountActionFinished);
    page->rolloverSelected();
    QVERIFY(done.wait(60000));
    QVERIFY2(done.last().at(0).toBool(), qPrintable(done.last().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(page->accountsTable(), 0, QStringLiteral("Account key")) != before, 20000);

    QStringList asked;
    page->setConfirm([&asked](const QString& q) {
        asked << q;
        return false;
    });
    page->deactivateSelected();
    QCOMPARE(asked.size(), 1);
    QVERIFY(asked.first().contains(QLatin1String("cannot be undone")));
    QVERIFY(!page->isRunning());
    page->setConfirm([](const QString&) { return true; });
    page->deactivateSelected();
    QVERIFY(done.wait(60000));
    QVERIFY2(done.last().at(0).toBool(), qPrintable(done.last().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(cell(page->accountsTable(), 0, QStringLiteral("Status")),
                              QStringLiteral("deactivated"), 20000);
    QVERIFY(!page->findChild<QPushButton*>(QStringLiteral("acmeNewOrder"))->isEnabled());
    // The outcome stays in the status line once the list is re-read.
    QVERIFY2(page->statusText().contains(QLatin1String("done")), qPrintable(page->statusText()));
}

QTEST_MAIN(TestAcmePage)
#include "test_acmepage.moc"
