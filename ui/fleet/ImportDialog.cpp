// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportDialog.h"

#include "inventory/ImportApplier.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "inventory/import/ImportSource.h"
#include "ui/common/Background.h"
#include "ui/common/StoreTask.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::inventory;

struct ImportDialog::Preview
{
    std::shared_ptr<const ImportPlan> plan;
    /// The import run and rolled back: what it would add, or its refusal.
    ImportSummary comparison;
    ImportFormat format = ImportFormat::HostList;
};

namespace {

enum Column
{
    Status,
    Address,
    Sni,
    Group,
    CertificateColumn,
    Target,
    ColumnCount
};

// The formats in the order the box lists them, after "Detect".
const ImportFormat kFormats[] = {ImportFormat::NginxDump, ImportFormat::HostList,
                                 ImportFormat::Certbot, ImportFormat::PemFolder,
                                 ImportFormat::Json};

QString formatLabel(ImportFormat f)
{
    switch (f) {
    case ImportFormat::NginxDump:
        return ImportDialog::tr("nginx -T output");
    case ImportFormat::HostList:
        return ImportDialog::tr("Host list or CSV");
    case ImportFormat::Certbot:
        return ImportDialog::tr("certbot folder (/etc/letsencrypt)");
    case ImportFormat::PemFolder:
        return ImportDialog::tr("Folder of certificate files");
    case ImportFormat::Json:
        return ImportDialog::tr("CertDeck JSON export");
    }
    return {};
}

QString targetText(const DeployTarget& t)
{
    const QString where = deployTargetWhere(t);
    const QString file = !t.fullchainPath.isEmpty()     ? t.fullchainPath
                         : !t.combinedPemPath.isEmpty() ? t.combinedPemPath
                                                        : t.certPath;
    return file.isEmpty() ? where : where + u':' + file;
}

} // namespace

ImportDialog::ImportDialog(QString storeLocation, QWidget* parent)
    : QDialog(parent)
    , m_location(std::move(storeLocation))
{
    setObjectName(QStringLiteral("importDialog"));
    setWindowTitle(tr("Import into the fleet"));
    resize(960, 600);
    auto* v = new QVBoxLayout(this);
    auto* form = new QFormLayout;

    auto* sourceRow = new QHBoxLayout;
    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("importSource"));
    m_source->setPlaceholderText(tr("a file (nginx -T output, host list, CSV, JSON export) or a "
                                    "folder (certbot, certificates)"));
    auto* file = new QPushButton(tr("&File…"), this);
    auto* folder = new QPushButton(tr("F&older…"), this);
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(file);
    sourceRow->addWidget(folder);
    // A row holding a layout has no buddy of its own: give the label one, so
    // its mnemonic works (and is not shown as a literal '&').
    auto* sourceLabel = new QLabel(tr("&Source:"), this);
    sourceLabel->setBuddy(m_source);
    form->addRow(sourceLabel, sourceRow);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("importFormat"));
    m_format->addItem(tr("Detect from the source"));
    for (ImportFormat f : kFormats) {
        m_format->addItem(formatLabel(f), int(f));
    }
    form->addRow(tr("&Format:"), m_format);
    m_group = new QLineEdit(this);
    m_group->setObjectName(QStringLiteral("importGroup"));
    m_group->setPlaceholderText(tr("for new endpoints without a group"));
    form->addRow(tr("&Group:"), m_group);
    auto* sshRow = new QHBoxLayout;
    m_sshHost = new QLineEdit(this);
    m_sshHost->setObjectName(QStringLiteral("importSshHost"));
    m_sshHost->setPlaceholderText(tr("host the files live on (deploy targets)"));
    m_sshUser = new QLineEdit(this);
    m_sshUser->setObjectName(QStringLiteral("importSshUser"));
    m_sshUser->setPlaceholderText(tr("SSH user"));
    sshRow->addWidget(m_sshHost, 2);
    sshRow->addWidget(m_sshUser, 1);
    auto* sshLabel = new QLabel(tr("Files live &on:"), this);
    sshLabel->setBuddy(m_sshHost);
    form->addRow(sshLabel, sshRow);
    v->addLayout(form);

    auto* previewRow = new QHBoxLayout;
    m_previewButton = new QPushButton(tr("&Preview"), this);
    m_previewButton->setObjectName(QStringLiteral("importPreview"));
    m_summary = new QLabel(tr("Choose what to import, then Preview."), this);
    m_summary->setObjectName(QStringLiteral("importSummary"));
    m_summary->setWordWrap(true);
    previewRow->addWidget(m_previewButton);
    previewRow->addWidget(m_summary, 1);
    v->addLayout(previewRow);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("importTable"));
    m_table->setHorizontalHeaderLabels({tr("Status"), tr("Endpoint"), tr("SNI"), tr("Group"),
                                        tr("Certificate"), tr("Deploy target")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    v->addWidget(m_table, 1);
    m_warnings = new QPlainTextEdit(this);
    m_warnings->setObjectName(QStringLiteral("importWarnings"));
    m_warnings->setReadOnly(true);
    m_warnings->setMaximumHeight(110);
    m_warnings->setPlaceholderText(tr("Warnings about the source appear here."));
    v->addWidget(m_warnings);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_import = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_import->setObjectName(QStringLiteral("importApply"));
    m_import->setEnabled(false);
    v->addWidget(buttons);

    connect(file, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Import from a file"));
        if (!p.isEmpty()) {
            setSource(p);
        }
    });
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getExistingDirectory(this, tr("Import from a folder"));
        if (!p.isEmpty()) {
            setSource(p);
        }
    });
    for (QLineEdit* e : {m_source, m_group, m_sshHost, m_sshUser}) {
        connect(e, &QLineEdit::textEdited, this, &ImportDialog::invalidate);
    }
    connect(m_source, &QLineEdit::returnPressed, this, &ImportDialog::preview);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::invalidate);
    connect(m_previewButton, &QPushButton::clicked, this, &ImportDialog::preview);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::import);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString ImportDialog::summaryText() const
{
    return m_summary->text();
}

