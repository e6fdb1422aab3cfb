// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/HostListImporter.h"

#include "common/SecureFile.h"
#include "inventory/import/Csv.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

namespace certdeck::inventory {

namespace {

struct HostPort
{
    QString host;
    std::optional<quint16> port;
};

/// Parses "1..65535" or says why not.
Result<quint16> parsePort(const QString& text)
{
    bool ok = false;
    const qlonglong v = text.trimmed().toLongLong(&ok);
    if (!ok) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("port \"%1\" is not a number").arg(text.trimmed()));
    }
    if (v < 1 || v > 65535) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("port %1 is out of range (1-65535)").arg(v));
    }
    return quint16(v);
}

/// A DNS name (IDN turned into its ASCII form) or says why not.
Result<QString> checkHostName(const QString& raw)
{
    QString name = raw;
    if (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.contains(u'*')) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("\"%1\" is a wildcard, not a host to probe").arg(raw));
    }
    // toAce() is empty for names IDNA refuses (bad characters, long labels).
    const QString ace = QString::fromLatin1(QUrl::toAce(name));
    if (ace.isEmpty() || ace.size() > 253) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("\"%1\" is not a valid host name").arg(raw));
    }
    static const QRegularExpression label(
        QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$"));
    for (const QString& l : ace.split(u'.')) {
        if (!label.match(l).hasMatch()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("\"%1\" is not a valid host name").arg(raw));
        }
    }
    return ace.toLower();
}

/// "host", "host:port", "[v6]", "[v6]:port", bare "v6", "scheme://host:port/".
Result<HostPort> parseHost(const QString& text)
{
    QString t = text.trimmed();
    HostPort out;
    if (t.contains(QLatin1String("://"))) {
        const QUrl url(t);
        if (!url.isValid() || url.host().isEmpty()) {
            return fail(ErrorCode::InvalidInput, QStringLiteral("\"%1\" is not a URL").arg(t));
        }
        // QUrl has already checked the port's range.
        if (url.port() > 0) {
            out.port = quint16(url.port());
        }
        t = url.host().contains(u':') ? u'[' + url.host() + u']' : url.host();
    }
    if (t.startsWith(u'[')) {
        const qsizetype close = t.indexOf(u']');
        if (close < 0) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("IPv6 address \"%1\" has no closing ']'").arg(t));
        }
        const QString addr = t.mid(1, close - 1);
        QHostAddress a;
        if (!a.setAddress(addr) || a.protocol() != QAbstractSocket::IPv6Protocol) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("\"%1\" is not an IPv6 address").arg(addr));
        }
        out.host = a.toString();
        const QString rest = t.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':')) {
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("unexpected \"%1\" after the IPv6 address").arg(rest));
            }
            auto p = parsePort(rest.mid(1));
            if (!p) {
                return tl::unexpected(p.error());
            }
            out.port = *p;
        }
        return out;
    }
    if (t.count(u':') > 1) {
        QHostAddress a;
        if (!a.setAddress(t) || a.protocol() != QAbstractSocket::IPv6Protocol) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("\"%1\" is not an IPv6 address (write [address]:port to "
                                       "give a port)")
                            .arg(t));
        }
        out.host = a.toString();
        return out;
    }
    QString host = t;
    if (t.contains(u':')) {
        host = t.section(u':', 0, 0);
        auto p = parsePort(t.section(u':', 1));
        if (!p) {
            return tl::unexpected(p.error());
        }
        out.port = *p;
    }
    if (host.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no host before the port"));
    }
    QHostAddress v4;
    static const QRegularExpression dotted(QStringLiteral("^[0-9.]+$"));
    if (dotted.match(host).hasMatch()) {
        if (!v4.setAddress(host) || v4.protocol() != QAbstractSocket::IPv4Protocol ||
            host.count(u'.') != 3) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("\"%1\" is not an IPv4 address").arg(host));
        }
        out.host = v4.toString();
        return out;
    }
    auto name = checkHostName(host);
    if (!name) {
        return tl::unexpected(name.error());
    }
    out.host = *name;
    return out;
}

class Reader
{
public:
    Reader(const QString& origin, const HostListImporter::Options& options)
        : m_origin(origin)
        , m_options(options)
    {}

    QString at(int line) const { return QStringLiteral("%1 line %2").arg(m_origin).arg(line); }

    void skip(int line, const QString& why)
    {
        m_plan.warnings << at(line) + QStringLiteral(": ") + why + QStringLiteral("; skipped");
    }

    void add(int line, const HostPort& hp, const QString& sni, const QString& group,
             const QStringList& tags, const QString& notes, const QString& address)
    {
        Endpoint e;
        e.host = hp.host;
        e.port = hp.port.value_or(443);
        e.sniName = sni.compare(hp.host, Qt::CaseInsensitive) == 0 ? QString() : sni;
        e.group = group.isEmpty() ? m_options.group : group;
        e.tags = m_options.tags;
        for (const QString& t : tags) {
            if (!e.tags.contains(t)) {
                e.tags << t;
            }
        }
        e.notes = notes;
        e.addressOverride = address;
        m_plan.addEndpoint(e, at(line));
    }

    void lines(const QByteArray& text)
    {
        int line = 0;
        for (const QByteArray& raw : text.split('\n')) {
            ++line;
            QString l = QString::fromUtf8(raw);
            if (const qsizetype hash = l.indexOf(u'#'); hash >= 0) {
                l.truncate(hash);
            }
            const QStringList words = l.simplified().split(u' ', Qt::SkipEmptyParts);
            if (words.isEmpty()) {
                continue;
            }
            auto hp = parseHost(words.first());
            if (!hp) {
                skip(line, hp.error().message);
                continue;
            }
            if (words.size() > 1) {
                m_plan.warnings << at(line) + QStringLiteral(": text after the host (\"%1\") "
                                                             "ignored")
                                                  .arg(words.mid(1).join(u' '));
            }
            add(line, *hp, {}, {}, {}, {}, {});
        }
    }

