// SPDX-License-Identifier: GPL-3.0-or-later
#include "PebbleFixture.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QUdpSocket>
#include <QUrl>

namespace certdeck::test {

namespace {

constexpr int kAttempts = 5;
constexpr int kHttpTimeoutMs = 10000;

// freeLoopbackPort() closes its probe socket, so two calls may hand out the
// same port: keep the ones this fixture already uses out.
quint16 freshPort(QList<quint16>& taken, bool alsoUdp = false)
{
    for (int i = 0; i < 50; ++i) {
        const quint16 port = freeLoopbackPort();
        if (port == 0 || taken.contains(port)) {
            continue;
        }
        if (alsoUdp) {
            QUdpSocket udp;
            if (!udp.bind(QHostAddress::LocalHost, port)) {
                continue;
            }
        }
        taken.append(port);
        return port;
    }
    return 0;
}

QString fqdn(const QString& host)
{
    return host.endsWith(u'.') ? host : host + u'.';
}

bool portTaken(const QByteArray& log)
{
    return log.contains("address already in use");
}

} // namespace

PebbleFixture::PebbleFixture()
    : m_challtestsrv(QStringLiteral("pebble-challtestsrv"),
                     m_dir.filePath(QStringLiteral("challtestsrv.log")))
    , m_pebble(QStringLiteral("pebble"), m_dir.filePath(QStringLiteral("pebble.log")))
{}

PebbleFixture::~PebbleFixture()
{
    stop();
}

QString PebbleFixture::pebbleBinary()
{
    const QString env = qEnvironmentVariable("CERTDECK_PEBBLE");
    return env.isEmpty() ? QStringLiteral("/usr/bin/pebble") : env;
}

QString PebbleFixture::challTestSrvBinary()
{
    const QString env = qEnvironmentVariable("CERTDECK_CHALLTESTSRV");
    return env.isEmpty() ? QStringLiteral("/usr/bin/pebble-challtestsrv") : env;
}

QString PebbleFixture::configPath() const
{
    return m_dir.filePath(QStringLiteral("pebble-config.json"));
}

QString PebbleFixture::directoryUrl() const
{
    return QStringLiteral("https://127.0.0.1:%1/dir").arg(m_acmePort);
}

QString PebbleFixture::managementUrl() const
{
    return QStringLiteral("https://127.0.0.1:%1").arg(m_managementPort);
}

QString PebbleFixture::challTestSrvUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_challPort);
}

QSslConfiguration PebbleFixture::sslConfiguration() const
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    // Setting the list also turns off Qt's on-demand loading of system roots.
    c.setCaCertificates(QSslCertificate::fromPath(m_pki.rootCert));
    c.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return c;
}

bool PebbleFixture::start()
{
    return start(Options());
}

bool PebbleFixture::start(const Options& options)
{
    stop();
    m_error.clear();
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create the fixture folder");
        return false;
    }
    if (m_leaf.name.isEmpty() && !makePki()) {
        return false;
    }
    if (!startChallTestSrv()) {
        return false;
    }
    if (!startPebble(options)) {
        m_challtestsrv.stop();
        return false;
    }
    return true;
}

void PebbleFixture::stop()
{
    m_network.reset();
    m_pebble.stop();
    m_challtestsrv.stop();
}

bool PebbleFixture::makePki()
{
    const QString pkiDir = m_dir.filePath(QStringLiteral("pki"));
    if (!QDir().mkpath(pkiDir) || !m_pki.create(pkiDir, {})) {
        m_error = QStringLiteral("test PKI: %1").arg(m_pki.errorString());
        return false;
    }
    TestPki::LeafSpec spec;
    spec.name = QStringLiteral("pebble-listener");
    m_leaf = m_pki.issue(spec);
    if (m_leaf.name.isEmpty()) {
        m_error = QStringLiteral("test PKI leaf for Pebble: %1").arg(m_pki.errorString());
        return false;
    }
    return true;
}