QString ImportDialog::warningsText() const
{
    return m_warnings->toPlainText();
}

void ImportDialog::setSource(const QString& path)
{
    m_source->setText(path);
    invalidate();
    preview();
}

void ImportDialog::invalidate()
{
    ++m_generation;
    m_plan.reset();
    m_import->setEnabled(false);
    m_table->setRowCount(0);
    m_warnings->clear();
    m_summary->setText(tr("Preview to see what would be added."));
}

void ImportDialog::setBusy(bool busy, const QString& what)
{
    m_previewButton->setEnabled(!busy);
    m_import->setEnabled(!busy && m_plan != nullptr);
    if (!what.isEmpty()) {
        m_summary->setText(what);
    }
}

void ImportDialog::preview()
{
    invalidate();
    const QString path = m_source->text().trimmed();
    if (path.isEmpty()) {
        m_summary->setText(tr("Choose a file or folder to import."));
        emit previewReady(false);
        return;
    }
    ImportRequest request;
    request.path = path;
    request.group = m_group->text().trimmed();
    request.sshHost = m_sshHost->text().trimmed();
    request.sshUser = m_sshUser->text().trimmed();
    const QVariant chosen = m_format->currentData();
    const std::optional<ImportFormat> format =
        chosen.isValid() ? std::optional<ImportFormat>(ImportFormat(chosen.toInt())) : std::nullopt;
    const int generation = m_generation;
    const QString location = m_location;
    setBusy(true, tr("Reading %1…").arg(path));
    runOnStore<Preview>(
        this, location,
        [request, format](Store& store) mutable -> Result<Preview> {
            if (format) {
                request.format = *format;
            } else {
                auto guessed = guessImportFormat(request.path);
                if (!guessed) {
                    return tl::unexpected(guessed.error());
                }
                request.format = *guessed;
            }
            auto plan = readImport(request);
            if (!plan) {
                return tl::unexpected(plan.error());
            }
            // The same checks as the import itself, so a preview never
            // promises what the import would then refuse.
            auto comparison = ImportApplier::dryRun(store, *plan);
            if (!comparison) {
                return tl::unexpected(comparison.error());
            }
            Preview p;
            p.plan = std::make_shared<const ImportPlan>(std::move(*plan));
            p.comparison = *comparison;
            p.format = request.format;
            return p;
        },
        [this, generation](const Result<Preview>& r) {
            if (generation != m_generation) {
                return; // the fields changed meanwhile: this preview is stale
            }
            setBusy(false, {});
            if (!r) {
                m_summary->setText(tr("Nothing can be imported: %1").arg(r.error().message));
                m_warnings->setPlainText(r.error().detail);
                emit previewReady(false);
                return;
            }
            showPreview(*r);
            emit previewReady(true);
        });
}

