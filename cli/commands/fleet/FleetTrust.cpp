// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl fleet trust: the trust anchors an endpoint's chain is verified
// against. Without one, an internal CA's endpoint is (rightly) CRITICAL:
// untrusted; with its bundle set, it is judged like any public one.
#include "FleetTrust.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::cli {

namespace {

QJsonObject bundleJson(const inventory::TrustBundle& b, bool withPem)
{
    QJsonObject o{{QStringLiteral("id"), b.id},
                  {QStringLiteral("name"), b.name},
                  {QStringLiteral("certificates"), b.certificates},
                  {QStringLiteral("created"), b.createdUtc.toString(Qt::ISODate)},
                  {QStringLiteral("updated"), b.updatedUtc.toString(Qt::ISODate)}};
    if (withPem) {
        o.insert(QStringLiteral("pem"), QString::fromUtf8(b.pem));
    }
    return o;
}

Result<QByteArray> readPem(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return fail(ErrorCode::Io, QStringLiteral("Cannot read %1").arg(path), f.errorString());
    }
    return f.readAll();
}

} // namespace

QCommandLineOption trustBundleOption()
{
    return {QStringLiteral("trust-bundle"),
            QStringLiteral("Verify the chain against this trust bundle (fleet trust add), or "
                           "'none' for the group's or the system store."),
            QStringLiteral("NAME|none")};
}

Status applyTrustBundle(const inventory::Store& store, const QCommandLineParser& p,
                        const QCommandLineOption& option, inventory::Endpoint& e)
{
    if (!p.isSet(option)) {
        return {};
    }
    const QString name = p.value(option);
    if (name == QLatin1String("none")) {
        e.trustBundleId.reset();
        return {};
    }
    auto bundle = store.trustBundles().get(name);
    if (!bundle) {
        return tl::unexpected(bundle.error());
    }
    e.trustBundleId = bundle->id;
    return {};
}

QString trustDescription(const inventory::Store& store, const inventory::Endpoint& e)
{
    auto bundle = store.trustBundles().effectiveFor(e);
    if (!bundle) {
        return QStringLiteral("? (%1)").arg(bundle.error().message);
    }
    if (!*bundle) {
        return QStringLiteral("system trust store");
    }
    return e.trustBundleId
               ? QStringLiteral("trust bundle '%1'").arg((*bundle)->name)
               : QStringLiteral("trust bundle '%1' of group %2").arg((*bundle)->name, e.group);
}

