// SPDX-License-Identifier: GPL-3.0-or-later
// Certificate::matchesHost() on leaves made by the openssl CLI: exact DNS
// and IP names, a wildcard one label deep, names it is not valid for, and
// names that are not names at all.
#include "TestPki.h"
#include "crypto/CertificateReader.h"

#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

class TestCertificateMatchesHost : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void matches_data();
    void matches();
    void malformedNamesNeverMatch();

private:
    Certificate read(const QString& path);
    QTemporaryDir m_dir;
    TestPki m_pki;
    TestPki::Leaf m_wildcard;
};

Certificate TestCertificateMatchesHost::read(const QString& path)
{
    auto bundle = CertificateReader::readFile(path);
    return bundle && !bundle->certificates.isEmpty() ? bundle->certificates.first() : Certificate();
}

void TestCertificateMatchesHost::initTestCase()
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

void TestCertificateMatchesHost::matches_data()
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

void TestCertificateMatchesHost::matches()
{
    QFETCH(QString, leaf);
    QFETCH(QString, name);
    QFETCH(bool, expected);
    const QString path = leaf == QLatin1String("good")        ? m_pki.good.cert
                         : leaf == QLatin1String("wrongHost") ? m_pki.wrongHost.cert
                                                              : m_wildcard.cert;
    const Certificate c = read(path);
    QVERIFY(!c.isNull());
    QCOMPARE(c.matchesHost(name), expected);
}

void TestCertificateMatchesHost::malformedNamesNeverMatch()
{
    const Certificate c = read(m_pki.good.cert);
    QVERIFY(!c.matchesHost(QString()));
    // An embedded NUL is how a name smuggles a second one past a check.
    QVERIFY(!c.matchesHost(QStringLiteral("localhost") + QChar(0) + QStringLiteral(".evil.test")));
    QVERIFY(!Certificate().matchesHost(QStringLiteral("localhost")));
}

QTEST_GUILESS_MAIN(TestCertificateMatchesHost)
#include "test_certificate_matcheshost.moc"
