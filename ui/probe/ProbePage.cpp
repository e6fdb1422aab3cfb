// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProbePage.h"

#include "crypto/ServedChainFetcher.h"
#include "inventory/RecordNames.h"
#include "probe/inspect/InspectionReport.h"
#include "probe/inspect/TlsInspection.h"
#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/NamedGroup.h"
#include "ui/common/StatusColours.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace certdeck::ui {

using namespace certdeck::probe;

namespace {

// Weakest first, so what needs fixing is at the top.
int strengthRank(SuiteStrength s)
{
    switch (s) {
    case SuiteStrength::Insecure:
        return 0;
    case SuiteStrength::Weak:
        return 1;
    case SuiteStrength::Medium:
        return 2;
    case SuiteStrength::Strong:
        return 3;
    case SuiteStrength::Signaling:
        break;
    }
    return 4;
}

QString versionLabel(TlsVersion v)
{
    return tlsVersionName(v);
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

QString acceptedVersions(const ProbeResult& r)
{
    QStringList versions;
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted) {
            versions << versionLabel(p.version);
        }
    }
    return versions.join(QStringLiteral(", "));
}

// Endpoint table columns of a fleet scan.
enum FleetColumn
{
    FleetEndpoint,
    FleetAddress,
    FleetVerdict,
    FleetGrade,
    FleetProtocols,
    FleetFindings,
    FleetTime,
    FleetColumns
};

} // namespace

