// SPDX-License-Identifier: GPL-3.0-or-later
// The Fleet page's endpoint detail offscreen on a real SQLite store seeded
// with certificates from the test PKI: selecting a row shows that endpoint's
// chain cards, last probe (served versus recorded per node), deploy target,
// history and audit entries; selecting another replaces all of it; attaching
// a certificate file makes the Fleet row show its expiry; a certificate for
// another name is refused with the reason and writes nothing; the
// Certificates page's Stored list filters and says where each certificate
// and key is used.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "inventory/Store.h"
#include "ui/certificates/CertificatesPage.h"
#include "ui/certificates/ChainCard.h"
#include "ui/certificates/ChainView.h"
#include "ui/certificates/StoredList.h"
#include "ui/fleet/EndpointDetail.h"
#include "ui/fleet/EndpointDialog.h"
#include "ui/fleet/FleetModel.h"
#include "ui/fleet/FleetPage.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

using namespace certdeck;
using namespace certdeck::test;
using namespace certdeck::ui;
using namespace certdeck::inventory;

namespace {

QList<crypto::Certificate> readChain(const QString& path)
{
    auto bundle = crypto::CertificateReader::readFile(path);
    return bundle ? bundle->certificates : QList<crypto::Certificate>();
}

// Every text the detail shows: labels, table cells, chain cards.
QStringList shownTexts(const EndpointDetail& detail)
{
    QStringList out;
    for (const QLabel* l : detail.findChildren<QLabel*>()) {
        out << l->text();
    }
    for (const QTableWidget* t : detail.findChildren<QTableWidget*>()) {
        for (int r = 0; r < t->rowCount(); ++r) {
            for (int c = 0; c < t->columnCount(); ++c) {
                if (const QTableWidgetItem* item = t->item(r, c)) {
                    out << item->text();
                }
            }
        }
    }
    return out;
}

QStringList cardTexts(const ChainView* view)
{
    QStringList out;
    for (const ChainCard* card : view->cards()) {
        QStringList texts;
        for (const QLabel* l : card->findChildren<QLabel*>()) {
            texts << l->text();
        }
        out << texts.join(u' ');
    }
    return out;
}

QString column(const QTableWidget* t, int col)
{
    QStringList out;
    for (int r = 0; r < t->rowCount(); ++r) {
        out << (t->item(r, col) != nullptr ? t->item(r, col)->text() : QString());
    }
    return out.join(u'|');
}

QString fleetCell(const FleetPage& page, qint64 id, int col)
{
    const QModelIndexList hit =
        page.proxy()->match(page.proxy()->index(0, 0), FleetModel::IdRole, id, 1, Qt::MatchExactly);
    return hit.isEmpty() ? QString() : hit.first().siblingAtColumn(col).data().toString();
}

} // namespace

class TestEndpointDetail : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void selectingShowsTheEndpointAndAnotherReplacesIt();
    void enterOpensTheDetailNotEdit();
    void attachFileShowsTheNewExpiryInTheFleet();
    void attachForAnotherNameIsRefusedAndWritesNothing();
    void storedListFiltersAndShowsUsage();

private:
    bool waitForDetail(FleetPage& page, qint64 id, bool chain);
    FixtureDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_bee, m_later, m_elsewhere;
    QString m_db;
    qint64 m_a = 0, m_b = 0, m_c = 0;
    qint64 m_goodId = 0, m_beeId = 0, m_keyId = 0;
    QString m_goodSerial;
};

