// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl proxy --cert ENDPOINT: the proxy serves an inventory
// endpoint's current certificate with its recorded chain and its key from
// the key vault. `openssl s_client` (an independent tool) sees exactly the
// recorded leaf and chain and verifies them against the test root; after a
// renewal recorded in the inventory, SIGHUP makes the proxy serve the new
// serial. Refusals (unknown endpoint, none recorded, key issued elsewhere,
// wrong passphrase, expired, revoked, no passphrase) exit 3 naming the
// cause, and a missing "x.pem" is told as a missing file, not taken for an
// endpoint; --force serves an expired one with a warning. The key never
// reaches the proxy's output, its working and temporary folders, or the
// store in plain form.
#include "CtlRun.h"
#include "PeerProcess.h"
#include "TestBackend.h"
#include "TestPki.h"
#include "crypto/CertificateReader.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/PrivateKey.h"
#include "inventory/KeyVault.h"
#include "inventory/Store.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>
#include <csignal>
#include <openssl/core_names.h>
#include <openssl/evp.h>

using namespace certdeck;
using namespace certdeck::test;

namespace {

const QByteArray kPassphrase = "proxy vault passphrase";
const QString kPassEnv = QStringLiteral("CERTDECK_TEST_PROXY_VAULT");

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// The CERTIFICATE blocks of `text`, in order, each with its END line.
QList<QByteArray> pemBlocks(const QByteArray& text)
{
    QList<QByteArray> out;
    qsizetype from = 0;
    while (true) {
        const qsizetype b = text.indexOf("-----BEGIN CERTIFICATE-----", from);
        const qsizetype e = text.indexOf("-----END CERTIFICATE-----", b);
        if (b < 0 || e < 0) {
            return out;
        }
        out << text.mid(b, e - b + 25);
        from = e + 25;
    }
}

} // namespace

class TestProxyInventory : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void servesRecordedChainAndTakesRenewalOnSighup();
    void refusalsAreNamed_data();
    void refusalsAreNamed();
    void forceServesExpiredWithWarning();

private:
    /// Records `leaf` (fullchain) for `endpointId`, its key sealed in the
    /// vault unless `withKey` is false; the leaf's id.
    qint64 record(const TestPki::Leaf& leaf, qint64 endpointId, bool withKey = true);
    qint64 addEndpoint(const QString& host);
    QStringList proxyArgs(const QString& cert) const;
    QProcessEnvironment env(const QByteArray& passphrase) const;
    QByteArray sClient(quint16 port, const QString& sni);
    QByteArray serialOf(const QByteArray& pem);
    /// Every file under `dir` holding one of the key's forms.
    QStringList filesHoldingKey(const QString& dir, const TestPki::Leaf& leaf);
    static QList<QByteArray> keyForms(const TestPki::Leaf& leaf);
    static quint16 listeningPort(const QByteArray& log);

    FixtureDir m_dir;
    QString m_run; ///< the store, logs, the proxy's working and temp folders
    QString m_db;
    TestPki m_pki;
    TestPki::Leaf m_one, m_two, m_expired, m_elsewhere, m_revoked;
    qint64 m_endpoint = 0;
    TestBackend m_backend;
};

