// SPDX-License-Identifier: GPL-3.0-or-later
// One endpoint (a real nginx, TLS 1.0-1.3 with legacy and modern suites)
// enumerated by TlsProber and by sslscan in the same run, on bare loopback,
// through a counting relay (0 ms) and through a delaying relay (20 ms each
// way). Prints wall time (median of N runs), connections opened and the
// sslscan/prober ratio, and whether both found the same (protocol, suite)
// pairs. Not a test: no thresholds, run it by hand or with bench_probe.sh.
#include "NginxFixture.h"
#include "PeerProcess.h"
#include "ScannerOracle.h"
#include "TestPki.h"
#include "probe/CipherSuiteRegistry.h"
#include "probe/TlsProber.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <memory>

using namespace certdeck;
using namespace certdeck::probe;
using namespace certdeck::test;

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

/// A TCP relay on 127.0.0.1 that forwards each direction after `delayMs`
/// and counts the connections it accepted: latency without netem (not
/// available here) and an outside count of connections for both tools.
class DelayRelay
{
public:
    DelayRelay(quint16 upstream, int delayMs)
        : m_upstream(upstream)
        , m_delayMs(delayMs)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] { accept(); });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    int connections() const { return m_connections; }
    void resetCount() { m_connections = 0; }

private:
    void accept()
    {
        while (QTcpSocket* client = m_server.nextPendingConnection()) {
            ++m_connections;
            auto* upstream = new QTcpSocket(client);
            upstream->connectToHost(QHostAddress::LocalHost, m_upstream);
            pipe(client, upstream);
            pipe(upstream, client);
            QObject::connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        }
    }
    void pipe(QTcpSocket* from, QTcpSocket* to)
    {
        const int delay = m_delayMs;
        QObject::connect(from, &QTcpSocket::readyRead, to, [from, to, delay] {
            const QByteArray data = from->readAll();
            QTimer::singleShot(delay, to, [to, data] { to->write(data); });
        });
        QObject::connect(from, &QTcpSocket::disconnected, to, [to, delay] {
            QTimer::singleShot(delay, to, [to] { to->disconnectFromHost(); });
        });
    }

    QTcpServer m_server;
    quint16 m_upstream;
    int m_delayMs;
    int m_connections = 0;
};

struct Run
{
    qint64 ms = 0;
    int connections = 0;
    QSet<QString> pairs;
};

