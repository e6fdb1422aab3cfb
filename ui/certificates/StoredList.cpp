// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoredList.h"

#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "ui/common/StatusColours.h"
#include "ui/common/StoreTask.h"

#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::inventory;

namespace {

// The name and its use first: the list is often a narrow pane.
enum Column
{
    ColName,
    ColUsedBy,
    ColKind,
    ColDetails,
    ColumnCount
};

constexpr int EntryRole = Qt::UserRole + 1;

QString cnOf(const QString& dn)
{
    for (const QString& part : dn.split(u',')) {
        if (part.startsWith(QLatin1String("CN="))) {
            return part.mid(3);
        }
    }
    return dn;
}

QString shortName(const CertificateRecord& c)
{
    return c.sans.isEmpty() ? cnOf(c.subject) : c.sans.join(QStringLiteral(", "));
}

} // namespace

Result<QList<StoredEntry>> loadStoredEntries(const Store& store)
{
    auto certificates = store.certificates().list();
    if (!certificates) {
        return tl::unexpected(certificates.error());
    }
    auto current = store.certificates().current();
    if (!current) {
        return tl::unexpected(current.error());
    }
    auto endpoints = store.endpoints().list();
    if (!endpoints) {
        return tl::unexpected(endpoints.error());
    }
    auto issuers = store.issuers().list();
    if (!issuers) {
        return tl::unexpected(issuers.error());
    }
    QMap<qint64, QStringList> currentOn;
    for (const Endpoint& e : std::as_const(*endpoints)) {
        const auto it = current->constFind(e.id);
        if (it != current->cend()) {
            QString where = endpointAddress(e.host, e.port);
            if (!e.sniName.isEmpty() && e.sniName != e.host) {
                where += QStringLiteral(" (SNI %1)").arg(e.sniName);
            }
            currentOn[it->id] << where;
        }
    }
    QHash<qint64, int> issued;
    QMap<qint64, QStringList> keyUsers;
    for (const CertificateRecord& c : std::as_const(*certificates)) {
        if (c.issuedById) {
            ++issued[*c.issuedById];
        }
        if (c.keyId) {
            keyUsers[*c.keyId] << QObject::tr("certificate #%1 (%2)").arg(c.id).arg(shortName(c));
        }
    }
    QHash<qint64, QString> issuerNames;
    for (const IssuerRecord& i : std::as_const(*issuers)) {
        const QString name = i.kind == IssuerRecord::Kind::AcmeAccount
                                 ? QObject::tr("ACME account '%1' (#%2)").arg(i.name).arg(i.id)
                                 : QObject::tr("local CA '%1' (#%2)").arg(i.name).arg(i.id);
        issuerNames.insert(i.id, name);
        if (i.accountKeyId) {
            keyUsers[*i.accountKeyId] << name;
        }
    }

    QList<StoredEntry> out;
    for (const CertificateRecord& c : std::as_const(*certificates)) {
        StoredEntry e;
        e.id = c.id;
        e.name = cnOf(c.subject);
        e.notAfterUtc = c.notAfterUtc;
        e.revoked = c.revocation.has_value();
        QStringList details;
        details << QObject::tr("#%1").arg(c.id);
        details << (c.issuerId && issuerNames.contains(*c.issuerId)
                        ? QObject::tr("issued through %1").arg(issuerNames.value(*c.issuerId))
                        : QObject::tr("issued by %1").arg(cnOf(c.issuer)));
        details
            << QObject::tr("expires %1").arg(c.notAfterUtc.toString(QStringLiteral("yyyy-MM-dd")));
        details << certificateSourceName(c.source);
        if (e.revoked) {
            details << QObject::tr("REVOKED");
        }
        e.details = details.join(QStringLiteral(" · "));
        for (const QString& where : currentOn.value(c.id)) {
            e.usedBy << QObject::tr("current on %1").arg(where);
        }
        if (const int n = issued.value(c.id); n > 0) {
            e.usedBy << QObject::tr("issuer of %n certificate(s)", nullptr, n);
        }
        out << e;
    }
    // Every key of the store, unused ones too (named so, as store check does).
    auto keys = store.keys().usage();
    if (!keys) {
        return tl::unexpected(keys.error());
    }
    for (const KeyUsage& k : std::as_const(*keys)) {
        StoredEntry e;
        e.kind = StoredEntry::Kind::Key;
        e.id = k.key.id;
        e.name = k.key.description.isEmpty() ? QObject::tr("key #%1").arg(e.id) : k.key.description;
        e.details = QObject::tr("#%1 · %2 · created %3")
                        .arg(e.id)
                        .arg(keyProtectionName(k.key.protection),
                             k.key.createdUtc.toString(QStringLiteral("yyyy-MM-dd")));
        e.usedBy = keyUsers.value(e.id, k.usedBy);
        if (e.usedBy.isEmpty()) {
            e.usedBy << QObject::tr("UNUSED (certdeckctl vault keys prune removes it)");
        }
        out << e;
    }
    return out;
}

