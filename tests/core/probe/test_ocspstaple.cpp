// SPDX-License-Identifier: GPL-3.0-or-later
// The staple checker on inputs a hostile or broken server could staple; the
// good and revoked paths are covered against nginx in test_tls_inspector.
#include "probe/inspect/OcspStaple.h"

#include <QTest>

using namespace certdeck::probe;

class TestOcspStaple : public QObject
{
    Q_OBJECT
private slots:
    void badInput_data();
    void badInput();
};

void TestOcspStaple::badInput_data()
{
    QTest::addColumn<QByteArray>("der");
    QTest::addColumn<QString>("problem");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("not a DER OCSP response");
    QTest::newRow("garbage") << QByteArray("\x30\x82\xff\xff garbage", 12)
                             << QStringLiteral("not a DER OCSP response");
    // OCSPResponse { responseStatus tryLater(3) }, no body.
    QTest::newRow("tryLater") << QByteArray::fromHex("30030a0103")
                              << QStringLiteral("answered \"trylater\"");
    QTest::newRow("internalError")
        << QByteArray::fromHex("30030a0102") << QStringLiteral("answered \"internalerror\"");
}

void TestOcspStaple::badInput()
{
    QFETCH(QByteArray, der);
    QFETCH(QString, problem);
    const StapleInfo s = parseStaple(der, {}, QDateTime::currentDateTimeUtc());
    QVERIFY(s.present);
    QCOMPARE(s.der, der);
    QVERIFY(!s.status);
    QVERIFY(!s.signatureValid);
    QVERIFY(!s.usable());
    QVERIFY(!s.problems.isEmpty());
    QVERIFY2(s.problems.first().contains(problem, Qt::CaseInsensitive),
             qPrintable(s.problems.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestOcspStaple)
#include "test_ocspstaple.moc"
