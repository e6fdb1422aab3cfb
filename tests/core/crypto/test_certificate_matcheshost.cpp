// SPDX-License-Identifier: GPL-3.0-or-later
// Certificate::matchesHost, which `fleet attach` uses to refuse a
// certificate for another name: certificates made by the openssl CLI, the
// verdicts those of RFC 6125 as OpenSSL checks a served chain.
#include "PeerProcess.h"
#include "crypto/CertificateReader.h"

#include <QTest>

using namespace certdeck;

class TestCertificateMatchesHost : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void names_data();
    void names();

private:
    crypto::Certificate make(const QString& name, const QString& subject, const QString& san);
    test::FixtureDir m_dir;
    crypto::Certificate m_sans;
    crypto::Certificate m_cnOnly;
};

crypto::Certificate TestCertificateMatchesHost::make(const QString& name, const QString& subject,
                                                     const QString& san)
{
    const QString cert = m_dir.filePath(name + QStringLiteral(".pem"));
    QStringList args{QStringLiteral("req"),
                     QStringLiteral("-x509"),
                     QStringLiteral("-newkey"),
                     QStringLiteral("ec"),
                     QStringLiteral("-pkeyopt"),
                     QStringLiteral("ec_paramgen_curve:P-256"),
                     QStringLiteral("-nodes"),
                     QStringLiteral("-keyout"),
                     m_dir.filePath(name + QStringLiteral(".key")),
                     QStringLiteral("-out"),
                     cert,
                     QStringLiteral("-days"),
                     QStringLiteral("30"),
                     QStringLiteral("-subj"),
                     subject};
    if (!san.isEmpty()) {
        args << QStringLiteral("-addext") << QStringLiteral("subjectAltName=") + san;
    }
    QByteArray out;
    if (test::runTool(QStringLiteral("openssl"), args, &out) != 0) {
        qWarning("%s", out.constData());
        return {};
    }
    auto bundle = crypto::CertificateReader::readFile(cert);
    return bundle && !bundle->certificates.isEmpty() ? bundle->certificates.constFirst()
                                                     : crypto::Certificate();
}

void TestCertificateMatchesHost::initTestCase()
{
    m_sans = make(QStringLiteral("sans"), QStringLiteral("/CN=cn.example.test"),
                  QStringLiteral("DNS:a.example.test,DNS:*.wild.example.test,IP:127.0.0.1,"
                                 "IP:::1"));
    m_cnOnly = make(QStringLiteral("cn"), QStringLiteral("/CN=only.example.test"), {});
    QVERIFY(!m_sans.isNull() && !m_cnOnly.isNull());
}

void TestCertificateMatchesHost::names_data()
{
    QTest::addColumn<bool>("cnOnly");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("matches");
    QTest::newRow("DNS SAN") << false << "a.example.test" << true;
    QTest::newRow("DNS SAN, other case") << false << "A.Example.Test" << true;
    QTest::newRow("wildcard, one label") << false << "x.wild.example.test" << true;
    QTest::newRow("wildcard, two labels") << false << "y.x.wild.example.test" << false;
    QTest::newRow("wildcard's own domain") << false << "wild.example.test" << false;
    QTest::newRow("CN beside DNS SANs") << false << "cn.example.test" << false;
    QTest::newRow("other name") << false << "b.example.test" << false;
    QTest::newRow("IPv4 SAN") << false << "127.0.0.1" << true;
    QTest::newRow("IPv6 SAN") << false << "::1" << true;
    QTest::newRow("other IP") << false << "127.0.0.2" << false;
    QTest::newRow("empty") << false << "" << false;
    QTest::newRow("CN without SANs") << true << "only.example.test" << true;
    QTest::newRow("other name, CN only") << true << "b.example.test" << false;
}

void TestCertificateMatchesHost::names()
{
    QFETCH(bool, cnOnly);
    QFETCH(QString, name);
    QFETCH(bool, matches);
    const auto r = (cnOnly ? m_cnOnly : m_sans).matchesHost(name);
    QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
    QCOMPARE(*r, matches);
    QCOMPARE(*crypto::Certificate().matchesHost(name), false);
}

QTEST_GUILESS_MAIN(TestCertificateMatchesHost)
#include "test_certificate_matcheshost.moc"
