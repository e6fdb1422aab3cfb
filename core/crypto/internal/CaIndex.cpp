// SPDX-License-Identifier: GPL-3.0-or-later
#include "CaIndex.h"

#include "common/SecureFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cctype>

namespace certdeck::crypto::internal {

namespace {

QString isoOrEmpty(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

QDateTime parseIso(const QJsonValue& v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODate).toUTC();
}

} // namespace

Result<CaIndex> CaIndex::load(const QString& path)
{
    auto data = readFileCapped(path, 256 * 1024 * 1024);
    if (!data) {
        return tl::unexpected(data.error());
    }
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(*data, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The CA's serial index is damaged: %1 at byte %2")
                        .arg(err.errorString())
                        .arg(err.offset),
                    path);
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("version")).toInt() != 1) {
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("The CA's serial index has an unknown version"), path);
    }
    CaIndex index;
    index.m_crlNumber = root.value(QStringLiteral("crlNumber")).toInteger(1);
    const QJsonArray certs = root.value(QStringLiteral("certificates")).toArray();
    for (qsizetype i = 0; i < certs.size(); ++i) {
        const QJsonObject o = certs.at(i).toObject();
        CaIndexEntry e;
        e.serial = normalizeSerial(o.value(QStringLiteral("serial")).toString());
        if (e.serial.isEmpty()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The CA's serial index is damaged: entry %1 has no serial")
                            .arg(i + 1),
                        path);
        }
        e.subject = o.value(QStringLiteral("subject")).toString();
        e.notBefore = parseIso(o.value(QStringLiteral("notBefore")));
        e.notAfter = parseIso(o.value(QStringLiteral("notAfter")));
        e.profile = o.value(QStringLiteral("profile")).toString();
        e.revoked = o.value(QStringLiteral("status")).toString() == QLatin1String("revoked");
        e.revokedAt = parseIso(o.value(QStringLiteral("revokedAt")));
        e.reason = o.value(QStringLiteral("reason")).toInt();
        index.m_entries << e;
    }
    return index;
}

Status CaIndex::save(const QString& path) const
{
    QJsonArray certs;
    for (const CaIndexEntry& e : m_entries) {
        QJsonObject o{{QStringLiteral("serial"), e.serial},
                      {QStringLiteral("subject"), e.subject},
                      {QStringLiteral("notBefore"), isoOrEmpty(e.notBefore)},
                      {QStringLiteral("notAfter"), isoOrEmpty(e.notAfter)},
                      {QStringLiteral("profile"), e.profile},
                      {QStringLiteral("status"),
                       e.revoked ? QStringLiteral("revoked") : QStringLiteral("valid")}};
        if (e.revoked) {
            o.insert(QStringLiteral("revokedAt"), isoOrEmpty(e.revokedAt));
            o.insert(QStringLiteral("reason"), e.reason);
        }
        certs.append(o);
    }
    const QJsonObject root{{QStringLiteral("version"), 1},
                           {QStringLiteral("crlNumber"), m_crlNumber},
                           {QStringLiteral("certificates"), certs}};
    WriteOptions opts;
    opts.overwrite = true;
    return writeFileAtomically(path, QJsonDocument(root).toJson(QJsonDocument::Indented), opts);
}

QString CaIndex::normalizeSerial(const QString& serial)
{
    QString s;
    for (const QChar c : serial) {
        if (c == u':' || c.isSpace()) {
            continue;
        }
        if (!isxdigit(c.toLatin1())) {
            return {};
        }
        s += c.toUpper();
    }
    return s;
}

namespace {
QString withoutLeadingZeros(QString s)
{
    while (s.size() > 1 && s.startsWith(u'0')) {
        s.remove(0, 1);
    }
    return s;
}
} // namespace

bool CaIndex::contains(const QString& serial) const
{
    return find(serial) >= 0;
}

qsizetype CaIndex::find(const QString& serial) const
{
    const QString n = withoutLeadingZeros(normalizeSerial(serial));
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (withoutLeadingZeros(m_entries.at(i).serial) == n) {
            return i;
        }
    }
    return -1;
}

void CaIndex::add(const CaIndexEntry& entry)
{
    CaIndexEntry e = entry;
    e.serial = normalizeSerial(e.serial);
    m_entries << e;
}

} // namespace certdeck::crypto::internal