void TestEndpointDetail::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec bee;
    bee.name = QStringLiteral("bee");
    bee.commonName = QStringLiteral("bee.example.test");
    bee.sans = {QStringLiteral("DNS:bee.example.test")};
    m_bee = m_pki.issue(bee);
    TestPki::LeafSpec later;
    later.name = QStringLiteral("later");
    later.notAfter = QDateTime::currentDateTimeUtc().addDays(200);
    m_later = m_pki.issue(later);
    TestPki::LeafSpec elsewhere;
    elsewhere.name = QStringLiteral("elsewhere");
    elsewhere.commonName = QStringLiteral("api.elsewhere.test");
    elsewhere.sans = {QStringLiteral("DNS:api.elsewhere.test")};
    m_elsewhere = m_pki.issue(elsewhere);
    QVERIFY(!m_bee.name.isEmpty() && !m_later.name.isEmpty() && !m_elsewhere.name.isEmpty());

    m_db = m_dir.filePath(QStringLiteral("detail.sqlite"));
    auto opened = Store::openUrl(m_db);
    QVERIFY2(opened.has_value(), qPrintable(opened ? QString() : opened.error().toString()));
    Store& s = **opened;
    QFile root(m_pki.rootCert);
    QVERIFY(root.open(QIODevice::ReadOnly));
    auto bundle = s.trustBundles().add(QStringLiteral("test-root"), root.readAll());
    QVERIFY2(bundle.has_value(), qPrintable(bundle ? QString() : bundle.error().toString()));

    DeployTarget target;
    target.sshHost = QStringLiteral("web1.internal");
    target.sshUser = QStringLiteral("deploy");
    target.fullchainPath = QStringLiteral("/etc/nginx/tls/localhost.pem");
    target.keyPath = QStringLiteral("/etc/nginx/tls/localhost.key");
    target.reloadCommand = QStringLiteral("systemctl reload nginx");
    auto t = s.endpoints().addDeployTarget(target);
    QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().toString()));

    // A: localhost:8443, trusted through the test root, deployed, probed.
    Endpoint a;
    a.host = QStringLiteral("localhost");
    a.port = 8443;
    a.group = QStringLiteral("web");
    a.trustBundleId = bundle->id;
    a.deployTargetId = t->id;
    m_a = s.endpoints().add(a)->id;
    const QList<crypto::Certificate> goodChain = readChain(m_pki.good.fullchain);
    QCOMPARE(goodChain.size(), 2);
    m_goodSerial = goodChain.first().serialHex();
    auto goodId = s.certificates().record(goodChain, {CertificateSource::Imported, {}, {}});
    QVERIFY2(goodId.has_value(), qPrintable(goodId ? QString() : goodId.error().toString()));
    m_goodId = *goodId;
    QVERIFY(s.certificates().addVersion(m_a, m_goodId, VersionState::Issued).has_value());
    QVERIFY(s.certificates().addVersion(m_a, m_goodId, VersionState::Deployed).has_value());
    const auto stored = s.certificates().get(m_goodId);
    const crypto::Certificate other = readChain(m_pki.expired.cert).first();
    const QJsonObject report{
        {QStringLiteral("served"),
         QJsonArray{
             QJsonObject{{QStringLiteral("address"), QStringLiteral("127.0.0.1")},
                         {QStringLiteral("sha256"), stored->sha256Hex},
                         {QStringLiteral("serial"), stored->serialHex},
                         {QStringLiteral("subject"), stored->subject},
                         {QStringLiteral("notAfter"), stored->notAfterUtc.toString(Qt::ISODate)}},
             QJsonObject{
                 {QStringLiteral("address"), QStringLiteral("127.0.0.2")},
                 {QStringLiteral("sha256"), QStringLiteral("00ff")},
                 {QStringLiteral("serial"), other.serialHex()},
                 {QStringLiteral("subject"), other.subject()},
                 {QStringLiteral("notAfter"), other.notAfter().toUTC().toString(Qt::ISODate)}}}},
        {QStringLiteral("recorded"),
         QJsonObject{{QStringLiteral("certificateId"), m_goodId},
                     {QStringLiteral("sha256"), stored->sha256Hex},
                     {QStringLiteral("serial"), stored->serialHex},
                     {QStringLiteral("notAfter"), stored->notAfterUtc.toString(Qt::ISODate)}}},
        {QStringLiteral("findings"),
         QJsonArray{QJsonObject{
             {QStringLiteral("code"), QStringLiteral("served.differs")},
             {QStringLiteral("severity"), QStringLiteral("warning")},
             {QStringLiteral("title"),
              QStringLiteral("A node serves another certificate than the inventory records")},
             {QStringLiteral("evidence"),
              QStringLiteral("127.0.0.2 serves serial %1").arg(other.serialHex())}}}}};
    ProbeRecord probe;
    probe.endpointId = m_a;
    probe.status = QStringLiteral("warning");
    probe.grade = QStringLiteral("B");
    probe.reportJson = QJsonDocument(report).toJson(QJsonDocument::Compact);
    QVERIFY(s.probes().add(probe).has_value());

    // B: bee.example.test, its certificate's key in the vault's table.
    Endpoint b;
    b.host = QStringLiteral("bee.example.test");
    m_b = s.endpoints().add(b)->id;
    KeyRecord key;
    key.description = QStringLiteral("ECDSA P-256 (bee)");
    key.encrypted = QByteArray(64, 'x');
    auto keyId = s.keys().add(key);
    QVERIFY2(keyId.has_value(), qPrintable(keyId ? QString() : keyId.error().toString()));
    m_keyId = *keyId;
    auto beeId =
        s.certificates().record(readChain(m_bee.fullchain), {CertificateSource::Acme, m_keyId, {}});
    QVERIFY2(beeId.has_value(), qPrintable(beeId ? QString() : beeId.error().toString()));
    m_beeId = *beeId;
    QVERIFY(s.certificates().addVersion(m_b, m_beeId, VersionState::Issued).has_value());

    // C: localhost:9000, no certificate yet.
    Endpoint c;
    c.host = QStringLiteral("localhost");
    c.port = 9000;
    c.trustBundleId = bundle->id;
    m_c = s.endpoints().add(c)->id;
    QVERIFY(m_a != 0 && m_b != 0 && m_c != 0);
}