void TestProxyInventory::initTestCase()
{
    // The PKI (with its key files) and the proxy's folders apart, so a key
    // found under the run folder can only have been written by the proxy.
    const QString pki = m_dir.filePath(QStringLiteral("pki"));
    m_run = m_dir.filePath(QStringLiteral("run"));
    QVERIFY(QDir().mkpath(pki) && QDir().mkpath(m_run + QStringLiteral("/tmp")));
    m_db = m_run + QStringLiteral("/inventory.sqlite");
    QVERIFY2(m_pki.create(pki, {}), qPrintable(m_pki.errorString()));
    TestPki::LeafSpec s;
    s.name = QStringLiteral("one");
    m_one = m_pki.issue(s);
    s.name = QStringLiteral("two");
    m_two = m_pki.issue(s);
    s.name = QStringLiteral("elsewhere");
    s.sans = {QStringLiteral("DNS:elsewhere.test")};
    m_elsewhere = m_pki.issue(s);
    s.name = QStringLiteral("revoked");
    s.sans = {QStringLiteral("DNS:revoked.test")};
    m_revoked = m_pki.issue(s);
    s.name = QStringLiteral("expired");
    s.sans = {QStringLiteral("DNS:expired.test")};
    s.notBefore = QDateTime::currentDateTimeUtc().addDays(-100);
    s.notAfter = QDateTime::currentDateTimeUtc().addDays(-10);
    m_expired = m_pki.issue(s);
    for (const auto* l : {&m_one, &m_two, &m_elsewhere, &m_revoked, &m_expired}) {
        QVERIFY2(!l->name.isEmpty(), qPrintable(m_pki.errorString()));
    }
    QVERIFY(m_backend.start());

    {
        auto store = inventory::Store::openSqlite(m_db);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        inventory::KeyVault vault(**store);
        inventory::ScryptCost cheap;
        cheap.n = std::uint64_t{1} << 12;
        auto init = vault.init(kPassphrase, cheap);
        QVERIFY2(init, qPrintable(init ? QString() : init.error().toString()));
    }
    m_endpoint = addEndpoint(QStringLiteral("localhost"));
    QVERIFY(record(m_one, m_endpoint) > 0);
    QVERIFY(record(m_elsewhere, addEndpoint(QStringLiteral("elsewhere.test")), false) > 0);
    QVERIFY(record(m_expired, addEndpoint(QStringLiteral("expired.test"))) > 0);
    const qint64 revoked = record(m_revoked, addEndpoint(QStringLiteral("revoked.test")));
    QVERIFY(revoked > 0);
    QVERIFY(addEndpoint(QStringLiteral("bare.test")) > 0);
    auto store = inventory::Store::openSqlite(m_db);
    QVERIFY(store);
    inventory::CertificateRevocation why;
    why.atUtc = QDateTime::currentDateTimeUtc();
    why.reason = QStringLiteral("keyCompromise");
    why.foundBy = QStringLiteral("ocsp");
    QVERIFY((*store)->certificates().markRevoked(revoked, why));
}

qint64 TestProxyInventory::addEndpoint(const QString& host)
{
    auto store = inventory::Store::openSqlite(m_db);
    if (!store) {
        qWarning() << store.error().toString();
        return 0;
    }
    inventory::Endpoint e;
    e.host = host;
    e.port = 443;
    auto added = (*store)->endpoints().add(e);
    if (!added) {
        qWarning() << added.error().toString();
        return 0;
    }
    return added->id;
}

qint64 TestProxyInventory::record(const TestPki::Leaf& leaf, qint64 endpointId, bool withKey)
{
    auto store = inventory::Store::openSqlite(m_db);
    auto bundle = crypto::CertificateReader::readFile(leaf.fullchain);
    auto key = crypto::PrivateKey::fromPem(readAll(leaf.key));
    if (!store || !bundle || !key || bundle->certificates.size() != 2) {
        qWarning() << "cannot read" << leaf.fullchain << "or open the store";
        return 0;
    }
    inventory::CertificateOrigin origin;
    origin.source = inventory::CertificateSource::Imported;
    if (withKey) {
        inventory::KeyVault vault(**store);
        auto unlocked = vault.unlock(kPassphrase);
        auto keyId =
            unlocked ? vault.storeKey(*key) : Result<qint64>(tl::unexpected(unlocked.error()));
        if (!keyId) {
            qWarning() << keyId.error().toString();
            return 0;
        }
        origin.keyId = *keyId;
    }
    auto id = (*store)->certificates().record(bundle->certificates, origin);
    if (!id) {
        qWarning() << id.error().toString();
        return 0;
    }
    auto version =
        (*store)->certificates().addVersion(endpointId, *id, inventory::VersionState::Deployed);
    return version ? *id : 0;
}

QStringList TestProxyInventory::proxyArgs(const QString& cert) const
{
    return {QStringLiteral("proxy"),
            QStringLiteral("--db"),
            m_db,
            QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--backend"),
            QStringLiteral("127.0.0.1:%1").arg(m_backend.port()),
            QStringLiteral("--cert"),
            cert,
            QStringLiteral("--vault-passphrase-env"),
            kPassEnv};
}

QProcessEnvironment TestProxyInventory::env(const QByteArray& passphrase) const
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(kPassEnv, QString::fromUtf8(passphrase));
    e.insert(QStringLiteral("TMPDIR"), m_run + QStringLiteral("/tmp"));
    return e;
}

QByteArray TestProxyInventory::sClient(quint16 port, const QString& sni)
{
    QByteArray out;
    runTool(QStringLiteral("openssl"),
            {QStringLiteral("s_client"), QStringLiteral("-connect"),
             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-servername"), sni,
             QStringLiteral("-showcerts"), QStringLiteral("-CAfile"), m_pki.rootCert},
            &out, 30000, {}, "Q\n");
    return out;
}

