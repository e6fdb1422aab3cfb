// SPDX-License-Identifier: GPL-3.0-or-later
// `certdeckctl chain verify` run as an admin or a monitoring check would,
// with its exit code checked against `openssl verify` on the same files.
#include "CtlRun.h"
#include "HttpFileServer.h"
#include "PeerProcess.h"
#include "TestPki.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestChainCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void verdictsAndExitCodes_data();
    void verdictsAndExitCodes();
    void jsonReport();
    void unreadableInput_data();
    void unreadableInput();
    void usageErrors_data();
    void usageErrors();
    void fetchesMissingIntermediate();

private:
    using Run = certdeck::test::CtlTextRun;
    Run ctl(const QStringList& args);
    QString write(const QString& name, const QByteArray& data);

    QString m_ctl;
    QTemporaryDir m_dir;
    HttpFileServer m_aia;
    TestPki m_pki;
    QString m_soon;
};

TestChainCommand::Run TestChainCommand::ctl(const QStringList& args)
{
    // The AIA server lives in this process: runCtl keeps the event loop running.
    return certdeck::test::runCtlText(args, {}, 30000);
}

QString TestChainCommand::write(const QString& name, const QByteArray& data)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size()) {
        return {};
    }
    return path;
}

void TestChainCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    QVERIFY(m_dir.isValid());
    QVERIFY(m_aia.listen());
    TestPki::Options o;
    o.caIssuersUrl = m_aia.url(QStringLiteral("/int.der")).toString();
    QVERIFY2(m_pki.create(m_dir.path(), o), qPrintable(m_pki.errorString()));
    QVERIFY2(m_pki.issueStandardSet(), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("soon");
    s.notAfter = QDateTime::currentDateTimeUtc().addDays(5);
    m_soon = m_pki.issue(s).fullchain;
    QVERIFY(!m_soon.isEmpty());
}

void TestChainCommand::help()
{
    const Run r = ctl({QStringLiteral("chain"), QStringLiteral("--help")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains(QStringLiteral("certdeckctl chain verify FILE")));
    QVERIFY(r.out.contains(QStringLiteral("--no-aia")));
    const Run top = ctl({QStringLiteral("--help")});
    QVERIFY(top.out.contains(QStringLiteral("chain verify FILE")));
}

void TestChainCommand::verdictsAndExitCodes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("says");

    const QByteArray leaf = readAll(m_pki.good.cert);
    const QByteArray inter = readAll(m_pki.intermediateCert);
    const QByteArray root = readAll(m_pki.rootCert);
    const QString noAia = QStringLiteral("--no-aia");
    QTest::newRow("good") << m_pki.good.fullchain << QStringList{} << 0
                          << QStringLiteral("TRUSTED - Trusted chain to CertDeck Test Root");
    QTest::newRow("expired") << m_pki.expired.fullchain << QStringList{} << 2
                             << QStringLiteral("[ERROR]   leaf         CN=localhost (served) - "
                                               "Expired 10 days ago");
    QTest::newRow("not yet valid") << m_pki.notYetValid.fullchain << QStringList{} << 2
                                   << QStringLiteral("Not valid yet: valid from");
    QTest::newRow("wrong host") << m_pki.wrongHost.fullchain << QStringList{} << 2
                                << QStringLiteral("Not valid for localhost");
    QTest::newRow("leaf only, no AIA")
        << m_pki.good.cert << QStringList{noAia} << 2
        << QStringLiteral("the server sends cert.pem instead of fullchain.pem");
    QTest::newRow("wrong order") << write(QStringLiteral("wrongorder.pem"), inter + leaf)
                                 << QStringList{} << 1 << QStringLiteral("wrong-order - Served");
    QTest::newRow("root included")
        << write(QStringLiteral("withroot.pem"), leaf + inter + root) << QStringList{} << 1
        << QStringLiteral("[INFO]    root-included");
    QTest::newRow("expiring soon")
        << m_soon << QStringList{} << 1 << QStringLiteral("[WARNING] leaf");
    QTest::newRow("IP address") << m_pki.good.fullchain
                                << QStringList{QStringLiteral("--ip"), QStringLiteral("127.0.0.1")}
                                << 0 << QStringLiteral("Checked for 127.0.0.1");
    QTest::newRow("DER leaf") << write(QStringLiteral("leaf.der"),
                                       QByteArray::fromBase64(
                                           QByteArray(leaf)
                                               .replace("-----BEGIN CERTIFICATE-----", "")
                                               .replace("-----END CERTIFICATE-----", "")))
                              << QStringList{noAia} << 2 << QStringLiteral("Unknown issuer");
}

