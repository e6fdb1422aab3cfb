// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScannerOracle.h"

#include "PeerProcess.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QXmlStreamReader>

namespace certdeck::test {

namespace {

QString normaliseVersion(const QString& v)
{
    // sslscan writes "TLSv1.0", nmap "TLSv1.0"; both write "SSLv3".
    if (v == QLatin1String("TLSv1")) {
        return QStringLiteral("TLSv1.0");
    }
    return v;
}

} // namespace

std::optional<QList<OracleSuite>> ScannerOracle::sslscan(quint16 port, const QString& sni,
                                                         const QString& workDir, QString* error,
                                                         QList<OracleGroup>* groups)
{
    const QString xmlPath = QDir(workDir).filePath(QStringLiteral("sslscan-%1.xml").arg(port));
    QStringList args = {QStringLiteral("--no-colour"), QStringLiteral("--xml=") + xmlPath};
    if (!sni.isEmpty()) {
        args << QStringLiteral("--sni-name=") + sni;
    }
    args << QStringLiteral("127.0.0.1:%1").arg(port);
    QByteArray out;
    const int rc = runTool(QStringLiteral("sslscan"), args, &out, 120000);
    QFile xml(xmlPath);
    if (rc != 0 || !xml.open(QIODevice::ReadOnly)) {
        if (error) {
            *error = QStringLiteral("sslscan exited with %1: %2")
                         .arg(rc)
                         .arg(QString::fromLocal8Bit(out.right(2000)));
        }
        return std::nullopt;
    }
    const QByteArray data = xml.readAll();
    if (groups) {
        *groups = parseSslscanGroups(data);
    }
    return parseSslscanXml(data);
}

QList<OracleGroup> ScannerOracle::parseSslscanGroups(const QByteArray& xml)
{
    QList<OracleGroup> groups;
    QXmlStreamReader r(xml);
    while (!r.atEnd()) {
        if (r.readNext() != QXmlStreamReader::StartElement || r.name() != QLatin1String("group")) {
            continue;
        }
        const auto a = r.attributes();
        bool ok = false;
        const uint id = a.value(QLatin1String("id")).toString().toUInt(&ok, 16);
        if (ok && id <= 0xffff) {
            groups.append(
                OracleGroup{normaliseVersion(a.value(QLatin1String("sslversion")).toString()),
                            static_cast<quint16>(id)});
        }
    }
    return groups;
}

std::optional<QList<OracleSuite>> ScannerOracle::nmap(quint16 port, QString* error,
                                                      QHash<QString, QString>* preferences)
{
    QByteArray out;
    const int rc = runTool(QStringLiteral("nmap"),
                           {QStringLiteral("-Pn"), QStringLiteral("-p"), QString::number(port),
                            QStringLiteral("--script"), QStringLiteral("ssl-enum-ciphers"),
                            QStringLiteral("127.0.0.1")},
                           &out, 180000);
    if (rc != 0 || !out.contains("ssl-enum-ciphers")) {
        if (error) {
            *error = QStringLiteral("nmap exited with %1: %2")
                         .arg(rc)
                         .arg(QString::fromLocal8Bit(out.right(2000)));
        }
        return std::nullopt;
    }
    if (preferences != nullptr) {
        *preferences = parseNmapPreferences(out);
    }
    return parseNmap(out);
}

QList<OracleSuite> ScannerOracle::parseSslscanXml(const QByteArray& xml)
{
    QList<OracleSuite> suites;
    const QHash<QString, QList<OracleSuite>> byTarget = parseSslscanXmlByTarget(xml);
    for (const QList<OracleSuite>& s : byTarget) {
        suites += s;
    }
    return suites;
}

QHash<QString, QList<OracleSuite>> ScannerOracle::parseSslscanXmlByTarget(const QByteArray& xml)
{
    QHash<QString, QList<OracleSuite>> targets;
    QString target;
    QXmlStreamReader r(xml);
    while (!r.atEnd()) {
        if (r.readNext() != QXmlStreamReader::StartElement) {
            continue;
        }
        const auto a = r.attributes();
        if (r.name() == QLatin1String("ssltest")) {
            target = a.value(QLatin1String("host")).toString() + u':' +
                     a.value(QLatin1String("port")).toString();
            targets.insert(target, {});
            continue;
        }
        if (r.name() != QLatin1String("cipher")) {
            continue;
        }
        const QString status = a.value(QLatin1String("status")).toString();
        if (status != QLatin1String("accepted") && status != QLatin1String("preferred")) {
            continue;
        }
        OracleSuite s;
        s.version = normaliseVersion(a.value(QLatin1String("sslversion")).toString());
        s.name = a.value(QLatin1String("cipher")).toString();
        bool ok = false;
        const uint code = a.value(QLatin1String("id")).toString().toUInt(&ok, 16);
        if (ok && code <= 0xffff) {
            s.code = static_cast<quint16>(code);
        }
        targets[target].append(s);
    }
    return targets;
}

QList<OracleSuite> ScannerOracle::parseNmap(const QByteArray& text)
{
    static const QRegularExpression protocolLine(
        QStringLiteral(R"(^\|\s{3}((?:SSL|TLS)v[0-9.]+):\s*$)"));
    static const QRegularExpression sectionLine(QStringLiteral(R"(^\|\s{5}(\S[^:]*):\s*$)"));
    static const QRegularExpression cipherLine(QStringLiteral(R"(^\|\s{7}(TLS_\S+|SSL_\S+))"));
    QList<OracleSuite> suites;
    QString version;
    bool inCiphers = false;
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromLatin1(raw).trimmed().isEmpty()
                                 ? QString()
                                 : QString::fromLatin1(raw).remove(u'\r');
        if (const auto m = protocolLine.match(line); m.hasMatch()) {
            version = normaliseVersion(m.captured(1));
            inCiphers = false;
            continue;
        }
        if (const auto m = sectionLine.match(line); m.hasMatch()) {
            inCiphers = m.captured(1) == QLatin1String("ciphers");
            continue;
        }
        if (!inCiphers || version.isEmpty()) {
            continue;
        }
        if (const auto m = cipherLine.match(line); m.hasMatch()) {
            QString name = m.captured(1);
            if (name.startsWith(QLatin1String("TLS_AKE_WITH_"))) {
                name = QStringLiteral("TLS_") + name.mid(13);
            }
            suites.append(OracleSuite{version, std::nullopt, name});
        }
    }
    return suites;
}

QHash<QString, QString> ScannerOracle::parseNmapPreferences(const QByteArray& text)
{
    static const QRegularExpression protocolLine(
        QStringLiteral(R"(^\|\s{3}((?:SSL|TLS)v[0-9.]+):\s*$)"));
    static const QRegularExpression preferenceLine(
        QStringLiteral(R"(^\|\s{5}cipher preference:\s*(\S+))"));
    QHash<QString, QString> out;
    QString version;
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromLatin1(raw).remove(u'\r');
        if (const auto m = protocolLine.match(line); m.hasMatch()) {
            version = normaliseVersion(m.captured(1));
        } else if (const auto p = preferenceLine.match(line); p.hasMatch() && !version.isEmpty()) {
            out.insert(version, p.captured(1));
        }
    }
    return out;
}

} // namespace certdeck::test
