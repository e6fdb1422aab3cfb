// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl key and dhparam, run as a user would, with the openssl CLI
// checking what they wrote.
#include "CtlRun.h"
#include "PeerProcess.h"
#include "TestPki.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace certdeck::test;

class TestKeyCommand : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void newKeyIsPrivateAndOpensslReadsIt();
    void neverOverwritesWithoutForce();
    void encryptedKeyWithPassphraseFileAndEnv();
    void usageErrors_data();
    void usageErrors();
    void showSaysWhatIsWrong();
    void matchExitCodes();
    void dhparamRefusesWeakSizesAndOverwrite();

private:
    using Run = certdeck::test::CtlRun;
    Run ctl(const QStringList& args, const QProcessEnvironment& extra = {});
    static mode_t modeOf(const QString& p)
    {
        struct stat st
        {
        };
        ::stat(QFile::encodeName(p).constData(), &st);
        return st.st_mode & 07777;
    }
    static QByteArray readFile(const QString& p)
    {
        QFile f(p);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    QByteArray opensslPinBase64(const QString& key, const QString& passFile = {});
    QString secretFile(const QString& name, const QByteArray& data);

    QString m_ctl;
    QTemporaryDir m_tmp;
    TestPki m_pki;
    TestPki::Leaf m_a;
    TestPki::Leaf m_b;
};

TestKeyCommand::Run TestKeyCommand::ctl(const QStringList& args, const QProcessEnvironment& extra)
{
    QProcessEnvironment env = extra;
    if (!env.contains(QStringLiteral("CERTDECK_DB"))) {
        env.insert(QStringLiteral("CERTDECK_DB"), m_tmp.filePath(QStringLiteral("store.sqlite")));
    }
    return certdeck::test::runCtl(args, env);
}

QString TestKeyCommand::secretFile(const QString& name, const QByteArray& data)
{
    const QString p = m_tmp.filePath(name);
    QFile f(p);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        f.write(data);
    }
    return p;
}

QByteArray TestKeyCommand::opensslPinBase64(const QString& key, const QString& passFile)
{
    const QString der = key + QStringLiteral(".pub.der");
    QStringList args{QStringLiteral("pkey"),
                     QStringLiteral("-in"),
                     key,
                     QStringLiteral("-pubout"),
                     QStringLiteral("-outform"),
                     QStringLiteral("DER"),
                     QStringLiteral("-out"),
                     der};
    if (!passFile.isEmpty()) {
        args << QStringLiteral("-passin") << QStringLiteral("file:") + passFile;
    }
    QByteArray out;
    if (runTool(QStringLiteral("openssl"), args, &out) != 0) {
        qWarning() << out;
        return {};
    }
    return QCryptographicHash::hash(readFile(der), QCryptographicHash::Sha256).toBase64();
}

void TestKeyCommand::initTestCase()
{
    m_ctl = qEnvironmentVariable("CERTDECKCTL");
    QVERIFY2(QFile::exists(m_ctl), "CERTDECKCTL must name the built certdeckctl");
    QVERIFY(m_tmp.isValid());
    QVERIFY2(m_pki.create(m_tmp.filePath(QStringLiteral("pki")), {}),
             qPrintable(m_pki.errorString()));
    TestPki::LeafSpec a;
    a.name = QStringLiteral("a");
    m_a = m_pki.issue(a);
    TestPki::LeafSpec b;
    b.name = QStringLiteral("b");
    m_b = m_pki.issue(b);
    QVERIFY2(!m_a.name.isEmpty() && !m_b.name.isEmpty(), qPrintable(m_pki.errorString()));
}