ProbePage::ProbePage(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("probePage"));
    // One endpoint: the raw probe, then the OpenSSL-handshake inspection.
    m_options.inspect = true;
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);

    auto* bar = new QHBoxLayout;
    m_endpoint = new QLineEdit(this);
    m_endpoint->setObjectName(QStringLiteral("probeEndpoint"));
    m_endpoint->setPlaceholderText(tr("host[:port], e.g. api.example.com:443"));
    m_sni = new QLineEdit(this);
    m_sni->setObjectName(QStringLiteral("probeSni"));
    m_sni->setPlaceholderText(tr("SNI (default: the host)"));
    m_address = new QLineEdit(this);
    m_address->setObjectName(QStringLiteral("probeAddress"));
    m_address->setPlaceholderText(tr("connect to IP (optional)"));
    m_probe = new QPushButton(tr("&Probe"), this);
    m_probe->setObjectName(QStringLiteral("probeStart"));
    m_probe->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("probeCancel"));
    m_cancel->setEnabled(false);
    m_chain = new QPushButton(tr("Inspect served &chain"), this);
    m_chain->setObjectName(QStringLiteral("probeChain"));
    m_chain->setEnabled(false);
    bar->addWidget(m_endpoint, 3);
    bar->addWidget(m_sni, 2);
    bar->addWidget(m_address, 1);
    bar->addWidget(m_probe);
    bar->addWidget(m_cancel);
    bar->addWidget(m_chain);
    v->addLayout(bar);

    auto* progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("probeProgress"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setMaximumWidth(240);
    m_status = new QLabel(tr("Enter an endpoint and press Probe."), this);
    m_status->setObjectName(QStringLiteral("probeStatus"));
    progressRow->addWidget(m_progress);
    progressRow->addWidget(m_status, 1);
    v->addLayout(progressRow);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("probeSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = m_summary->font();
    f.setBold(true);
    m_summary->setFont(f);
    v->addWidget(m_summary);

    m_fleet = new QTableWidget(0, FleetColumns, this);
    m_fleet->setObjectName(QStringLiteral("probeFleet"));
    m_fleet->setHorizontalHeaderLabels({tr("Endpoint"), tr("Address"), tr("Verdict"), tr("Grade"),
                                        tr("Protocols"), tr("Findings"), tr("Time")});
    m_fleet->verticalHeader()->hide();
    m_fleet->horizontalHeader()->setStretchLastSection(false);
    m_fleet->horizontalHeader()->setSectionResizeMode(FleetFindings, QHeaderView::Stretch);
    m_fleet->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fleet->setSelectionMode(QAbstractItemView::SingleSelection);
    m_fleet->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_fleet->hide();

    auto* tabs = new QTabWidget(this);
    m_tabs = tabs;

    auto* findingsPane = new QWidget(this);
    auto* fv = new QVBoxLayout(findingsPane);
    m_grade = new QLabel(findingsPane);
    m_grade->setObjectName(QStringLiteral("probeGrade"));
    m_grade->setWordWrap(true);
    m_grade->setTextInteractionFlags(Qt::TextSelectableByMouse);
    fv->addWidget(m_grade);
    m_findings = new QTableWidget(0, 4, findingsPane);
    m_findings->setObjectName(QStringLiteral("probeFindings"));
    m_findings->setHorizontalHeaderLabels(
        {tr("Severity"), tr("Finding"), tr("Evidence"), tr("What to do")});
    m_findings->verticalHeader()->hide();
    m_findings->setWordWrap(true);
    m_findings->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_findings->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_findings->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_findings->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    fv->addWidget(m_findings, 1);
    tabs->addTab(findingsPane, tr("Findings"));

    m_matrix = new QTableWidget(this);
    m_matrix->setObjectName(QStringLiteral("probeMatrix"));
    m_matrix->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_matrix->verticalHeader()->hide();
    m_matrix->horizontalHeader()->setStretchLastSection(false);
    tabs->addTab(m_matrix, tr("Cipher suites"));

    auto* protoPane = new QWidget(this);
    auto* pv = new QVBoxLayout(protoPane);
    m_protocols = new QTableWidget(0, 6, protoPane);
    m_protocols->setObjectName(QStringLiteral("probeProtocols"));
    m_protocols->setHorizontalHeaderLabels({tr("Protocol"), tr("Verdict"), tr("Suites"),
                                            tr("Order"), tr("Secure renegotiation"),
                                            tr("Compression")});
    m_protocols->verticalHeader()->hide();
    m_protocols->horizontalHeader()->setStretchLastSection(true);
    m_protocols->setEditTriggers(QAbstractItemView::NoEditTriggers);
    pv->addWidget(m_protocols, 1);
    m_groups = new QLabel(protoPane);
    m_groups->setObjectName(QStringLiteral("probeGroups"));
    m_groups->setWordWrap(true);
    m_groups->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pv->addWidget(m_groups);
    tabs->addTab(protoPane, tr("Protocols && groups"));

    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("probeLog"));
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("Steps and every connection that failed, by kind."));
    m_inspection = new QPlainTextEdit(this);
    m_inspection->setObjectName(QStringLiteral("probeInspection"));
    m_inspection->setReadOnly(true);
    m_inspection->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_inspection->setPlaceholderText(
        tr("A real OpenSSL handshake after the raw probe: negotiated parameters, the served chain, "
           "the stapled OCSP response, session resumption, ALPN, and HSTS and Server from GET /."));
    tabs->addTab(m_inspection, tr("Inspection"));
    tabs->addTab(m_log, tr("Log"));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_fleet);
    split->addWidget(tabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    v->addWidget(split, 1);

    connect(m_probe, &QPushButton::clicked, this, &ProbePage::start);
    connect(m_endpoint, &QLineEdit::returnPressed, this, &ProbePage::start);
    connect(m_cancel, &QPushButton::clicked, this, &ProbePage::cancel);
    connect(m_fleet, &QTableWidget::currentCellChanged, this,
            [this](int row, int, int, int) { showFleetRow(row); });
    connect(m_chain, &QPushButton::clicked, this, [this] {
        emit inspectChainRequested(inventory::endpointAddress(m_last.host, m_last.port),
                                   m_last.sni.isEmpty() ? m_last.host : m_last.sni);
    });
}

ProbePage::~ProbePage()
{
    if (m_job) {
        m_job->cancel(); // pushed to the worker; the job dies with us, never waiting
    }
}

