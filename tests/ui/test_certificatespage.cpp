// SPDX-License-Identifier: GPL-3.0-or-later
// Opens real chains from the test PKI in the Certificates & Keys page, offscreen,
// and checks what the admin sees on the cards.
#include "HttpFileServer.h"
#include "PeerProcess.h"
#include "TestPki.h"
#include "ui/certificates/CertificatesPage.h"
#include "ui/certificates/ChainCard.h"
#include "ui/certificates/ChainView.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

using namespace certdeck::test;
using namespace certdeck::ui;

class TestCertificatesPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void goodChainIsThreeOkCards();
    void expiredLeafSaysExpired();
    void leafOnlyShowsServedChainProblem();
    void wrongHostIsNamed();
    void pkcs12AsksForPassphrase();
    void truncatedFileSaysWhere();
    void droppedFileIsOpened();
    void revokedLeafSaysRevoked();

private:
    bool open(CertificatesPage& page, const QString& path);
    FixtureDir m_dir;
    TestPki m_pki;
};

void TestCertificatesPage::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
}

bool TestCertificatesPage::open(CertificatesPage& page, const QString& path)
{
    QSignalSpy loaded(&page, &CertificatesPage::loaded);
    page.openFile(path);
    if (!loaded.wait(20000)) {
        return false;
    }
    return loaded.first().first().toBool();
}

void TestCertificatesPage::goodChainIsThreeOkCards()
{
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    page.findChild<QLineEdit*>(QStringLiteral("hostEdit"))->setText(QStringLiteral("localhost"));
    page.show();
    QVERIFY(open(page, m_pki.good.fullchain));
    const QList<ChainCard*> cards = page.chainView()->cards();
    QCOMPARE(cards.size(), 3);
    for (ChainCard* c : cards) {
        QCOMPARE(c->verdictText(), QStringLiteral("OK"));
    }
    QVERIFY2(page.chainView()->summaryText().startsWith(QLatin1String("OK")),
             qPrintable(page.chainView()->summaryText()));
    QVERIFY(!page.chainView()->showsServedChain());
    // The leaf's fields and PEM are shown.
    auto* tree = page.findChild<QTreeWidget*>(QStringLiteral("fieldTree"));
    QVERIFY(tree->topLevelItemCount() > 5);
    QVERIFY(!tree->findItems(QStringLiteral("Subject"), Qt::MatchStartsWith).isEmpty());
    auto* pem = page.findChild<QPlainTextEdit*>(QStringLiteral("pemView"));
    QVERIFY(pem->toPlainText().startsWith(QLatin1String("-----BEGIN CERTIFICATE-----")));
}

void TestCertificatesPage::expiredLeafSaysExpired()
{
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    QVERIFY(open(page, m_pki.expired.fullchain));
    const QList<ChainCard*> cards = page.chainView()->cards();
    QVERIFY(!cards.isEmpty());
    QCOMPARE(cards.first()->verdictText(), QStringLiteral("ERROR"));
    QVERIFY2(cards.first()->findingTexts().join(u'\n').contains(QLatin1String("Expired")),
             qPrintable(cards.first()->findingTexts().join(u'\n')));
    // The intermediate is fine: only the leaf is blamed.
    QCOMPARE(cards.at(1)->verdictText(), QStringLiteral("OK"));
    QVERIFY(page.chainView()->summaryText().startsWith(QLatin1String("ERROR")));
}

void TestCertificatesPage::leafOnlyShowsServedChainProblem()
{
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    QVERIFY(open(page, m_pki.good.cert));
    // cert.pem served instead of fullchain.pem: said on the served side...
    QVERIFY(page.chainView()->showsServedChain());
    const QString served = page.chainView()->servedFindingTexts().join(u'\n');
    QVERIFY2(served.startsWith(QLatin1String("ERROR: Missing intermediate")) &&
                 served.contains(QLatin1String("fullchain.pem")),
             qPrintable(served));
    // ...and on the leaf's card, in plain words.
    ChainCard* leaf = page.chainView()->cards().first();
    QCOMPARE(leaf->verdictText(), QStringLiteral("ERROR"));
    QVERIFY2(leaf->findingTexts().join(u'\n').contains(QLatin1String("Unknown issuer")),
             qPrintable(leaf->findingTexts().join(u'\n')));
    QVERIFY(page.chainView()->summaryText().startsWith(QLatin1String("ERROR")));
}

void TestCertificatesPage::wrongHostIsNamed()
{
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    page.findChild<QLineEdit*>(QStringLiteral("hostEdit"))->setText(QStringLiteral("localhost"));
    QVERIFY(open(page, m_pki.wrongHost.fullchain));
    const QString findings = page.chainView()->cards().first()->findingTexts().join(u'\n');
    QVERIFY2(findings.contains(QLatin1String("localhost")) &&
                 findings.contains(QLatin1String("wrong.example")),
             qPrintable(findings));
}

