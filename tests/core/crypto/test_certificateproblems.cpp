// SPDX-License-Identifier: GPL-3.0-or-later
// certificateProblems() on certificates the openssl CLI made (TestPki), with
// time injected: each problem's code, severity and words, and the verdict.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/CertificateProblems.h"
#include "crypto/CertificateReader.h"

#include <QTest>

using namespace certdeck;
using namespace certdeck::crypto;
using namespace certdeck::test;

namespace {

Certificate load(const QString& path)
{
    auto bundle = CertificateReader::readFile(path);
    return bundle && !bundle->certificates.isEmpty() ? bundle->certificates.first() : Certificate();
}

QStringList codes(const QList<CertificateProblem>& problems)
{
    QStringList out;
    for (const CertificateProblem& p : problems) {
        out << p.code + u'/' + problemSeverityName(p.severity);
    }
    return out;
}

} // namespace

class TestCertificateProblems : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void validityFollowsTheClock_data();
    void validityFollowsTheClock();
    void weakKeyAndDigest();
    void selfSignedRootSignatureIsNotCounted();

private:
    FixtureDir m_dir;
    TestPki m_pki;
    Certificate m_leaf;
    QDateTime m_notBefore;
    QDateTime m_notAfter;
};

void TestCertificateProblems::initTestCase()
{
    QVERIFY2(m_pki.create(m_dir.path(), {}), qPrintable(m_pki.errorString()));
    m_notBefore = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    m_notAfter = QDateTime(QDate(2030, 4, 1), QTime(0, 0), Qt::UTC);
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("dated");
    spec.notBefore = m_notBefore;
    spec.notAfter = m_notAfter;
    const auto leaf = m_pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    m_leaf = load(leaf.cert);
    QVERIFY(!m_leaf.isNull());
}

void TestCertificateProblems::validityFollowsTheClock_data()
{
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<int>("warnDays");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("verdict");
    const QDateTime start(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    const QDateTime end(QDate(2030, 4, 1), QTime(0, 0), Qt::UTC);
    QTest::newRow("valid") << start.addDays(10) << 30 << QStringList{} << QString() << "ok";
    QTest::newRow("before") << start.addDays(-3) << 30 << QStringList{"not-yet-valid/critical"}
                            << "not valid yet: valid from 2030-01-01 UTC (in 3 days)"
                            << "critical";
    QTest::newRow("expiring") << end.addDays(-10).addSecs(-3600) << 30
                              << QStringList{"expiring/warning"}
                              << "expires in 10 days, on 2030-04-01 UTC"
                              << "warning";
    QTest::newRow("expiring, threshold 0")
        << end.addDays(-10) << 0 << QStringList{} << QString() << "ok";
    QTest::newRow("last day") << end.addSecs(-60) << 30 << QStringList{"expiring/warning"}
                              << "expires today, on 2030-04-01 UTC"
                              << "warning";
    QTest::newRow("expired") << end.addDays(1).addSecs(60) << 30 << QStringList{"expired/critical"}
                             << "expired 1 day ago, on 2030-04-01 UTC"
                             << "critical";
}

void TestCertificateProblems::validityFollowsTheClock()
{
    QFETCH(QDateTime, now);
    QFETCH(int, warnDays);
    QFETCH(QStringList, expected);
    QFETCH(QString, message);
    QFETCH(QString, verdict);
    const auto problems = certificateProblems(m_leaf, now, warnDays);
    QCOMPARE(codes(problems), expected);
    if (!message.isEmpty()) {
        QCOMPARE(problems.first().message, message);
    }
    QCOMPARE(problemsVerdict(problems), verdict);
}

void TestCertificateProblems::weakKeyAndDigest()
{
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("weak");
    spec.keyType = TestPki::KeyType::Rsa1024;
    spec.digest = QStringLiteral("sha1");
    const auto leaf = m_pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(m_pki.errorString()));
    const Certificate weak = load(leaf.cert);
    QVERIFY(!weak.isNull());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Critical first, then the warning (90 days left, threshold 100).
    const auto problems = certificateProblems(weak, now, 100);
    QCOMPARE(codes(problems),
             (QStringList{"weak-key/critical", "weak-signature/critical", "expiring/warning"}));
    QCOMPARE(problems.at(0).message, QStringLiteral("weak key: RSA 1024 bits (RSA and DSA need at "
                                                    "least 2048 bits, EC at least 256)"));
    QCOMPARE(
        problems.at(1).message,
        QStringLiteral("signed with SHA-1, which is broken for signatures: clients reject it"));
    QCOMPARE(problemsVerdict(problems), QStringLiteral("critical"));
    QVERIFY(certificateProblems(Certificate(), now, 30).isEmpty());
}

void TestCertificateProblems::selfSignedRootSignatureIsNotCounted()
{
    // A root signed with SHA-1 by itself: nobody checks that signature.
    const QString key = m_dir.filePath(QStringLiteral("sha1-root.key"));
    const QString cert = m_dir.filePath(QStringLiteral("sha1-root.pem"));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                      QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                      QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                      QStringLiteral("-subj"), QStringLiteral("/CN=SHA-1 Root"),
                      QStringLiteral("-days"), QStringLiteral("30"), QStringLiteral("-sha1")},
                     &out),
             0);
    const Certificate root = load(cert);
    QVERIFY(!root.isNull());
    QVERIFY(certificateProblems(root, QDateTime::currentDateTimeUtc(), 0).isEmpty());
    // The same digest on a certificate it issued is counted (see weakKeyAndDigest).
}

QTEST_GUILESS_MAIN(TestCertificateProblems)
#include "test_certificateproblems.moc"
