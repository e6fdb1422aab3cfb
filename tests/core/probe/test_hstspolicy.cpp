// SPDX-License-Identifier: GPL-3.0-or-later
// The Strict-Transport-Security parser (RFC 6797 6.1): what browsers
// enforce, and every malformed form that makes them ignore the header.
#include "probe/inspect/HstsPolicy.h"

#include <QTest>

using namespace certdeck::probe;

class TestHstsPolicy : public QObject
{
    Q_OBJECT
private slots:
    void valid_data();
    void valid();
    void malformed_data();
    void malformed();
    void hugeMaxAgeIsClamped();
};

void TestHstsPolicy::valid_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("maxAge");
    QTest::addColumn<bool>("subdomains");
    QTest::addColumn<bool>("preload");
    QTest::newRow("plain") << QByteArray("max-age=31536000") << qint64(31536000) << false << false;
    QTest::newRow("all") << QByteArray("max-age=63072000; includeSubDomains; preload")
                         << qint64(63072000) << true << true;
    QTest::newRow("case and spaces")
        << QByteArray("  MAX-AGE = 600 ;INCLUDESUBDOMAINS  ") << qint64(600) << true << false;
    QTest::newRow("quoted") << QByteArray("max-age=\"15552000\"; includeSubDomains")
                            << qint64(15552000) << true << false;
    QTest::newRow("zero clears") << QByteArray("max-age=0") << qint64(0) << false << false;
    QTest::newRow("unknown directive ignored")
        << QByteArray("max-age=10; report-uri=\"https://x/\"; foo") << qint64(10) << false << false;
    QTest::newRow("empty directives") << QByteArray(";;max-age=5;;") << qint64(5) << false << false;
}

void TestHstsPolicy::valid()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, maxAge);
    QFETCH(bool, subdomains);
    QFETCH(bool, preload);
    const HstsPolicy p = parseHstsHeader(header);
    QVERIFY2(p.valid(), qPrintable(p.error));
    QCOMPARE(*p.maxAge, maxAge);
    QCOMPARE(p.includeSubDomains, subdomains);
    QCOMPARE(p.preload, preload);
    QCOMPARE(p.raw, QString::fromLatin1(header));
}

void TestHstsPolicy::malformed_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("empty") << QByteArray("") << QStringLiteral("max-age is missing");
    QTest::newRow("no max-age") << QByteArray("includeSubDomains")
                                << QStringLiteral("max-age is missing");
    QTest::newRow("no value") << QByteArray("max-age") << QStringLiteral("max-age has no value");
    QTest::newRow("empty value") << QByteArray("max-age=;") << QStringLiteral("has no value");
    QTest::newRow("negative") << QByteArray("max-age=-1") << QStringLiteral("not a number");
    QTest::newRow("letters") << QByteArray("max-age=1y") << QStringLiteral("not a number");
    QTest::newRow("quoted letters")
        << QByteArray("max-age=\"abc\"") << QStringLiteral("not a number");
    QTest::newRow("twice") << QByteArray("max-age=1; max-age=2")
                           << QStringLiteral("more than once");
    QTest::newRow("twice, other case") << QByteArray("max-age=1; includeSubDomains; "
                                                     "INCLUDESUBDOMAINS")
                                       << QStringLiteral("more than once");
    QTest::newRow("unterminated quote")
        << QByteArray("max-age=\"100") << QStringLiteral("not closed");
    QTest::newRow("comma list") << QByteArray("max-age=100, includeSubDomains")
                                << QStringLiteral("unexpected character ','");
    QTest::newRow("stray char") << QByteArray("max-age=100 x") << QStringLiteral("unexpected");
    QTest::newRow("leading garbage")
        << QByteArray("=max-age=100") << QStringLiteral("unexpected character '='");
    QTest::newRow("control char") << QByteArray("max-age=1\x01") << QStringLiteral("'?'");
}

void TestHstsPolicy::malformed()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, errorPart);
    const HstsPolicy p = parseHstsHeader(header);
    QVERIFY(p.present);
    QVERIFY(!p.valid());
    QVERIFY(!p.maxAge);
    QVERIFY2(p.error.contains(errorPart), qPrintable(p.error));
    QCOMPARE(p.raw, QString::fromLatin1(header));
}

void TestHstsPolicy::hugeMaxAgeIsClamped()
{
    const HstsPolicy p = parseHstsHeader("max-age=99999999999999999999999999");
    QVERIFY(p.valid());
    QCOMPARE(*p.maxAge, std::numeric_limits<qint64>::max());
}

QTEST_GUILESS_MAIN(TestHstsPolicy)
#include "test_hstspolicy.moc"