ExitCode runFleetTrust(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    p.addPositionalArgument(QStringLiteral("action"),
                            QStringLiteral("add|replace|list|show|rm|group"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    const QStringList pos = p.positionalArguments();
    if (!checkSubcommand(ctx, p, QStringLiteral("fleet"),
                         QStringList{QStringLiteral("trust")} + pos, &code)) {
        return code;
    }
    if (pos.isEmpty()) {
        return usageError(ctx, QStringLiteral("'fleet trust' needs an action: add, replace, list, "
                                              "show, rm or group"));
    }
    common.apply(p, ctx);
    const QString action = pos.first();
    const auto need = [&](qsizetype n, const char* usage) {
        return pos.size() == n
                   ? QString()
                   : QStringLiteral("usage: certdeckctl fleet trust %1").arg(QLatin1String(usage));
    };
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    (*store)->setActor(inventory::Store::osUserName());
    if (action == QLatin1String("add") || action == QLatin1String("replace")) {
        if (const QString u = need(3, "add|replace NAME FILE"); !u.isEmpty()) {
            return usageError(ctx, u);
        }
        auto pem = readPem(pos.at(2));
        if (!pem) {
            return reportError(ctx, pem.error());
        }
        auto b = action == QLatin1String("add") ? (*store)->trustBundles().add(pos.at(1), *pem)
                                                : (*store)->trustBundles().replace(pos.at(1), *pem);
        if (!b) {
            return reportError(ctx, b.error());
        }
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("bundle"), bundleJson(*b, false)}});
        } else {
            ctx.out << (action == QLatin1String("add") ? "Added" : "Replaced") << " trust bundle '"
                    << b->name << "' (" << b->certificates << " certificate(s))\n";
        }
    } else if (action == QLatin1String("list") || action == QLatin1String("ls")) {
        auto all = (*store)->trustBundles().list();
        if (!all) {
            return reportError(ctx, all.error());
        }
        auto groups = (*store)->trustBundles().byGroup();
        if (!groups) {
            return reportError(ctx, groups.error());
        }
        QJsonArray arr;
        for (const inventory::TrustBundle& b : std::as_const(*all)) {
            QStringList usedBy;
            for (auto it = groups->cbegin(); it != groups->cend(); ++it) {
                if (it.value() == b.id) {
                    usedBy << it.key();
                }
            }
            QJsonObject o = bundleJson(b, false);
            o.insert(QStringLiteral("groups"), QJsonArray::fromStringList(usedBy));
            arr.append(o);
            if (!ctx.json) {
                ctx.out
                    << b.name.leftJustified(24) << " " << b.certificates << " certificate(s)"
                    << (usedBy.isEmpty()
                            ? QString()
                            : QStringLiteral("  groups: %1").arg(usedBy.join(QStringLiteral(", "))))
                    << "\n";
            }
        }
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("bundles"), arr}});
        } else if (all->isEmpty()) {
            ctx.out << "No trust bundle: every chain is verified against the system trust store.\n";
        }
    } else if (action == QLatin1String("show")) {
        if (const QString u = need(2, "show NAME"); !u.isEmpty()) {
            return usageError(ctx, u);
        }
        auto b = (*store)->trustBundles().get(pos.at(1));
        if (!b) {
            return reportError(ctx, b.error());
        }
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("bundle"), bundleJson(*b, true)}});
        } else {
            ctx.out << "Trust bundle '" << b->name << "', " << b->certificates
                    << " certificate(s)\n"
                    << QString::fromUtf8(b->pem);
        }
    } else if (action == QLatin1String("rm") || action == QLatin1String("remove")) {
        if (const QString u = need(2, "rm NAME"); !u.isEmpty()) {
            return usageError(ctx, u);
        }
        if (auto s = (*store)->trustBundles().remove(pos.at(1)); !s) {
            return reportError(ctx, s.error());
        }
        if (!ctx.json) {
            ctx.out << "Removed trust bundle '" << pos.at(1) << "'\n";
        } else {
            printJson(ctx.out, {{QStringLiteral("removed"), pos.at(1)}});
        }
    } else if (action == QLatin1String("group")) {
        if (const QString u = need(3, "group GROUP NAME|none"); !u.isEmpty()) {
            return usageError(ctx, u);
        }
        std::optional<qint64> id;
        if (pos.at(2) != QLatin1String("none")) {
            auto b = (*store)->trustBundles().get(pos.at(2));
            if (!b) {
                return reportError(ctx, b.error());
            }
            id = b->id;
        }
        if (auto s = (*store)->trustBundles().setForGroup(pos.at(1), id); !s) {
            return reportError(ctx, s.error());
        }
        if (ctx.json) {
            printJson(ctx.out, {{QStringLiteral("group"), pos.at(1)},
                                {QStringLiteral("bundle"), id ? pos.at(2) : QString()}});
        } else {
            ctx.out << "Group " << pos.at(1) << ": "
                    << (id ? QStringLiteral("trust bundle '%1'").arg(pos.at(2))
                           : QStringLiteral("system trust store"))
                    << "\n";
        }
    } else {
        return usageError(ctx, QStringLiteral("unknown 'fleet trust' action '%1'; use add, "
                                              "replace, list, show, rm or group")
                                   .arg(action));
    }
    ctx.out.flush();
    return ExitCode::Ok;
}

} // namespace certdeck::cli
