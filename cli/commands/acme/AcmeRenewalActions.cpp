// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl acme renewal-info, and the certificate `issue --replaces` names:
// ARI (RFC 9773). A window the CA suggests is kept with the certificate in
// the inventory, and a Retry-After it sent is honoured from there.
#include "AcmeCliSupport.h"
#include "acme/protocol/AcmeRenewalInfo.h"
#include "common/CallbackOperation.h"
#include "common/SecureFile.h"
#include "inventory/Store.h"
#include "services/AcmeAccountStore.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonObject>
#include <QSslCertificate>

namespace certdeck::cli::acmecli {

namespace {

Result<QSslCertificate> readCertificate(const QString& file)
{
    auto data = readFileCapped(file, 1024 * 1024);
    if (!data) {
        return tl::unexpected(data.error());
    }
    const QSslCertificate cert =
        QSslCertificate::fromData(*data, data->contains("-----BEGIN") ? QSsl::Pem : QSsl::Der)
            .value(0);
    if (cert.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1 holds no certificate").arg(file));
    }
    return cert;
}

QString timeText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

} // namespace

// The inventory when there is one: asking about a certificate must not
// create an empty store as a side effect. Null when there is none.
Result<inventory::Store*> existingStore(CommandContext& ctx)
{
    const QString& location = ctx.dbPath;
    const bool server = location.startsWith(QLatin1String("postgres"));
    if (!server) {
        QString path = location;
        if (path.startsWith(QLatin1String("sqlite:"))) {
            path = path.mid(7);
            if (path.startsWith(QLatin1String("//"))) {
                path = path.mid(2);
            }
        }
        if (path.isEmpty() || !QFileInfo::exists(path)) {
            return nullptr;
        }
    }
    return ctx.store();
}

Result<QString> replacesCertId(const QString& file)
{
    auto cert = readCertificate(file);
    if (!cert) {
        return tl::unexpected(cert.error());
    }
    auto id = AcmeRenewalInfo::certId(cert->toDer());
    if (!id) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--replaces %1: %2").arg(file, id.error().message));
    }
    return *id;
}

ExitCode runRenewalInfo(CommandContext& ctx, const QCommandLineParser& p, const AcmeOptions& o,
                        const QStringList& pos)
{
    if (pos.size() != 1 || !p.isSet(o.cert)) {
        return usageError(ctx, QStringLiteral("'acme renewal-info' needs --cert FILE"));
    }
    if (!p.isSet(o.account) && !p.isSet(o.directory)) {
        return usageError(ctx, QStringLiteral("'acme renewal-info' needs the CA: --account NAME "
                                              "(a stored account's) or --directory URL"));
    }
    auto cert = readCertificate(p.value(o.cert));
    if (!cert) {
        return reportError(ctx, cert.error());
    }
    const QByteArray der = cert->toDer();
    auto certId = AcmeRenewalInfo::certId(der);
    if (!certId) {
        return reportError(ctx, certId.error());
    }
    Result<AcmeClientOptions> options = fail(ErrorCode::Internal, QString());
    if (p.isSet(o.account)) {
        // ARI is an unsigned GET: the stored account names the CA, its key is not needed.
        auto account = pickStoredAccount(ctx, p, o);
        if (!account) {
            return reportError(ctx, account.error());
        }
        options =
            p.isSet(o.directory) ? clientOptions(p, o) : AcmeAccountStore::clientOptions(*account);
    } else {
        options = clientOptions(p, o);
    }
    if (!options) {
        return reportError(ctx, options.error());
    }
    const QString sha256 =
        QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
    auto store = existingStore(ctx);
    if (!store) {
        return reportError(ctx, store.error());
    }
    bool inInventory = false;
    std::optional<inventory::RenewalWindow> window;
    if (*store) {
        auto record = (*store)->certificates().bySha256(sha256);
        if (!record) {
            return reportError(ctx, record.error());
        }
        inInventory = record->has_value();
        auto stored = (*store)->certificates().renewalWindow(sha256);
        if (!stored) {
            return reportError(ctx, stored.error());
        }
        window = *stored;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool fromStore = window && window->retryAfterUtc.isValid() &&
                           now < window->retryAfterUtc && !p.isSet(o.force);
    if (fromStore) {
        progressLine(ctx, QStringLiteral("renewal-info"),
                     QStringLiteral("the CA asked not to be asked again before %1; showing the "
                                    "stored window (--force asks now)")
                         .arg(timeText(window->retryAfterUtc)));
    } else {
        AcmeClient client(*options);
        CallbackOperation<RenewalInfo> op(
            [&](const CallbackOperation<RenewalInfo>::Done& done) {
                AcmeRenewalInfo::fetch(client, der, done);
            },
            [&client] { client.abortAll(); });
        runToEnd(ctx, op);
        const Result<RenewalInfo> result = op.result();
        if (!result) {
            return reportError(ctx, result.error());
        }
        const RenewalInfo& info = *result;
        inventory::RenewalWindow fresh;
        fresh.windowStartUtc = info.windowStart;
        fresh.windowEndUtc = info.windowEnd;
        fresh.explanationUrl = info.explanationUrl.toString();
        if (info.retryAfterSeconds && *info.retryAfterSeconds > 0) {
            fresh.retryAfterUtc = now.addSecs(*info.retryAfterSeconds);
        }
        fresh.fetchedUtc = now;
        window = fresh;
        if (inInventory) {
            auto kept = (*store)->certificates().setRenewalWindow(sha256, fresh);
            if (!kept) {
                return reportError(ctx, kept.error());
            }
            window = *kept;
        }
    }
    const inventory::RenewalWindow& w = *window;
    const bool stored = inInventory;
    if (ctx.json) {
        printJson(ctx.out, QJsonObject{{QStringLiteral("certId"), *certId},
                                       {QStringLiteral("sha256"), sha256},
                                       {QStringLiteral("windowStart"), timeText(w.windowStartUtc)},
                                       {QStringLiteral("windowEnd"), timeText(w.windowEndUtc)},
                                       {QStringLiteral("explanationUrl"), w.explanationUrl},
                                       {QStringLiteral("retryAfter"), timeText(w.retryAfterUtc)},
                                       {QStringLiteral("fetched"), timeText(w.fetchedUtc)},
                                       {QStringLiteral("fromStore"), fromStore},
                                       {QStringLiteral("stored"), stored}});
    } else {
        ctx.out << "Renew between " << timeText(w.windowStartUtc) << " and "
                << timeText(w.windowEndUtc) << "\n";
        if (!w.explanationUrl.isEmpty()) {
            ctx.out << "Explanation   " << w.explanationUrl << "\n";
        }
        ctx.out << "Asked         " << timeText(w.fetchedUtc) << (fromStore ? " (stored)" : "")
                << "\n";
        if (w.retryAfterUtc.isValid()) {
            ctx.out << "Ask again     not before " << timeText(w.retryAfterUtc) << "\n";
        }
        ctx.out << "Inventory     "
                << (stored ? QStringLiteral("kept with certificate %1").arg(w.certificateId)
                           : QStringLiteral("certificate not in the inventory; not kept"))
                << "\n";
        ctx.out.flush();
    }
    // Inside the window: renew now (a warning for monitoring).
    return now >= w.windowStartUtc ? ExitCode::Warning : ExitCode::Ok;
}

} // namespace certdeck::cli::acmecli
