// SPDX-License-Identifier: GPL-3.0-or-later
// Status colours come from one place and read well in a light and a dark
// palette: coloured text on the base, and the theme's text on a coloured cell.
#include "ui/common/StatusColours.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QTableWidgetItem>
#include <QTest>
#include <memory>

using namespace certdeck;
using namespace certdeck::ui;

namespace {

QPalette lightPalette()
{
    std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    return fusion->standardPalette();
}

// Close to Breeze Dark, which admins on KDE use.
QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x31, 0x36, 0x3b));
    p.setColor(QPalette::WindowText, QColor(0xef, 0xf0, 0xf1));
    p.setColor(QPalette::Base, QColor(0x23, 0x26, 0x29));
    p.setColor(QPalette::AlternateBase, QColor(0x31, 0x36, 0x3b));
    p.setColor(QPalette::Text, QColor(0xef, 0xf0, 0xf1));
    return p;
}

const QList<Tone> kTones{Tone::Good, Tone::Caution, Tone::Warning,
                         Tone::Bad,  Tone::Info,    Tone::Neutral};

} // namespace

class TestStatusColours : public QObject
{
    Q_OBJECT

private slots:
    void readableInBothPalettes_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("light") << lightPalette();
        QTest::newRow("dark") << darkPalette();
    }

    void readableInBothPalettes()
    {
        QFETCH(QPalette, palette);
        const QColor base = palette.color(QPalette::Base);
        const QColor text = palette.color(QPalette::Text);
        for (Tone tone : kTones) {
            const QColor fg = toneText(tone, palette);
            QVERIFY2(contrastRatio(fg, base) >= 4.5,
                     qPrintable(QStringLiteral("tone %1: text %2 on base %3 is %4:1")
                                    .arg(int(tone))
                                    .arg(fg.name(), base.name())
                                    .arg(contrastRatio(fg, base))));
            const QColor bg = toneBackground(tone, palette);
            QVERIFY2(contrastRatio(text, bg) >= 4.5,
                     qPrintable(QStringLiteral("tone %1: text %2 on cell %3 is %4:1")
                                    .arg(int(tone))
                                    .arg(text.name(), bg.name())
                                    .arg(contrastRatio(text, bg))));
        }
    }

    void tonesStayTellable_data() { readableInBothPalettes_data(); }

    void tonesStayTellable()
    {
        QFETCH(QPalette, palette);
        // Red stays red and green stays green, on the cell and as text.
        const QColor bad = toneBackground(Tone::Bad, palette);
        const QColor good = toneBackground(Tone::Good, palette);
        QVERIFY(bad.red() > bad.green());
        QVERIFY(good.green() > good.red());
        QVERIFY(toneText(Tone::Bad, palette).red() > toneText(Tone::Bad, palette).green());
        QVERIFY(toneText(Tone::Good, palette).green() > toneText(Tone::Good, palette).red());
        // A tinted cell is visibly not the plain base.
        for (Tone tone : {Tone::Good, Tone::Caution, Tone::Warning, Tone::Bad}) {
            QVERIFY(toneBackground(tone, palette) != palette.color(QPalette::Base));
        }
    }

    void paintedCellUsesTheThemeText()
    {
        const QPalette dark = darkPalette();
        QTableWidgetItem item(QStringLiteral("CRITICAL"));
        paintTone(&item, toneFor(probe::ProbeVerdict::Critical), dark);
        QCOMPARE(item.foreground().color(), dark.color(QPalette::Text));
        QCOMPARE(item.background().color(), toneBackground(Tone::Bad, dark));
        clearTone(&item);
        QVERIFY(!item.data(Qt::BackgroundRole).isValid());
    }

    void statesMapToTones()
    {
        QCOMPARE(toneFor(probe::ProbeVerdict::Ok), Tone::Good);
        QCOMPARE(toneFor(probe::ProbeVerdict::Warning), Tone::Caution);
        QCOMPARE(toneFor(probe::ProbeVerdict::Unknown), Tone::Neutral);
        QCOMPARE(toneFor(probe::ProbeVerdict::Critical), Tone::Bad);
        QCOMPARE(toneForGrade(QStringLiteral("A+")), Tone::Good);
        QCOMPARE(toneForGrade(QStringLiteral("C")), Tone::Warning);
        QCOMPARE(toneForGrade(QStringLiteral("F")), Tone::Bad);
        QCOMPARE(toneFor(crypto::Severity::Error), Tone::Bad);
    }
};

QTEST_MAIN(TestStatusColours)
#include "test_status_colours.moc"
