// SPDX-License-Identifier: GPL-3.0-or-later
// PemFolderImporter on a folder of TestPki files in the shapes admins keep
// them: fullchain, DER, cert+key in one file, key files, a broken file, a
// CA certificate, a subfolder.
#include "PeerProcess.h"
#include "TestPki.h"
#include "inventory/import/PemFolderImporter.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;
using namespace certdeck::test;

class TestImportPemFolder : public QObject
{
    Q_OBJECT
private slots:
    void importsFolder();
    void notAFolder();
};

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

void TestImportPemFolder::importsFolder()
{
    FixtureDir pkiDir;
    TestPki pki;
    QVERIFY2(pki.create(pkiDir.path(), {}), qPrintable(pki.errorString()));
    TestPki::LeafSpec api;
    api.name = QStringLiteral("api");
    api.commonName = QStringLiteral("api.example.test");
    api.sans = {QStringLiteral("DNS:api.example.test"), QStringLiteral("IP:192.0.2.10")};
    const auto apiLeaf = pki.issue(api);
    TestPki::LeafSpec db;
    db.name = QStringLiteral("db");
    db.commonName = QStringLiteral("db.example.test");
    db.sans = {QStringLiteral("DNS:db.example.test"), QStringLiteral("DNS:*.db.example.test")};
    const auto dbLeaf = pki.issue(db);
    TestPki::LeafSpec mq;
    mq.name = QStringLiteral("mq");
    mq.commonName = QStringLiteral("mq.example.test");
    mq.sans = {QStringLiteral("DNS:mq.example.test")};
    const auto mqLeaf = pki.issue(mq);
    QVERIFY(!apiLeaf.name.isEmpty() && !dbLeaf.name.isEmpty() && !mqLeaf.name.isEmpty());

    FixtureDir folder;
    QVERIFY(QDir(folder.path()).mkpath(QStringLiteral("sub")));
    QVERIFY(QFile::copy(apiLeaf.fullchain, folder.filePath(QStringLiteral("api-fullchain.pem"))));
    QVERIFY(QFile::copy(apiLeaf.key, folder.filePath(QStringLiteral("api.key"))));
    // HAProxy style: certificate and key in one file.
    QVERIFY(folder.write(QStringLiteral("db-combined.pem"),
                         readAll(dbLeaf.fullchain) + readAll(dbLeaf.key)));
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), mqLeaf.cert,
                      QStringLiteral("-outform"), QStringLiteral("DER"), QStringLiteral("-out"),
                      folder.filePath(QStringLiteral("sub/mq.der"))},
                     &out),
             0);
    QVERIFY(QFile::copy(pki.rootCert, folder.filePath(QStringLiteral("root-ca.crt"))));
    QVERIFY(folder.write(QStringLiteral("README.txt"), "not a certificate\n"));
    // PEM, but no certificate in it: passed over.
    QVERIFY(folder.write(QStringLiteral("dhparam.pem"), "-----BEGIN DH PARAMETERS-----\n"
                                                        "MAYCAQUCAQI=\n"
                                                        "-----END DH PARAMETERS-----\n"));
    // A leaf without SAN whose common name is no host name.
    TestPki::LeafSpec odd;
    odd.name = QStringLiteral("odd");
    odd.commonName = QStringLiteral("Payments API");
    odd.sans.clear();
    const auto oddLeaf = pki.issue(odd);
    QVERIFY2(!oddLeaf.name.isEmpty(), qPrintable(pki.errorString()));
    QVERIFY(QFile::copy(oddLeaf.cert, folder.filePath(QStringLiteral("odd.crt"))));

    auto plan = PemFolderImporter::importFolder(folder.path());
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));

    QStringList hosts;
    for (const Endpoint& e : plan->endpoints) {
        QCOMPARE(e.port, quint16(443));
        hosts << e.host;
    }
    QCOMPARE(hosts,
             QStringList({QStringLiteral("api.example.test"), QStringLiteral("192.0.2.10"),
                          QStringLiteral("db.example.test"), QStringLiteral("mq.example.test")}));
    QCOMPARE(plan->endpoints[3].notes,
             QStringLiteral("certificate file sub/mq.der; port 443 assumed (a certificate names "
                            "no port)"));
    QCOMPARE(plan->privateKeyPaths,
             QStringList({folder.filePath(QStringLiteral("api.key")),
                          folder.filePath(QStringLiteral("db-combined.pem"))}));

    // api leaf, intermediate (shared), db leaf, root, mq leaf.
    QCOMPARE(plan->certificates.size(), 6); // and the odd leaf, linked to nothing
    int leaves = 0;
    for (const PlannedCertificate& c : plan->certificates) {
        if (c.isLeaf && c.certificate.commonName() == QLatin1String("Payments API")) {
            QVERIFY(c.endpointIndexes.isEmpty());
        } else if (c.isLeaf) {
            ++leaves;
            QVERIFY(!c.endpointIndexes.isEmpty());
        } else {
            QVERIFY(c.certificate.isCa());
            QVERIFY(c.endpointIndexes.isEmpty());
        }
    }
    QCOMPARE(leaves, 3);
    QCOMPARE(plan->warnings,
             QStringList({QStringLiteral("db-combined.pem: *.db.example.test not probed "
                                         "(wildcard)"),
                          QStringLiteral("odd.crt: \"Payments API\" is no host name; not "
                                         "probed")}));

    // A certificate file cut off half-way refuses the folder: nothing of it
    // is imported, and the error says which file and where.
    const QByteArray good = readAll(mqLeaf.cert);
    QVERIFY(folder.write(QStringLiteral("broken.pem"), good.left(good.size() / 2)));
    auto refused = PemFolderImporter::importFolder(folder.path());
    QVERIFY(!refused.has_value());
    QCOMPARE(refused.error().code, ErrorCode::InvalidInput);
    QVERIFY2(refused.error().message.startsWith(QStringLiteral("broken.pem: broken.pem line 1")),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.endsWith(QStringLiteral("(the file is truncated)")),
             qPrintable(refused.error().message));
}

void TestImportPemFolder::notAFolder()
{
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("file.pem"), "x"));
    auto file = PemFolderImporter::importFolder(dir.filePath(QStringLiteral("file.pem")));
    QVERIFY(!file.has_value());
    QVERIFY(file.error().message.endsWith(QStringLiteral("is not a folder")));
    auto missing = PemFolderImporter::importFolder(dir.filePath(QStringLiteral("nope")));
    QVERIFY(!missing.has_value());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    // file.pem holds "x": not a certificate file, so the folder is refused.
    auto broken = PemFolderImporter::importFolder(dir.path());
    QVERIFY(!broken.has_value());
    QVERIFY2(broken.error().message.startsWith(QStringLiteral("file.pem: ")),
             qPrintable(broken.error().message));
    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("file.pem"))));
    auto empty = PemFolderImporter::importFolder(dir.path());
    QVERIFY(empty.has_value());
    QCOMPARE(empty->warnings, QStringList{dir.path() + QStringLiteral(": no certificate found")});
}

QTEST_GUILESS_MAIN(TestImportPemFolder)
#include "test_import_pemfolder.moc"