Run runProber(quint16 port)
{
    ProbeTarget t;
    t.host = QStringLiteral("127.0.0.1");
    t.port = port;
    t.sni = QStringLiteral("localhost");
    ProbeOptions o;
    // The same work as sslscan's cipher enumeration: protocols and suites,
    // plus the order and group checks it also does.
    TlsProber prober(t, o);
    QEventLoop loop;
    QObject::connect(&prober, &TlsProber::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    prober.start();
    loop.exec();
    Run r;
    r.ms = clock.elapsed();
    r.connections = prober.result().connections;
    for (const auto& [v, code] : prober.result().acceptedPairs()) {
        r.pairs.insert(tlsVersionName(v) + u' ' +
                       CipherSuiteRegistry::instance().find(code)->ianaName);
    }
    return r;
}

Run runSslscan(quint16 port, const QString& dir)
{
    // Asynchronous, so this process's relay keeps forwarding meanwhile.
    const QString xml = dir + QStringLiteral("/bench-sslscan.xml");
    QFile::remove(xml);
    QProcess p;
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    p.start(QStringLiteral("sslscan"),
            {QStringLiteral("--no-colour"), QStringLiteral("--xml=") + xml,
             QStringLiteral("--sni-name=localhost"), QStringLiteral("127.0.0.1:%1").arg(port)});
    loop.exec();
    Run r;
    r.ms = clock.elapsed();
    QFile f(xml);
    if (f.open(QIODevice::ReadOnly)) {
        for (const OracleSuite& s : ScannerOracle::parseSslscanXml(f.readAll())) {
            const CipherSuite* c = s.code ? CipherSuiteRegistry::instance().find(*s.code) : nullptr;
            r.pairs.insert(s.version + u' ' + (c ? c->ianaName : s.name));
        }
    }
    return r;
}

qint64 median(QList<qint64> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int runs = 3;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--runs")); i >= 0 && i + 1 < args.size()) {
        runs = std::max(1, args.at(i + 1).toInt());
    }
    FixtureDir dir;
    TestPki pki;
    TestPki::Options opt;
    opt.keyType = TestPki::KeyType::Rsa2048;
    if (!pki.create(dir.path(), opt) || !pki.issueStandardSet()) {
        out() << "test PKI failed: " << pki.errorString() << "\n";
        return 1;
    }
    NginxFixture nginx;
    if (!nginx.start(QStringLiteral("ssl_certificate %1;\nssl_certificate_key %2;\n"
                                    "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
                                    "ssl_ciphers 'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:"
                                    "ECDHE+AES:AES128-SHA:AES256-SHA:AES128-GCM-SHA256:"
                                    "@SECLEVEL=0';\n")
                         .arg(pki.good.fullchain, pki.good.key))) {
        out() << "nginx failed: " << nginx.errorString() << "\n";
        return 1;
    }
    DelayRelay counting(nginx.port(), 0);
    DelayRelay delayed(nginx.port(), 20);
    if (!counting.listen() || !delayed.listen()) {
        out() << "relay failed to listen\n";
        return 1;
    }
    out() << "One endpoint (nginx, TLS 1.0-1.3), median of " << runs << " runs\n"
          << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("path"), -22)
                 .arg(QStringLiteral("tool"), -9)
                 .arg(QStringLiteral("wall ms"), 9)
                 .arg(QStringLiteral("conns"), 6)
                 .arg(QStringLiteral("sslscan/prober"), 15);
    struct Path
    {
        QString name;
        quint16 port;
        DelayRelay* relay;
    };
    bool same = true;
    for (const Path& path :
         {Path{QStringLiteral("loopback"), nginx.port(), nullptr},
          Path{QStringLiteral("relay 0 ms (counting)"), counting.port(), &counting},
          Path{QStringLiteral("relay 20 ms each way"), delayed.port(), &delayed}}) {
        QList<qint64> proberMs;
        QList<qint64> scanMs;
        int proberConns = 0;
        int scanConns = 0;
        for (int i = 0; i < runs; ++i) {
            if (path.relay) {
                path.relay->resetCount();
            }
            const Run p = runProber(path.port);
            proberMs << p.ms;
            proberConns = path.relay ? path.relay->connections() : p.connections;
            if (path.relay) {
                path.relay->resetCount();
            }
            const Run s = runSslscan(path.port, dir.path());
            scanMs << s.ms;
            scanConns = path.relay ? path.relay->connections() : -1;
            if (p.pairs != s.pairs) {
                same = false;
                out() << "  results differ on " << path.name << ": prober " << p.pairs.size()
                      << " pairs, sslscan " << s.pairs.size() << "\n";
            }
        }
        const qint64 pm = median(proberMs);
        const qint64 sm = median(scanMs);
        out() << QStringLiteral("%1 %2 %3 %4\n")
                     .arg(path.name, -22)
                     .arg(QStringLiteral("prober"), -9)
                     .arg(pm, 9)
                     .arg(proberConns, 6)
              << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(QString(), -22)
                     .arg(QStringLiteral("sslscan"), -9)
                     .arg(sm, 9)
                     .arg(scanConns < 0 ? QStringLiteral("?") : QString::number(scanConns), 6)
                     .arg(pm > 0 ? QString::number(double(sm) / double(pm), 'f', 1) + u'x'
                                 : QStringLiteral("-"),
                          15);
        out().flush();
    }
    out() << "same (protocol, suite) pairs as sslscan: " << (same ? "yes" : "NO") << "\n";
    return same ? 0 : 1;
}
