// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/InventoryJson.h"

#include "common/HostPort.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace certdeck::inventory {

namespace {

const QString kFormat = QStringLiteral("certdeck-inventory");

QString isoUtc(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QJsonValue optionalId(const std::optional<qint64>& id)
{
    return id ? QJsonValue(double(*id)) : QJsonValue(QJsonValue::Null);
}

QJsonObject endpointJson(const Endpoint& e)
{
    return QJsonObject{
        {QStringLiteral("id"), double(e.id)},
        {QStringLiteral("host"), e.host},
        {QStringLiteral("port"), e.port},
        // The fleet table's rule (FleetView.h): the name sent and whether it
        // was set; HOST:PORT; and where to connect instead of resolving.
        {QStringLiteral("sni"), sniSent(e)},
        {QStringLiteral("sniSet"), sniIsSet(e)},
        {QStringLiteral("address"), endpointAddress(e.host, e.port)},
        {QStringLiteral("connectTo"), e.addressOverride},
        {QStringLiteral("group"), e.group},
        {QStringLiteral("tags"), QJsonArray::fromStringList(e.tags)},
        {QStringLiteral("serverKind"), serverKindName(e.serverKind)},
        {QStringLiteral("notes"), e.notes},
        {QStringLiteral("deployTargetId"), optionalId(e.deployTargetId)},
        {QStringLiteral("revision"), double(e.revision)},
        {QStringLiteral("created"), isoUtc(e.createdUtc)},
        {QStringLiteral("updated"), isoUtc(e.updatedUtc)},
    };
}

QJsonObject targetJson(const DeployTarget& t)
{
    return QJsonObject{
        {QStringLiteral("id"), double(t.id)},
        {QStringLiteral("sshHost"), t.sshHost},
        // null: the port was never said (ssh's own default applies).
        {QStringLiteral("sshPort"), t.sshPort ? QJsonValue(*t.sshPort) : QJsonValue()},
        {QStringLiteral("local"), t.local},
        {QStringLiteral("sshUser"), t.sshUser},
        {QStringLiteral("keyPath"), t.keyPath},
        {QStringLiteral("certPath"), t.certPath},
        {QStringLiteral("fullchainPath"), t.fullchainPath},
        {QStringLiteral("combinedPemPath"), t.combinedPemPath},
        {QStringLiteral("owner"), t.owner},
        {QStringLiteral("group"), t.group},
        {QStringLiteral("keyMode"), QString::number(t.keyMode, 8)},
        {QStringLiteral("certMode"), QString::number(t.certMode, 8)},
        {QStringLiteral("validateCommand"), t.validateCommand},
        {QStringLiteral("reloadCommand"), t.reloadCommand},
        {QStringLiteral("revision"), double(t.revision)},
    };
}

QJsonObject certificateJson(const CertificateRecord& c)
{
    return QJsonObject{
        {QStringLiteral("id"), double(c.id)},
        {QStringLiteral("der"), QString::fromLatin1(c.der.toBase64())},
        {QStringLiteral("subject"), c.subject},
        {QStringLiteral("issuer"), c.issuer},
        {QStringLiteral("sans"), QJsonArray::fromStringList(c.sans)},
        {QStringLiteral("serial"), c.serialHex},
        {QStringLiteral("sha256"), c.sha256Hex},
        {QStringLiteral("notBefore"), isoUtc(c.notBeforeUtc)},
        {QStringLiteral("notAfter"), isoUtc(c.notAfterUtc)},
    };
}

/// Reads typed fields of one JSON object and remembers the first problem,
/// so each record is checked in a few lines and the error names the field.
class Fields
{
public:
    Fields(const QJsonObject& o, QString where)
        : m_o(o)
        , m_where(std::move(where))
    {}

    QString text(const char* key)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            return {};
        }
        if (!v.isString()) {
            problem(key, QStringLiteral("is not a string"));
        }
        return v.toString();
    }