bool PebbleFixture::startChallTestSrv()
{
    // challtestsrv takes no file argument; run it through a link inside the
    // fixture folder so its command line carries the folder (leftover check).
    const QString link = m_dir.filePath(QStringLiteral("pebble-challtestsrv"));
    if (!QFile::exists(link) && !QFile::link(challTestSrvBinary(), link)) {
        m_error = QStringLiteral("cannot link %1 to %2").arg(challTestSrvBinary(), link);
        return false;
    }
    m_challtestsrv.setWorkingDirectory(m_dir.path());
    const QString logPath = m_dir.filePath(QStringLiteral("challtestsrv.log"));
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        QList<quint16> taken;
        m_dnsPort = freshPort(taken, true);
        m_challPort = freshPort(taken);
        QFile::remove(logPath);
        // Every challenge listener is off (empty); no AAAA answers, so Pebble
        // never tries ::1.
        if (!m_challtestsrv.start(
                link,
                {QStringLiteral("-dns01"), QStringLiteral("127.0.0.1:%1").arg(m_dnsPort),
                 QStringLiteral("-management"), QStringLiteral("127.0.0.1:%1").arg(m_challPort),
                 QStringLiteral("-defaultIPv4"), QStringLiteral("127.0.0.1"),
                 QStringLiteral("-defaultIPv6"), QString(), QStringLiteral("-http01"), QString(),
                 QStringLiteral("-https01"), QString(), QStringLiteral("-tlsalpn01"), QString()})) {
            m_error = m_challtestsrv.errorString();
            return false;
        }
        if (m_challtestsrv.waitForPort(m_challPort) && m_challtestsrv.waitForPort(m_dnsPort)) {
            // A failed UDP bind is only logged; the process keeps running.
            const bool settled = waitUntil(
                [this] {
                    return !m_challtestsrv.isRunning() || portTaken(m_challtestsrv.log()) ||
                           dnsAnswersUdp();
                },
                10000);
            if (settled && m_challtestsrv.isRunning() && !portTaken(m_challtestsrv.log())) {
                return true;
            }
            m_error = QStringLiteral("pebble-challtestsrv DNS on 127.0.0.1:%1 (udp) did not "
                                     "answer; its log ends with:\n%2")
                          .arg(m_dnsPort)
                          .arg(QString::fromUtf8(fileTail(logPath)));
        } else {
            m_error = m_challtestsrv.errorString();
        }
        const bool retry = portTaken(m_challtestsrv.log());
        m_challtestsrv.stop();
        if (!retry) {
            return false;
        }
    }
    return false;
}

bool PebbleFixture::dnsAnswersUdp() const
{
    // A fixed query for "localhost. IN A" with ID 0xCD01 and RD set.
    static const QByteArray query("\xcd\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                                  "\x09localhost\x00\x00\x01\x00\x01",
                                  27);
    QUdpSocket sock;
    if (sock.writeDatagram(query, QHostAddress::LocalHost, m_dnsPort) != query.size()) {
        return false;
    }
    if (!sock.waitForReadyRead(500)) {
        return false;
    }
    QByteArray reply(512, '\0');
    const qint64 n = sock.readDatagram(reply.data(), reply.size());
    // Same ID, QR (response) bit set.
    return n >= 12 && reply.startsWith("\xcd\x01") && (static_cast<quint8>(reply.at(2)) & 0x80);
}

bool PebbleFixture::startPebble(const Options& options)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& key : env.keys()) {
        if (key.startsWith(QLatin1String("PEBBLE_"))) {
            env.remove(key);
        }
    }
    env.insert(QStringLiteral("PEBBLE_VA_NOSLEEP"), QStringLiteral("1"));
    if (options.nonceRejectPercent) {
        env.insert(QStringLiteral("PEBBLE_WFE_NONCEREJECT"),
                   QString::number(*options.nonceRejectPercent));
    }
    if (options.authzReusePercent) {
        env.insert(QStringLiteral("PEBBLE_AUTHZREUSE"),
                   QString::number(*options.authzReusePercent));
    }
    if (options.alternateRoots) {
        env.insert(QStringLiteral("PEBBLE_ALTERNATE_ROOTS"),
                   QString::number(*options.alternateRoots));
    }
    const quint16 resolverPort = options.dnsServerPort.value_or(m_dnsPort);
    m_pebble.setEnvironment(env);
    m_pebble.setWorkingDirectory(m_dir.path());

    const QString logPath = m_dir.filePath(QStringLiteral("pebble.log"));
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        QList<quint16> taken{m_dnsPort, m_challPort};
        if (options.httpPort != 0) {
            taken.append(options.httpPort);
        }
        if (options.tlsPort != 0) {
            taken.append(options.tlsPort);
        }
        m_acmePort = freshPort(taken);
        m_managementPort = freshPort(taken);
        m_httpPort = options.httpPort != 0 ? options.httpPort : freshPort(taken);
        m_tlsPort = options.tlsPort != 0 ? options.tlsPort : freshPort(taken);

        QJsonObject eab;
        for (auto it = options.eabKeys.cbegin(); it != options.eabKeys.cend(); ++it) {
            eab.insert(it.key(), it.value());
        }
        QJsonObject pebble{
            {QStringLiteral("listenAddress"), QStringLiteral("127.0.0.1:%1").arg(m_acmePort)},
            {QStringLiteral("managementListenAddress"),
             QStringLiteral("127.0.0.1:%1").arg(m_managementPort)},
            {QStringLiteral("certificate"), m_leaf.fullchain},
            {QStringLiteral("privateKey"), m_leaf.key},
            {QStringLiteral("httpPort"), m_httpPort},
            {QStringLiteral("tlsPort"), m_tlsPort},
            {QStringLiteral("ocspResponderURL"), QString()},
            {QStringLiteral("externalAccountBindingRequired"),
             options.externalAccountBindingRequired},
        };
        if (!eab.isEmpty()) {
            pebble.insert(QStringLiteral("externalAccountMACKeys"), eab);
        }
        const QJsonObject root{{QStringLiteral("pebble"), pebble}};
        if (!m_dir.write(QStringLiteral("pebble-config.json"), QJsonDocument(root).toJson())) {
            m_error = QStringLiteral("cannot write %1").arg(configPath());
            return false;
        }
        QFile::remove(logPath);
        if (!m_pebble.start(pebbleBinary(),
                            {QStringLiteral("-config"), configPath(), QStringLiteral("-dnsserver"),
                             QStringLiteral("127.0.0.1:%1").arg(resolverPort)})) {
            m_error = m_pebble.errorString();
            return false;
        }
        // The log line comes just before the ACME listener binds.
        if (m_pebble.waitForLog("ACME directory available at") &&
            m_pebble.waitForPort(m_managementPort) && m_pebble.waitForPort(m_acmePort)) {
            return true;
        }
        m_error = m_pebble.errorString();
        const bool retry = portTaken(m_pebble.log());
        m_pebble.stop();
        if (!retry) {
            return false;
        }
    }
    return false;
}

