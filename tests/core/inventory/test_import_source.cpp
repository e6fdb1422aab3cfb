// SPDX-License-Identifier: GPL-3.0-or-later
// ImportSource (format guessing and reading, shared by `fleet import` and the
// console's import dialog) and ImportApplier::dryRun, which must predict
// exactly what apply() then does.
#include "inventory/ImportApplier.h"
#include "inventory/Store.h"
#include "inventory/import/ImportSource.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace certdeck;
using namespace certdeck::inventory;

class TestImportSource : public QObject
{
    Q_OBJECT
private slots:
    void guessesTheFormat_data();
    void guessesTheFormat();
    void missingPathIsAnError();
    void formatNamesRoundTrip();
    void groupGoesToGrouplessEndpoints();
    void dryRunPredictsApply();

private:
    QString write(const QString& name, const QByteArray& data);
    QTemporaryDir m_tmp;
};

QString TestImportSource::write(const QString& name, const QByteArray& data)
{
    const QString path = m_tmp.filePath(name);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size()) {
        return {};
    }
    return path;
}

void TestImportSource::guessesTheFormat_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content"); // empty: a folder
    QTest::addColumn<int>("expected");
    QTest::newRow("host list") << "hosts.txt" << QByteArray("api.example.test\nweb:8443\n")
                               << int(ImportFormat::HostList);
    QTest::newRow("csv") << "fleet.csv" << QByteArray("host,port,sni,group\napi,443,,pay\n")
                         << int(ImportFormat::HostList);
    QTest::newRow("json export") << "export.json"
                                 << QByteArray("  {\"format\": \"certdeck-inventory\"}\n")
                                 << int(ImportFormat::Json);
    QTest::newRow("nginx -T banner")
        << "dump1.txt"
        << QByteArray("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                      "# configuration file /etc/nginx/nginx.conf:\nevents {}\n")
        << int(ImportFormat::NginxDump);
    QTest::newRow("bare server block")
        << "dump2.txt" << QByteArray("http {\n    server {\n        listen 443 ssl;\n    }\n}\n")
        << int(ImportFormat::NginxDump);
    QTest::newRow("pem folder") << "pems" << QByteArray() << int(ImportFormat::PemFolder);
    QTest::newRow("certbot folder") << "letsencrypt" << QByteArray() << int(ImportFormat::Certbot);
}

void TestImportSource::guessesTheFormat()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(int, expected);
    QString path;
    if (content.isEmpty()) {
        path = m_tmp.filePath(name);
        QVERIFY(QDir().mkpath(path));
        if (name == QLatin1String("letsencrypt")) {
            QVERIFY(QDir().mkpath(path + QStringLiteral("/live")));
            QVERIFY(QDir().mkpath(path + QStringLiteral("/renewal")));
        }
    } else {
        path = write(name, content);
    }
    auto guessed = guessImportFormat(path);
    QVERIFY2(guessed.has_value(), qPrintable(guessed ? QString() : guessed.error().toString()));
    QCOMPARE(int(*guessed), expected);
}

void TestImportSource::missingPathIsAnError()
{
    const QString missing = m_tmp.filePath(QStringLiteral("nowhere/hosts.txt"));
    auto guessed = guessImportFormat(missing);
    QVERIFY(!guessed.has_value());
    QCOMPARE(guessed.error().code, ErrorCode::NotFound);
    QVERIFY(guessed.error().message.contains(missing));
    ImportRequest r;
    r.path = missing;
    auto plan = readImport(r);
    QVERIFY(!plan.has_value());
    QVERIFY2(plan.error().toString().contains(QLatin1String("hosts.txt")),
             qPrintable(plan.error().toString()));
}

void TestImportSource::formatNamesRoundTrip()
{
    for (ImportFormat f : {ImportFormat::NginxDump, ImportFormat::HostList, ImportFormat::Certbot,
                           ImportFormat::PemFolder, ImportFormat::Json}) {
        QCOMPARE(importFormatFromName(importFormatName(f)), std::optional<ImportFormat>(f));
    }
    QVERIFY(!importFormatFromName(QStringLiteral("apache")).has_value());
}

void TestImportSource::groupGoesToGrouplessEndpoints()
{
    const QString csv =
        write(QStringLiteral("grouped.csv"), "host,port,sni,group\napi.example.test,443,,payments\n"
                                             "web.example.test,8443,,\n");
    ImportRequest r;
    r.path = csv;
    r.group = QStringLiteral("imported");
    auto plan = readImport(r);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 2);
    QCOMPARE(plan->endpoints.at(0).group, QStringLiteral("payments"));
    QCOMPARE(plan->endpoints.at(1).group, QStringLiteral("imported"));
}

void TestImportSource::dryRunPredictsApply()
{
    auto store = Store::openSqlite(m_tmp.filePath(QStringLiteral("preview.sqlite")));
    QVERIFY(store.has_value());
    Endpoint known;
    known.host = QStringLiteral("api.example.test");
    QVERIFY((*store)->endpoints().add(known).has_value());

    // The known one in other spellings (case, SNI equal to the host), one new
    // on another port, one new with another SNI.
    const QString csv = write(QStringLiteral("mixed.csv"), "host,port,sni\n"
                                                           "API.example.test,443,api.example.test\n"
                                                           "api.example.test,8443,\n"
                                                           "api.example.test,443,internal.test\n");
    ImportRequest r;
    r.path = csv;
    auto plan = readImport(r);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().toString()));
    QCOMPARE(plan->endpoints.size(), 3);

    const auto auditBefore = (*store)->activity().auditLog();
    QVERIFY(auditBefore.has_value());
    auto preview = ImportApplier::dryRun(**store, *plan);
    QVERIFY2(preview.has_value(), qPrintable(preview ? QString() : preview.error().toString()));
    QVERIFY(preview->dryRun);
    QCOMPARE(preview->alreadyKnown, (QList<bool>{true, false, false}));
    QCOMPARE(preview->endpointsAdded, 2);
    QCOMPARE(preview->endpointsExisting, 1);
    QCOMPARE((*store)->endpoints().list()->size(), 1); // the dry run kept nothing
    QCOMPARE((*store)->activity().auditLog()->size(), auditBefore->size());

    auto summary = ImportApplier::apply(**store, *plan);
    QVERIFY2(summary.has_value(), qPrintable(summary ? QString() : summary.error().toString()));
    QVERIFY(!summary->dryRun);
    QCOMPARE(summary->endpointsAdded, preview->endpointsAdded);
    QCOMPARE(summary->endpointsExisting, preview->endpointsExisting);
    QCOMPARE(summary->alreadyKnown, preview->alreadyKnown);
    QCOMPARE((*store)->endpoints().list()->size(), 3);

    auto again = ImportApplier::dryRun(**store, *plan);
    QCOMPARE(again->alreadyKnown, (QList<bool>{true, true, true}));
    QVERIFY(!again->changesAnything());
}

QTEST_GUILESS_MAIN(TestImportSource)
#include "test_import_source.moc"