    qint64 integer(const char* key, qint64 min, qint64 max, qint64 fallback)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            return fallback;
        }
        const double d = v.toDouble(-1e300);
        if (!v.isDouble() || d != double(qint64(d)) || d < double(min) || d > double(max)) {
            problem(key,
                    QStringLiteral("%1 is not a whole number from %2 to %3")
                        .arg(v.isDouble() ? QString::number(d, 'g', 17) : QStringLiteral("value"))
                        .arg(min)
                        .arg(max));
            return fallback;
        }
        return qint64(d);
    }

    bool boolean(const char* key)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            return false;
        }
        if (!v.isBool()) {
            problem(key, QStringLiteral("is not true or false"));
        }
        return v.toBool();
    }

    std::optional<qint64> optionalInteger(const char* key)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            return std::nullopt;
        }
        return integer(key, 1, qint64(1) << 53, 0);
    }

    QStringList list(const char* key)
    {
        const QJsonValue v = m_o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull()) {
            return {};
        }
        QStringList out;
        if (!v.isArray()) {
            problem(key, QStringLiteral("is not a list"));
            return out;
        }
        for (const QJsonValue& item : v.toArray()) {
            if (!item.isString()) {
                problem(key, QStringLiteral("holds something other than strings"));
                return {};
            }
            out << item.toString();
        }
        return out;
    }

    /// A host name or IP address (parseHostName()); empty stays empty when
    /// `required` is false.
    QString host(const char* key, bool required)
    {
        const QString s = text(key);
        if (s.isEmpty()) {
            if (required) {
                problem(key, QStringLiteral("is missing"));
            }
            return s;
        }
        auto h = parseHostName(s);
        if (!h) {
            problem(key, h.error().message);
            return s;
        }
        return *h;
    }

    QString address(const char* key)
    {
        const QString s = text(key);
        if (s.isEmpty()) {
            return s;
        }
        const QHostAddress a(s);
        if (a.isNull()) {
            problem(key, QStringLiteral("\"%1\" is not an IP address").arg(s));
            return s;
        }
        return a.toString();
    }

    QDateTime time(const char* key)
    {
        const QString s = text(key);
        if (s.isEmpty()) {
            return {};
        }
        QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
        if (!t.isValid()) {
            problem(key, QStringLiteral("\"%1\" is not an ISO 8601 time").arg(s));
        }
        return t.toUTC();
    }

    int mode(const char* key, int fallback)
    {
        const QString s = text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        bool ok = false;
        const int m = s.toInt(&ok, 8);
        if (!ok || m < 0 || m > 07777) {
            problem(key, QStringLiteral("\"%1\" is not an octal file mode").arg(s));
            return fallback;
        }
        return m;
    }

    void problem(const char* key, const QString& what)
    {
        if (m_error.isEmpty()) {
            m_error = QStringLiteral("%1.%2: %3").arg(m_where, QLatin1String(key), what);
        }
    }

    [[nodiscard]] const QString& error() const { return m_error; }

private:
    QJsonObject m_o;
    QString m_where;
    QString m_error;
};

int lineOfOffset(const QByteArray& data, int offset)
{
    return int(data.left(offset).count('\n')) + 1;
}

} // namespace