QString ProbePage::summaryText() const
{
    return m_summary->text();
}

QString ProbePage::groupsText() const
{
    return m_groups->text();
}

QString ProbePage::logText() const
{
    return m_log->toPlainText();
}

QString ProbePage::inspectionText() const
{
    return m_inspection->toPlainText();
}

QString ProbePage::gradeText() const
{
    return m_grade->text();
}

QString ProbePage::statusText() const
{
    return m_status->text();
}

services::ScanServiceOptions ProbePage::serviceOptions() const
{
    services::ScanServiceOptions o;
    o.scan = m_scanOptions;
    o.scan.probe = m_options;
    o.fullInspection = true; // the console shows resumption, ALPN and HSTS too
    o.expiryWarnDays = m_expiryWarnDays;
    return o;
}

void ProbePage::probe(const ProbeTarget& target)
{
    m_endpoint->setText(inventory::endpointAddress(target.host, target.port));
    m_sni->setText(target.sni);
    m_address->setText(target.address);
    start();
}

void ProbePage::clearDetails()
{
    m_summary->clear();
    m_matrix->clear();
    m_matrix->setRowCount(0);
    m_matrix->setColumnCount(0);
    m_protocols->setRowCount(0);
    m_groups->clear();
    m_log->clear();
    m_grade->clear();
    m_findings->setRowCount(0);
    m_inspection->clear();
    m_chain->setEnabled(false);
}

void ProbePage::setRunning(bool running)
{
    m_probe->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_endpoint->setReadOnly(running);
}

void ProbePage::start()
{
    if (isRunning()) {
        return;
    }
    auto parsed = crypto::ServedChainFetcher::parseEndpoint(m_endpoint->text().trimmed());
    if (!parsed) {
        m_status->setText(tr("ERROR: %1").arg(parsed.error().message));
        return;
    }
    ProbeTarget target;
    target.host = parsed->host;
    target.port = parsed->port;
    target.sni = m_sni->text().trimmed();
    target.address = m_address->text().trimmed();
    m_last = target;
    clearDetails();
    m_fleet->hide();
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_status->setText(tr("Probing %1…").arg(m_endpoint->text().trimmed()));
    setRunning(true);

    services::ScanTarget scanTarget;
    scanTarget.target = target;
    scanTarget.anchors = m_anchors;
    m_single.reset();
    // The store (when set) gives an inventory endpoint's trust anchors, so
    // this probe judges it as a scan does; an ad-hoc probe is not recorded.
    auto* job = new services::ScanJob(QList<services::ScanTarget>{scanTarget}, serviceOptions(),
                                      m_storeLocation, this);
    m_job = job;
    connect(job, &services::ScanJob::progress, this,
            [this](const QString& step, double fraction, const QString& message) {
                if (step == QLatin1String("scan")) {
                    return;
                }
                if (fraction >= 0) {
                    m_progress->setValue(static_cast<int>(fraction * 100));
                }
                const QString line =
                    message.isEmpty() ? step : step + QStringLiteral(": ") + message;
                m_status->setText(line);
                m_log->appendPlainText(line);
            });
    connect(job, &services::ScanJob::endpointChecked, this,
            [this](const services::EndpointCheck& check) { m_single = check; });
    connect(job, &services::ScanJob::finished, this, [this, job](const Status& status) {
        job->deleteLater();
        m_job = nullptr;
        setRunning(false);
        m_progress->setValue(100);
        if (!m_single) {
            m_status->setText(!status && status.error().code != ErrorCode::Cancelled
                                  ? tr("ERROR: %1").arg(status.error().toString())
                                  : tr("Cancelled."));
            emit probed(false);
            return;
        }
        showCheck(*m_single);
        emit probed(!m_single->probe.nodes.isEmpty() && m_single->probe.nodes.first().reachable);
    });
    job->start();
}

void ProbePage::cancel()
{
    if (m_job) {
        m_job->cancel();
    }
    if (m_scan) {
        m_status->setText(tr("Cancelling the scan…"));
        m_scan->cancel();
    }
}