void TestCertificatesPage::pkcs12AsksForPassphrase()
{
    const QString p12 = m_dir.filePath(QStringLiteral("good.p12"));
    const QString passFile = m_dir.filePath(QStringLiteral("p12.pass"));
    QVERIFY(m_dir.write(QStringLiteral("p12.pass"), "s3cret-pass\n"));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-in"),
                      m_pki.good.fullchain, QStringLiteral("-inkey"), m_pki.good.key,
                      QStringLiteral("-passout"), QStringLiteral("file:") + passFile,
                      QStringLiteral("-out"), p12},
                     &out),
             0);
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    QStringList asked;
    page.setPassphrasePrompt([&](const QString& q) -> std::optional<QByteArray> {
        asked << q;
        return asked.size() == 1 ? QByteArray("wrong") : QByteArray("s3cret-pass");
    });
    QSignalSpy loaded(&page, &CertificatesPage::loaded);
    page.openFile(p12);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
    QVERIFY2(loaded.first().first().toBool(), qPrintable(page.statusText()));
    QCOMPARE(asked.size(), 2);
    QVERIFY(asked.at(1).startsWith(QLatin1String("Wrong passphrase")));
    QCOMPARE(page.chainView()->cards().size(), 3);
}

void TestCertificatesPage::truncatedFileSaysWhere()
{
    QFile in(m_pki.good.fullchain);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray pem = in.readAll();
    QVERIFY(m_dir.write(QStringLiteral("truncated.pem"), pem.left(pem.size() / 2)));
    CertificatesPage page;
    QSignalSpy loaded(&page, &CertificatesPage::loaded);
    page.openFile(m_dir.filePath(QStringLiteral("truncated.pem")));
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.first().first().toBool(), false);
    QVERIFY2(page.statusText().startsWith(QLatin1String("ERROR:")), qPrintable(page.statusText()));
    QVERIFY2(page.statusText().contains(QLatin1String("line")), qPrintable(page.statusText()));
    QVERIFY(page.chainView()->cards().isEmpty());
}

void TestCertificatesPage::droppedFileIsOpened()
{
    CertificatesPage page;
    page.setTrustBundle(m_pki.rootCert);
    page.show();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_pki.revoked.fullchain)});
    QSignalSpy loaded(&page, &CertificatesPage::loaded);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&page, &drop);
    QVERIFY(loaded.wait(20000));
    QVERIFY(loaded.first().first().toBool());
    QCOMPARE(page.chainView()->cards().size(), 3);
    QVERIFY(page.statusText().startsWith(QLatin1String("revoked.fullchain.pem")));
}

void TestCertificatesPage::revokedLeafSaysRevoked()
{
    // A CA whose leaves name a CRL on a loopback server: the page checks
    // revocation after building the chain and redraws the cards.
    HttpFileServer crlServer;
    QVERIFY(crlServer.listen());
    FixtureDir dir;
    TestPki pki;
    TestPki::Options o;
    o.crlUrl = crlServer.url(QStringLiteral("/int.crl")).toString();
    QVERIFY2(pki.create(dir.path(), o), qPrintable(pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("revoked");
    s.revoke = true;
    const TestPki::Leaf revoked = pki.issue(s);
    QVERIFY(!revoked.name.isEmpty());
    QVERIFY(pki.writeCrl());
    QFile crl(pki.crl);
    QVERIFY(crl.open(QIODevice::ReadOnly));
    crlServer.setFile(QStringLiteral("/int.crl"), crl.readAll());

    CertificatesPage page;
    page.setTrustBundle(pki.rootCert);
    QVERIFY(open(page, revoked.fullchain));
    QCOMPARE(crlServer.requestCount(QStringLiteral("/int.crl")), 1);
    const QList<ChainCard*> cards = page.chainView()->cards();
    QCOMPARE(cards.size(), 3);
    QCOMPARE(cards.first()->verdictText(), QStringLiteral("ERROR"));
    QVERIFY2(cards.first()->findingTexts().join(u'\n').contains(QLatin1String("Revoked on")),
             qPrintable(cards.first()->findingTexts().join(u'\n')));
    QVERIFY2(page.chainView()->summaryText().contains(QLatin1String("is revoked")),
             qPrintable(page.chainView()->summaryText()));
    QCOMPARE(cards.at(1)->verdictText(), QStringLiteral("OK"));
}

QTEST_MAIN(TestCertificatesPage)
#include "test_certificatespage.moc"
