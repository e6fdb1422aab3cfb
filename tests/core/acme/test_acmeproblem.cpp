// SPDX-License-Identifier: GPL-3.0-or-later
// RFC 7807 problem documents (RFC 8555 6.7) into plain-words errors, with
// per-identifier subproblems; the example of RFC 8555 6.7.1 among them.
#include "acme/protocol/AcmeProblem.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;

class TestAcmeProblem : public QObject
{
    Q_OBJECT
private slots:
    void rfc8555SubproblemExample();
    void knownTypes_data();
    void knownTypes();
    void unknownTypeKeepsServerWords();
    void notAProblem_data();
    void notAProblem();
};

void TestAcmeProblem::rfc8555SubproblemExample()
{
    const QByteArray body = R"({
        "type": "urn:ietf:params:acme:error:malformed",
        "detail": "Some of the identifiers requested were rejected",
        "subproblems": [
            {"type": "urn:ietf:params:acme:error:malformed",
             "detail": "Invalid underscore in DNS name \"_example.org\"",
             "identifier": {"type": "dns", "value": "_example.org"}},
            {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
             "detail": "This CA will not issue for \"example.net\"",
             "identifier": {"type": "dns", "value": "example.net"}}
        ]})";
    const auto p = AcmeProblem::parse(body, 400);
    QVERIFY(p);
    QCOMPARE(p->status, 400);
    QCOMPARE(p->shortType(), QStringLiteral("malformed"));
    QCOMPARE(p->subproblems.size(), 2);
    QCOMPARE(p->subproblems.at(1).identifierValue, QStringLiteral("example.net"));
    const Error e = p->toError(QStringLiteral("creating the order"));
    QCOMPARE(e.code, ErrorCode::InvalidInput);
    QCOMPARE(e.message,
             QStringLiteral(
                 "creating the order: the CA considers the request malformed: Some of the "
                 "identifiers requested were rejected; for dns:_example.org: the CA considers the "
                 "request malformed: Invalid underscore in DNS name \"_example.org\"; for "
                 "dns:example.net: the CA will not issue for this identifier: This CA will not "
                 "issue for \"example.net\""));
    QVERIFY(e.detail.startsWith(QLatin1String("HTTP 400, urn:ietf:params:acme:error:malformed")));
    QVERIFY(e.detail.contains(
        QLatin1String("dns:example.net urn:ietf:params:acme:error:rejectedIdentifier")));
}

void TestAcmeProblem::knownTypes_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("words");
    QTest::newRow("badNonce") << QStringLiteral("badNonce") << int(ErrorCode::Protocol)
                              << QStringLiteral("anti-replay nonce");
    QTest::newRow("accountDoesNotExist")
        << QStringLiteral("accountDoesNotExist") << int(ErrorCode::NotFound)
        << QStringLiteral("no ACME account exists");
    QTest::newRow("connection") << QStringLiteral("connection") << int(ErrorCode::Network)
                                << QStringLiteral("could not connect to the challenge responder");
    QTest::newRow("unauthorized") << QStringLiteral("unauthorized")
                                  << int(ErrorCode::PermissionDenied)
                                  << QStringLiteral("did not accept the proof");
    QTest::newRow("eab") << QStringLiteral("externalAccountRequired")
                         << int(ErrorCode::PermissionDenied)
                         << QStringLiteral("external account binding");
    QTest::newRow("rateLimited") << QStringLiteral("rateLimited") << int(ErrorCode::Protocol)
                                 << QStringLiteral("rate limit");
    QTest::newRow("badCSR") << QStringLiteral("badCSR") << int(ErrorCode::InvalidInput)
                            << QStringLiteral("signing request");
}

void TestAcmeProblem::knownTypes()
{
    QFETCH(QString, type);
    QFETCH(int, code);
    QFETCH(QString, words);
    const QByteArray body =
        QStringLiteral(
            R"({"type":"urn:ietf:params:acme:error:%1","detail":"srv says","status":403})")
            .arg(type)
            .toUtf8();
    const auto p = AcmeProblem::parse(body, 400);
    QVERIFY(p);
    QCOMPARE(p->status, 403); // the document's status wins over the HTTP one
    QVERIFY(p->is(type.toLatin1().constData()));
    const Error e = p->toError(QStringLiteral("doing it"));
    QCOMPARE(int(e.code), code);
    QVERIFY2(e.message.startsWith(QLatin1String("doing it: ")), qPrintable(e.message));
    QVERIFY2(e.message.contains(words), qPrintable(e.message));
    QVERIFY2(e.message.endsWith(QLatin1String(": srv says")), qPrintable(e.message));
}

void TestAcmeProblem::unknownTypeKeepsServerWords()
{
    const auto p = AcmeProblem::parse(
        R"({"type":"https://ca.example/problems/quota","detail":"quota exceeded"})", 409);
    QVERIFY(p);
    QCOMPARE(p->status, 409);
    const Error e = p->toError(QStringLiteral("creating the order"));
    QCOMPARE(e.message, QStringLiteral("creating the order: quota exceeded"));
    QCOMPARE(e.code, ErrorCode::Protocol);
    QVERIFY(e.detail.contains(QLatin1String("https://ca.example/problems/quota")));

    const auto bare = AcmeProblem::parse(R"({"detail":"only words"})", 500);
    QVERIFY(bare);
    QCOMPARE(bare->type, QStringLiteral("about:blank"));
    QCOMPARE(bare->toError(QStringLiteral("x")).message, QStringLiteral("x: only words"));
}

void TestAcmeProblem::notAProblem_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("html") << QByteArray("<html>502 Bad Gateway</html>");
    QTest::newRow("array") << QByteArray(R"([{"type":"x"}])");
    QTest::newRow("no type or detail") << QByteArray(R"({"status":400})");
    QTest::newRow("truncated") << QByteArray(R"({"type":"urn:ietf:params:acme:error:malf)");
}

void TestAcmeProblem::notAProblem()
{
    QFETCH(QByteArray, body);
    QVERIFY(!AcmeProblem::parse(body, 400));
}

QTEST_GUILESS_MAIN(TestAcmeProblem)
#include "test_acmeproblem.moc"
