// SPDX-License-Identifier: GPL-3.0-or-later
// Link (RFC 8288) and Retry-After (RFC 9110) headers as ACME servers send them.
#include "acme/protocol/AcmeResponse.h"

#include <QTest>

using namespace certdeck::acme;

class TestAcmeResponse : public QObject
{
    Q_OBJECT
private slots:
    void links();
    void malformedLinksAreSkipped();
    void retryAfter_data();
    void retryAfter();
};

void TestAcmeResponse::links()
{
    const QUrl base(QStringLiteral("https://127.0.0.1:14000/certZ/abc"));
    const QByteArray header =
        R"(<https://127.0.0.1:14000/certZ/abc/1>;rel="alternate", </certZ/abc/2>; rel=alternate,)"
        R"( <https://127.0.0.1:14000/dir>;rel="index", <https://x/y;z>; title="a,b"; rel="up")";
    const QList<AcmeLink> links = AcmeResponse::parseLinks(header, base);
    QCOMPARE(links.size(), 4);
    AcmeResponse r;
    r.links = links;
    QCOMPARE(r.linksWithRel(QStringLiteral("alternate")),
             QList<QUrl>({QUrl(QStringLiteral("https://127.0.0.1:14000/certZ/abc/1")),
                          QUrl(QStringLiteral("https://127.0.0.1:14000/certZ/abc/2"))}));
    QCOMPARE(r.linksWithRel(QStringLiteral("index")),
             QList<QUrl>({QUrl(QStringLiteral("https://127.0.0.1:14000/dir"))}));
    // A comma inside a quoted parameter does not split the entry.
    QCOMPARE(r.linksWithRel(QStringLiteral("up")),
             QList<QUrl>({QUrl(QStringLiteral("https://x/y;z"))}));
}

void TestAcmeResponse::malformedLinksAreSkipped()
{
    const QUrl base(QStringLiteral("https://ca/"));
    QVERIFY(AcmeResponse::parseLinks("", base).isEmpty());
    QVERIFY(AcmeResponse::parseLinks("<https://ca/a", base).isEmpty());
    QVERIFY(AcmeResponse::parseLinks("<https://ca/a>", base).isEmpty()); // no rel
    QVERIFY(AcmeResponse::parseLinks("<>;rel=up", base).isEmpty());
    const auto ok = AcmeResponse::parseLinks("garbage, <https://ca/b>;rel=up", base);
    QCOMPARE(ok.size(), 1);
    QCOMPARE(ok.at(0).url, QUrl(QStringLiteral("https://ca/b")));
}

void TestAcmeResponse::retryAfter_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("expected"); // -1: none
    QTest::newRow("seconds") << QByteArray("120") << 120;
    QTest::newRow("spaces") << QByteArray(" 7 ") << 7;
    QTest::newRow("zero") << QByteArray("0") << 0;
    QTest::newRow("http-date") << QByteArray("Wed, 25 Nov 2026 18:01:30 GMT") << 90;
    QTest::newRow("date in the past") << QByteArray("Wed, 25 Nov 2026 17:00:00 GMT") << 0;
    QTest::newRow("absent") << QByteArray() << -1;
    QTest::newRow("negative") << QByteArray("-5") << -1;
    QTest::newRow("garbage") << QByteArray("soon") << -1;
}

void TestAcmeResponse::retryAfter()
{
    QFETCH(QByteArray, header);
    QFETCH(int, expected);
    const QDateTime now(QDate(2026, 11, 25), QTime(18, 0, 0), Qt::UTC);
    const auto got = AcmeResponse::parseRetryAfter(header, now);
    QCOMPARE(got.value_or(-1), expected);
}

QTEST_GUILESS_MAIN(TestAcmeResponse)
#include "test_acmeresponse.moc"
