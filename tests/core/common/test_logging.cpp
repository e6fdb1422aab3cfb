// SPDX-License-Identifier: GPL-3.0-or-later
// logging::configure(): certdeck.* debug lines are off unless --verbose or
// CERTDECK_LOG asks, and CERTDECK_LOG picks modules. The lines are caught
// with a message handler, formatted as they would reach stderr.
#include "acme/internal/Log.h"
#include "common/Logging.h"
#include "inventory/internal/Log.h"
#include "probe/internal/Log.h"

#include <QTest>

using namespace certdeck;

namespace {

QStringList& captured()
{
    static QStringList lines;
    return lines;
}

void capture(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    captured() << qFormatLogMessage(type, context, message);
}

// Emits one debug line per module and a warning; returns what came out.
QStringList emitted()
{
    captured().clear();
    const QtMessageHandler previous = qInstallMessageHandler(capture);
    qCDebug(acme::lcAcme) << "acme line";
    qCDebug(probe::lcProbe) << "probe line";
    qCInfo(inventory::lcInventory) << "inventory line";
    qCWarning(acme::lcAcme) << "acme warning";
    qInstallMessageHandler(previous);
    return captured();
}

} // namespace

class TestLogging : public QObject
{
    Q_OBJECT
private slots:
    void quietBeforeConfigure();
    void offByDefault();
    void verboseTurnsEverythingOn();
    void moduleListPicksModules();
    void allAndPrefixedNames();
    void qtRulesAfterVerbose();
    void unknownModulesAreNamed();
    void hostileValues_data();
    void hostileValues();
    void cleanupTestCase();
};

void TestLogging::quietBeforeConfigure()
{
    // The categories default to warnings only, for a program that never
    // calls configure() (a test, a library user).
    QVERIFY(!acme::lcAcme().isDebugEnabled());
    QVERIFY(!probe::lcProbe().isInfoEnabled());
    QVERIFY(acme::lcAcme().isWarningEnabled());
}

void TestLogging::offByDefault()
{
    logging::configure(false, QString());
    const QStringList lines = emitted();
    QCOMPARE(lines, QStringList{QStringLiteral("certdeck.acme: warning: acme warning")});
}

void TestLogging::verboseTurnsEverythingOn()
{
    logging::configure(true, QString());
    const QStringList lines = emitted();
    QCOMPARE(lines, (QStringList{QStringLiteral("certdeck.acme: acme line"),
                                 QStringLiteral("certdeck.probe: probe line"),
                                 QStringLiteral("certdeck.inventory: inventory line"),
                                 QStringLiteral("certdeck.acme: warning: acme warning")}));
}

void TestLogging::moduleListPicksModules()
{
    logging::configure(false, QStringLiteral("acme"));
    QCOMPARE(emitted(), (QStringList{QStringLiteral("certdeck.acme: acme line"),
                                     QStringLiteral("certdeck.acme: warning: acme warning")}));
    logging::configure(false, QStringLiteral(" probe, inventory "));
    QCOMPARE(emitted(), (QStringList{QStringLiteral("certdeck.probe: probe line"),
                                     QStringLiteral("certdeck.inventory: inventory line"),
                                     QStringLiteral("certdeck.acme: warning: acme warning")}));
}

void TestLogging::allAndPrefixedNames()
{
    logging::configure(false, QStringLiteral("all"));
    QCOMPARE(emitted().size(), 4);
    logging::configure(false, QStringLiteral("certdeck.probe"));
    QCOMPARE(emitted(), (QStringList{QStringLiteral("certdeck.probe: probe line"),
                                     QStringLiteral("certdeck.acme: warning: acme warning")}));
}

void TestLogging::qtRulesAfterVerbose()
{
    // Rules come after --verbose, so they can quieten one module.
    logging::configure(true, QStringLiteral("certdeck.acme.debug=false;certdeck.probe.debug=true"));
    QCOMPARE(emitted(), (QStringList{QStringLiteral("certdeck.probe: probe line"),
                                     QStringLiteral("certdeck.inventory: inventory line"),
                                     QStringLiteral("certdeck.acme: warning: acme warning")}));
    const logging::Rules r = logging::filterRules(
        false, QStringLiteral("certdeck.acme.debug=true\nqt.network.ssl=true"));
    QVERIFY2(r.rules.endsWith(QStringLiteral("certdeck.acme.debug=true\nqt.network.ssl=true\n")),
             qPrintable(r.rules));
    QVERIFY(r.unknownModules.isEmpty());
}

void TestLogging::unknownModulesAreNamed()
{
    captured().clear();
    const QtMessageHandler previous = qInstallMessageHandler(capture);
    logging::configure(false, QStringLiteral("acme,acmee"));
    qInstallMessageHandler(previous);
    QCOMPARE(captured().size(), 1);
    QVERIFY2(captured().first().startsWith(QStringLiteral(
                 "certdeck.common: warning: CERTDECK_LOG names no known module: acmee")),
             qPrintable(captured().first()));
    // The known one still works.
    QCOMPARE(emitted().first(), QStringLiteral("certdeck.acme: acme line"));
}

void TestLogging::hostileValues_data()
{
    QTest::addColumn<QString>("env");
    QTest::addColumn<QStringList>("unknown");
    QTest::newRow("empty") << QString() << QStringList();
    QTest::newRow("blank") << QStringLiteral(" \t ") << QStringList();
    QTest::newRow("only commas") << QStringLiteral(",,,") << QStringList();
    QTest::newRow("shell junk") << QStringLiteral("acme;$(reboot)")
                                << QStringList{QStringLiteral("acme;$(reboot)")};
    QTest::newRow("wildcard inside")
        << QStringLiteral("ac*me") << QStringList{QStringLiteral("ac*me")};
    QTest::newRow("long") << QString(5000, u'x') << QStringList{QString(5000, u'x')};
}

void TestLogging::hostileValues()
{
    QFETCH(QString, env);
    QFETCH(QStringList, unknown);
    const logging::Rules r = logging::filterRules(false, env);
    QCOMPARE(r.unknownModules, unknown);
    // Nothing but the quiet defaults and, for a plain unknown name, its own
    // category: no rule a name could smuggle in.
    for (const QString& line : r.rules.split(u'\n', Qt::SkipEmptyParts)) {
        QVERIFY2(line.startsWith(QLatin1String("certdeck.")), qPrintable(line));
        QVERIFY2(!line.contains(u';') && !line.contains(u'$'), qPrintable(line));
    }
}

void TestLogging::cleanupTestCase()
{
    logging::configure(false, QString());
}

QTEST_GUILESS_MAIN(TestLogging)
#include "test_logging.moc"