void ImportDialog::showPreview(const Preview& p)
{
    const ImportPlan& plan = *p.plan;
    // The newest leaf certificate of each endpoint.
    QHash<int, const crypto::Certificate*> certificateOf;
    for (const PlannedCertificate& c : plan.certificates) {
        if (!c.isLeaf) {
            continue;
        }
        for (int idx : c.endpointIndexes) {
            const auto* seen = certificateOf.value(idx, nullptr);
            if (!seen || c.certificate.notAfter() > seen->notAfter()) {
                certificateOf.insert(idx, &c.certificate);
            }
        }
    }
    m_table->setSortingEnabled(false);
    m_table->setRowCount(int(plan.endpoints.size()));
    const QColor known = palette().color(QPalette::Disabled, QPalette::Text);
    for (int i = 0; i < plan.endpoints.size(); ++i) {
        const Endpoint& e = plan.endpoints.at(i);
        const bool isKnown = p.comparison.alreadyKnown.value(i);
        QString certText;
        if (const crypto::Certificate* c = certificateOf.value(i, nullptr)) {
            certText = tr("%1, expires %2")
                           .arg(c->commonName().isEmpty() ? c->subject() : c->commonName(),
                                c->notAfter().toUTC().toString(QStringLiteral("yyyy-MM-dd")));
        }
        const DeployTarget* t = plan.deployTargetOf(i);
        const QStringList cells = {isKnown ? tr("Already in the inventory; kept as it is")
                                           : tr("New"),
                                   endpointAddress(e.host, e.port),
                                   e.sniName,
                                   e.group,
                                   certText,
                                   t ? targetText(*t) : QString()};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells.at(c));
            if (isKnown) {
                item->setForeground(known);
                item->setToolTip(tr("Kept as it is: the import does not change known endpoints."));
            }
            m_table->setItem(i, c, item);
        }
    }
    m_table->resizeColumnsToContents();
    // resizeColumnsToContents() sizes the last column too: stretch it again.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_warnings->setPlainText(plan.warnings.join(u'\n'));
    m_summary->setText(
        tr("%1: %2 new endpoint(s), %3 already in the inventory; %4 new deploy target(s), "
           "%5 new certificate(s); %6 warning(s).")
            .arg(formatLabel(p.format))
            .arg(p.comparison.endpointsAdded)
            .arg(p.comparison.endpointsExisting)
            .arg(p.comparison.deployTargets)
            .arg(p.comparison.certificates)
            .arg(plan.warnings.size()));
    const bool anything = p.comparison.changesAnything();
    m_plan = anything ? p.plan : nullptr;
    m_import->setEnabled(anything);
    if (!anything) {
        m_summary->setText(m_summary->text() + u' ' + tr("Nothing new to import."));
    }
}

void ImportDialog::import()
{
    if (!m_plan) {
        return;
    }
    const std::shared_ptr<const ImportPlan> plan = m_plan;
    const QString location = m_location;
    const int generation = ++m_generation;
    setBusy(true, tr("Importing…"));
    m_import->setEnabled(false);
    runOnStore<ImportSummary>(
        this, location,
        [plan](Store& store) -> Result<ImportSummary> {
            store.setActor(Store::osUserName());
            return ImportApplier::apply(store, *plan);
        },
        [this, generation](const Result<ImportSummary>& r) {
            if (generation != m_generation) {
                return;
            }
            m_plan.reset();
            setBusy(false, {});
            if (!r) {
                m_summary->setText(
                    tr("The import failed and nothing of it was kept: %1").arg(r.error().message));
                m_warnings->setPlainText(r.error().detail);
                emit imported(false, r.error().message);
                return;
            }
            const QString message =
                tr("Imported %1 new endpoint(s) (%2 already known), %3 new deploy target(s), "
                   "%4 new certificate(s).")
                    .arg(r->endpointsAdded)
                    .arg(r->endpointsExisting)
                    .arg(r->deployTargets)
                    .arg(r->certificates);
            m_summary->setText(message);
            emit imported(true, message);
            accept();
        });
}

} // namespace certdeck::ui
