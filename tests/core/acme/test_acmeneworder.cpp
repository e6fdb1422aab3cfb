// SPDX-License-Identifier: GPL-3.0-or-later
// The newOrder payload (RFC 8555 7.4) with ARI's "replaces" (RFC 9773
// section 5): sent only when the directory advertises renewalInfo. The
// directories are JSON data parsed by AcmeDirectory, not servers; the
// replaced certificates are made by the openssl CLI, and the identifier of
// TestPki's leaf is rebuilt from what `openssl x509` prints.
#include "PeerProcess.h"
#include "TestPki.h"
#include "acme/protocol/AcmeDirectory.h"
#include "acme/protocol/AcmeNewOrder.h"
#include "acme/protocol/AcmeRenewalInfo.h"

#include <QFile>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::acme;
using certdeck::test::runTool;
using certdeck::test::TestPki;

namespace {

const QByteArray kWithAri =
    R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",)"
    R"("newOrder":"https://ca.test/order","renewalInfo":"https://ca.test/renewal-info"})";
const QByteArray kWithoutAri =
    R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",)"
    R"("newOrder":"https://ca.test/order"})";

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The RFC 9773 section 4.1 example: AKI 69:88:5B:..., serial 0x87654321.
QByteArray rfcExampleCert()
{
    QByteArray pem;
    const int rc = runTool(
        QStringLiteral("openssl"),
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
         QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
         QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
         QStringLiteral("-keyout"), QStringLiteral("/dev/null"), QStringLiteral("-subj"),
         QStringLiteral("/CN=old.example.test"), QStringLiteral("-days"), QStringLiteral("1"),
         QStringLiteral("-set_serial"), QStringLiteral("0x87654321"), QStringLiteral("-addext"),
         QStringLiteral("subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:"
                        "01:C8:D4"),
         QStringLiteral("-addext"), QStringLiteral("authorityKeyIdentifier=keyid:always")},
        &pem);
    return rc == 0 ? QSslCertificate::fromData(pem).value(0).toDer() : QByteArray();
}

QList<AcmeIdentifier> names()
{
    return {*AcmeIdentifier::dns(QStringLiteral("www.example.test")),
            *AcmeIdentifier::ip(QStringLiteral("127.0.0.1"))};
}

} // namespace

class TestAcmeNewOrder : public QObject
{
    Q_OBJECT
private slots:
    void directoryKeepsRenewalInfo();
    void replacesSentWhenAriAdvertised();
    void replacesOmittedWithoutAri();
    void noReplacesAsked();
    void testPkiLeafMatchesOpensslCli();
};

void TestAcmeNewOrder::directoryKeepsRenewalInfo()
{
    auto with = AcmeDirectory::parse(kWithAri, QStringLiteral("test"));
    QVERIFY(with);
    QCOMPARE(with->renewalInfo, QUrl(QStringLiteral("https://ca.test/renewal-info")));
    auto without = AcmeDirectory::parse(kWithoutAri, QStringLiteral("test"));
    QVERIFY(without);
    QVERIFY(without->renewalInfo.isEmpty());
}

void TestAcmeNewOrder::replacesSentWhenAriAdvertised()
{
    const QByteArray der = rfcExampleCert();
    QVERIFY(!der.isEmpty());
    auto id = AcmeRenewalInfo::certId(der);
    QVERIFY(id);
    auto dir = AcmeDirectory::parse(kWithAri, QStringLiteral("test"));
    QVERIFY(dir);
    const NewOrderPayload p = newOrderPayload(names(), *id, *dir);
    QVERIFY(p.replacesSent);
    QCOMPARE(compact(p.json),
             QByteArray(R"({"identifiers":[{"type":"dns","value":"www.example.test"},)"
                        R"({"type":"ip","value":"127.0.0.1"}],)"
                        R"("replaces":"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"})"));
}

void TestAcmeNewOrder::replacesOmittedWithoutAri()
{
    auto id = AcmeRenewalInfo::certId(rfcExampleCert());
    QVERIFY(id);
    auto dir = AcmeDirectory::parse(kWithoutAri, QStringLiteral("test"));
    QVERIFY(dir);
    const NewOrderPayload p = newOrderPayload(names(), *id, *dir);
    QVERIFY(!p.replacesSent);
    QCOMPARE(compact(p.json),
             QByteArray(R"({"identifiers":[{"type":"dns","value":"www.example.test"},)"
                        R"({"type":"ip","value":"127.0.0.1"}]})"));
}

void TestAcmeNewOrder::noReplacesAsked()
{
    auto dir = AcmeDirectory::parse(kWithAri, QStringLiteral("test"));
    QVERIFY(dir);
    const NewOrderPayload p = newOrderPayload(names(), QString(), *dir);
    QVERIFY(!p.replacesSent);
    QVERIFY(!p.json.contains(QStringLiteral("replaces")));
}

void TestAcmeNewOrder::testPkiLeafMatchesOpensslCli()
{
    QTemporaryDir tmp;
    TestPki pki;
    QVERIFY2(pki.create(tmp.path(), {}), qPrintable(pki.errorString()));
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("old");
    const TestPki::Leaf leaf = pki.issue(spec);
    QVERIFY2(!leaf.name.isEmpty(), qPrintable(pki.errorString()));

    // The identifier as the openssl CLI sees the certificate.
    QByteArray text;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), leaf.cert,
                      QStringLiteral("-noout"), QStringLiteral("-serial"), QStringLiteral("-ext"),
                      QStringLiteral("authorityKeyIdentifier")},
                     &text),
             0);
    QByteArray serialHex;
    QByteArray akiHex;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.startsWith("serial=")) {
            serialHex = line.mid(7);
        } else if (line.startsWith("X509v3 Authority Key Identifier") && i + 1 < lines.size()) {
            akiHex = lines.at(i + 1).trimmed();
            akiHex.replace("keyid:", "");
            akiHex.replace(":", "");
        }
    }
    QVERIFY2(!serialHex.isEmpty() && !akiHex.isEmpty(), text.constData());
    QByteArray serial = QByteArray::fromHex(serialHex);
    if (static_cast<unsigned char>(serial.at(0)) & 0x80) {
        serial.prepend('\0'); // DER INTEGER content stays positive
    }
    const QByteArray expectedId =
        QByteArray::fromHex(akiHex).toBase64(QByteArray::Base64UrlEncoding |
                                             QByteArray::OmitTrailingEquals) +
        '.' + serial.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    QFile f(leaf.cert);
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto id = AcmeRenewalInfo::certId(QSslCertificate::fromData(f.readAll()).value(0).toDer());
    QVERIFY2(id, qPrintable(id ? QString() : id.error().toString()));
    QCOMPARE(id->toLatin1(), expectedId);

    auto dir = AcmeDirectory::parse(kWithAri, QStringLiteral("test"));
    QVERIFY(dir);
    const NewOrderPayload p =
        newOrderPayload({*AcmeIdentifier::dns(QStringLiteral("localhost"))}, *id, *dir);
    QCOMPARE(compact(p.json),
             R"({"identifiers":[{"type":"dns","value":"localhost"}],"replaces":")" + expectedId +
                 R"("})");
}

QTEST_GUILESS_MAIN(TestAcmeNewOrder)
#include "test_acmeneworder.moc"
