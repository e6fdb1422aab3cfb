// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/SecureFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace certdeck;

class TestSecureFile : public QObject
{
    Q_OBJECT
private slots:
    void secretIs0600In0700();
    void neverOverwritesUnlessAsked();
    void refusesWorldWritableFolderForSecrets();
    void readCapSaysWhy();

private:
    static mode_t modeOf(const QString& p)
    {
        struct stat st
        {
        };
        ::stat(QFile::encodeName(p).constData(), &st);
        return st.st_mode & 07777;
    }
};

void TestSecureFile::secretIs0600In0700()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("keys/site.key"));
    const auto s = writeFileAtomically(path, "secret", {.secret = true, .overwrite = false});
    QVERIFY2(s.has_value(), qPrintable(s ? QString() : s.error().toString()));
    QCOMPARE(modeOf(path), mode_t(0600));
    QCOMPARE(modeOf(tmp.filePath(QStringLiteral("keys"))), mode_t(0700));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("secret"));
    // No temporary file is left behind.
    QCOMPARE(
        QDir(tmp.filePath(QStringLiteral("keys"))).entryList(QDir::Files | QDir::Hidden).size(), 1);
}

void TestSecureFile::neverOverwritesUnlessAsked()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("a.pem"));
    QVERIFY(writeFileAtomically(path, "one").has_value());
    const auto again = writeFileAtomically(path, "two");
    QVERIFY(!again.has_value());
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("one"));
    f.close();
    QVERIFY(writeFileAtomically(path, "two", {.secret = false, .overwrite = true}).has_value());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("two"));
    QCOMPARE(modeOf(path), mode_t(0644));
}

void TestSecureFile::refusesWorldWritableFolderForSecrets()
{
    QTemporaryDir tmp;
    const QString open = tmp.filePath(QStringLiteral("open"));
    QVERIFY(QDir().mkpath(open));
    QVERIFY(::chmod(QFile::encodeName(open).constData(), 0777) == 0);
    const auto s = writeFileAtomically(open + QStringLiteral("/k.key"), "x",
                                       {.secret = true, .overwrite = false});
    QVERIFY(!s.has_value());
    QCOMPARE(s.error().code, ErrorCode::PermissionDenied);
    QVERIFY(!QFile::exists(open + QStringLiteral("/k.key")));
}

void TestSecureFile::readCapSaysWhy()
{
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("big"));
    QVERIFY(writeFileAtomically(path, QByteArray(2048, 'x')).has_value());
    const auto r = readFileCapped(path, 1024);
    QVERIFY(!r.has_value());
    QVERIFY(r.error().message.contains(QLatin1String("too large")));
    QCOMPARE(readFileCapped(path, 4096)->size(), 2048);
    QCOMPARE(readFileCapped(tmp.filePath(QStringLiteral("none"))).error().code,
             ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(TestSecureFile)
#include "test_securefile.moc"