void ProbePage::scan(const QList<ScanItem>& items)
{
    if (isRunning() || items.isEmpty()) {
        return;
    }
    clearDetails();
    m_scanned.clear();
    m_fleet->setRowCount(0);
    m_fleet->show();
    m_endpoint->clear();
    m_progress->setRange(0, int(items.size()));
    m_progress->setValue(0);
    m_status->setText(tr("Scanning %n endpoint(s)…", nullptr, int(items.size())));
    setRunning(true);
    m_scanClock.start();

    // Inventory endpoints are read again on the scan's thread, with their
    // trust anchors, and each check is recorded there before it is shown.
    QList<qint64> ids;
    QList<services::ScanTarget> targets;
    for (const ScanItem& item : items) {
        ids << item.endpointId;
        services::ScanTarget t;
        t.endpointId = item.endpointId;
        t.target = item.target;
        t.anchors = m_anchors;
        targets << t;
    }
    const bool fromInventory =
        !m_storeLocation.isEmpty() &&
        std::all_of(ids.cbegin(), ids.cend(), [](qint64 id) { return id > 0; });
    auto* job = fromInventory ? new services::ScanJob(ids, serviceOptions(), m_storeLocation, this)
                              : new services::ScanJob(targets, serviceOptions(), QString(), this);
    m_scan = job;
    m_scanTotal = int(items.size());
    connect(job, &services::ScanJob::endpointChecked, this, &ProbePage::onScanned);
    connect(
        job, &services::ScanJob::progress, this,
        [this](const QString&, double, const QString& last) {
            m_progress->setValue(int(m_scanned.size()));
            m_status->setText(
                tr("Checked %1 of %2; last: %3").arg(m_scanned.size()).arg(m_scanTotal).arg(last));
        });
    connect(job, &services::ScanJob::finished, this,
            [this, job](const Status& status) { onScanFinished(status, job->peakConnections()); });
    job->start();
}

void ProbePage::onScanned(const services::EndpointCheck& check)
{
    // The details below show the first node; verdict, grade and findings
    // are the whole name's (every node, the chain, revocation).
    const ProbeResult result =
        check.probe.nodes.isEmpty() ? ProbeResult{} : check.probe.nodes.first();
    const ProbeTarget& item = check.target.target;
    const EndpointResult& nodes = check.probe;
    Scanned s{check, result};
    const int row = m_fleet->rowCount();
    m_fleet->insertRow(row);
    m_fleet->setItem(row, FleetEndpoint, cell(inventory::endpointAddress(item.host, item.port)));
    QStringList addresses;
    for (const ProbeResult& n : nodes.nodes) {
        if (!n.address.isEmpty()) {
            addresses << n.address;
        }
    }
    m_fleet->setItem(row, FleetAddress, cell(addresses.join(QStringLiteral(", "))));
    const ProbeAssessment& assessment = s.check.assessment;
    auto* verdict = cell(probeVerdictName(assessment.verdict).toUpper());
    paintTone(verdict, toneFor(assessment.verdict), palette());
    verdict->setToolTip(services::checkSummary(s.check));
    m_fleet->setItem(row, FleetVerdict, verdict);
    auto* grade = cell(assessment.grade.letter);
    paintTone(grade, toneForGrade(assessment.grade.letter), palette());
    grade->setTextAlignment(Qt::AlignCenter);
    m_fleet->setItem(row, FleetGrade, grade);
    m_fleet->setItem(row, FleetProtocols, cell(acceptedVersions(result)));
    QString findingText;
    if (!assessment.findings.isEmpty()) {
        findingText = tr("%n finding(s); worst: %1", nullptr, int(assessment.findings.size()))
                          .arg(assessment.findings.first().title);
    }
    m_fleet->setItem(row, FleetFindings, cell(findingText));
    m_fleet->setItem(row, FleetTime, cell(tr("%1 ms").arg(result.wallTimeMs)));
    m_scanned << std::move(s);
    if (row == 0) {
        m_fleet->resizeColumnsToContents();
    }
}