    Status csv(const QByteArray& text)
    {
        auto records = Csv::parse(text, m_origin);
        if (!records) {
            return tl::unexpected(records.error());
        }
        QList<CsvRecord> rows;
        for (const CsvRecord& r : *records) {
            if (!r.fields.first().trimmed().startsWith(u'#')) {
                rows << r;
            }
        }
        if (rows.isEmpty()) {
            return {};
        }
        const CsvRecord header = rows.takeFirst();
        QHash<QString, int> column;
        QStringList unknown;
        static const QStringList known = {QStringLiteral("host"),   QStringLiteral("port"),
                                          QStringLiteral("sni"),    QStringLiteral("group"),
                                          QStringLiteral("tags"),   QStringLiteral("notes"),
                                          QStringLiteral("address")};
        // Columns of the fleet CSV export that the store recomputes.
        static const QStringList derived = {QStringLiteral("kind"), QStringLiteral("issuer"),
                                            QStringLiteral("not_after"),
                                            QStringLiteral("days_left")};
        for (qsizetype i = 0; i < header.fields.size(); ++i) {
            const QString name = header.fields[i].trimmed().toLower();
            if (known.contains(name)) {
                column.insert(name, int(i));
            } else if (!name.isEmpty() && !derived.contains(name)) {
                unknown << name;
            }
        }
        if (!column.contains(QStringLiteral("host"))) {
            return fail(ErrorCode::InvalidInput,
                        at(header.line) + QStringLiteral(": the CSV header has no \"host\" column "
                                                         "(expected host,port,sni,group)"));
        }
        if (!unknown.isEmpty()) {
            m_plan.warnings << at(header.line) + QStringLiteral(": column(s) %1 ignored")
                                                     .arg(unknown.join(QStringLiteral(", ")));
        }
        auto cell = [&](const CsvRecord& r, const char* name) {
            const int c = column.value(QLatin1String(name), -1);
            return c >= 0 ? r.fields.value(c).trimmed() : QString();
        };
        for (const CsvRecord& r : std::as_const(rows)) {
            const QString hostText = cell(r, "host");
            if (hostText.isEmpty()) {
                skip(r.line, QStringLiteral("empty host"));
                continue;
            }
            auto hp = parseHost(hostText);
            if (!hp) {
                skip(r.line, hp.error().message);
                continue;
            }
            if (const QString portText = cell(r, "port"); !portText.isEmpty()) {
                auto p = parsePort(portText);
                if (!p) {
                    skip(r.line, p.error().message);
                    continue;
                }
                hp->port = *p;
            }
            QString sni = cell(r, "sni");
            if (!sni.isEmpty()) {
                auto checked = checkHostName(sni);
                if (!checked) {
                    skip(r.line, QStringLiteral("sni: ") + checked.error().message);
                    continue;
                }
                sni = *checked;
            }
            QStringList tags;
            for (const QString& t : cell(r, "tags").split(u';', Qt::SkipEmptyParts)) {
                if (!t.trimmed().isEmpty()) {
                    tags << t.trimmed();
                }
            }
            add(r.line, *hp, sni, cell(r, "group"), tags,
                r.fields.value(column.value(QStringLiteral("notes"), -1)), cell(r, "address"));
        }
        return {};
    }

    ImportPlan m_plan;

private:
    QString m_origin;
    HostListImporter::Options m_options;
};

} // namespace

HostListImporter::Format HostListImporter::detect(const QByteArray& text)
{
    for (const QByteArray& raw : text.split('\n')) {
        const QByteArray l = raw.trimmed();
        if (l.isEmpty() || l.startsWith('#')) {
            continue;
        }
        return l.contains(',') ? Format::Csv : Format::Lines;
    }
    return Format::Lines;
}

Result<ImportPlan> HostListImporter::parse(const QByteArray& text, const QString& originName,
                                           const Options& options)
{
    const QString origin = originName.isEmpty() ? QStringLiteral("host list") : originName;
    if (text.size() > MaxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is larger than %2 MB; not a host list")
                        .arg(origin)
                        .arg(MaxBytes / (1024 * 1024)));
    }
    int line = 1;
    for (const char c : text) {
        if (c == '\n') {
            ++line;
        } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1 line %2: binary data (byte 0x%3): not a host list")
                            .arg(origin)
                            .arg(line)
                            .arg(static_cast<unsigned char>(c), 2, 16, QLatin1Char('0')));
        }
    }
    Reader reader(origin, options);
    if (detect(text) == Format::Csv) {
        if (auto s = reader.csv(text); !s) {
            return tl::unexpected(s.error());
        }
    } else {
        reader.lines(text);
    }
    if (reader.m_plan.endpoints.isEmpty()) {
        reader.m_plan.warnings << QStringLiteral("%1: no endpoints found").arg(origin);
    }
    return reader.m_plan;
}

Result<ImportPlan> HostListImporter::readFile(const QString& path, const Options& options)
{
    auto data = readFileCapped(path, MaxBytes);
    if (!data) {
        Error e = data.error();
        e.message = path + QStringLiteral(": ") + e.message;
        return tl::unexpected(e);
    }
    return parse(*data, QFileInfo(path).fileName(), options);
}

} // namespace certdeck::inventory