QByteArray InventoryJson::write(const QList<Endpoint>& endpoints,
                                const QList<DeployTarget>& deployTargets,
                                const QList<CertificateRecord>& certificates,
                                const QDateTime& exportedUtc)
{
    QJsonArray e;
    for (const Endpoint& x : endpoints) {
        e << endpointJson(x);
    }
    QJsonArray t;
    for (const DeployTarget& x : deployTargets) {
        t << targetJson(x);
    }
    QJsonArray c;
    for (const CertificateRecord& x : certificates) {
        c << certificateJson(x);
    }
    const QJsonObject root{
        {QStringLiteral("format"), kFormat},
        {QStringLiteral("version"), FormatVersion},
        {QStringLiteral("exported"), isoUtc(exportedUtc)},
        {QStringLiteral("endpoints"), e},
        {QStringLiteral("deployTargets"), t},
        {QStringLiteral("certificates"), c},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<InventoryDocument> InventoryJson::read(const QByteArray& json, const QString& originName)
{
    const QString origin = originName.isEmpty() ? QStringLiteral("inventory JSON") : originName;
    if (json.size() > MaxBytes) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is larger than %2 MB").arg(origin).arg(MaxBytes >> 20));
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 line %2: JSON syntax error (%3)")
                                                 .arg(origin)
                                                 .arg(lineOfOffset(json, pe.offset))
                                                 .arg(pe.errorString()));
    }
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value(QStringLiteral("format")).toString() != kFormat) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 is not a CertDeck inventory export (no \"format\": \"%2\")")
                        .arg(origin, kFormat));
    }
    const int version = root.value(QStringLiteral("version")).toInt(-1);
    if (version != FormatVersion) {
        return fail(ErrorCode::Unsupported,
                    QStringLiteral("%1 is format version %2; this CertDeck reads version %3")
                        .arg(origin)
                        .arg(version)
                        .arg(FormatVersion));
    }
    InventoryDocument out;
    out.exportedUtc =
        QDateTime::fromString(root.value(QStringLiteral("exported")).toString(), Qt::ISODateWithMs)
            .toUTC();
    auto array = [&](const char* key) -> Result<QJsonArray> {
        const QJsonValue v = root.value(QLatin1String(key));
        if (v.isUndefined()) {
            return QJsonArray{};
        }
        if (!v.isArray()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: %2 is not a list").arg(origin, QLatin1String(key)));
        }
        return v.toArray();
    };
    auto objectAt = [&](const QJsonArray& a, qsizetype i, const char* key) -> Result<QJsonObject> {
        if (!a.at(i).isObject()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("%1: %2[%3] is not an object").arg(origin).arg(key).arg(i));
        }
        return a.at(i).toObject();
    };

    auto endpoints = array("endpoints");
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    for (qsizetype i = 0; i < endpoints->size(); ++i) {
        auto o = objectAt(*endpoints, i, "endpoints");
        if (!o) {
            return tl::unexpected(o.error());
        }
        Fields f(*o, QStringLiteral("%1: endpoints[%2]").arg(origin).arg(i));
        Endpoint e;
        e.id = f.integer("id", 0, qint64(1) << 53, 0);
        e.host = f.host("host", true);
        e.port = quint16(f.integer("port", 1, 65535, 443));
        e.sniName = f.host("sni", false);
        // The host written as the name sent is no SNI name of its own.
        if (e.sniName.compare(e.host, Qt::CaseInsensitive) == 0) {
            e.sniName.clear();
        }
        if (o->contains(QStringLiteral("connectTo"))) {
            e.addressOverride = f.address("connectTo");
        } else if (o->value(QStringLiteral("address"))
                       .toString()
                       .compare(endpointAddress(e.host, e.port), Qt::CaseInsensitive) != 0) {
            // Exports before connectTo kept the address to connect to here.
            e.addressOverride = f.address("address");
        }
        e.group = f.text("group");
        e.tags = f.list("tags");
        const QString kind = f.text("serverKind");
        if (const auto k = serverKindFromName(kind.isEmpty() ? QStringLiteral("unknown") : kind)) {
            e.serverKind = *k;
        } else {
            f.problem("serverKind", QStringLiteral("\"%1\" is not a server kind").arg(kind));
        }
        e.notes = f.text("notes");
        e.deployTargetId = f.optionalInteger("deployTargetId");
        e.revision = f.integer("revision", 0, qint64(1) << 53, 0);
        e.createdUtc = f.time("created");
        e.updatedUtc = f.time("updated");
        if (!f.error().isEmpty()) {
            return fail(ErrorCode::InvalidInput, f.error());
        }
        out.endpoints << e;
    }

    auto targets = array("deployTargets");
    if (!targets) {
        return tl::unexpected(targets.error());
    }
    for (qsizetype i = 0; i < targets->size(); ++i) {
        auto o = objectAt(*targets, i, "deployTargets");
        if (!o) {
            return tl::unexpected(o.error());
        }
        Fields f(*o, QStringLiteral("%1: deployTargets[%2]").arg(origin).arg(i));
        DeployTarget t;
        t.id = f.integer("id", 0, qint64(1) << 53, 0);
        t.sshHost = f.text("sshHost");
        // A missing port stays unset: nothing is made up on the way in.
        if (const QJsonValue port = o->value(QStringLiteral("sshPort"));
            !port.isUndefined() && !port.isNull()) {
            t.sshPort = quint16(f.integer("sshPort", 1, 65535, 22));
        }
        t.local = f.boolean("local");
        t.sshUser = f.text("sshUser");
        t.keyPath = f.text("keyPath");
        t.certPath = f.text("certPath");
        t.fullchainPath = f.text("fullchainPath");
        t.combinedPemPath = f.text("combinedPemPath");
        t.owner = f.text("owner");
        t.group = f.text("group");
        t.keyMode = f.mode("keyMode", 0600);
        t.certMode = f.mode("certMode", 0644);
        t.validateCommand = f.text("validateCommand");
        t.reloadCommand = f.text("reloadCommand");
        t.revision = f.integer("revision", 0, qint64(1) << 53, 0);
        if (!f.error().isEmpty()) {
            return fail(ErrorCode::InvalidInput, f.error());
        }
        out.deployTargets << t;
    }

    auto certs = array("certificates");
    if (!certs) {
        return tl::unexpected(certs.error());
    }
    for (qsizetype i = 0; i < certs->size(); ++i) {
        auto o = objectAt(*certs, i, "certificates");
        if (!o) {
            return tl::unexpected(o.error());
        }
        Fields f(*o, QStringLiteral("%1: certificates[%2]").arg(origin).arg(i));
        CertificateRecord c;
        c.id = f.integer("id", 0, qint64(1) << 53, 0);
        const QString der = f.text("der");
        auto decoded =
            QByteArray::fromBase64Encoding(der.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty()) {
            f.problem("der", QStringLiteral("is not base64 DER"));
        }
        c.der = decoded.decoded;
        c.subject = f.text("subject");
        c.issuer = f.text("issuer");
        c.sans = f.list("sans");
        c.serialHex = f.text("serial");
        c.sha256Hex = f.text("sha256");
        c.notBeforeUtc = f.time("notBefore");
        c.notAfterUtc = f.time("notAfter");
        if (!f.error().isEmpty()) {
            return fail(ErrorCode::InvalidInput, f.error());
        }
        out.certificates << c;
    }
    return out;
}

