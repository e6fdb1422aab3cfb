// SPDX-License-Identifier: GPL-3.0-or-later
// certdeckctl vault: the master passphrase that protects the stored keys.
#include "CliSupport.h"
#include "PassphraseOption.h"
#include "VaultKeys.h"
#include "inventory/KeyVault.h"
#include "inventory/OsKeyring.h"
#include "inventory/Store.h"

#include <QJsonObject>
#include <openssl/crypto.h>

namespace certdeck::cli {

namespace {

void wipe(QByteArray& bytes)
{
    if (!bytes.isEmpty()) {
        OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
    }
}

// A passphrase the command cannot run without: missing is a usage error.
Result<QByteArray> requiredPassphrase(const PassphraseOption& option, const QCommandLineParser& p,
                                      CommandContext& ctx, const QString& what)
{
    auto pass = option.read(p, ctx.err);
    if (pass && pass->isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("%1: give --%2 FILE or --%3 VAR")
                                                 .arg(what, option.file.names().constFirst(),
                                                      option.env.names().constFirst()));
    }
    return pass;
}

ExitCode runVault(CommandContext& ctx, const QStringList& args)
{
    QCommandLineParser p;
    CommonOptions common;
    common.addTo(p);
    const PassphraseOption pass;
    const PassphraseOption newPass(QStringLiteral("new-"), QStringLiteral("new "));
    pass.addTo(p);
    newPass.addTo(p);
    const QCommandLineOption force(QStringLiteral("force"),
                                   QStringLiteral("Prune without asking."));
    p.addOption(force);
    p.addPositionalArgument(QStringLiteral("action"),
                            QStringLiteral("init, status, change-passphrase, keys or keys prune"));
    ExitCode code = ExitCode::Ok;
    if (!parseOrComplain(p, args, ctx, &code)) {
        return code;
    }
    if (!checkSubcommand(ctx, p, QStringLiteral("vault"), p.positionalArguments(), &code)) {
        return code;
    }
    common.apply(p, ctx);
    const QStringList pos = p.positionalArguments();
    const QString action = pos.value(0);
    if (action == QLatin1String("keys") && pos.value(1) == QLatin1String("prune")) {
        return pruneVaultKeys(ctx, pos.mid(2), p.isSet(force));
    }
    if (action == QLatin1String("keys")) {
        if (pos.size() != 1) {
            return usageError(ctx, QStringLiteral("'vault keys' takes no argument '%1' (did you "
                                                  "mean 'vault keys prune'?)")
                                       .arg(pos.at(1)));
        }
        std::optional<QByteArray> given;
        if (pass.isSet(p)) {
            auto read = pass.read(p, ctx.err);
            if (!read) {
                return usageError(ctx, read.error().message);
            }
            given = std::move(*read);
        }
        const ExitCode listed = listVaultKeys(ctx, given);
        if (given) {
            wipe(*given);
        }
        return listed;
    }
    if (pos.size() != 1 || (action != QLatin1String("init") && action != QLatin1String("status") &&
                            action != QLatin1String("change-passphrase"))) {
        return usageError(ctx, QStringLiteral("'vault' needs one action: init, status, "
                                              "change-passphrase, keys or keys prune"));
    }
    auto store = ctx.store();
    if (!store) {
        return reportError(ctx, store.error());
    }
    inventory::KeyVault vault(**store);

    if (action == QLatin1String("status")) {
        auto initialized = vault.isInitialized();
        auto count = vault.keyCount();
        if (!initialized || !count) {
            return reportError(ctx, initialized ? count.error() : initialized.error());
        }
        // Counted beside the keys, so "2 keys for 1 account" explains itself;
        // `store check` is the check that warns about them.
        auto unused = (*store)->keys().unused();
        if (!unused) {
            return reportError(ctx, unused.error());
        }
        QJsonObject o{{QStringLiteral("initialized"), *initialized},
                      {QStringLiteral("keys"), *count},
                      {QStringLiteral("unusedKeys"), static_cast<int>(unused->size())}};
        QString line =
            *initialized ? QStringLiteral("VAULT OK - master passphrase set, %1 key(s)").arg(*count)
                         : QStringLiteral("VAULT WARNING - no master passphrase yet (run "
                                          "`certdeckctl vault init`)");
        if (*initialized && !unused->isEmpty()) {
            line +=
                QStringLiteral(" (%1 unused: see `certdeckctl vault keys`)").arg(unused->size());
        }
        ExitCode result = *initialized ? ExitCode::Ok : ExitCode::Warning;
        if (*initialized) {
            const auto cost = vault.cost();
            if (!cost) {
                return reportError(ctx, cost.error());
            }
            o.insert(QStringLiteral("kdf"), QStringLiteral("scrypt"));
            o.insert(QStringLiteral("scryptN"), static_cast<qint64>(cost->n));
            o.insert(QStringLiteral("scryptR"), static_cast<int>(cost->r));
            o.insert(QStringLiteral("scryptP"), static_cast<int>(cost->p));
            line +=
                QStringLiteral(", scrypt N=%1 r=%2 p=%3").arg(cost->n).arg(cost->r).arg(cost->p);
            if (pass.isSet(p)) {
                auto given = pass.read(p, ctx.err);
                if (!given) {
                    return reportError(ctx, given.error());
                }
                const auto unlocked = vault.unlock(*given);
                wipe(*given);
                o.insert(QStringLiteral("passphraseOk"), unlocked.has_value());
                if (!unlocked) {
                    // A wrong passphrase is the caller's error, not a state of the vault.
                    line = QStringLiteral("VAULT UNKNOWN - ") + unlocked.error().message;
                    result = ExitCode::Unknown;
                } else {
                    line += QStringLiteral(", passphrase ok");
                }
            }
        }
        // Where keys could live instead of the vault: the desktop's keyring.
        const Status keyring = inventory::OsKeyring(QStringLiteral("CertDeck"), 15000).probe();
        o.insert(QStringLiteral("osKeyring"), keyring.has_value());
        if (!keyring) {
            o.insert(QStringLiteral("osKeyringProblem"), keyring.error().message);
        }
        if (ctx.json) {
            printJson(ctx.out, o);
        } else {
            ctx.out << line << "\n";
            if (keyring) {
                ctx.out << "OS keyring: available (Secret Service on the session bus)\n";
            } else {
                ctx.out << "OS keyring: not available: " << keyring.error().message;
                if (!keyring.error().detail.isEmpty()) {
                    ctx.out << " (" << keyring.error().detail << ")";
                }
                ctx.out << "\n";
            }
            ctx.out.flush();
        }
        return result;
    }

    auto current = requiredPassphrase(pass, p, ctx, QStringLiteral("The master passphrase"));
    if (!current) {
        return usageError(ctx, current.error().message);
    }
    Status done;
    if (action == QLatin1String("init")) {
        done = vault.init(*current);
    } else {
        auto next = requiredPassphrase(newPass, p, ctx, QStringLiteral("The new passphrase"));
        if (!next) {
            wipe(*current);
            return usageError(ctx, next.error().message);
        }
        ctx.err << "certdeckctl: re-encrypting every key under the new passphrase...\n";
        ctx.err.flush();
        done = vault.changePassphrase(*current, *next);
        wipe(*next);
    }
    wipe(*current);
    if (!done) {
        return reportError(ctx, done.error());
    }
    const auto count = vault.keyCount();
    const QString message = action == QLatin1String("init")
                                ? QStringLiteral("Master passphrase set")
                                : QStringLiteral("Master passphrase changed; %1 key(s) "
                                                 "re-encrypted")
                                      .arg(count ? *count : 0);
    if (ctx.json) {
        printJson(ctx.out, {{QStringLiteral("ok"), true},
                            {QStringLiteral("action"), action},
                            {QStringLiteral("keys"), count ? *count : 0}});
    } else {
        ctx.out << message << "\n";
        ctx.out.flush();
    }
    return ExitCode::Ok;
}

} // namespace