bool TestEndpointDetail::waitForDetail(FleetPage& page, qint64 id, bool chain)
{
    QSignalSpy loaded(page.detail(), &EndpointDetail::loaded);
    QSignalSpy shown(page.detail(), &EndpointDetail::chainShown);
    if (!page.selectEndpoint(id)) {
        qWarning() << "no row for endpoint" << id;
        return false;
    }
    const auto has = [id](const QSignalSpy& spy) {
        for (const QList<QVariant>& args : spy) {
            if (args.first().toLongLong() == id) {
                return true;
            }
        }
        return false;
    };
    for (int i = 0; i < 5 && !has(loaded); ++i) {
        loaded.wait(20000);
    }
    for (int i = 0; chain && i < 5 && !has(shown); ++i) {
        shown.wait(20000);
    }
    return has(loaded) && (!chain || has(shown));
}

void TestEndpointDetail::selectingShowsTheEndpointAndAnotherReplacesIt()
{
    FleetPage page(m_db);
    page.resize(1400, 800);
    page.show();
    QSignalSpy reloaded(&page, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(20000));
    EndpointDetail* d = page.detail();
    QVERIFY(!d->attachButton()->isEnabled());

    QVERIFY(waitForDetail(page, m_a, true));
    QVERIFY2(d->titleText().startsWith(QStringLiteral("localhost:8443 · web")),
             qPrintable(d->titleText()));
    QVERIFY2(d->summaryText().startsWith(QLatin1String("OK: localhost")),
             qPrintable(d->summaryText()));
    QVERIFY2(d->summaryText().contains(QLatin1String("seen served")), qPrintable(d->summaryText()));
    // The recorded chain, verified against the endpoint's bundle: leaf,
    // intermediate, root, top-down.
    const QStringList cards = cardTexts(d->chainView());
    QCOMPARE(cards.size(), 3);
    QVERIFY2(cards.at(0).contains(QLatin1String("localhost")), qPrintable(cards.at(0)));
    QVERIFY2(cards.at(1).contains(QLatin1String("CertDeck Test Intermediate")),
             qPrintable(cards.at(1)));
    QVERIFY2(cards.at(2).contains(QLatin1String("CertDeck Test Root")), qPrintable(cards.at(2)));
    QVERIFY2(d->chainView()->summaryText().startsWith(QLatin1String("OK")),
             qPrintable(d->chainView()->summaryText()));
    // History: newest first, with who issued it and when it was seen served.
    QCOMPARE(column(d->historyTable(), 1), QStringLiteral("deployed|issued"));
    const QString certificates = column(d->historyTable(), 2);
    QVERIFY2(certificates.contains(m_goodSerial), qPrintable(certificates));
    QVERIFY(certificates.contains(QLatin1String("issued by CertDeck Test Intermediate")));
    QCOMPARE(certificates.count(QStringLiteral("· imported")), 2);
    QCOMPARE(certificates.count(QStringLiteral("seen served 20")), 2);
    // Served versus recorded, per node.
    QVERIFY2(d->probeText().startsWith(QStringLiteral("WARNING · grade B")),
             qPrintable(d->probeText()));
    QCOMPARE(column(d->nodesTable(), 0), QStringLiteral("127.0.0.1|127.0.0.2"));
    QCOMPARE(column(d->nodesTable(), 2), QStringLiteral("SAME|DIFFERS"));
    QVERIFY2(
        d->probeText().contains(QStringLiteral("Recorded then: certificate #%1").arg(m_goodId)),
        qPrintable(d->probeText()));
    QVERIFY2(d->servedFindingsText().contains(QLatin1String("served.differs")),
             qPrintable(d->servedFindingsText()));
    QVERIFY2(d->deployText().contains(QLatin1String("deploy@web1.internal")),
             qPrintable(d->deployText()));
    QVERIFY(d->deployText().contains(QLatin1String("systemctl reload nginx")));
    // Its audit entries, and only its: B's add is not among them.
    const QString actions = column(d->auditTable(), 2);
    QVERIFY2(actions.contains(QLatin1String("endpoint.add")), qPrintable(actions));
    QVERIFY(actions.contains(QLatin1String("certificate.version")));
    QVERIFY(actions.contains(QLatin1String("probe.add")));
    QVERIFY(!column(d->auditTable(), 4).contains(QLatin1String("bee.example.test")));

    QSignalSpy open(&page, &FleetPage::openCertificateRequested);
    QVERIFY(d->openButton()->isEnabled());
    QTest::mouseClick(d->openButton(), Qt::LeftButton);
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toLongLong(), m_goodId);

    // Another endpoint: nothing of the first remains anywhere in the detail.
    QVERIFY(waitForDetail(page, m_b, true));
    QVERIFY2(d->titleText().startsWith(QLatin1String("bee.example.test:443")),
             qPrintable(d->titleText()));
    QTRY_COMPARE(cardTexts(d->chainView()).size(), 2); // untrusted: no anchor card
    QVERIFY(cardTexts(d->chainView()).first().contains(QLatin1String("bee.example.test")));
    for (const QString& text : shownTexts(*d)) {
        QVERIFY2(!text.contains(QLatin1String("localhost")) && !text.contains(m_goodSerial) &&
                     !text.contains(QLatin1String("web1.internal")) &&
                     !text.contains(QLatin1String("127.0.0.2")),
                 qPrintable(text));
    }
    QCOMPARE(column(d->historyTable(), 1), QStringLiteral("issued"));
    QVERIFY2(column(d->historyTable(), 2).endsWith(QStringLiteral("· acme\nnever seen served")),
             qPrintable(column(d->historyTable(), 2)));
    QCOMPARE(d->nodesTable()->rowCount(), 0);
    QVERIFY2(d->probeText().startsWith(QLatin1String("Never probed")), qPrintable(d->probeText()));
    QVERIFY(d->deployText().startsWith(QLatin1String("No deploy target")));
    QVERIFY2(d->summaryText().contains(QLatin1String("not seen served yet")),
             qPrintable(d->summaryText()));

    // Several rows: no endpoint's detail at all.
    page.table()->selectAll();
    QCOMPARE(d->endpointId(), qint64(0));
    QVERIFY2(d->summaryText().contains(QLatin1String("3 endpoints selected")),
             qPrintable(d->summaryText()));
    QCOMPARE(d->historyTable()->rowCount(), 0);
    QTRY_COMPARE(d->chainView()->findChildren<ChainCard*>().size(), 0);
}

