// SPDX-License-Identifier: GPL-3.0-or-later
// ARI (RFC 9773): the certificate identifier from the RFC's own example
// (AKI 69:88:5B..., serial 0x87654321 -> "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
// on a certificate the openssl CLI makes, and the renewalInfo window.
#include "PeerProcess.h"
#include "acme/protocol/AcmeRenewalInfo.h"

#include <QJsonObject>
#include <QSslCertificate>
#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;
using certdeck::test::runTool;

namespace {

QByteArray makeCert(const QStringList& extra)
{
    QByteArray pem;
    const int rc = runTool(
        QStringLiteral("openssl"),
        QStringList{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                    QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), QStringLiteral("/dev/null"), QStringLiteral("-subj"),
                    QStringLiteral("/CN=ari"), QStringLiteral("-days"), QStringLiteral("1")} +
            extra,
        &pem);
    return rc == 0 ? QSslCertificate::fromData(pem).value(0).toDer() : QByteArray();
}

} // namespace

class TestAcmeRenewalInfo : public QObject
{
    Q_OBJECT
private slots:
    void rfc9773Example();
    void smallSerialNeedsNoPadding();
    void noAuthorityKeyId();
    void window();
};

void TestAcmeRenewalInfo::rfc9773Example()
{
    const QByteArray der = makeCert(
        {QStringLiteral("-set_serial"), QStringLiteral("0x87654321"), QStringLiteral("-addext"),
         QStringLiteral("subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:"
                        "01:C8:D4"),
         QStringLiteral("-addext"), QStringLiteral("authorityKeyIdentifier=keyid:always")});
    QVERIFY(!der.isEmpty());
    auto id = AcmeRenewalInfo::certId(der);
    QVERIFY2(id, qPrintable(id ? QString() : id.error().toString()));
    QCOMPARE(*id, QStringLiteral("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"));
}

void TestAcmeRenewalInfo::smallSerialNeedsNoPadding()
{
    const QByteArray der = makeCert(
        {QStringLiteral("-set_serial"), QStringLiteral("0x7f01"), QStringLiteral("-addext"),
         QStringLiteral("subjectKeyIdentifier=01:02:03"), QStringLiteral("-addext"),
         QStringLiteral("authorityKeyIdentifier=keyid:always")});
    auto id = AcmeRenewalInfo::certId(der);
    QVERIFY(id);
    QCOMPARE(*id, QStringLiteral("AQID.fwE"));
}

void TestAcmeRenewalInfo::noAuthorityKeyId()
{
    const QByteArray der =
        makeCert({QStringLiteral("-addext"), QStringLiteral("authorityKeyIdentifier=none"),
                  QStringLiteral("-addext"), QStringLiteral("subjectKeyIdentifier=none")});
    QVERIFY(!der.isEmpty());
    auto id = AcmeRenewalInfo::certId(der);
    QVERIFY(!id);
    QVERIFY2(id.error().message.contains(QLatin1String("no authority key identifier")),
             qPrintable(id.error().message));
    QVERIFY(!AcmeRenewalInfo::certId("not a certificate"));
}

void TestAcmeRenewalInfo::window()
{
    auto ok = RenewalInfo::parse(
        QJsonObject{{"suggestedWindow", QJsonObject{{"start", "2026-12-01T00:00:00Z"},
                                                    {"end", "2026-12-03T12:00:00Z"}}},
                    {"explanationURL", "https://ca.test/why"}},
        QStringLiteral("test"));
    QVERIFY(ok);
    QCOMPARE(ok->windowStart, QDateTime(QDate(2026, 12, 1), QTime(0, 0), Qt::UTC));
    QCOMPARE(ok->windowEnd, QDateTime(QDate(2026, 12, 3), QTime(12, 0), Qt::UTC));
    QCOMPARE(ok->explanationUrl, QUrl(QStringLiteral("https://ca.test/why")));
    QVERIFY(!RenewalInfo::parse(
        QJsonObject{{"suggestedWindow", QJsonObject{{"start", "2026-12-03T00:00:00Z"},
                                                    {"end", "2026-12-01T00:00:00Z"}}}},
        QStringLiteral("test")));
    QVERIFY(!RenewalInfo::parse(QJsonObject{}, QStringLiteral("test")));
}

QTEST_GUILESS_MAIN(TestAcmeRenewalInfo)
#include "test_acmerenewalinfo.moc"