void TestKeyCommand::newKeyIsPrivateAndOpensslReadsIt()
{
    const QString dir = m_tmp.filePath(QStringLiteral("new/keys"));
    const QString key = dir + QStringLiteral("/site.key");
    const Run r = ctl({QStringLiteral("key"), QStringLiteral("new"), QStringLiteral("--type"),
                       QStringLiteral("p384"), QStringLiteral("--out"), key,
                       QStringLiteral("--no-encrypt"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("p384"));
    QCOMPARE(o.value(QStringLiteral("description")).toString(), QStringLiteral("ECDSA P-384"));
    QCOMPARE(o.value(QStringLiteral("encrypted")).toBool(), false);
    QCOMPARE(o.value(QStringLiteral("path")).toString(), key);
    QCOMPARE(o.value(QStringLiteral("spkiSha256")).toString().toLatin1(), opensslPinBase64(key));
    QCOMPARE(modeOf(key), mode_t(0600));
    QCOMPARE(modeOf(dir), mode_t(0700));
    QVERIFY(readFile(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    // The key itself is never printed.
    QVERIFY(!r.out.contains("PRIVATE KEY") && !r.err.contains("PRIVATE KEY"));
    QByteArray check;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkey"), QStringLiteral("-in"), key, QStringLiteral("-check"),
                      QStringLiteral("-noout")},
                     &check),
             0);
    QVERIFY2(check.contains("Key is valid"), check.constData());
}

void TestKeyCommand::neverOverwritesWithoutForce()
{
    const QString key = m_tmp.filePath(QStringLiteral("once.key"));
    const QStringList args{QStringLiteral("key"),         QStringLiteral("new"),
                           QStringLiteral("--type"),      QStringLiteral("ed25519"),
                           QStringLiteral("--out"),       key,
                           QStringLiteral("--no-encrypt")};
    QCOMPARE(ctl(args).code, 0);
    const QByteArray first = readFile(key);
    QVERIFY(!first.isEmpty());
    const Run again = ctl(args);
    QCOMPARE(again.code, 3);
    QVERIFY2(again.err.contains("exists; use --force to replace it"), again.err.constData());
    QCOMPARE(readFile(key), first);
    const Run json = ctl(args + QStringList{QStringLiteral("--json")});
    QCOMPARE(json.code, 3);
    QCOMPARE(json.json()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
             QStringLiteral("conflict"));
    const Run forced = ctl(args + QStringList{QStringLiteral("--force")});
    QCOMPARE(forced.code, 0);
    QVERIFY(readFile(key) != first);
    QCOMPARE(modeOf(key), mode_t(0600));
}

void TestKeyCommand::encryptedKeyWithPassphraseFileAndEnv()
{
    const QString pass = secretFile(QStringLiteral("pass.txt"), "tr0ub4dor&3\n");
    const QString key = m_tmp.filePath(QStringLiteral("enc/rsa.key"));
    const Run r = ctl({QStringLiteral("key"), QStringLiteral("new"), QStringLiteral("--type"),
                       QStringLiteral("rsa3072"), QStringLiteral("--out"), key,
                       QStringLiteral("--passphrase-file"), pass});
    QVERIFY2(r.code == 0, r.err.constData());
    // RSA shows its progress on stderr; the result goes to stdout.
    QVERIFY2(r.err.contains("Generating an RSA 3072 key: ") &&
                 r.err.contains("prime candidates tested"),
             r.err.constData());
    QVERIFY2(r.out.contains("Wrote RSA 3072 key to") && r.out.contains("scrypt + AES-256-CBC"),
             r.out.constData());
    QVERIFY(readFile(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QVERIFY(!r.out.contains("tr0ub4dor") && !r.err.contains("tr0ub4dor"));
    // openssl reads the first line of the file, as we do.
    const QByteArray pin = opensslPinBase64(key, pass);
    QVERIFY(!pin.isEmpty());
    QVERIFY2(r.out.contains(pin), r.out.constData());

    const Run locked = ctl({QStringLiteral("key"), QStringLiteral("show"), key});
    QCOMPARE(locked.code, 3);
    QVERIFY2(locked.err.contains("rsa.key is encrypted: give --passphrase-file"),
             locked.err.constData());

    QProcessEnvironment env;
    env.insert(QStringLiteral("KEY_PASS"), QStringLiteral("tr0ub4dor&3"));
    const Run shown =
        ctl({QStringLiteral("key"), QStringLiteral("show"), key, QStringLiteral("--passphrase-env"),
             QStringLiteral("KEY_PASS"), QStringLiteral("--json")},
            env);
    QVERIFY2(shown.code == 0, shown.err.constData());
    const QJsonObject o = shown.json();
    QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("rsa3072"));
    QCOMPARE(o.value(QStringLiteral("bits")).toInt(), 3072);
    QCOMPARE(o.value(QStringLiteral("encrypted")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("spkiSha256")).toString().toLatin1(), pin);

    env.insert(QStringLiteral("KEY_PASS"), QStringLiteral("tr0ub4dor&4"));
    const Run wrong = ctl({QStringLiteral("key"), QStringLiteral("show"), key,
                           QStringLiteral("--passphrase-env"), QStringLiteral("KEY_PASS")},
                          env);
    QCOMPARE(wrong.code, 3);
    QVERIFY2(wrong.err.contains("wrong passphrase for rsa.key"), wrong.err.constData());
}

void TestKeyCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    const QString out = QStringLiteral("/nonexistent-dir-certdeck/x.key");
    QTest::newRow("no action") << QStringList{QStringLiteral("key")}
                               << QByteArray("needs an action: new, show or match");
    QTest::newRow("no type") << QStringList{QStringLiteral("key"), QStringLiteral("new"),
                                            QStringLiteral("--out"), out,
                                            QStringLiteral("--no-encrypt")}
                             << QByteArray("needs --type and --out");
    QTest::newRow("weak type") << QStringList{QStringLiteral("key"),
                                              QStringLiteral("new"),
                                              QStringLiteral("--type"),
                                              QStringLiteral("rsa1024"),
                                              QStringLiteral("--out"),
                                              out,
                                              QStringLiteral("--no-encrypt")}
                               << QByteArray("unknown key type 'rsa1024'");
    QTest::newRow("encryption not chosen")
        << QStringList{QStringLiteral("key"),  QStringLiteral("new"),   QStringLiteral("--type"),
                       QStringLiteral("p256"), QStringLiteral("--out"), out}
        << QByteArray("choose --passphrase-file, --passphrase-env or --no-encrypt");
    QTest::newRow("both") << QStringList{QStringLiteral("key"),
                                         QStringLiteral("new"),
                                         QStringLiteral("--type"),
                                         QStringLiteral("p256"),
                                         QStringLiteral("--out"),
                                         out,
                                         QStringLiteral("--no-encrypt"),
                                         QStringLiteral("--passphrase-env"),
                                         QStringLiteral("X")}
                          << QByteArray(
                                 "choose --passphrase-file, --passphrase-env or --no-encrypt");
    // A passphrase is never an argument's value (shell history, `ps`).
    QTest::newRow("passphrase as argument")
        << QStringList{QStringLiteral("key"),          QStringLiteral("new"),
                       QStringLiteral("--type"),       QStringLiteral("p256"),
                       QStringLiteral("--out"),        out,
                       QStringLiteral("--passphrase"), QStringLiteral("secret")}
        << QByteArray("Unknown option 'passphrase'");
    QTest::newRow("match needs two")
        << QStringList{QStringLiteral("key"), QStringLiteral("match"), QStringLiteral("k.pem")}
        << QByteArray("needs a key file and a certificate");
    QTest::newRow("unset env") << QStringList{QStringLiteral("key"), QStringLiteral("show"),
                                              QStringLiteral("k.pem"),
                                              QStringLiteral("--passphrase-env"),
                                              QStringLiteral("CERTDECK_SURELY_UNSET_VAR")}
                               << QByteArray("environment variable CERTDECK_SURELY_UNSET_VAR is "
                                             "not set");
}

void TestKeyCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    const Run r = ctl(args);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(message), r.err.constData());
    QVERIFY(!QFile::exists(QStringLiteral("/nonexistent-dir-certdeck/x.key")));
}

