// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/HostListImporter.h"

#include "common/HostPort.h"
#include "common/SecureFile.h"
#include "inventory/RecordNames.h"
#include "inventory/import/Csv.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QUrl>

namespace certdeck::inventory {

namespace {

/// A line's or a cell's endpoint: "host", "host:port", "[v6]:port", bare
/// "v6" (parseHostPort()), or a URL "scheme://host:port/path" whose host and
/// port are taken.
Result<HostPort> parseHost(const QString& text)
{
    if (!text.contains(QLatin1String("://"))) {
        return parseHostPort(text, 443);
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("\"%1\" is not a URL").arg(text));
    }
    QString authority = url.host(QUrl::FullyEncoded);
    if (authority.contains(u':')) {
        authority = u'[' + authority + u']';
    }
    // QUrl has already checked the port's range. Without one, the scheme's
    // own port is what the URL says: https is 443; for any other scheme
    // (http://...) 443 would be a guess, so the line is refused.
    if (url.port() > 0) {
        authority += u':' + QString::number(url.port());
    } else if (url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("\"%1\" names no port, and %2 is not TLS; write "
                                   "https://%3/ or %3:PORT")
                        .arg(text, url.scheme(), url.host(QUrl::FullyEncoded)));
    }
    auto hp = parseHostPort(authority, 443);
    if (!hp) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("\"%1\": %2").arg(text, hp.error().message));
    }
    return hp;
}

class Reader
{
public:
    Reader(const QString& origin, const HostListImporter::Options& options)
        : m_origin(origin)
        , m_options(options)
    {}

    QString at(int line) const { return QStringLiteral("%1 line %2").arg(m_origin).arg(line); }

    /// A malformed line: the whole import is refused (see parse()).
    void refuse(int line, const QString& why)
    {
        m_problems << at(line) + QStringLiteral(": ") + why;
    }

    void add(int line, const HostPort& hp, const QString& sni, const QString& group,
             const QStringList& tags, const QString& notes, const QString& address)
    {
        Endpoint e;
        e.host = hp.host;
        e.port = hp.port;
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
            // Comments and blank lines are all a list may hold besides
            // endpoints; anything else on a line must be one endpoint, whole.
            l = l.trimmed();
            if (l.isEmpty()) {
                continue;
            }
            auto hp = parseHost(l);
            if (!hp) {
                refuse(line, hp.error().message);
                continue;
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
        static const QStringList known = {QStringLiteral("host"),    QStringLiteral("port"),
                                          QStringLiteral("sni"),     QStringLiteral("group"),
                                          QStringLiteral("tags"),    QStringLiteral("notes"),
                                          QStringLiteral("address"), QStringLiteral("connect_to")};
        // Columns of the fleet CSV export that the store recomputes.
        static const QStringList derived = {
            QStringLiteral("kind"),      QStringLiteral("issuer"), QStringLiteral("not_after"),
            QStringLiteral("days_left"), QStringLiteral("status"), QStringLiteral("sni_set")};
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
                refuse(r.line, QStringLiteral("the host cell is empty"));
                continue;
            }
            auto hp = parseHost(hostText);
            if (!hp) {
                refuse(r.line, QStringLiteral("host: ") + hp.error().message);
                continue;
            }
            if (const QString portText = cell(r, "port"); !portText.isEmpty()) {
                auto p = parsePortNumber(portText);
                if (!p) {
                    refuse(r.line, p.error().message);
                    continue;
                }
                if (hp->portGiven && hp->port != *p) {
                    refuse(r.line, QStringLiteral("the host names port %1, the port cell %2")
                                       .arg(hp->port)
                                       .arg(*p));
                    continue;
                }
                hp->port = *p;
            }
            QString sni = cell(r, "sni");
            if (!sni.isEmpty()) {
                auto checked = parseHostName(sni);
                if (!checked) {
                    refuse(r.line, QStringLiteral("sni: ") + checked.error().message);
                    continue;
                }
                sni = *checked;
            }
            // connect_to is the address to connect to; older exports (and
            // hand-written lists) put it in "address", which the export now
            // fills with HOST:PORT, the endpoint itself.
            QString address = cell(r, "connect_to");
            const char* addressColumn = "connect_to";
            if (const QString legacy = cell(r, "address");
                address.isEmpty() && !legacy.isEmpty() &&
                legacy.compare(endpointAddress(hp->host, hp->port), Qt::CaseInsensitive) != 0) {
                address = legacy;
                addressColumn = "address";
            }
            if (!address.isEmpty()) {
                const QHostAddress a(address);
                if (a.isNull()) {
                    refuse(r.line, QStringLiteral("%1 \"%2\" is not an IP address")
                                       .arg(QLatin1String(addressColumn), address));
                    continue;
                }
                address = a.toString();
            }
            QStringList tags;
            for (const QString& t : cell(r, "tags").split(u';', Qt::SkipEmptyParts)) {
                if (!t.trimmed().isEmpty()) {
                    tags << t.trimmed();
                }
            }
            add(r.line, *hp, sni, cell(r, "group"), tags,
                r.fields.value(column.value(QStringLiteral("notes"), -1)), address);
        }
        return {};
    }

    ImportPlan m_plan;
    QStringList m_problems; ///< malformed lines; any refuses the import

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
    if (!reader.m_problems.isEmpty()) {
        return refuseMalformed(reader.m_problems);
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
