// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in HTTP-01 responder as curl sees it: the key authorization at
// the token's path, 404 elsewhere and after withdraw(), refusal of tokens that
// are not base64url, of other methods and of oversized requests; and the
// webroot publisher's files.
#include "PeerProcess.h"
#include "acme/challenge/Http01Responder.h"
#include "acme/challenge/WebrootPublisher.h"

#include <QDir>
#include <QFile>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace certdeck;
using namespace certdeck::acme;
using certdeck::test::FixtureDir;
using certdeck::test::runTool;

namespace {

const QByteArray kToken("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA");
const QByteArray kKeyAuth = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
const AcmeIdentifier kId{AcmeIdentifier::Type::Dns, QStringLiteral("a.test")};

Status publishNow(Http01Publisher& p, const QByteArray& token, const QByteArray& body)
{
    std::optional<Status> out;
    p.publish(kId, token, body, [&](const Status& s) { out = s; });
    return out.value_or(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

} // namespace

class TestHttp01Responder : public QObject
{
    Q_OBJECT
private slots:
    void servesTheKeyAuthorization();
    void refusals();
    void portInUse();
    void webrootFiles();

private:
    // curl runs on a pool thread so the responder's event loop keeps turning.
    QByteArray curl(const QStringList& args, int* rc);
};

QByteArray TestHttp01Responder::curl(const QStringList& args, int* rc)
{
    QByteArray out;
    auto future = QtConcurrent::run([&] {
        return runTool(
            QStringLiteral("curl"),
            QStringList{QStringLiteral("-s"), QStringLiteral("--max-time"), QStringLiteral("5")} +
                args,
            &out, 10000);
    });
    QFutureWatcher<int> watcher;
    QSignalSpy done(&watcher, &QFutureWatcher<int>::finished);
    watcher.setFuture(future);
    if (!future.isFinished()) {
        static_cast<void>(done.wait(15000));
    }
    future.waitForFinished();
    *rc = future.result();
    return out;
}

void TestHttp01Responder::servesTheKeyAuthorization()
{
    Http01Responder r;
    QVERIFY(r.listen(QHostAddress::LocalHost, 0));
    QVERIFY(publishNow(r, kToken, kKeyAuth));
    QCOMPARE(r.publishedCount(), 1);
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(r.port());
    int rc = -1;
    QByteArray body = curl(
        {base + QStringLiteral("/.well-known/acme-challenge/") + QString::fromLatin1(kToken)}, &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(body, kKeyAuth);
    QCOMPARE(r.answeredCount(), 1);

    body = curl({QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                 QStringLiteral("%{http_code}"),
                 base + QStringLiteral("/.well-known/acme-challenge/other")},
                &rc);
    QCOMPARE(body, QByteArray("404"));

    std::optional<Status> withdrawn;
    r.withdraw(kId, kToken, kKeyAuth, [&](const Status& s) { withdrawn = s; });
    QVERIFY(withdrawn && *withdrawn);
    QCOMPARE(r.publishedCount(), 0);
    body =
        curl({QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
              QStringLiteral("%{http_code}"),
              base + QStringLiteral("/.well-known/acme-challenge/") + QString::fromLatin1(kToken)},
             &rc);
    QCOMPARE(body, QByteArray("404"));
    QVERIFY(r.describe().contains(QString::number(r.port())));
}

void TestHttp01Responder::refusals()
{
    Http01Responder r;
    // Not listening yet: nothing would answer the CA.
    QVERIFY(!publishNow(r, kToken, kKeyAuth));
    QVERIFY(r.listen(QHostAddress::LocalHost, 0));
    for (const QByteArray& bad :
         {QByteArray("../../etc/passwd"), QByteArray("a/b"), QByteArray("a b"), QByteArray()}) {
        auto s = publishNow(r, bad, kKeyAuth);
        QVERIFY2(!s, bad.constData());
        QCOMPARE(s.error().code, ErrorCode::Protocol);
    }
    QVERIFY(publishNow(r, kToken, kKeyAuth));
    const QString url = QStringLiteral("http://127.0.0.1:%1/.well-known/acme-challenge/%2")
                            .arg(r.port())
                            .arg(QString::fromLatin1(kToken));
    int rc = -1;
    QCOMPARE(curl({QStringLiteral("-X"), QStringLiteral("POST"), QStringLiteral("-o"),
                   QStringLiteral("/dev/null"), QStringLiteral("-w"),
                   QStringLiteral("%{http_code}"), url},
                  &rc),
             QByteArray("405"));
    // A header block larger than 8 KiB is cut off with 431.
    QCOMPARE(curl({QStringLiteral("-H"), QStringLiteral("X-Big: ") + QString(9000, u'a'),
                   QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                   QStringLiteral("%{http_code}"), url},
                  &rc),
             QByteArray("431"));
    QCOMPARE(r.answeredCount(), 0);
}

void TestHttp01Responder::portInUse()
{
    Http01Responder first;
    QVERIFY(first.listen(QHostAddress::LocalHost, 0));
    Http01Responder second;
    auto s = second.listen(QHostAddress::LocalHost, first.port());
    QVERIFY(!s);
    QCOMPARE(s.error().code, ErrorCode::Network);
    QVERIFY2(s.error().message.contains(QStringLiteral("port %1").arg(first.port())),
             qPrintable(s.error().message));
}

void TestHttp01Responder::webrootFiles()
{
    FixtureDir dir;
    WebrootPublisher w(dir.path());
    QVERIFY(publishNow(w, kToken, kKeyAuth));
    QFile f(w.tokenPath(kToken));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), kKeyAuth);
    QVERIFY(f.permissions() & QFile::ReadOther); // the web server may be another user
    QCOMPARE(f.fileName(), dir.path() + QStringLiteral("/.well-known/acme-challenge/") +
                               QString::fromLatin1(kToken));
    // Publishing again replaces the content.
    QVERIFY(publishNow(w, kToken, "other"));
    f.close();
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("other"));

    auto traversal = publishNow(w, "../escape", kKeyAuth);
    QVERIFY(!traversal);
    QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/.well-known/escape")));

    std::optional<Status> gone;
    w.withdraw(kId, kToken, kKeyAuth, [&](const Status& s) { gone = s; });
    QVERIFY(gone && *gone);
    QVERIFY(!QFile::exists(w.tokenPath(kToken)));

    WebrootPublisher missing(dir.filePath(QStringLiteral("no-such-root")));
    auto nf = publishNow(missing, kToken, kKeyAuth);
    QVERIFY(!nf);
    QCOMPARE(nf.error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(TestHttp01Responder)
#include "test_http01responder.moc"
