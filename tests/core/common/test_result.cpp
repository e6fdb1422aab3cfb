// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/Result.h"

#include <QSet>
#include <QTest>

using namespace certdeck;

class TestResult : public QObject
{
    Q_OBJECT
private slots:
    void valueAndError();
    void codeNamesAreUniqueAndStable();
    void toStringCarriesEvidence();
};

namespace {
Result<int> parsePort(const QString& s)
{
    bool ok = false;
    const int v = s.toInt(&ok);
    if (!ok || v < 1 || v > 65535) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("Not a port number"), s);
    }
    return v;
}
} // namespace

void TestResult::valueAndError()
{
    const Result<int> good = parsePort(QStringLiteral("443"));
    QVERIFY(good.has_value());
    QCOMPARE(*good, 443);
    const Result<int> bad = parsePort(QStringLiteral("70000"));
    QVERIFY(!bad.has_value());
    QCOMPARE(bad.error().code, ErrorCode::InvalidInput);
    QCOMPARE(bad.error().detail, QStringLiteral("70000"));
}

void TestResult::codeNamesAreUniqueAndStable()
{
    QSet<QString> names;
    for (int c = 0; c <= int(ErrorCode::PermissionDenied); ++c) {
        const QString n = errorCodeName(static_cast<ErrorCode>(c));
        QVERIFY2(!n.isEmpty(), qPrintable(QString::number(c)));
        QVERIFY2(!names.contains(n), qPrintable(n));
        names.insert(n);
    }
    // Scripts parse these from --json: they must not change.
    QCOMPARE(errorCodeName(ErrorCode::Timeout), QStringLiteral("timeout"));
    QCOMPARE(errorCodeName(ErrorCode::Database), QStringLiteral("database"));
}

void TestResult::toStringCarriesEvidence()
{
    const Error e{ErrorCode::Io, QStringLiteral("Cannot read the key"),
                  QStringLiteral("/etc/x.key: Permission denied")};
    QCOMPARE(e.toString(), QStringLiteral("Cannot read the key (/etc/x.key: Permission denied)"));
    QCOMPARE((Error{ErrorCode::Io, QStringLiteral("m"), {}}).toString(), QStringLiteral("m"));
}

QTEST_GUILESS_MAIN(TestResult)
#include "test_result.moc"