QNetworkAccessManager& PebbleFixture::network()
{
    if (!m_network) {
        m_network = std::make_unique<QNetworkAccessManager>();
    }
    return *m_network;
}

namespace {

// Runs one request to completion with the event loop running; the reply's
// body, or nullopt and `error` naming the URL, status and Qt's reason.
std::optional<QByteArray> exchange(QNetworkAccessManager& nam, const QNetworkRequest& req,
                                   const QByteArray* postBody, QString* error)
{
    std::unique_ptr<QNetworkReply> reply(postBody != nullptr ? nam.post(req, *postBody)
                                                             : nam.get(req));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(kHttpTimeoutMs + 5000)) {
        reply->abort();
        *error = QStringLiteral("%1: no answer in time").arg(req.url().toString());
        return std::nullopt;
    }
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        *error = QStringLiteral("%1: HTTP %2, %3: %4")
                     .arg(req.url().toString())
                     .arg(status)
                     .arg(reply->errorString(), QString::fromUtf8(body.left(500)));
        return std::nullopt;
    }
    return body;
}

} // namespace

std::optional<QByteArray> PebbleFixture::get(const QString& url, const QSslConfiguration& ssl)
{
    QNetworkRequest req{QUrl(url)};
    req.setTransferTimeout(kHttpTimeoutMs);
    req.setSslConfiguration(ssl);
    return exchange(network(), req, nullptr, &m_error);
}

std::optional<PebbleFixture::IssuerPem> PebbleFixture::fetchIssuerPem(int index)
{
    const QSslConfiguration ssl = sslConfiguration();
    auto root = get(managementUrl() + QStringLiteral("/roots/%1").arg(index), ssl);
    if (!root) {
        return std::nullopt;
    }
    auto intermediate = get(managementUrl() + QStringLiteral("/intermediates/%1").arg(index), ssl);
    if (!intermediate) {
        return std::nullopt;
    }
    return IssuerPem{*root, *intermediate};
}

std::optional<QByteArray> PebbleFixture::management(const QString& path)
{
    return get(managementUrl() + path, sslConfiguration());
}

bool PebbleFixture::challPost(const QString& endpoint, const QByteArray& json)
{
    QNetworkRequest req{QUrl(challTestSrvUrl() + endpoint)};
    req.setTransferTimeout(kHttpTimeoutMs);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    return exchange(network(), req, &json, &m_error).has_value();
}

bool PebbleFixture::addA(const QString& host, const QString& ip)
{
    const QJsonObject o{{QStringLiteral("host"), fqdn(host)},
                        {QStringLiteral("addresses"), QJsonArray{ip}}};
    return challPost(QStringLiteral("/add-a"), QJsonDocument(o).toJson(QJsonDocument::Compact));
}

bool PebbleFixture::setTxt(const QString& host, const QString& value)
{
    // challtestsrv 2.4 stores the name as given but looks up the FQDN: a name
    // without the final dot is accepted and never answered.
    const QJsonObject o{{QStringLiteral("host"), fqdn(host)}, {QStringLiteral("value"), value}};
    return challPost(QStringLiteral("/set-txt"), QJsonDocument(o).toJson(QJsonDocument::Compact));
}

bool PebbleFixture::clearTxt(const QString& host)
{
    const QJsonObject o{{QStringLiteral("host"), fqdn(host)}};
    return challPost(QStringLiteral("/clear-txt"), QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace certdeck::test