void ProbePage::onScanFinished(const Status& status, int peak)
{
    if (m_scan) {
        m_scan->deleteLater();
    }
    m_scan = nullptr;
    setRunning(false);
    m_fleet->resizeColumnsToContents();
    m_fleet->horizontalHeader()->setSectionResizeMode(FleetFindings, QHeaderView::Stretch);
    int worse = 0;
    int recorded = 0;
    for (const Scanned& s : std::as_const(m_scanned)) {
        worse += s.check.assessment.verdict != ProbeVerdict::Ok ? 1 : 0;
        recorded += s.check.target.endpointId > 0 ? 1 : 0;
    }
    const bool cancelled = !status && status.error().code == ErrorCode::Cancelled;
    const QString head =
        cancelled ? tr("Scan cancelled after %n endpoint(s)", nullptr, int(m_scanned.size()))
                  : tr("Scanned %n endpoint(s)", nullptr, int(m_scanned.size()));
    const qint64 ms = m_scanClock.elapsed();
    const QString took =
        ms < 1000 ? tr("%1 ms").arg(ms) : tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    QString text = tr("%1 in %2: %3 need attention; at most %4 connection(s) open at once.")
                       .arg(head, took)
                       .arg(worse)
                       .arg(peak);
    const bool recordFailed = !status && !cancelled;
    if (recordFailed) {
        text += QLatin1Char(' ') +
                tr("The results were NOT all recorded: %1").arg(status.error().toString());
    } else if (recorded > 0 && !m_storeLocation.isEmpty()) {
        text +=
            QLatin1Char(' ') + tr("%n result(s) recorded in the probe history.", nullptr, recorded);
    }
    m_status->setText(text);
    if (m_fleet->rowCount() > 0 && m_fleet->currentRow() < 0) {
        m_fleet->setCurrentCell(0, 0);
    }
    emit scanFinished(int(m_scanned.size()), cancelled);
    if (!m_storeLocation.isEmpty() && (recorded > 0 || recordFailed)) {
        emit probesRecorded(!recordFailed, recordFailed ? 0 : recorded);
    }
}

void ProbePage::showFleetRow(int row)
{
    if (row < 0 || row >= m_scanned.size()) {
        return;
    }
    // showCheck() speaks of one endpoint; the status line stays the scan's.
    const QString status = m_status->text();
    showCheck(m_scanned.at(row).check);
    m_status->setText(status);
    m_chain->setEnabled(!isRunning() && m_scanned.at(row).result.reachable);
}

void ProbePage::showCheck(const services::EndpointCheck& check)
{
    m_last = check.target.target;
    clearDetails();
    if (!check.probe.nodes.isEmpty()) {
        showResult(check.probe.nodes.first());
    }
    showFindings(check.assessment);
    const ProbeAssessment& a = check.assessment;
    const QString why = verdictReasons(a);
    m_summary->setText(tr("%1 — grade %2 — %3%4")
                           .arg(probeVerdictName(a.verdict).toUpper(), a.grade.letter,
                                m_summary->text(),
                                why.isEmpty() ? QString() : tr(" — %1").arg(why)));
    const TlsInspection* in = check.inspection();
    m_inspection->setPlainText(
        in ? tr("Trust anchors: %1\n").arg(check.target.anchors.source) +
                 probe::inspectionText(*in, check.chain ? &*check.chain : nullptr, check.chainError)
           : tr("Not inspected (no node answered, or the check was cancelled)."));
}

