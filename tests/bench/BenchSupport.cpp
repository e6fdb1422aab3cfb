// SPDX-License-Identifier: GPL-3.0-or-later
#include "BenchSupport.h"

#include "PeerProcess.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/TlsVersion.h"

#include <QRegularExpression>
#include <QSysInfo>
#include <QTcpSocket>
#include <QThread>
#include <algorithm>

namespace certdeck::bench {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

qint64 median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

QString ratio(double numerator, double denominator)
{
    return denominator > 0 ? QString::number(numerator / denominator, 'f', 1) + u'x'
                           : QStringLiteral("-");
}

QString probeNginxTls(const QString& fullchain, const QString& key)
{
    return QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                          "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
                          "ssl_ciphers 'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:"
                          "ECDHE+AES:AES128-SHA:AES256-SHA:AES128-GCM-SHA256:"
                          "@SECLEVEL=0';\n")
        .arg(fullchain, key);
}

QString stubStatusServer(quint16 port)
{
    return QStringLiteral("server { listen 127.0.0.1:%1; access_log off; "
                          "location / { stub_status; } }")
        .arg(port);
}

qint64 nginxAccepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000)) {
        return -1;
    }
    s.write("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray reply;
    while (s.waitForReadyRead(5000)) {
        reply += s.readAll();
    }
    reply += s.readAll();
    // "server accepts handled requests\n 12 12 15"
    static const QRegularExpression re(QStringLiteral("requests\\s+(\\d+)\\s+(\\d+)"));
    const auto m = re.match(QString::fromLatin1(reply));
    return m.hasMatch() ? m.captured(1).toLongLong() - 1 : -1;
}

QSet<QString> proberPairs(const probe::ProbeResult& result)
{
    QSet<QString> pairs;
    for (const auto& [v, code] : result.acceptedPairs()) {
        const probe::CipherSuite* c = probe::CipherSuiteRegistry::instance().find(code);
        pairs.insert(probe::tlsVersionName(v) + u' ' +
                     (c ? c->ianaName : QStringLiteral("0x%1").arg(code, 4, 16, QChar(u'0'))));
    }
    return pairs;
}

QSet<QString> sslscanPairs(const QList<test::OracleSuite>& suites)
{
    QSet<QString> pairs;
    for (const test::OracleSuite& s : suites) {
        const probe::CipherSuite* c =
            s.code ? probe::CipherSuiteRegistry::instance().find(*s.code) : nullptr;
        pairs.insert(s.version + u' ' + (c ? c->ianaName : s.name));
    }
    return pairs;
}

QString machineLine()
{
    QByteArray ssl;
    QByteArray scan;
    (void)test::runTool(QStringLiteral("openssl"), {QStringLiteral("version")}, &ssl);
    (void)test::runTool(QStringLiteral("sslscan"), {QStringLiteral("--version")}, &scan);
    static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;]*m"));
    QString scanVersion = QString::fromLocal8Bit(scan).section(u'\n', 0, 0);
    scanVersion.remove(ansi);
    return QStringLiteral("%1 CPUs; %2 %3; %4; sslscan %5")
        .arg(QThread::idealThreadCount())
        .arg(QSysInfo::kernelType(), QSysInfo::kernelVersion(),
             QString::fromLocal8Bit(ssl).trimmed(), scanVersion.trimmed());
}

} // namespace certdeck::bench