QByteArray TestProxyInventory::serialOf(const QByteArray& pem)
{
    QByteArray out;
    if (runTool(QStringLiteral("openssl"),
                {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-serial")}, &out,
                30000, {}, pem) != 0) {
        return {};
    }
    return out.trimmed();
}

quint16 TestProxyInventory::listeningPort(const QByteArray& log)
{
    const qsizetype at = log.indexOf("listening on 127.0.0.1:");
    if (at < 0) {
        return 0;
    }
    const QByteArray rest = log.mid(at + 23);
    return static_cast<quint16>(rest.left(rest.indexOf(' ')).toUInt());
}

QList<QByteArray> TestProxyInventory::keyForms(const TestPki::Leaf& leaf)
{
    // The PEM body lines, the PKCS#8 DER, and the bare private scalar.
    QList<QByteArray> forms;
    const QByteArray pem = readAll(leaf.key);
    for (const QByteArray& line : pem.split('\n')) {
        if (line.size() >= 40 && !line.startsWith("-----")) {
            forms << line;
        }
    }
    auto key = crypto::PrivateKey::fromPem(pem);
    if (key) {
        forms << key->toPkcs8Der();
        BIGNUM* raw = nullptr;
        if (EVP_PKEY_get_bn_param(key->handle(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) == 1) {
            ossl::BignumPtr priv(raw);
            QByteArray bytes(BN_num_bytes(priv.get()), '\0');
            BN_bn2bin(priv.get(), reinterpret_cast<unsigned char*>(bytes.data()));
            forms << bytes;
        }
    }
    return forms;
}

QStringList TestProxyInventory::filesHoldingKey(const QString& dir, const TestPki::Leaf& leaf)
{
    const QList<QByteArray> forms = keyForms(leaf);
    QStringList found;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QByteArray content = readAll(path);
        for (const QByteArray& form : forms) {
            if (content.contains(form)) {
                found << path;
                break;
            }
        }
    }
    return found;
}

void TestProxyInventory::servesRecordedChainAndTakesRenewalOnSighup()
{
    QVERIFY(keyForms(m_one).size() >= 4); // the scan below can find something
    PeerProcess proxy(QStringLiteral("certdeckctl proxy"), m_run + QStringLiteral("/proxy.log"));
    proxy.setEnvironment(env(kPassphrase));
    proxy.setWorkingDirectory(m_run);
    QVERIFY(proxy.start(certdeckctlPath(), proxyArgs(QStringLiteral("localhost:443"))));
    QVERIFY2(proxy.waitForLog("QAT:"), qPrintable(proxy.errorString()));
    const quint16 port = listeningPort(proxy.log());
    QVERIFY2(port != 0, proxy.log().constData());
    QVERIFY2(proxy.log().contains("from endpoint " + QByteArray::number(m_endpoint) +
                                  " localhost:443, certificate"),
             proxy.log().constData());

    // The served chain is the recorded one: the leaf and the intermediate.
    QByteArray seen = sClient(port, QStringLiteral("localhost"));
    QList<QByteArray> served = pemBlocks(seen);
    QCOMPARE(served.size(), 2);
    QCOMPARE(served.at(0), pemBlocks(readAll(m_one.cert)).value(0));
    QCOMPARE(served.at(1), pemBlocks(readAll(m_pki.intermediateCert)).value(0));
    QVERIFY2(seen.contains("Verify return code: 0 (ok)"), seen.constData());
    const QByteArray firstSerial = serialOf(served.at(0));
    QCOMPARE(firstSerial, serialOf(readAll(m_one.cert)));

    // Renewed: a new certificate with a new key recorded for the endpoint.
    QVERIFY(record(m_two, m_endpoint) > 0);
    // Before SIGHUP the proxy still serves the first one.
    QCOMPARE(serialOf(pemBlocks(sClient(port, QStringLiteral("localhost"))).value(0)), firstSerial);
    QVERIFY(::kill(static_cast<pid_t>(proxy.pid()), SIGHUP) == 0);
    QVERIFY2(proxy.waitForLog("(SIGHUP)"), qPrintable(proxy.errorString()));
    seen = sClient(port, QStringLiteral("localhost"));
    served = pemBlocks(seen);
    QCOMPARE(served.size(), 2);
    const QByteArray newSerial = serialOf(served.at(0));
    QCOMPARE(newSerial, serialOf(readAll(m_two.cert)));
    QVERIFY(newSerial != firstSerial);
    QVERIFY2(seen.contains("Verify return code: 0 (ok)"), seen.constData());

    // A request still goes through to the backend.
    QByteArray out;
    QCOMPARE(
        runTool(QStringLiteral("curl"),
                {QStringLiteral("-sS"), QStringLiteral("--cacert"), m_pki.rootCert,
                 QStringLiteral("--resolve"), QStringLiteral("localhost:%1:127.0.0.1").arg(port),
                 QStringLiteral("https://localhost:%1/renewed").arg(port)},
                &out),
        0);
    QVERIFY2(out.contains("GET /renewed"), out.constData());

    proxy.stop();
    QVERIFY2(proxy.log().contains("stopped after"), proxy.log().constData());
    // Neither key, in any form, in the proxy's log, its working and temp
    // folders or the store (which holds them sealed only).
    QCOMPARE(filesHoldingKey(m_run, m_one), QStringList());
    QCOMPARE(filesHoldingKey(m_run, m_two), QStringList());
    // The scan does find a key where one is (so it can fail).
    QCOMPARE(filesHoldingKey(QFileInfo(m_one.key).absolutePath(), m_one).size() >= 1, true);
}

void TestProxyInventory::refusalsAreNamed_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown endpoint")
        << QStringLiteral("nosuch.test:443") << kPassphrase
        << QStringLiteral("--cert nosuch.test:443: no such file, and no endpoint "
                          "'nosuch.test:443' in the inventory");
    QTest::newRow("unknown id") << QStringLiteral("endpoint:9999") << kPassphrase
                                << QStringLiteral("no endpoint '9999' in the inventory");
    QTest::newRow("no certificate") << QStringLiteral("bare.test") << kPassphrase
                                    << QStringLiteral("bare.test:443 has no current certificate");
    QTest::newRow("no key in the vault")
        << QStringLiteral("elsewhere.test") << kPassphrase
        << QStringLiteral("is not in the key vault: it was issued elsewhere; give the files");
    QTest::newRow("wrong passphrase") << QStringLiteral("localhost") << QByteArray("not it")
                                      << QStringLiteral("the key vault: wrong master passphrase");
    QTest::newRow("expired") << QStringLiteral("expired.test") << kPassphrase
                             << QStringLiteral("is expired on");
    QTest::newRow("revoked") << QStringLiteral("revoked.test") << kPassphrase
                             << QStringLiteral("is revoked on");
    QTest::newRow("mistyped file") << QStringLiteral("missing.pem") << QByteArray()
                                   << QStringLiteral("cannot read missing.pem");
    QTest::newRow("no passphrase") << QStringLiteral("localhost") << QByteArray()
                                   << QStringLiteral("give its master passphrase with "
                                                     "--vault-passphrase-file");
}