void ProbePage::showFindings(const ProbeAssessment& a)
{
    QString grade = tr("Grade %1").arg(a.grade.letter);
    if (!a.grade.capped.isEmpty()) {
        grade += tr(" — capped by: %1").arg(a.grade.capped.join(QStringLiteral("; ")));
    }
    m_grade->setText(grade);
    QPalette pal = m_grade->palette();
    m_grade->setAutoFillBackground(true);
    pal.setColor(QPalette::Window, toneBackground(toneForGrade(a.grade.letter), palette()));
    pal.setColor(QPalette::WindowText, palette().color(QPalette::Text));
    m_grade->setPalette(pal);
    m_grade->setMargin(6);

    m_findings->setRowCount(int(a.findings.size()));
    for (int row = 0; row < a.findings.size(); ++row) {
        const Finding& f = a.findings.at(row);
        auto* sev = cell(findingSeverityName(f.severity).toUpper());
        paintTone(sev, toneFor(f.severity), palette());
        m_findings->setItem(row, 0, sev);
        auto* title = cell(f.title);
        title->setToolTip(f.code);
        m_findings->setItem(row, 1, title);
        m_findings->setItem(row, 2, cell(f.evidence));
        m_findings->setItem(row, 3, cell(f.remediation));
    }
    m_findings->resizeColumnToContents(0);
    m_findings->setColumnWidth(1, 260);
    m_findings->resizeRowsToContents();
}