void TestKeyCommand::showSaysWhatIsWrong()
{
    const Run cert = ctl({QStringLiteral("key"), QStringLiteral("show"), m_a.cert});
    QCOMPARE(cert.code, 3);
    QVERIFY2(cert.err.contains("contains a certificate, not a private key"), cert.err.constData());
    const QString truncated = secretFile(QStringLiteral("cut.key"), readFile(m_a.key).left(100));
    const Run cut = ctl({QStringLiteral("key"), QStringLiteral("show"), truncated});
    QCOMPARE(cut.code, 3);
    QVERIFY2(cut.err.contains("cut.key line 1: '-----BEGIN PRIVATE KEY-----' has no END line"),
             cut.err.constData());
    const Run missing = ctl({QStringLiteral("key"), QStringLiteral("show"),
                             m_tmp.filePath(QStringLiteral("nope.key")), QStringLiteral("--json")});
    QCOMPARE(missing.code, 3);
    QVERIFY(missing.json().contains(QStringLiteral("error")));
    const Run ok = ctl({QStringLiteral("key"), QStringLiteral("show"), m_a.key});
    QCOMPARE(ok.code, 0);
    QVERIFY2(ok.out.contains("ECDSA P-256") && ok.out.contains("Encrypted  no"),
             ok.out.constData());
    QVERIFY(!ok.out.contains("PRIVATE"));
}