void TestProxyInventory::refusalsAreNamed()
{
    QFETCH(QString, cert);
    QFETCH(QByteArray, passphrase);
    QFETCH(QString, message);
    QStringList args = proxyArgs(cert);
    QProcessEnvironment e = env(passphrase);
    if (passphrase.isEmpty()) {
        args.removeLast();
        args.removeLast(); // no --vault-passphrase-env
    }
    const CtlRun run = runCtl(args, e, 60000);
    QCOMPARE(run.code, 3);
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
    QVERIFY2(!run.all().contains("listening on"), run.all().constData());
}

void TestProxyInventory::forceServesExpiredWithWarning()
{
    PeerProcess proxy(QStringLiteral("certdeckctl proxy --force"),
                      m_run + QStringLiteral("/force.log"));
    proxy.setEnvironment(env(kPassphrase));
    proxy.setWorkingDirectory(m_run);
    QStringList args = proxyArgs(QStringLiteral("expired.test"));
    args << QStringLiteral("--force");
    QVERIFY(proxy.start(certdeckctlPath(), args));
    QVERIFY2(proxy.waitForLog("QAT:"), qPrintable(proxy.errorString()));
    const QByteArray log = proxy.log();
    QVERIFY2(log.contains("warning: endpoint ") && log.contains("is expired on") &&
                 log.contains("(served because of --force)"),
             log.constData());
    const quint16 port = listeningPort(log);
    QVERIFY(port != 0);
    QCOMPARE(serialOf(pemBlocks(sClient(port, QStringLiteral("expired.test"))).value(0)),
             serialOf(readAll(m_expired.cert)));
    proxy.stop();
    QCOMPARE(filesHoldingKey(m_run, m_expired), QStringList());
}

QTEST_GUILESS_MAIN(TestProxyInventory)
#include "test_proxy_inventory.moc"
