// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace certdeck::inventory {
class Store;
}

namespace certdeck::ui {

/// One certificate or key of the inventory, as the Stored list shows it.
struct StoredEntry
{
    enum class Kind
    {
        Certificate,
        Key
    };
    Kind kind = Kind::Certificate;
    qint64 id = 0;
    QString name;    ///< the certificate's CN (or subject); the key's description
    QString details; ///< issuer, expiry, source; the key's protection
    /// Where it is used, one item each: "current on api.example.com:443",
    /// "issuer of 3 certificates", "certificate #7 (api.example.com)",
    /// "ACME account 'prod' (#2)". Empty: nothing uses it.
    QStringList usedBy;
    QDateTime notAfterUtc; ///< certificates only
    bool revoked = false;
};

/// Reads every certificate and key of the inventory with where each is used.
/// Runs on the store's thread. Keys are those that certificates and ACME
/// accounts reference.
[[nodiscard]] Result<QList<StoredEntry>> loadStoredEntries(const inventory::Store& store);

/// "Stored": the certificates (and keys) kept in the inventory with where
/// each is used, filterable by any text shown. Reads the store off the GUI
/// thread; selecting a certificate says so (certificateSelected()).
class StoredList : public QWidget
{
    Q_OBJECT
public:
    explicit StoredList(QString storeLocation, QWidget* parent = nullptr);

    /// Reads the inventory at `location` (reload()).
    void setStoreLocation(const QString& location);
    /// Lists keys too (the Certificates page) or certificates only (a picker).
    void setShowKeys(bool show);
    /// Re-reads the inventory; reloaded() tells when done.
    void reload();

    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    [[nodiscard]] QTableWidget* table() const { return m_table; }
    /// The entries as listed and not filtered out, top to bottom.
    [[nodiscard]] QList<StoredEntry> visibleEntries() const;
    /// The entry of the selected row, if any.
    [[nodiscard]] std::optional<StoredEntry> selectedEntry() const;
    /// Selects the certificate with this id; false when it is not listed.
    bool selectCertificate(qint64 id);

signals:
    void reloaded(bool ok);
    /// A certificate row became the selected one.
    void certificateSelected(qint64 id);
    /// A certificate row was activated (Enter, double-click).
    void certificateActivated(qint64 id);

private:
    void showEntries(const QList<StoredEntry>& entries);
    void applyFilter();
    [[nodiscard]] const StoredEntry* entryAt(int row) const;

    QString m_location;
    bool m_showKeys = true;
    QLineEdit* m_filter = nullptr;
    QTableWidget* m_table = nullptr;
    QLabel* m_status = nullptr;
    QList<StoredEntry> m_entries;
};

} // namespace certdeck::ui
