// SPDX-License-Identifier: GPL-3.0-or-later
// KeyGenerator: keys made off the calling thread, RSA's prime search as
// progress, and cancel that stops OpenSSL inside its search.
#include "crypto/KeyGenerator.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

using namespace certdeck;
using namespace certdeck::crypto;

class TestKeyGenerator : public QObject
{
    Q_OBJECT
private slots:
    void generatesEveryType_data();
    void generatesEveryType();
    void rsaReportsItsPrimeSearch();
    void callbackStopsRsaInsideOpenssl();
    void cancelStopsRsa4096();
    void deletingTheJobStopsTheWork();
};

void TestKeyGenerator::generatesEveryType_data()
{
    QTest::addColumn<KeyType>("type");
    QTest::addColumn<QString>("description");
    QTest::newRow("rsa2048") << KeyType::Rsa2048 << QStringLiteral("RSA 2048");
    QTest::newRow("p256") << KeyType::EcdsaP256 << QStringLiteral("ECDSA P-256");
    QTest::newRow("p384") << KeyType::EcdsaP384 << QStringLiteral("ECDSA P-384");
    QTest::newRow("ed25519") << KeyType::Ed25519 << QStringLiteral("Ed25519");
}

void TestKeyGenerator::generatesEveryType()
{
    QFETCH(KeyType, type);
    QFETCH(QString, description);
    KeyGenerator gen(type);
    QCOMPARE(gen.keyType(), type);
    QSignalSpy progress(&gen, &Job::progress);
    QSignalSpy finished(&gen, &Job::finished);
    std::optional<Result<PrivateKey>> delivered;
    gen.onFinished(this, [&delivered](const Result<PrivateKey>& r) { delivered = r; });
    gen.start();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.count(), 1);
    QVERIFY(delivered.has_value());
    QVERIFY2(*delivered,
             qPrintable(delivered->has_value() ? QString() : delivered->error().toString()));
    QCOMPARE((*delivered)->description(), description);
    QCOMPARE(gen.result()->spkiSha256(), (*delivered)->spkiSha256());
    // The user sees what is being made, and that it is done.
    QVERIFY(!progress.isEmpty());
    QVERIFY(progress.first().at(0).toString().contains(description.section(u' ', -1)));
    QCOMPARE(progress.last().at(1).toDouble(), 1.0);
    QCOMPARE(progress.last().at(2).toString(), QStringLiteral("done: ") + description);
}

void TestKeyGenerator::rsaReportsItsPrimeSearch()
{
    KeyGenerator gen(KeyType::Rsa3072);
    QStringList messages;
    connect(&gen, &Job::progress, this,
            [&messages](const QString&, double fraction, const QString& message) {
                if (fraction < 1.0) {
                    // A prime search cannot say how far it is; it says so.
                    QCOMPARE(fraction, Job::Indeterminate);
                }
                messages << message;
            });
    QSignalSpy finished(&gen, &Job::finished);
    gen.start();
    QVERIFY(finished.wait(120000));
    QVERIFY(gen.result());
    QCOMPARE(gen.result()->bits(), 3072);
    QVERIFY2(messages.size() >= 2, qPrintable(messages.join(u'\n')));
    const auto searching = messages.filter(QStringLiteral("prime candidates tested"));
    QVERIFY2(!searching.isEmpty(), qPrintable(messages.join(u'\n')));
}

void TestKeyGenerator::callbackStopsRsaInsideOpenssl()
{
    int calls = 0;
    const auto key = PrivateKey::generate(
        KeyType::Rsa4096, [&calls](const PrimeSearchProgress&) { return ++calls < 5; });
    QVERIFY(!key);
    QCOMPARE(key.error().code, ErrorCode::Cancelled);
    // Generation failed instead of running on to a key: OpenSSL stopped.
    // After the first "no" the callback is not asked again.
    QCOMPARE(calls, 5);
}

void TestKeyGenerator::cancelStopsRsa4096()
{
    KeyGenerator gen(KeyType::Rsa4096);
    QSignalSpy progress(&gen, &Job::progress);
    QSignalSpy finished(&gen, &Job::finished);
    gen.start();
    QVERIFY(progress.wait(10000));
    QElapsedTimer t;
    t.start();
    gen.cancel();
    QVERIFY(finished.wait(10000));
    qInfo("cancelled RSA 4096 generation ended %lld ms after cancel()", t.elapsed());
    QCOMPARE(finished.count(), 1);
    QVERIFY(!gen.result());
    QCOMPARE(gen.result().error().code, ErrorCode::Cancelled);
    QVERIFY(!finished.wait(200));
}

void TestKeyGenerator::deletingTheJobStopsTheWork()
{
    auto* gen = new KeyGenerator(KeyType::Rsa4096);
    QSignalSpy progress(gen, &Job::progress);
    gen->start();
    QVERIFY(progress.wait(10000));
    delete gen;
    // The worker sees the cancel at its next candidate and returns; nothing
    // is delivered to the deleted job.
    QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
}

QTEST_GUILESS_MAIN(TestKeyGenerator)
#include "test_keygenerator.moc"