void ProbePage::showResult(const ProbeResult& r)
{
    const CipherSuiteRegistry& registry = CipherSuiteRegistry::instance();
    QList<const ProtocolProbe*> accepted;
    for (const ProtocolProbe& p : r.protocols) {
        if (p.accepted) {
            accepted << &p;
        }
    }

    // The matrix: one row per suite accepted anywhere, one column per
    // accepted protocol; a cell is marked (and coloured) where that protocol
    // accepts that suite.
    QList<quint16> suites;
    for (const ProtocolProbe* p : std::as_const(accepted)) {
        for (quint16 s : p->suites) {
            if (!suites.contains(s)) {
                suites << s;
            }
        }
    }
    std::stable_sort(suites.begin(), suites.end(), [&](quint16 a, quint16 b) {
        const CipherSuite* sa = registry.find(a);
        const CipherSuite* sb = registry.find(b);
        const int ra = sa ? strengthRank(sa->strength) : 5;
        const int rb = sb ? strengthRank(sb->strength) : 5;
        return ra < rb;
    });
    const QStringList fixed = {tr("Cipher suite (IANA)"), tr("OpenSSL name"), tr("Key exchange"),
                               tr("Strength")};
    m_matrix->setColumnCount(int(fixed.size() + accepted.size()));
    QStringList headers = fixed;
    for (const ProtocolProbe* p : std::as_const(accepted)) {
        headers << versionLabel(p->version);
    }
    m_matrix->setHorizontalHeaderLabels(headers);
    m_matrix->setRowCount(int(suites.size()));
    for (int row = 0; row < suites.size(); ++row) {
        const CipherSuite* s = registry.find(suites.at(row));
        const QString iana = s ? s->ianaName : cipherSuiteCode(suites.at(row));
        const SuiteStrength strength = s ? s->strength : SuiteStrength::Insecure;
        m_matrix->setItem(row, 0, cell(iana));
        m_matrix->setItem(row, 1, cell(s ? s->opensslName : QString()));
        m_matrix->setItem(row, 2, cell(s ? s->keyExchange : QString()));
        auto* strengthItem = cell(suiteStrengthName(strength).toUpper());
        paintTone(strengthItem, toneFor(strength), palette());
        m_matrix->setItem(row, 3, strengthItem);
        for (int c = 0; c < accepted.size(); ++c) {
            const int position = int(accepted.at(c)->suites.indexOf(suites.at(row)));
            QTableWidgetItem* item = cell(QString());
            if (position >= 0) {
                // Under server order the number is the server's preference.
                item->setText(serverImposesOrder(accepted.at(c)->order)
                                  ? QStringLiteral("✔ %1").arg(position + 1)
                                  : QStringLiteral("✔"));
                paintTone(item, toneFor(strength), palette());
                item->setTextAlignment(Qt::AlignCenter);
            }
            m_matrix->setItem(row, int(fixed.size()) + c, item);
        }
    }
    m_matrix->resizeColumnsToContents();

    // Protocols.
    m_protocols->setRowCount(0);
    for (const ProtocolProbe& p : r.protocols) {
        if (!p.tested) {
            continue;
        }
        const int row = m_protocols->rowCount();
        m_protocols->insertRow(row);
        m_protocols->setItem(row, 0, cell(versionLabel(p.version)));
        const bool legacy = p.version == TlsVersion::Ssl3 || p.version == TlsVersion::Tls10 ||
                            p.version == TlsVersion::Tls11;
        auto* verdict =
            cell(p.accepted ? (legacy ? tr("ACCEPTED (obsolete: disable it)") : tr("ACCEPTED"))
                            : tr("refused: %1").arg(p.refusal));
        if (p.accepted) {
            paintTone(verdict, legacy ? Tone::Bad : Tone::Good, palette());
        }
        m_protocols->setItem(row, 1, verdict);
        m_protocols->setItem(row, 2,
                             cell(p.accepted ? QString::number(p.suites.size()) : QString()));
        m_protocols->setItem(row, 3, cell(p.accepted ? serverOrderText(p.order) : QString()));
        m_protocols->setItem(row, 4,
                             cell(p.secureRenegotiation
                                      ? (*p.secureRenegotiation ? tr("yes") : tr("NO"))
                                      : QString()));
        m_protocols->setItem(row, 5,
                             cell(p.accepted
                                      ? (p.compression == 0 ? tr("none") : tr("DEFLATE (CRIME)"))
                                      : QString()));
    }
    m_protocols->resizeColumnsToContents();

    QStringList groups;
    for (quint16 g : r.groups) {
        groups << namedGroupName(g);
    }
    QString groupText = groups.isEmpty()
                            ? tr("Key-exchange groups: none found")
                            : tr("Key-exchange groups: %1").arg(groups.join(QStringLiteral(", ")));
    if (r.groupsVersion) {
        groupText += tr(" (probed over %1, %2 tried)")
                         .arg(versionLabel(*r.groupsVersion))
                         .arg(r.groupsTested.size());
    }
    if (r.dhBits) {
        groupText += tr("; DHE prime: %1 bits%2")
                         .arg(*r.dhBits)
                         .arg(*r.dhBits < 2048 ? tr(" (under 2048: too small)") : QString());
    }
    m_groups->setText(groupText);

    for (const ProbeFailure& e : r.errors) {
        m_log->appendPlainText(
            QStringLiteral("%1 during %2: %3%4")
                .arg(probeFailureKindName(e.kind).toUpper(), e.step, e.message,
                     e.detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(e.detail)));
    }

    const QString where =
        inventory::endpointAddress(r.host, r.port) +
        (r.address.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(r.address));
    if (!r.reachable) {
        const QString why = r.errors.isEmpty()
                                ? tr("no handshake succeeded")
                                : QStringLiteral("%1: %2").arg(
                                      probeFailureKindName(r.errors.first().kind).toUpper(),
                                      r.errors.first().message);
        m_summary->setText(tr("%1 could not be probed: %2").arg(where, why));
        m_status->setText(r.cancelled ? tr("Cancelled.") : tr("Unreachable."));
        return;
    }
    QStringList versions;
    for (const ProtocolProbe* p : std::as_const(accepted)) {
        versions << versionLabel(p->version);
    }
    m_summary->setText(tr("%1: %2 accepted; %n cipher suite(s)", nullptr, int(suites.size()))
                           .arg(where, versions.join(QStringLiteral(", "))) +
                       tr("; %n connection(s) in %1 ms", nullptr, r.connections).arg(r.wallTimeMs) +
                       (r.cancelled ? tr(" (cancelled: partial)") : QString()));
    m_status->setText(r.cancelled ? tr("Cancelled: what was found so far.") : tr("Done."));
    m_chain->setEnabled(true);
}

} // namespace certdeck::ui
