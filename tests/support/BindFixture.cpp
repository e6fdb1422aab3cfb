// SPDX-License-Identifier: GPL-3.0-or-later
#include "BindFixture.h"

#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <array>

namespace certdeck::test {

namespace {

// 32 random bytes, as `tsig-keygen -a hmac-sha256` makes.
QByteArray randomSecret()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char*>(words.data()),
                      static_cast<qsizetype>(words.size() * sizeof(quint32)))
        .toBase64();
}

} // namespace

BindFixture::BindFixture()
    : m_process(QStringLiteral("named"), m_dir.filePath(QStringLiteral("named.log")))
{}

BindFixture::~BindFixture()
{
    stop();
}

QString BindFixture::binary()
{
    const QString env = qEnvironmentVariable("CERTDECK_NAMED");
    return env.isEmpty() ? QStringLiteral("/usr/sbin/named") : env;
}

bool BindFixture::writeFiles(const QStringList& extraRecords)
{
    const QString d = m_dir.path();
    const QString key = QStringLiteral("key \"%1\" {\n"
                                       "    algorithm %2;\n"
                                       "    secret \"%3\";\n"
                                       "};\n")
                            .arg(m_keyName, keyAlgorithm(), QString::fromLatin1(m_secret));
    // Every file named writes is named explicitly: pid, session key and
    // managed keys would otherwise go to /run/named and /var/cache/bind.
    // `controls {}` keeps rndc off 127.0.0.1:953; notify and transfers stay
    // off so named never sends anything to the NS names it serves.
    const QString conf = QStringLiteral("options {\n"
                                        "    directory \"%1\";\n"
                                        "    pid-file \"%1/named.pid\";\n"
                                        "    session-keyfile \"%1/session.key\";\n"
                                        "    managed-keys-directory \"%1\";\n"
                                        "    dump-file \"%1/named_dump.db\";\n"
                                        "    statistics-file \"%1/named.stats\";\n"
                                        "    listen-on port %2 { 127.0.0.1; };\n"
                                        "    listen-on-v6 { none; };\n"
                                        "    recursion no;\n"
                                        "    dnssec-validation no;\n"
                                        "    notify no;\n"
                                        "    allow-transfer { none; };\n"
                                        "};\n"
                                        "controls { };\n"
                                        "include \"%3\";\n"
                                        "zone \"%4\" {\n"
                                        "    type primary;\n"
                                        "    file \"%5\";\n"
                                        "    allow-update { key \"%6\"; };\n"
                                        "};\n")
                             .arg(d)
                             .arg(m_port)
                             .arg(keyFilePath(), m_zone, zoneFilePath(), m_keyName);
    QString zoneText = QStringLiteral("$ORIGIN %1.\n"
                                      "$TTL 60\n"
                                      "@    IN SOA ns1.%1. hostmaster.%1. ( 1 3600 600 86400 60 )\n"
                                      "@    IN NS  ns1.%1.\n"
                                      "@    IN A   127.0.0.1\n"
                                      "ns1  IN A   127.0.0.1\n"
                                      "www  IN A   127.0.0.1\n")
                           .arg(m_zone);
    for (const QString& line : extraRecords) {
        zoneText += line + u'\n';
    }
    // A journal from an earlier attempt would replay onto the fresh zone.
    QFile::remove(zoneFilePath() + QStringLiteral(".jnl"));
    if (!writePrivateFile(keyFilePath(), key.toUtf8()) ||
        !m_dir.write(QStringLiteral("named.conf"), conf.toUtf8()) ||
        !m_dir.write(m_zone + QStringLiteral(".zone"), zoneText.toUtf8())) {
        m_error = QStringLiteral("cannot write named's files in %1").arg(d);
        return false;
    }
    return true;
}

bool BindFixture::start(const QString& zone, const QStringList& extraRecords)
{
    stop();
    m_error.clear();
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create the fixture folder");
        return false;
    }
    m_zone = zone.endsWith(u'.') ? zone.chopped(1) : zone;
    m_secret = randomSecret();
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freeLoopbackPort();
        if (m_port == 0) {
            m_error = QStringLiteral("no free port on 127.0.0.1");
            return false;
        }
        if (!writeFiles(extraRecords)) {
            return false;
        }
        // Each attempt gets a fresh log, so the waits below see only its lines.
        QFile::remove(logPath());
        // -g: foreground, logging to stderr (our log file); -4: no IPv6
        // sockets at all; -n 1: one worker thread on a shared 2-core machine.
        if (!m_process.start(binary(),
                             {QStringLiteral("-g"), QStringLiteral("-4"), QStringLiteral("-n"),
                              QStringLiteral("1"), QStringLiteral("-c"), configPath()})) {
            m_error = m_process.errorString();
            return false;
        }
        // " running\n" is the last startup line; "running on"/"running as"
        // come earlier.
        if (!m_process.waitForLog(QByteArrayLiteral(" running\n"))) {
            m_error = m_process.errorString();
            m_process.stop();
            return false;
        }
        // named does not exit when it cannot bind a listen-on address: it
        // logs it and runs deaf. Treat that as a taken port and retry.
        const QByteArray startupLog = m_process.log();
        if (startupLog.contains("address in use")) {
            m_error = QStringLiteral("named could not bind 127.0.0.1:%1; its log ends with:\n%2")
                          .arg(m_port)
                          .arg(QString::fromUtf8(fileTail(logPath())));
            m_process.stop();
            continue;
        }
        const auto soa = query(m_zone, QStringLiteral("SOA"));
        if (soa && soa->size() == 1 &&
            soa->first().startsWith(QStringLiteral("ns1.%1. ").arg(m_zone))) {
            return true;
        }
        m_error = QStringLiteral("named runs but does not answer the SOA of %1 on 127.0.0.1:%2 "
                                 "(dig said: %3); its log ends with:\n%4")
                      .arg(m_zone)
                      .arg(m_port)
                      .arg(soa ? soa->join(u' ') : QStringLiteral("no answer"),
                           QString::fromUtf8(fileTail(logPath())));
        m_process.stop();
        return false;
    }
    return false;
}

std::optional<QStringList> BindFixture::query(const QString& name, const QString& type) const
{
    QByteArray out;
    const int rc =
        runTool(QStringLiteral("dig"),
                {QStringLiteral("@127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                 QStringLiteral("+norec"), QStringLiteral("+noall"), QStringLiteral("+answer"),
                 QStringLiteral("+comments"), QStringLiteral("+time=2"), QStringLiteral("+tries=1"),
                 name, type},
                &out, 10000);
    if (rc != 0) {
        return std::nullopt;
    }
    // REFUSED or SERVFAIL is not an authoritative "no such record".
    const QString text = QString::fromUtf8(out);
    if (!text.contains(QStringLiteral("status: NOERROR")) &&
        !text.contains(QStringLiteral("status: NXDOMAIN"))) {
        return std::nullopt;
    }
    // Answer lines: name ttl class type rdata, separated by tabs, except
    // that dig pads a long name with a space instead.
    static const QRegularExpression record(
        QStringLiteral("^(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(.*)$"));
    QStringList rdata;
    for (const QString& line : text.split(u'\n', Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch m = record.match(line);
        if (!line.startsWith(u';') && m.hasMatch() &&
            m.captured(4).compare(type, Qt::CaseInsensitive) == 0) {
            rdata << m.captured(5);
        }
    }
    return rdata;
}

void BindFixture::stop()
{
    m_process.stop();
}

} // namespace certdeck::test
