// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet attach: every check runs before the store is written, and
// the recording of a file's chain, the new version and the audit entry are
// one transaction.
#include "FleetAttach.h"

#include "FleetFields.h"
#include "crypto/Certificate.h"
#include "crypto/CertificateReader.h"
#include "inventory/CertificateRepository.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <algorithm>

namespace certdeck::cli {

namespace {

using inventory::CertificateRecord;
using inventory::Endpoint;
using inventory::Store;

/// The certificate CERT names, before anything is written.
struct AttachSource
{
    std::optional<CertificateRecord> record; ///< already in the inventory
    QList<crypto::Certificate> fileChain;    ///< from a file, leaf first, not yet recorded
    crypto::Certificate leaf;
    QString how; ///< "inventory id 5", "fingerprint ab12...", "file /x/leaf.pem"
};

Result<AttachSource> fromRecord(const CertificateRecord& record, const QString& how)
{
    auto leaf =
        crypto::Certificate::fromDer(record.der, QStringLiteral("certificate #%1").arg(record.id));
    if (!leaf) {
        return tl::unexpected(leaf.error());
    }
    AttachSource s;
    s.record = record;
    s.leaf = *leaf;
    s.how = how;
    return s;
}

/// An inventory id, a SHA-256 fingerprint (hex, colons allowed) or a file.
Result<AttachSource> readSource(const Store& store, const QString& ref)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    static const QRegularExpression sha256(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (digits.match(ref).hasMatch()) {
        bool ok = false;
        const qint64 id = ref.toLongLong(&ok);
        const QString unknown = QStringLiteral("certificate #%1 is not in the inventory (a file "
                                               "named like a number: give it as ./%1)")
                                    .arg(ref);
        if (!ok) {
            return fail(ErrorCode::NotFound, unknown);
        }
        auto record = store.certificates().get(id);
        if (!record) {
            if (record.error().code == ErrorCode::NotFound) {
                return fail(ErrorCode::NotFound, unknown);
            }
            return tl::unexpected(record.error());
        }
        return fromRecord(*record, QStringLiteral("inventory id %1").arg(ref));
    }
    const QString hex = QString(ref).remove(u':');
    if (sha256.match(hex).hasMatch() && !QFileInfo::exists(ref)) {
        auto record = store.certificates().bySha256(hex);
        if (!record) {
            return tl::unexpected(record.error());
        }
        if (!*record) {
            return fail(ErrorCode::NotFound,
                        QStringLiteral("no certificate with SHA-256 fingerprint %1 is in the "
                                       "inventory")
                            .arg(hex.toLower()));
        }
        return fromRecord(**record, QStringLiteral("fingerprint %1").arg(hex.toLower()));
    }
    if (!QFileInfo::exists(ref)) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("\"%1\" is neither a certificate id, a SHA-256 fingerprint "
                                   "nor a file")
                        .arg(ref));
    }
    auto bundle = crypto::CertificateReader::readFile(ref);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    if (bundle->certificates.isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 holds no certificate").arg(ref));
    }
    // The file's order is the chain's: leaf first, as servers are given it. A
    // CA certificate before a server certificate is a chain written upside
    // down; a lone CA certificate (a self-signed one made by `openssl req
    // -x509`) is left to the name check.
    const QList<crypto::Certificate>& certs = bundle->certificates;
    if (certs.constFirst().isCa() &&
        std::any_of(certs.cbegin() + 1, certs.cend(),
                    [](const crypto::Certificate& c) { return !c.isCa(); })) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 starts with a CA certificate (%2); attach needs the "
                                   "server's certificate first, then its chain")
                        .arg(ref, certs.constFirst().subject()));
    }
    AttachSource s;
    s.fileChain = bundle->certificates;
    s.leaf = bundle->certificates.constFirst();
    s.how = QStringLiteral("file %1").arg(QFileInfo(ref).absoluteFilePath());
    // Already known: the same record, with what the inventory knows of it.
    auto known = store.certificates().bySha256(
        QString::fromLatin1(s.leaf.fingerprint(QCryptographicHash::Sha256).toHex()));
    if (!known) {
        return tl::unexpected(known.error());
    }
    if (*known) {
        s.record = **known;
    }
    return s;
}

/// Why `source` must not be attached to `e`; empty when it may. `force`
/// lets an expired or revoked one through, never a wrong name.
QStringList refusals(const AttachSource& source, const Endpoint& e, const QDateTime& now,
                     bool force, QStringList* forced)
{
    const QString name = inventory::sniSent(e);
    QStringList why;
    if (!source.leaf.matchesHost(name)) {
        const QStringList names = source.leaf.dnsNames() + source.leaf.ipAddresses();
        why << QStringLiteral("it is not valid for %1, the name clients of %2 ask for (it "
                              "names %3)")
                   .arg(name, inventory::endpointAddress(e.host, e.port),
                        names.isEmpty() ? QStringLiteral("no DNS name or IP address")
                                        : names.join(QStringLiteral(", ")));
    }
    QStringList soft;
    if (source.leaf.notAfter() <= now) {
        soft << QStringLiteral("it expired on %1").arg(utcText(source.leaf.notAfter()));
    }
    if (source.record && source.record->revocation) {
        soft << QStringLiteral("it is revoked (%1)").arg(utcText(source.record->revocation->atUtc));
    }
    if (force) {
        *forced = soft;
    } else {
        for (const QString& s : soft) {
            why << s + QStringLiteral(" (--force attaches it anyway)");
        }
    }
    return why;
}

} // namespace