QList<SubcommandSpec> vaultSubcommands()
{
    const QString secrets = QStringLiteral(
        "Passphrases are read from a file (first line, mode 0600) or an environment\n"
        "variable, never from the command line.");
    const QStringList pass{QStringLiteral("passphrase-file"), QStringLiteral("passphrase-env")};
    return {{QStringLiteral("init"),
             QStringLiteral("(--passphrase-file FILE | --passphrase-env VAR)"), pass,
             QStringLiteral("Sets the master passphrase of a store without one.\n") + secrets},
            {QStringLiteral("status"),
             QStringLiteral("[--passphrase-file FILE | --passphrase-env VAR]"), pass,
             QStringLiteral("Whether the vault is set up, its scrypt cost and key count (exit 1\n"
                            "when no master passphrase is set yet); with a passphrase, also\n"
                            "whether it is the right one (exit 3 when not).\n") +
                 secrets},
            {QStringLiteral("change-passphrase"),
             QStringLiteral("(--passphrase-file FILE | --passphrase-env VAR)\n"
                            "         (--new-passphrase-file FILE | --new-passphrase-env VAR)"),
             pass + QStringList{QStringLiteral("new-passphrase-file"),
                                QStringLiteral("new-passphrase-env")},
             QStringLiteral("Re-encrypts every key under the new passphrase, all or nothing.\n") +
                 secrets},
            {QStringLiteral("keys"),
             QStringLiteral("[--passphrase-file FILE | --passphrase-env VAR]"), pass,
             QStringLiteral("Lists the stored keys: id, type, where held, when created, label,\n"
                            "and what uses each (an ACME account, a certificate) or UNUSED.\n"
                            "Types are sealed in the vault: with the master passphrase they are\n"
                            "shown too.\n") +
                 secrets},
            {QStringLiteral("keys prune"),
             QStringLiteral("[ID...] [--force]"),
             {QStringLiteral("force")},
             QStringLiteral("Deletes the keys nothing uses (all of them, or the ids given), in\n"
                            "one transaction; a key still in use is never deleted (naming one\n"
                            "exits 3 and deletes nothing). Asks on the terminal first; without\n"
                            "--force and without a terminal it refuses (exit 3).")}};
}

CERTDECK_COMMAND({QStringLiteral("vault"),
                  QStringLiteral("  vault init|status|change-passphrase  the master passphrase "
                                 "that encrypts stored keys\n"
                                 "  vault keys [prune]  the stored keys, what uses each; delete "
                                 "unused ones\n"),
                  runVault, vaultSubcommands()});

} // namespace certdeck::cli