void TestChainCommand::verdictsAndExitCodes()
{
    QFETCH(QString, file);
    QFETCH(QStringList, extra);
    QFETCH(int, code);
    QFETCH(QString, says);
    QStringList args{QStringLiteral("chain"), QStringLiteral("verify"), file,
                     QStringLiteral("--ca-file"), m_pki.rootCert};
    if (!extra.contains(QStringLiteral("--ip"))) {
        args << QStringLiteral("--host") << QStringLiteral("localhost");
    }
    args += extra;
    const Run r = ctl(args);
    QVERIFY2(r.code == code, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(says), qPrintable(r.out));

    // The oracle: trusted (exit 0 or 1) exactly when openssl verify says OK.
    const QString untrusted = m_dir.filePath(QStringLiteral("untrusted.pem"));
    QFile::remove(untrusted);
    QVERIFY(QFile::copy(file, untrusted));
    QByteArray out;
    const bool der = file.endsWith(QLatin1String(".der"));
    QStringList o{QStringLiteral("verify"),   QStringLiteral("-x509_strict"),
                  QStringLiteral("-purpose"), QStringLiteral("sslserver"),
                  QStringLiteral("-CAfile"),  m_pki.rootCert};
    o << (extra.contains(QStringLiteral("--ip"))
              ? QStringList{QStringLiteral("-verify_ip"), QStringLiteral("127.0.0.1")}
              : QStringList{QStringLiteral("-verify_hostname"), QStringLiteral("localhost")});
    if (!der && !extra.contains(QStringLiteral("--no-aia"))) {
        o << QStringLiteral("-untrusted") << untrusted;
    }
    // The leaf is the one certificate that issued nothing: the first served
    // one, or the second in the wrong-order file.
    const QString leafFile = QTest::currentDataTag() == QLatin1String("wrong order")
                                 ? m_pki.good.cert
                                 : (der ? m_pki.good.cert : file);
    o << leafFile;
    const int rc = runTool(QStringLiteral("openssl"), o, &out);
    QVERIFY2((rc == 0) == (code < 2), out.constData());
}

void TestChainCommand::jsonReport()
{
    const Run r = ctl({QStringLiteral("chain"), QStringLiteral("verify"), m_pki.expired.fullchain,
                       QStringLiteral("--ca-file"), m_pki.rootCert, QStringLiteral("--host"),
                       QStringLiteral("localhost"), QStringLiteral("--json")});
    QCOMPARE(r.code, 2);
    QJsonParseError e;
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &e).object();
    QVERIFY2(e.error == QJsonParseError::NoError, qPrintable(r.out));
    QCOMPARE(o.value(QStringLiteral("trusted")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("verdict")).toString(), QStringLiteral("error"));
    QCOMPARE(o.value(QStringLiteral("host")).toString(), QStringLiteral("localhost"));
    const QJsonArray built = o.value(QStringLiteral("built")).toArray();
    QCOMPARE(built.size(), 3);
    const QJsonObject leaf = built.at(0).toObject();
    QCOMPARE(leaf.value(QStringLiteral("role")).toString(), QStringLiteral("leaf"));
    QCOMPARE(leaf.value(QStringLiteral("revocation")).toString(), QStringLiteral("not-checked"));
    const QJsonObject f = leaf.value(QStringLiteral("findings")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("problem")).toString(), QStringLiteral("expired"));
    QVERIFY(f.value(QStringLiteral("message"))
                .toString()
                .startsWith(QStringLiteral("Expired 10 days ago, on ")));
    QCOMPARE(built.at(2).toObject().value(QStringLiteral("source")).toString(),
             QStringLiteral("trust-store"));
    QCOMPARE(o.value(QStringLiteral("served")).toArray().size(), 2);
}