StoredList::StoredList(QString storeLocation, QWidget* parent)
    : QWidget(parent)
    , m_location(std::move(storeLocation))
{
    setObjectName(QStringLiteral("storedList"));
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("storedFilter"));
    m_filter->setPlaceholderText(tr("Filter: name, issuer, endpoint, source…"));
    m_filter->setClearButtonEnabled(true);
    v->addWidget(m_filter);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("storedTable"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Used by"), tr("Kind"), tr("Details")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSortingEnabled(true);
    v->addWidget(m_table, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("storedStatus"));
    v->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, this, &StoredList::applyFilter);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto e = selectedEntry();
        if (e && e->kind == StoredEntry::Kind::Certificate) {
            emit certificateSelected(e->id);
        }
    });
    connect(m_table, &QTableWidget::itemActivated, this, [this](QTableWidgetItem* item) {
        const StoredEntry* e = entryAt(item->row());
        if (e != nullptr && e->kind == StoredEntry::Kind::Certificate) {
            emit certificateActivated(e->id);
        }
    });
}

void StoredList::setStoreLocation(const QString& location)
{
    m_location = location;
    reload();
}

void StoredList::setShowKeys(bool show)
{
    m_showKeys = show;
    showEntries(m_entries);
}

void StoredList::reload()
{
    if (m_location.isEmpty()) {
        return;
    }
    m_status->setText(tr("Reading the inventory…"));
    runOnStore<QList<StoredEntry>>(
        this, m_location, [](Store& s) { return loadStoredEntries(s); },
        [this](const Result<QList<StoredEntry>>& r) {
            if (!r) {
                m_entries.clear();
                showEntries(m_entries);
                m_status->setText(tr("ERROR: %1").arg(r.error().toString()));
                emit reloaded(false);
                return;
            }
            showEntries(*r);
            emit reloaded(true);
        });
}

const StoredEntry* StoredList::entryAt(int row) const
{
    const QTableWidgetItem* item = m_table->item(row, ColName);
    if (item == nullptr) {
        return nullptr;
    }
    const int index = item->data(EntryRole).toInt();
    return index >= 0 && index < m_entries.size() ? &m_entries.at(index) : nullptr;
}

void StoredList::showEntries(const QList<StoredEntry>& entries)
{
    const auto previous = selectedEntry();
    m_entries = entries;
    m_table->setSortingEnabled(false);
    m_table->clearContents();
    m_table->setRowCount(0);
    const QPalette palette = QGuiApplication::palette();
    int certificates = 0;
    int keys = 0;
    for (int i = 0; i < m_entries.size(); ++i) {
        const StoredEntry& e = m_entries.at(i);
        const bool isKey = e.kind == StoredEntry::Kind::Key;
        if (isKey && !m_showKeys) {
            continue;
        }
        (isKey ? keys : certificates)++;
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        // The id tells apart two certificates for the same name (a renewal).
        auto* name = new QTableWidgetItem(QStringLiteral("%1 (#%2)").arg(e.name).arg(e.id));
        name->setToolTip(e.details);
        name->setData(EntryRole, i);
        m_table->setItem(row, ColName, name);
        m_table->setItem(row, ColKind, new QTableWidgetItem(isKey ? tr("key") : tr("certificate")));
        auto* details = new QTableWidgetItem(e.details);
        details->setToolTip(e.details);
        if (e.revoked) {
            paintTone(details, Tone::Bad, palette);
        }
        m_table->setItem(row, ColDetails, details);
        auto* used = new QTableWidgetItem(e.usedBy.isEmpty() ? tr("unused")
                                                             : e.usedBy.join(QStringLiteral("; ")));
        used->setToolTip(e.usedBy.join(u'\n'));
        m_table->setItem(row, ColUsedBy, used);
    }
    m_table->setSortingEnabled(true);
    m_table->resizeColumnToContents(ColKind);
    // Wide enough to read, never so wide that the other columns scroll away.
    for (int c : {ColName, ColUsedBy}) {
        m_table->resizeColumnToContents(c);
        m_table->setColumnWidth(c, std::min(c == ColName ? 200 : 240, m_table->columnWidth(c)));
    }
    m_status->setText(m_showKeys ? tr("%n certificate(s)", nullptr, certificates) +
                                       tr(", %n key(s)", nullptr, keys)
                                 : tr("%n certificate(s)", nullptr, certificates));
    applyFilter();
    if (previous && previous->kind == StoredEntry::Kind::Certificate) {
        selectCertificate(previous->id);
    }
}

void StoredList::applyFilter()
{
    const QString needle = m_filter->text().trimmed();
    for (int row = 0; row < m_table->rowCount(); ++row) {
        bool match = needle.isEmpty();
        for (int c = 0; !match && c < ColumnCount; ++c) {
            const QTableWidgetItem* item = m_table->item(row, c);
            match = item != nullptr && item->text().contains(needle, Qt::CaseInsensitive);
        }
        m_table->setRowHidden(row, !match);
    }
}

QList<StoredEntry> StoredList::visibleEntries() const
{
    QList<StoredEntry> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (!m_table->isRowHidden(row)) {
            if (const StoredEntry* e = entryAt(row)) {
                out << *e;
            }
        }
    }
    return out;
}

std::optional<StoredEntry> StoredList::selectedEntry() const
{
    const QList<QTableWidgetItem*> items = m_table->selectedItems();
    if (items.isEmpty()) {
        return std::nullopt;
    }
    const StoredEntry* e = entryAt(items.first()->row());
    return e != nullptr ? std::optional<StoredEntry>(*e) : std::nullopt;
}

bool StoredList::selectCertificate(qint64 id)
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const StoredEntry* e = entryAt(row);
        if (e != nullptr && e->kind == StoredEntry::Kind::Certificate && e->id == id) {
            m_table->selectRow(row);
            m_table->scrollToItem(m_table->item(row, ColName));
            return true;
        }
    }
    return false;
}

} // namespace certdeck::ui
