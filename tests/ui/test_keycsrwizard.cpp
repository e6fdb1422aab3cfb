// SPDX-License-Identifier: GPL-3.0-or-later
// Drives the New key and CSR wizard offscreen; the openssl CLI checks its output.
#include "PeerProcess.h"
#include "ui/certificates/KeyCsrWizard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace certdeck::test;
using namespace certdeck::ui;

class TestKeyCsrWizard : public QObject
{
    Q_OBJECT
private slots:
    void generatesEncryptedKeyAndCsr();
    void badNameStaysOnRequestPage();
    void shortPassphraseIsRefused();
    void cancelWritesNothing();

private:
    static void fill(KeyCsrWizard& w, int keyIndex, const QString& folder, const QString& cn,
                     const QString& sans)
    {
        w.findChild<QComboBox*>(QStringLiteral("keyType"))->setCurrentIndex(keyIndex);
        w.findChild<QLineEdit*>(QStringLiteral("passphrase"))
            ->setText(QStringLiteral("correct horse"));
        w.findChild<QLineEdit*>(QStringLiteral("confirm"))
            ->setText(QStringLiteral("correct horse"));
        w.findChild<QLineEdit*>(QStringLiteral("folder"))->setText(folder);
        w.findChild<QLineEdit*>(QStringLiteral("commonName"))->setText(cn);
        w.findChild<QPlainTextEdit*>(QStringLiteral("sans"))->setPlainText(sans);
    }
};

void TestKeyCsrWizard::generatesEncryptedKeyAndCsr()
{
    QTemporaryDir tmp;
    const QString folder = tmp.filePath(QStringLiteral("keys"));
    KeyCsrWizard w;
    w.show();
    fill(w, 0, folder, QStringLiteral("api.example.com"),
         QStringLiteral("api.example.com\nwww.example.com, 10.0.0.5"));
    w.findChild<QCheckBox*>(QStringLiteral("mustStaple"))->setChecked(true);
    QSignalSpy done(&w, &KeyCsrWizard::generated);
    w.next();
    w.next();
    QVERIFY(done.wait(30000));
    QVERIFY2(done.first().first().toBool(), qPrintable(done.first().at(1).toString()));
    QCOMPARE(w.keyPath(), folder + QStringLiteral("/api.example.com.key"));

    struct stat st
    {
    };
    QVERIFY(::stat(QFile::encodeName(w.keyPath()).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0600));
    QFile key(w.keyPath());
    QVERIFY(key.open(QIODevice::ReadOnly));
    QVERIFY(key.readAll().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    // The oracle: openssl decrypts the key with the passphrase and verifies the CSR.
    QVERIFY(tmp.isValid());
    QFile pass(tmp.filePath(QStringLiteral("pass")));
    QVERIFY(pass.open(QIODevice::WriteOnly));
    pass.write("correct horse");
    pass.close();
    QByteArray out;
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkey"), QStringLiteral("-in"), w.keyPath(),
                      QStringLiteral("-passin"), QStringLiteral("file:") + pass.fileName(),
                      QStringLiteral("-check"), QStringLiteral("-noout")},
                     &out),
             0);
    QCOMPARE(runTool(QStringLiteral("openssl"),
                     {QStringLiteral("req"), QStringLiteral("-in"), w.csrPath(),
                      QStringLiteral("-verify"), QStringLiteral("-noout"), QStringLiteral("-text")},
                     &out),
             0);
    QVERIFY2(out.contains("DNS:api.example.com") && out.contains("DNS:www.example.com") &&
                 out.contains("IP Address:10.0.0.5"),
             out.constData());
    QVERIFY2(out.contains("TLS Web Server Authentication"), out.constData());
    QVERIFY2(out.contains("1.3.6.1.5.5.7.1.24") || out.contains("status_request"), out.constData());
    QVERIFY(w.findChild<QPlainTextEdit*>(QStringLiteral("csrView"))
                ->toPlainText()
                .startsWith(QLatin1String("-----BEGIN CERTIFICATE REQUEST-----")));
    // Nothing is overwritten: the same names a second time fail clearly.
    KeyCsrWizard again;
    again.show();
    fill(again, 0, folder, QStringLiteral("api.example.com"), QStringLiteral("api.example.com"));
    QSignalSpy done2(&again, &KeyCsrWizard::generated);
    again.next();
    again.next();
    QVERIFY(done2.wait(30000));
    QCOMPARE(done2.first().first().toBool(), false);
    QVERIFY2(done2.first().at(1).toString().contains(QLatin1String("already exists")),
             qPrintable(done2.first().at(1).toString()));
}

void TestKeyCsrWizard::badNameStaysOnRequestPage()
{
    QTemporaryDir tmp;
    KeyCsrWizard w;
    w.show();
    fill(w, 0, tmp.path(), QStringLiteral("api.example.com"),
         QStringLiteral("DNS:a.*.example.com"));
    w.next();
    const int requestPage = w.currentId();
    w.next();
    QCOMPARE(w.currentId(), requestPage);
    const QString err = w.findChild<QLabel*>(QStringLiteral("requestError"))->text();
    QVERIFY2(err.startsWith(QLatin1String("ERROR:")) && err.contains(QLatin1String("wildcard")),
             qPrintable(err));
}

void TestKeyCsrWizard::shortPassphraseIsRefused()
{
    QTemporaryDir tmp;
    KeyCsrWizard w;
    w.show();
    fill(w, 0, tmp.path(), QStringLiteral("x.example.com"), {});
    w.findChild<QLineEdit*>(QStringLiteral("passphrase"))->setText(QStringLiteral("short"));
    w.findChild<QLineEdit*>(QStringLiteral("confirm"))->setText(QStringLiteral("short"));
    const int first = w.currentId();
    w.next();
    QCOMPARE(w.currentId(), first);
    QVERIFY(w.findChild<QLabel*>(QStringLiteral("keyError"))->text().contains(QLatin1String("8")));
}

void TestKeyCsrWizard::cancelWritesNothing()
{
    QTemporaryDir tmp;
    const QString folder = tmp.filePath(QStringLiteral("k"));
    KeyCsrWizard w;
    w.show();
    fill(w, 5, folder, QStringLiteral("slow.example.com"), {}); // RSA 4096
    QSignalSpy done(&w, &KeyCsrWizard::generated);
    w.next();
    w.next();
    QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("cancelGeneration")),
                      Qt::LeftButton);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY(done.first().at(1).toString().contains(QLatin1String("cancelled")));
    QVERIFY(!QFile::exists(folder + QStringLiteral("/slow.example.com.key")));
    QVERIFY(w.findChild<QLabel*>(QStringLiteral("generateStatus"))
                ->text()
                .startsWith(QLatin1String("ERROR:")));
}

QTEST_MAIN(TestKeyCsrWizard)
#include "test_keycsrwizard.moc"