void TestChainCommand::unreadableInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("says");
    const QByteArray pem = readAll(m_pki.good.cert);
    QTest::newRow("missing") << m_dir.filePath(QStringLiteral("nope.pem"))
                             << QStringLiteral("cannot read");
    QTest::newRow("empty") << write(QStringLiteral("empty.pem"), {})
                           << QStringLiteral("neither PEM certificates nor a DER certificate");
    QTest::newRow("garbage") << write(QStringLiteral("garbage.pem"), "hello\n")
                             << QStringLiteral("neither PEM certificates nor a DER certificate");
    QTest::newRow("truncated") << write(QStringLiteral("trunc.pem"), pem.left(pem.size() / 2))
                               << QStringLiteral("line 1: certificate has no END line");
    QByteArray bad = pem;
    bad[40] = '!';
    QTest::newRow("bad base64") << write(QStringLiteral("bad64.pem"), bad)
                                << QStringLiteral("line 1: the base64 body is damaged");
    QTest::newRow("a key") << m_pki.good.key << QStringLiteral("no certificate");
    QTest::newRow("huge") << write(QStringLiteral("huge.pem"), QByteArray(5 * 1024 * 1024, 'A'))
                          << QStringLiteral("too big for a certificate chain");
}

void TestChainCommand::unreadableInput()
{
    QFETCH(QString, file);
    QFETCH(QString, says);
    const Run r = ctl({QStringLiteral("chain"), QStringLiteral("verify"), file,
                       QStringLiteral("--ca-file"), m_pki.rootCert});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(says), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
    // A bad trust bundle is unreadable input too.
    const Run b = ctl({QStringLiteral("chain"), QStringLiteral("verify"), m_pki.good.fullchain,
                       QStringLiteral("--ca-file"), file});
    QCOMPARE(b.code, 3);
}

void TestChainCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    const QString f = QStringLiteral("x.pem");
    QTest::newRow("no action") << QStringList{};
    QTest::newRow("no file") << QStringList{QStringLiteral("verify")};
    QTest::newRow("unknown action") << QStringList{QStringLiteral("check"), f};
    QTest::newRow("host and ip") << QStringList{
        QStringLiteral("verify"), f,
        QStringLiteral("--host"), QStringLiteral("a"),
        QStringLiteral("--ip"),   QStringLiteral("1.2.3.4")};
    QTest::newRow("bad ip") << QStringList{QStringLiteral("verify"), f, QStringLiteral("--ip"),
                                           QStringLiteral("example.com")};
    QTest::newRow("bad days") << QStringList{
        QStringLiteral("verify"), f, QStringLiteral("--expiring-days"), QStringLiteral("soon")};
}

void TestChainCommand::usageErrors()
{
    QFETCH(QStringList, args);
    const Run r = ctl(QStringList{QStringLiteral("chain")} + args);
    QCOMPARE(r.code, 3);
    QVERIFY(r.err.contains(QStringLiteral("certdeckctl: ")));
}

void TestChainCommand::fetchesMissingIntermediate()
{
    m_aia.setFile(QStringLiteral("/int.der"), readAll(m_pki.intermediateDer));
    const Run r = ctl({QStringLiteral("chain"), QStringLiteral("verify"), m_pki.good.cert,
                       QStringLiteral("--ca-file"), m_pki.rootCert, QStringLiteral("--host"),
                       QStringLiteral("localhost")});
    // Trusted through AIA, yet critical: most clients do not fetch.
    QVERIFY2(r.code == 2, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains(QStringLiteral("TRUSTED - Trusted chain to CertDeck Test Root, but: "
                                           "Missing intermediate")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("(aia)")));
    QVERIFY2(r.err.contains(QStringLiteral("fetching the issuer of localhost from http://")),
             qPrintable(r.err));
    QCOMPARE(m_aia.requestCount(QStringLiteral("/int.der")), 1);
}

QTEST_GUILESS_MAIN(TestChainCommand)
#include "test_chain_command.moc"