Result<ImportPlan> InventoryJson::toPlan(const InventoryDocument& document,
                                         const QString& originName)
{
    const QString origin = originName.isEmpty() ? QStringLiteral("inventory JSON") : originName;
    ImportPlan plan;
    QHash<qint64, int> targetIndex;
    for (const DeployTarget& t : document.deployTargets) {
        DeployTarget copy = t;
        copy.id = 0;
        copy.revision = 0;
        const int idx = plan.addDeployTarget(copy);
        if (t.id != 0) {
            targetIndex.insert(t.id, idx);
        }
    }
    for (qsizetype i = 0; i < document.endpoints.size(); ++i) {
        Endpoint e = document.endpoints[i];
        int target = -1;
        if (e.deployTargetId) {
            target = targetIndex.value(*e.deployTargetId, -1);
            if (target < 0) {
                // A link to nothing: the file was edited or cut; importing
                // the endpoint without its target would pass it as complete.
                return fail(ErrorCode::InvalidInput,
                            QStringLiteral("%1: endpoints[%2].deployTargetId: deploy target %3 is "
                                           "not in the file")
                                .arg(origin)
                                .arg(i)
                                .arg(*e.deployTargetId));
            }
        }
        e.id = 0;
        e.deployTargetId.reset();
        e.revision = 0;
        plan.addEndpoint(e, QStringLiteral("%1: endpoints[%2]").arg(origin).arg(i), target);
    }
    for (qsizetype i = 0; i < document.certificates.size(); ++i) {
        auto cert =
            crypto::Certificate::fromDer(document.certificates[i].der,
                                         QStringLiteral("%1: certificates[%2]").arg(origin).arg(i));
        if (!cert) {
            return tl::unexpected(cert.error());
        }
        plan.addCertificate(*cert, origin, -1, !cert->isCa());
    }
    return plan;
}

} // namespace certdeck::inventory