void TestEndpointDetail::enterOpensTheDetailNotEdit()
{
    FleetPage page(m_db);
    page.resize(1400, 800);
    page.show();
    QSignalSpy reloaded(&page, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(20000));
    QVERIFY(waitForDetail(page, m_b, false));
    page.table()->setFocus();
    QTest::keyClick(page.table(), Qt::Key_Return);
    QVERIFY(page.findChildren<EndpointDialog*>().isEmpty());
    QCOMPARE(page.detail()->endpointId(), m_b);
    QVERIFY(page.detail()->tabs()->hasFocus());
}

void TestEndpointDetail::attachFileShowsTheNewExpiryInTheFleet()
{
    FleetPage page(m_db);
    page.resize(1400, 800);
    page.show();
    QSignalSpy reloaded(&page, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(fleetCell(page, m_c, FleetModel::Status), QStringLiteral("NO CERTIFICATE"));
    QVERIFY(waitForDetail(page, m_c, false));
    QVERIFY2(page.detail()->summaryText().startsWith(QLatin1String("NO CERTIFICATE")),
             qPrintable(page.detail()->summaryText()));
    QVERIFY(!page.detail()->openButton()->isEnabled());

    QSignalSpy attached(page.detail(), &EndpointDetail::attached);
    page.detail()->attachFile(m_later.fullchain);
    QVERIFY(attached.wait(20000));
    QVERIFY2(attached.first().first().toBool(), qPrintable(attached.first().at(1).toString()));
    const QString expiry =
        readChain(m_later.cert).first().notAfter().toUTC().toString(QStringLiteral("yyyy-MM-dd"));
    QTRY_VERIFY_WITH_TIMEOUT(fleetCell(page, m_c, FleetModel::Expires).startsWith(expiry), 20000);
    QCOMPARE(fleetCell(page, m_c, FleetModel::Status), QStringLiteral("OK"));
    // The detail, still on C, shows it as issued (not deployed) and imported.
    QTRY_COMPARE_WITH_TIMEOUT(column(page.detail()->historyTable(), 1), QStringLiteral("issued"),
                              20000);
    QVERIFY(column(page.detail()->historyTable(), 2).contains(QStringLiteral("· imported\n")));
    QVERIFY2(page.detail()->messageText().contains(QLatin1String("as issued")),
             qPrintable(page.detail()->messageText()));
    QCOMPARE(page.detail()->endpointId(), m_c);

    // A stored certificate attached the same way: good's, over later's.
    attached.clear();
    page.detail()->attachStored(m_goodId);
    QVERIFY(attached.wait(20000));
    QVERIFY2(attached.first().first().toBool(), qPrintable(attached.first().at(1).toString()));
    const QString goodExpiry = readChain(m_pki.good.cert)
                                   .first()
                                   .notAfter()
                                   .toUTC()
                                   .toString(QStringLiteral("yyyy-MM-dd"));
    QTRY_VERIFY_WITH_TIMEOUT(fleetCell(page, m_c, FleetModel::Expires).startsWith(goodExpiry),
                             20000);
    auto store = Store::openUrl(m_db);
    QVERIFY(store);
    auto versions = (*store)->certificates().versions(m_c);
    QCOMPARE(versions->size(), 2);
    QCOMPARE(versions->constLast().state, VersionState::Issued);
    QCOMPARE(versions->constLast().certificateId, m_goodId);
}

void TestEndpointDetail::attachForAnotherNameIsRefusedAndWritesNothing()
{
    auto store = Store::openUrl(m_db);
    QVERIFY(store);
    const qsizetype certificates = (*store)->certificates().list()->size();
    const qsizetype versions = (*store)->certificates().versions(m_a)->size();

    FleetPage page(m_db);
    page.show();
    QSignalSpy reloaded(&page, &FleetPage::reloaded);
    QVERIFY(reloaded.wait(20000));
    QVERIFY(waitForDetail(page, m_a, false));
    QSignalSpy attached(page.detail(), &EndpointDetail::attached);
    page.detail()->attachFile(m_elsewhere.fullchain);
    QVERIFY(attached.wait(20000));
    QCOMPARE(attached.first().first().toBool(), false);
    const QString said = page.detail()->messageText();
    QVERIFY2(said.startsWith(QLatin1String("Not attached: ")), qPrintable(said));
    QVERIFY2(said.contains(QLatin1String("is valid for api.elsewhere.test, not for localhost, the "
                                         "name clients of localhost:8443 ask for")),
             qPrintable(said));
    // A stored one for another name, and a CA certificate, likewise.
    attached.clear();
    page.detail()->attachStored(m_beeId);
    QVERIFY(attached.wait(20000));
    QCOMPARE(attached.first().first().toBool(), false);
    QVERIFY2(page.detail()->messageText().contains(QLatin1String("not for localhost")),
             qPrintable(page.detail()->messageText()));
    const auto intermediate = (*store)->certificates().get(m_goodId)->issuedById;
    QVERIFY(intermediate.has_value());
    attached.clear();
    page.detail()->attachStored(*intermediate);
    QVERIFY(attached.wait(20000));
    QCOMPARE(attached.first().first().toBool(), false);
    QVERIFY2(page.detail()->messageText().contains(QLatin1String("is a CA certificate")),
             qPrintable(page.detail()->messageText()));
    // A file that holds no certificate at all.
    const QString junk = m_dir.filePath(QStringLiteral("junk.pem"));
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("-----BEGIN CERTIFICATE-----\nAAAA\n");
    f.close();
    attached.clear();
    page.detail()->attachFile(junk);
    QVERIFY(attached.wait(20000));
    QCOMPARE(attached.first().first().toBool(), false);
    QVERIFY2(page.detail()->messageText().contains(QLatin1String("junk.pem")),
             qPrintable(page.detail()->messageText()));

    QCOMPARE((*store)->certificates().list()->size(), certificates);
    QCOMPARE((*store)->certificates().versions(m_a)->size(), versions);
    // The row still shows the certificate it had.
    QCOMPARE(fleetCell(page, m_a, FleetModel::Status), QStringLiteral("OK"));
}

void TestEndpointDetail::storedListFiltersAndShowsUsage()
{
    // A key nothing uses is listed too, and said to be unused.
    qint64 orphanId = 0;
    {
        auto store = Store::openUrl(m_db);
        QVERIFY(store);
        auto added = (*store)->keys().add(KeyRecord{0,
                                                    QStringLiteral("left-over key"),
                                                    QByteArray(32, 'o'),
                                                    KeyProtection::MasterPassphrase,
                                                    QByteArray("sealed"),
                                                    QString(),
                                                    {}});
        QVERIFY(added);
        orphanId = *added;
    }
    CertificatesPage page;
    page.resize(1400, 800);
    StoredList* list = page.storedList();
    QSignalSpy reloaded(list, &StoredList::reloaded);
    page.setStoreLocation(m_db);
    QVERIFY(reloaded.wait(20000));
    QVERIFY(reloaded.first().first().toBool());
    const QList<StoredEntry> all = list->visibleEntries();
    const auto find = [&all](StoredEntry::Kind kind, qint64 id) -> const StoredEntry* {
        for (const StoredEntry& e : all) {
            if (e.kind == kind && e.id == id) {
                return &e;
            }
        }
        return nullptr;
    };
    const StoredEntry* good = find(StoredEntry::Kind::Certificate, m_goodId);
    QVERIFY(good != nullptr);
    QVERIFY2(good->usedBy.contains(QStringLiteral("current on localhost:8443")),
             qPrintable(good->usedBy.join(u';')));
    const StoredEntry* key = find(StoredEntry::Kind::Key, m_keyId);
    QVERIFY(key != nullptr);
    QCOMPARE(key->name, QStringLiteral("ECDSA P-256 (bee)"));
    QCOMPARE(key->usedBy,
             QStringList{QStringLiteral("certificate #%1 (bee.example.test)").arg(m_beeId)});
    const StoredEntry* orphan = find(StoredEntry::Kind::Key, orphanId);
    QVERIFY(orphan != nullptr);
    QCOMPARE(orphan->name, QStringLiteral("left-over key"));
    QVERIFY2(orphan->usedBy.join(u';').startsWith(QLatin1String("UNUSED")),
             qPrintable(orphan->usedBy.join(u';')));
    auto store = Store::openUrl(m_db);
    const auto intermediateId = (*store)->certificates().get(m_goodId)->issuedById;
    const StoredEntry* intermediate = find(StoredEntry::Kind::Certificate, *intermediateId);
    QVERIFY(intermediate != nullptr);
    QVERIFY2(intermediate->usedBy.join(u';').contains(QLatin1String("issuer of")),
             qPrintable(intermediate->usedBy.join(u';')));

    list->filterEdit()->setText(QStringLiteral("BEE.example"));
    const QList<StoredEntry> bees = list->visibleEntries();
    QCOMPARE(bees.size(), 2); // the certificate, and the key that names it
    for (const StoredEntry& e : bees) {
        QVERIFY(e.id == m_beeId || e.id == m_keyId);
    }
    list->filterEdit()->setText(QStringLiteral("no such thing"));
    QVERIFY(list->visibleEntries().isEmpty());
    list->filterEdit()->clear();
    QCOMPARE(list->visibleEntries().size(), all.size());

    // Selecting one shows its recorded chain, checked for its endpoint.
    QSignalSpy loaded(&page, &CertificatesPage::loaded);
    QVERIFY(list->selectCertificate(m_beeId));
    QVERIFY(loaded.wait(20000));
    const QStringList cards = cardTexts(page.chainView());
    QCOMPARE(cards.size(), 2);
    QVERIFY2(cards.first().contains(QLatin1String("bee.example.test")), qPrintable(cards.first()));
    QVERIFY2(page.statusText().contains(QStringLiteral("stored certificate #%1").arg(m_beeId)),
             qPrintable(page.statusText()));
    QVERIFY2(page.chainView()->summaryText().contains(QLatin1String("bee.example.test")),
             qPrintable(page.chainView()->summaryText()));
    // One current on an endpoint with its own anchors is verified against
    // them (the system store does not know the test root).
    QVERIFY(list->selectCertificate(m_goodId));
    QVERIFY(loaded.wait(20000));
    QCOMPARE(cardTexts(page.chainView()).size(), 3);
    QVERIFY2(page.chainView()->summaryText().startsWith(QLatin1String("OK")),
             qPrintable(page.chainView()->summaryText()));
}

QTEST_MAIN(TestEndpointDetail)
#include "test_endpointdetail.moc"
