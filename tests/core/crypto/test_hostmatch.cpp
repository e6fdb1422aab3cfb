// SPDX-License-Identifier: GPL-3.0-or-later
// certificateMatchesName() on leaves made by the openssl CLI: exact DNS and
// IP names, a wildcard one label deep, names it is not valid for, and names
// that are not names at all.
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/HostMatch.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

class TestHostMatch : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void matches_data();
    void matches();
    void malformedNamesAreErrors();
    void namesAreTheSans();

private:
    Certificate read(const QString& path);
    QTemporaryDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_wildcard;
};

Certificate TestHostMatch::read(const QString& path)
{
    auto bundle = CertificateReader::readFile(path);
    return bundle && !bundle->certificates.isEmpty() ? bundle->certificates.first() : Certificate();
}

void TestHostMatch::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec w;
    w.name = QStringLiteral("wildcard");
    w.commonName = QStringLiteral("*.example.test");
    w.sans = {QStringLiteral("DNS:*.example.test")};
    m_wildcard = m_pki.issue(w);
    QVERIFY2(!m_wildcard.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestHostMatch::matches_data()
{
    QTest::addColumn<QString>("leaf");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("expected");
    QTest::newRow("dns") << "good"
                         << "localhost" << true;
    QTest::newRow("dns, other case") << "good"
                                     << "LocalHost" << true;
    QTest::newRow("ip") << "good"
                        << "127.0.0.1" << true;
    QTest::newRow("other ip") << "good"
                              << "127.0.0.2" << false;
    QTest::newRow("other name") << "good"
                                << "api.example.test" << false;
    QTest::newRow("wrong host") << "wrongHost"
                                << "localhost" << false;
    QTest::newRow("wildcard") << "wildcard"
                              << "api.example.test" << true;
    QTest::newRow("wildcard, two labels") << "wildcard"
                                          << "a.b.example.test" << false;
    QTest::newRow("wildcard, apex") << "wildcard"
                                    << "example.test" << false;
}

void TestHostMatch::matches()
{
    QFETCH(QString, leaf);
    QFETCH(QString, name);
    QFETCH(bool, expected);
    const QString path = leaf == QLatin1String("good")        ? m_pki.good.cert
                         : leaf == QLatin1String("wrongHost") ? m_pki.wrongHost.cert
                                                              : m_wildcard.cert;
    const Certificate c = read(path);
    QVERIFY(!c.isNull());
    auto r = certificateMatchesName(c, name);
    QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
    QCOMPARE(*r, expected);
}

void TestHostMatch::malformedNamesAreErrors()
{
    const Certificate c = read(m_pki.good.cert);
    auto empty = certificateMatchesName(c, QStringLiteral("  "));
    QVERIFY(!empty.has_value());
    QCOMPARE(empty.error().code, ErrorCode::InvalidInput);
    // An embedded NUL is how a name smuggles a second one past a check.
    auto nul = certificateMatchesName(c, QStringLiteral("localhost") + QChar(0) +
                                             QStringLiteral(".evil.test"));
    QVERIFY(!nul.has_value());
    QVERIFY2(nul.error().message.contains(QLatin1String("Cannot check the certificate for")),
             qPrintable(nul.error().message));
    QVERIFY(!certificateMatchesName(Certificate(), QStringLiteral("localhost")).has_value());
}

void TestHostMatch::namesAreTheSans()
{
    QCOMPARE(certificateNames(read(m_pki.good.cert)),
             (QStringList{QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}));
    QCOMPARE(certificateNames(read(m_wildcard.cert)),
             QStringList{QStringLiteral("*.example.test")});
}

QTEST_GUILESS_MAIN(TestHostMatch)
#include "test_hostmatch.moc"
