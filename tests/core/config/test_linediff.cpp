// SPDX-License-Identifier: GPL-3.0-or-later
// The unified diff of a generated block against the host's configuration:
// empty against itself, the changed lines against a changed one, and, as
// the independent check, GNU patch turns the old text into the new one with
// every diff we write.
#include "PeerProcess.h"
#include "config/ConfigGenerator.h"
#include "config/LineDiff.h"

#include <QFile>
#include <QTest>

using namespace certdeck;
using namespace certdeck::config;
using namespace certdeck::test;

class TestLineDiff : public QObject
{
    Q_OBJECT
private slots:
    void sameTextIsEmpty();
    void showsChangedLines();
    void hunksAreSeparatedByContext();
    void patchAppliesIt_data();
    void patchAppliesIt();
    void generatedAgainstHostConfig();
};

void TestLineDiff::sameTextIsEmpty()
{
    const QString t = QStringLiteral("a\nb\nc\n");
    QCOMPARE(unifiedDiff(t, t, QStringLiteral("a"), QStringLiteral("b")), QString());
    QCOMPARE(unifiedDiff(QString(), QString(), QStringLiteral("a"), QStringLiteral("b")),
             QString());
}

void TestLineDiff::showsChangedLines()
{
    const QString before = QStringLiteral("server {\n    listen 443 ssl;\n"
                                          "    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
                                          "    ssl_prefer_server_ciphers on;\n}\n");
    const QString after = QStringLiteral("server {\n    listen 443 ssl;\n"
                                         "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                                         "    ssl_prefer_server_ciphers on;\n}\n");
    const QString d = unifiedDiff(before, after, QStringLiteral("current/site.conf"),
                                  QStringLiteral("generated"));
    QCOMPARE(d, QStringLiteral("--- current/site.conf\n"
                               "+++ generated\n"
                               "@@ -1,5 +1,5 @@\n"
                               " server {\n"
                               "     listen 443 ssl;\n"
                               "-    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
                               "+    ssl_protocols TLSv1.2 TLSv1.3;\n"
                               "     ssl_prefer_server_ciphers on;\n"
                               " }\n"));
}

void TestLineDiff::hunksAreSeparatedByContext()
{
    QStringList lines;
    for (int i = 1; i <= 30; ++i) {
        lines << QStringLiteral("line %1").arg(i);
    }
    const QString before = lines.join(u'\n') + u'\n';
    lines[1] = QStringLiteral("changed 2");
    lines[25] = QStringLiteral("changed 26");
    lines.insert(27, QStringLiteral("added"));
    const QString after = lines.join(u'\n') + u'\n';
    const QString d = unifiedDiff(before, after, QStringLiteral("a"), QStringLiteral("b"));
    QCOMPARE(d.count(QStringLiteral("\n@@ ")), 2);
    QVERIFY2(d.contains(QLatin1String("@@ -1,5 +1,5 @@\n")), qPrintable(d));
    QVERIFY2(d.contains(QLatin1String("@@ -23,8 +23,9 @@\n")), qPrintable(d));
    QVERIFY(d.contains(QLatin1String("-line 2\n+changed 2\n")));
    QVERIFY(d.contains(QLatin1String("+added\n")));
    QVERIFY(!d.contains(QLatin1String("line 12")));
}

void TestLineDiff::patchAppliesIt_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::newRow("from empty") << ""
                                << "a\nb\n";
    QTest::newRow("to empty") << "a\nb\n"
                              << "";
    QTest::newRow("insert at top") << "b\nc\n"
                                   << "a\nb\nc\n";
    QTest::newRow("append") << "a\nb\n"
                            << "a\nb\nc\nd\n";
    QTest::newRow("no final newline") << "a\nb"
                                      << "a\nb\n";
    QTest::newRow("newline removed") << "a\nb\n"
                                     << "a\nc";
    QTest::newRow("reordered") << "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
                               << "9\n1\n2\n3\n5\n4\n6\n8\n7\n";
    QTest::newRow("repeated lines") << "}\n}\nx\n}\n"
                                    << "}\nx\n}\n}\n}\n";
    QTest::newRow("blank lines") << "\n\n\na\n\n"
                                 << "a\n\n\n\n";
}

void TestLineDiff::patchAppliesIt()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    FixtureDir dir;
    QVERIFY(dir.write(QStringLiteral("old.txt"), before.toUtf8()));
    const QString d =
        unifiedDiff(before, after, QStringLiteral("old.txt"), QStringLiteral("new.txt"));
    QVERIFY(!d.isEmpty());
    QVERIFY(dir.write(QStringLiteral("change.diff"), d.toUtf8()));
    QByteArray out;
    const int rc = runTool(QStringLiteral("patch"),
                           {QStringLiteral("-s"), QStringLiteral("-o"), dir.filePath("out.txt"),
                            dir.filePath("old.txt"), dir.filePath("change.diff")},
                           &out);
    QVERIFY2(rc == 0, qPrintable(QString::fromUtf8(out) + u'\n' + d));
    QFile f(dir.filePath(QStringLiteral("out.txt")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), after);
}

void TestLineDiff::generatedAgainstHostConfig()
{
    ServerTlsSettings s;
    s.serverNames = {QStringLiteral("www.example.test")};
    auto current = generateConfig(ServerSoftware::Nginx, s);
    QVERIFY(current);
    // Against itself: nothing to show.
    QVERIFY(unifiedDiff(current->text, current->text, QStringLiteral("a"), QStringLiteral("b"))
                .isEmpty());
    // The host's copy has another HSTS max-age: exactly that line changes.
    s.hstsMaxAge = 31536000;
    auto changed = generateConfig(ServerSoftware::Nginx, s);
    QVERIFY(changed);
    const QString d = unifiedDiff(current->text, changed->text, QStringLiteral("host"),
                                  QStringLiteral("generated"));
    QVERIFY(d.contains(QLatin1String(
        "\n-    add_header Strict-Transport-Security \"max-age=63072000\" always;\n")));
    QVERIFY(d.contains(QLatin1String(
        "\n+    add_header Strict-Transport-Security \"max-age=31536000\" always;\n")));
    int changedLines = 0;
    for (const QString& line : d.split(u'\n')) {
        if ((line.startsWith(u'-') && !line.startsWith(QLatin1String("---"))) ||
            (line.startsWith(u'+') && !line.startsWith(QLatin1String("+++")))) {
            ++changedLines;
        }
    }
    QCOMPARE(changedLines, 2);
}

QTEST_GUILESS_MAIN(TestLineDiff)
#include "test_linediff.moc"