ExitCode runFleetAttach(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const QCommandLineOption sni(QStringLiteral("sni"),
                                 QStringLiteral("Pick the endpoint with this SNI name."),
                                 QStringLiteral("NAME"));
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Attach an expired or revoked certificate "
                                                  "(never one for another name)."));
    p.addOptions({sni, force});
    p.addPositionalArgument(QStringLiteral("endpoint"), QStringLiteral("HOST[:PORT] or ID"));
    p.addPositionalArgument(QStringLiteral("cert"),
                            QStringLiteral("certificate id, SHA-256 fingerprint or file"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("attach")} + p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2) {
        return usageError(ctx, QStringLiteral("'fleet attach' needs an endpoint (HOST[:PORT] or "
                                              "ID) and a certificate (id, SHA-256 fingerprint or "
                                              "file)"));
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    Store& s = **store;
    auto e = s.endpoints().resolve(pos.at(0), p.value(sni));
    if (!e) {
        return reportError(ctx, e.error());
    }
    const QString where = inventory::endpointAddress(e->host, e->port);
    auto source = readSource(s, pos.at(1));
    if (!source) {
        return reportError(ctx, source.error());
    }
    QStringList forced;
    const QStringList why =
        refusals(*source, *e, QDateTime::currentDateTimeUtc(), p.isSet(force), &forced);
    if (!why.isEmpty()) {
        return reportError(
            ctx, Error{ErrorCode::InvalidInput,
                       QStringLiteral("%1 was not attached to %2: %3")
                           .arg(source->leaf.subject(), where, why.join(QStringLiteral("; "))),
                       {}});
    }
    auto current = s.certificates().current();
    if (!current) {
        return reportError(ctx, current.error());
    }
    if (source->record) {
        if (auto c = current->constFind(e->id);
            c != current->constEnd() && c->id == source->record->id) {
            // Nothing to write: saying so keeps a script's re-run harmless.
            if (ctx.json) {
                printJson(ctx.out, {{QStringLiteral("attached"), QJsonValue()},
                                    {QStringLiteral("current"), source->record->id}});
            } else {
                ctx.out << "Certificate #" << source->record->id << " is already the current "
                        << "certificate of " << where << "; nothing changed\n";
                ctx.out.flush();
            }
            return ExitCode::Ok;
        }
    }
    const bool recordFile = !source->fileChain.isEmpty() && !source->record;
    qint64 certificateId = source->record ? source->record->id : 0;
    const Status saved = s.transaction([&]() -> Status {
        if (!source->fileChain.isEmpty()) {
            // Also for a known leaf: its chain links fill in what is unknown.
            inventory::CertificateOrigin origin;
            origin.source = inventory::CertificateSource::Imported;
            auto id = s.certificates().record(source->fileChain, origin);
            if (!id) {
                return tl::unexpected(id.error());
            }
            certificateId = *id;
        }
        auto v = s.certificates().addVersion(e->id, certificateId, inventory::VersionState::Issued);
        if (!v) {
            return tl::unexpected(v.error());
        }
        QString detail = source->how;
        if (!forced.isEmpty()) {
            detail += QStringLiteral("; --force: ") + forced.join(QStringLiteral("; "));
        }
        return s.activity().audit(s.actor(), QStringLiteral("certificate.attach"),
                                  QStringLiteral("%1 certificate %2 serial %3 (%4)")
                                      .arg(where)
                                      .arg(certificateId)
                                      .arg(source->leaf.serialHex(), source->leaf.subject()),
                                  QStringLiteral("ok"), detail);
    });
    if (!saved) {
        return reportError(ctx, saved.error());
    }
    const crypto::Certificate& leaf = source->leaf;
    if (ctx.json) {
        printJson(ctx.out,
                  {{QStringLiteral("attached"),
                    QJsonObject{{QStringLiteral("endpoint"), where},
                                {QStringLiteral("endpointId"), e->id},
                                {QStringLiteral("certificateId"), certificateId},
                                {QStringLiteral("subject"), leaf.subject()},
                                {QStringLiteral("serial"), leaf.serialHex()},
                                {QStringLiteral("notAfter"), utcText(leaf.notAfter())},
                                {QStringLiteral("state"), QStringLiteral("issued")},
                                {QStringLiteral("recorded"), recordFile},
                                {QStringLiteral("from"), source->how},
                                {QStringLiteral("forced"), QJsonArray::fromStringList(forced)}}}});
    } else {
        if (recordFile) {
            ctx.out << "Recorded " << source->how << " as certificate #" << certificateId
                    << " (source imported)\n";
        }
        ctx.out << "Attached certificate #" << certificateId << " (" << leaf.subject()
                << ", serial " << leaf.serialHex() << ", not after " << utcText(leaf.notAfter())
                << ") to " << where << " as issued; it shows as deployed once a probe sees it "
                << "served\n";
        for (const QString& f : forced) {
            ctx.out << "NOTE: attached although " << f << "\n";
        }
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

} // namespace certdeck::cli