void TestKeyCommand::matchExitCodes()
{
    const Run same = ctl({QStringLiteral("key"), QStringLiteral("match"), m_a.key, m_a.cert});
    QCOMPARE(same.code, 0);
    QVERIFY2(same.out.startsWith("MATCH - "), same.out.constData());
    const Run chain = ctl({QStringLiteral("key"), QStringLiteral("match"), m_a.key, m_a.fullchain,
                           QStringLiteral("--json")});
    QCOMPARE(chain.code, 0);
    QCOMPARE(chain.json().value(QStringLiteral("match")).toBool(), true);
    QCOMPARE(chain.json().value(QStringLiteral("keySpkiSha256")),
             chain.json().value(QStringLiteral("certificateSpkiSha256")));
    const Run other = ctl({QStringLiteral("key"), QStringLiteral("match"), m_a.key, m_b.cert});
    QCOMPARE(other.code, 2);
    QVERIFY2(other.out.startsWith("MISMATCH - "), other.out.constData());
    const Run otherJson = ctl({QStringLiteral("key"), QStringLiteral("match"), m_a.key, m_b.cert,
                               QStringLiteral("--json")});
    QCOMPARE(otherJson.code, 2);
    QCOMPARE(otherJson.json().value(QStringLiteral("match")).toBool(), false);
    // A CSR (TestPki keeps the openssl-made request beside each leaf).
    QString csrA = m_a.key;
    csrA.replace(QStringLiteral(".key"), QStringLiteral(".csr"));
    const Run csrSame = ctl(
        {QStringLiteral("key"), QStringLiteral("match"), m_a.key, csrA, QStringLiteral("--json")});
    QCOMPARE(csrSame.code, 0);
    QCOMPARE(csrSame.json().value(QStringLiteral("keySpkiSha256")),
             csrSame.json().value(QStringLiteral("csrSpkiSha256")));
    const Run csrOther = ctl({QStringLiteral("key"), QStringLiteral("match"), m_b.key, csrA});
    QCOMPARE(csrOther.code, 2);
    QVERIFY2(csrOther.out.startsWith("MISMATCH - "), csrOther.out.constData());
    const Run swapped = ctl({QStringLiteral("key"), QStringLiteral("match"), m_a.cert, m_a.key});
    QCOMPARE(swapped.code, 3);
    QVERIFY2(swapped.err.contains("contains a certificate, not a private key"),
             swapped.err.constData());
}

void TestKeyCommand::dhparamRefusesWeakSizesAndOverwrite()
{
    const QString out = m_tmp.filePath(QStringLiteral("dh.pem"));
    const Run weak = ctl({QStringLiteral("dhparam"), QStringLiteral("--bits"),
                          QStringLiteral("1024"), QStringLiteral("--out"), out});
    QCOMPARE(weak.code, 3);
    QVERIFY2(weak.err.contains("--bits must be 2048, 3072 or 4096, not '1024'"),
             weak.err.constData());
    QVERIFY(!QFile::exists(out));
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("keep me\n");
    f.close();
    const Run exists = ctl({QStringLiteral("dhparam"), QStringLiteral("--out"), out});
    QCOMPARE(exists.code, 3);
    QVERIFY2(exists.err.contains("exists; use --force"), exists.err.constData());
    QCOMPARE(readFile(out), QByteArray("keep me\n"));
    const Run help = ctl({QStringLiteral("dhparam"), QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains("--bits 2048|3072|4096"));
}

QTEST_GUILESS_MAIN(TestKeyCommand)
#include "test_key_command.moc"
