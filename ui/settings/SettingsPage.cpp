// SPDX-License-Identifier: GPL-3.0-or-later
#include "SettingsPage.h"

#include "inventory/KeyVault.h"
#include "inventory/OsKeyring.h"
#include "ui/common/Background.h"
#include "ui/common/StoreTask.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <memory>
#include <optional>

namespace certdeck::ui {

SettingsPage::SettingsPage(QString storePath, QWidget* parent)
    : QWidget(parent)
    , m_storePath(std::move(storePath))
{
    setObjectName(QStringLiteral("settingsPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* box = new QGroupBox(tr("Inventory store"), this);
    auto* form = new QFormLayout(box);
    auto make = [&](const QString& name) {
        auto* l = new QLabel(tr("opening…"), box);
        l->setObjectName(name);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setWordWrap(true);
        return l;
    };
    m_backend = make(QStringLiteral("storeBackend"));
    m_location = make(QStringLiteral("storeLocation"));
    m_location->setText(m_storePath);
    m_schema = make(QStringLiteral("storeSchema"));
    m_journal = make(QStringLiteral("storeJournal"));
    m_integrity = make(QStringLiteral("storeIntegrity"));
    m_integrity->setText(tr("not checked yet"));
    form->addRow(tr("Engine"), m_backend);
    form->addRow(tr("Location"), m_location);
    form->addRow(tr("Schema"), m_schema);
    form->addRow(tr("Journal"), m_journal);
    form->addRow(tr("Integrity"), m_integrity);
    m_checkButton = new QPushButton(tr("Check &integrity"), box);
    m_checkButton->setObjectName(QStringLiteral("checkIntegrityButton"));
    auto* buttonRow = new QHBoxLayout;
    buttonRow->addWidget(m_checkButton);
    buttonRow->addStretch(1);
    form->addRow(QString(), buttonRow);
    connect(m_checkButton, &QPushButton::clicked, this, &SettingsPage::checkIntegrity);
    layout->addWidget(box);

    auto* keys = new QGroupBox(tr("Private keys"), this);
    auto* keysForm = new QFormLayout(keys);
    m_vault = make(QStringLiteral("keyVault"));
    m_vault->setText(tr("checking…"));
    m_keyring = make(QStringLiteral("osKeyring"));
    m_keyring->setText(tr("checking…"));
    m_unusedKeys = make(QStringLiteral("unusedKeys"));
    m_unusedKeys->setText(tr("checking…"));
    keysForm->addRow(tr("Passphrase vault"), m_vault);
    keysForm->addRow(tr("OS keyring"), m_keyring);
    keysForm->addRow(tr("Unused keys"), m_unusedKeys);
    layout->addWidget(keys);
    layout->addStretch(1);
    checkKeyProtection();
}

void SettingsPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_shownOnce) {
        checkKeyProtection();
    }
    m_shownOnce = true; // the constructor's check covers the first showing
}

void SettingsPage::checkKeyProtection()
{
    struct Vault
    {
        bool initialized = false;
        int keys = 0;        ///< sealed in the vault
        int keyringKeys = 0; ///< held by the OS keyring
        QList<inventory::KeyRecord> unused;
    };
    struct Found
    {
        std::optional<Result<Vault>> vault;
        std::optional<Status> keyring;
    };
    // The vault is read on the store thread; the keyring probe (up to 15 s
    // on a bus without a Secret Service) runs apart so it holds no store work
    // up. Both lines are shown together, then keyProtectionChecked().
    auto found = std::make_shared<Found>();
    auto showWhenBoth = [this, found] {
        if (!found->vault || !found->keyring) {
            return;
        }
        const Result<Vault>& v = *found->vault;
        showUnusedKeys(v ? v->unused : QList<inventory::KeyRecord>(),
                       v ? QString() : v.error().message);
        if (!v) {
            m_vault->setText(tr("Error: %1").arg(v.error().message));
        } else if (!v->initialized) {
            m_vault->setText(tr("No master passphrase yet: the console asks for one when "
                                "it first stores a key (or run `certdeckctl vault init`)."));
        } else {
            m_vault->setText(
                tr("Master passphrase set (scrypt, AES-256-GCM); %n key(s)", nullptr, v->keys));
        }
        const Status& keyring = *found->keyring;
        if (keyring) {
            m_keyring->setText(tr("Available: keys can be held by the Secret Service"));
        } else {
            m_keyring->setText(tr("Not available: %1").arg(keyring.error().message) +
                               (keyring.error().detail.isEmpty()
                                    ? QString()
                                    : QStringLiteral(" (%1)").arg(keyring.error().detail)));
        }
        if (v && v->keyringKeys > 0) {
            m_keyring->setText(m_keyring->text() +
                               tr("; %n key(s) of this store held there", nullptr, v->keyringKeys));
        }
        emit keyProtectionChecked();
    };
    runOnStore<Vault>(
        this, m_storePath,
        [](inventory::Store& store) -> Result<Vault> {
            inventory::KeyVault vault(store);
            Vault v;
            auto initialized = vault.isInitialized();
            if (!initialized) {
                return tl::unexpected(initialized.error());
            }
            auto keys = vault.keyCount();
            if (!keys) {
                return tl::unexpected(keys.error());
            }
            auto usage = store.keys().usage();
            if (!usage) {
                return tl::unexpected(usage.error());
            }
            v.initialized = *initialized;
            v.keys = *keys;
            for (const inventory::KeyUsage& u : std::as_const(*usage)) {
                v.keyringKeys += u.key.protection == inventory::KeyProtection::OsKeyring ? 1 : 0;
                if (u.isUnused()) {
                    v.unused << u.key;
                }
            }
            return v;
        },
        [found, showWhenBoth](const Result<Vault>& v) {
            found->vault = v;
            showWhenBoth();
        });
    runInBackground(
        this, [] { return inventory::OsKeyring(QStringLiteral("CertDeck"), 15000).probe(); },
        [found, showWhenBoth](const Status& keyring) {
            found->keyring = keyring;
            showWhenBoth();
        });
}

void SettingsPage::showUnusedKeys(const QList<inventory::KeyRecord>& unused, const QString& error)
{
    if (!error.isEmpty()) {
        m_unusedKeys->setText(tr("Error: %1").arg(error));
        return;
    }
    if (unused.isEmpty()) {
        m_unusedKeys->setText(tr("None: every stored key is used by an account or a certificate"));
        return;
    }
    // Named, so the admin can tell a leftover from a key they meant to keep.
    QStringList names;
    for (const inventory::KeyRecord& k : unused) {
        names << tr("#%1 “%2” (created %3)")
                     .arg(k.id)
                     .arg(k.description.isEmpty() ? tr("no label") : k.description,
                          QLocale().toString(k.createdUtc.toLocalTime(), QLocale::ShortFormat));
    }
    m_unusedKeys->setText(tr("%n key(s) nothing uses: %1. Remove them with `certdeckctl vault "
                             "keys prune`.",
                             nullptr, static_cast<int>(unused.size()))
                              .arg(names.join(QStringLiteral(", "))));
}

void SettingsPage::setStoreInfo(const Result<inventory::StoreInfo>& info)
{
    if (!info) {
        m_backend->setText(tr("Error: %1").arg(info.error().message));
        m_schema->setText(info.error().detail);
        m_journal->clear();
        return;
    }
    m_backend->setText(QStringLiteral("%1 %2").arg(info->backend, info->engineVersion));
    m_location->setText(info->location);
    m_schema->setText(tr("version %1 (this build knows up to %2)")
                          .arg(info->schemaVersion)
                          .arg(info->latestSchemaVersion));
    m_journal->setText(info->journalMode);
}

void SettingsPage::checkIntegrity()
{
    m_checkButton->setEnabled(false);
    m_integrity->setText(tr("checking…"));
    runOnStore<QString>(
        this, m_storePath, [](inventory::Store& store) { return store.integrityCheck(); },
        [this](const Result<QString>& r) {
            m_checkButton->setEnabled(true);
            if (!r) {
                m_integrity->setText(tr("Failed: %1").arg(r.error().toString()));
                emit integrityChecked(false, r.error().toString());
                return;
            }
            const bool ok = *r == QLatin1String("ok");
            m_integrity->setText(ok ? tr("OK: no problems found") : tr("DAMAGED: %1").arg(*r));
            emit integrityChecked(ok, *r);
        });
}

} // namespace certdeck::ui
