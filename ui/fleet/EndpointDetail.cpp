// SPDX-License-Identifier: GPL-3.0-or-later
#include "EndpointDetail.h"

#include "CertificateAttach.h"
#include "crypto/ChainJob.h"
#include "crypto/TrustStore.h"
#include "inventory/FleetView.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "ui/certificates/ChainView.h"
#include "ui/certificates/StoredList.h"
#include "ui/common/StatusColours.h"
#include "ui/common/StoreTask.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace certdeck::ui {

using namespace certdeck::inventory;

/// Everything the detail shows, read in one go on the store's thread.
struct EndpointDetailData
{
    struct HistoryRow
    {
        CertificateVersion version;
        std::optional<CertificateRecord> certificate;
        QString issuedBy;
        QDateTime seenServed; ///< the first "deployed" version of that certificate
    };

    Endpoint endpoint;
    std::optional<CertificateRecord> current;
    QList<crypto::Certificate> chain; ///< the current certificate's recorded chain
    Result<crypto::TrustStore> trust = crypto::TrustStore();
    QString trustName;         ///< the bundle's name; empty: the system store
    QList<HistoryRow> history; ///< newest first
    std::optional<ProbeRecord> probe;
    std::optional<DeployTarget> target;
    QString targetError;
    QList<AuditEntry> audit;
};

namespace {

constexpr int kAuditRows = 200;

QString cnOf(const QString& dn)
{
    for (const QString& part : dn.split(u',')) {
        if (part.startsWith(QLatin1String("CN="))) {
            return part.mid(3);
        }
    }
    return dn;
}

QString timeText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

QString issuerText(const Store& store, const CertificateRecord& c)
{
    if (c.issuerId) {
        if (auto i = store.issuers().get(*c.issuerId)) {
            return i->kind == IssuerRecord::Kind::AcmeAccount
                       ? QObject::tr("ACME account '%1'").arg(i->name)
                       : QObject::tr("local CA '%1'").arg(i->name);
        }
    }
    return cnOf(c.issuer);
}

Result<EndpointDetailData> loadDetail(const Store& store, qint64 id)
{
    EndpointDetailData d;
    auto endpoint = store.endpoints().get(id);
    if (!endpoint) {
        return tl::unexpected(endpoint.error());
    }
    d.endpoint = *endpoint;
    auto versions = store.certificates().versions(id);
    if (!versions) {
        return tl::unexpected(versions.error());
    }
    QHash<qint64, CertificateRecord> records;
    QHash<qint64, QString> issuers;
    QHash<qint64, QDateTime> served;
    for (const CertificateVersion& v : std::as_const(*versions)) {
        if (v.state == VersionState::Deployed && !served.contains(v.certificateId)) {
            served.insert(v.certificateId, v.atUtc);
        }
        if (!records.contains(v.certificateId)) {
            if (auto c = store.certificates().get(v.certificateId)) {
                records.insert(v.certificateId, *c);
                issuers.insert(v.certificateId, issuerText(store, *c));
            }
        }
    }
    for (auto it = versions->crbegin(); it != versions->crend(); ++it) {
        EndpointDetailData::HistoryRow row;
        row.version = *it;
        if (records.contains(it->certificateId)) {
            row.certificate = records.value(it->certificateId);
        }
        row.issuedBy = issuers.value(it->certificateId);
        row.seenServed = served.value(it->certificateId);
        d.history << row;
    }
    // versions() is oldest first: the last one is the current certificate.
    if (!versions->isEmpty()) {
        const qint64 currentId = versions->constLast().certificateId;
        if (records.contains(currentId)) {
            d.current = records.value(currentId);
        }
        auto chain = store.certificates().chain(currentId);
        if (!chain) {
            return tl::unexpected(chain.error());
        }
        for (const CertificateRecord& r : std::as_const(*chain)) {
            auto c = crypto::Certificate::fromDer(r.der);
            if (!c) {
                return tl::unexpected(c.error());
            }
            d.chain << *c;
        }
        auto bundle = store.trustBundles().effectiveFor(d.endpoint);
        if (!bundle) {
            d.trust = tl::unexpected(bundle.error());
        } else if (bundle->has_value()) {
            d.trustName = (*bundle)->name;
            d.trust = crypto::TrustStore::fromPem((*bundle)->pem, (*bundle)->name);
        } else {
            d.trust = crypto::TrustStore::system();
        }
    }
    auto probes = store.probes().history(id, 1);
    if (!probes) {
        return tl::unexpected(probes.error());
    }
    if (!probes->isEmpty()) {
        d.probe = probes->constFirst();
    }
    if (d.endpoint.deployTargetId) {
        auto t = store.endpoints().deployTarget(*d.endpoint.deployTargetId);
        if (t) {
            d.target = *t;
        } else {
            d.targetError = t.error().message;
        }
    }
    auto audit = store.activity().auditLogFor(d.endpoint, kAuditRows);
    if (!audit) {
        return tl::unexpected(audit.error());
    }
    d.audit = *audit;
    return d;
}

QTableWidget* makeTable(const QStringList& headers, const QString& name, QWidget* parent)
{
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setWordWrap(false);
    t->setTextElideMode(Qt::ElideMiddle);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

// Columns as wide as their text up to `cap`, then elided in the middle
// (the full text is in each cell's tooltip): a side panel never scrolls
// its last columns out of view for one long value.
void fitColumns(QTableWidget* t, int cap)
{
    t->resizeColumnsToContents();
    for (int c = 0; c + 1 < t->columnCount(); ++c) {
        t->setColumnWidth(c, std::min(cap, t->columnWidth(c)));
    }
}

QTableWidgetItem* cellItem(const QString& text, const QString& tip = {})
{
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(tip.isEmpty() ? text : tip);
    return item;
}

Tone toneForStatus(const QString& status)
{
    if (status == QLatin1String("ok")) {
        return Tone::Good;
    }
    if (status == QLatin1String("warning")) {
        return Tone::Caution;
    }
    if (status == QLatin1String("critical") || status == QLatin1String("error")) {
        return Tone::Bad;
    }
    return Tone::Neutral;
}

void setToneText(QLabel* label, Tone tone)
{
    label->setStyleSheet(
        tone == Tone::Neutral
            ? QString()
            : QStringLiteral("color: %1").arg(toneText(tone, label->palette()).name()));
}

} // namespace

EndpointDetail::EndpointDetail(QString storeLocation, QWidget* parent)
    : QWidget(parent)
    , m_location(std::move(storeLocation))
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    setObjectName(QStringLiteral("endpointDetail"));
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(6, 0, 0, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("detailTitle"));
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_title->setFont(f);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_title);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("detailSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_summary);

    auto* bar = new QHBoxLayout;
    m_attach = new QPushButton(tr("A&ttach certificate…"), this);
    m_attach->setObjectName(QStringLiteral("detailAttach"));
    m_attach->setToolTip(tr("Make a stored certificate, or one from a PEM file, this endpoint's "
                            "current certificate (recorded as issued; deployed once a probe sees "
                            "it served)"));
    auto* menu = new QMenu(m_attach);
    menu->addAction(tr("From the &inventory…"), this, &EndpointDetail::pickStored);
    menu->addAction(tr("From a &PEM file…"), this, &EndpointDetail::pickFile);
    m_attach->setMenu(menu);
    bar->addWidget(m_attach);
    m_open = new QPushButton(tr("Open in &Certificates"), this);
    m_open->setObjectName(QStringLiteral("detailOpen"));
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (m_currentCertificate != 0) {
            emit openCertificateRequested(m_currentCertificate);
        }
    });
    bar->addWidget(m_open);
    m_order = new QPushButton(tr("&Order with ACME…"), this);
    m_order->setObjectName(QStringLiteral("detailOrder"));
    m_order->setToolTip(tr("Order a certificate for this endpoint from an ACME account; it is "
                           "attached here when issued"));
    connect(m_order, &QPushButton::clicked, this, [this] {
        if (m_id != 0) {
            emit orderRequested(m_id);
        }
    });
    bar->addWidget(m_order);
    bar->addStretch(1);
    v->addLayout(bar);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("detailMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    v->addWidget(m_message);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_chain = new ChainView(m_tabs);
    m_tabs->addTab(m_chain, tr("Certificate"));

    auto* probePage = new QWidget(m_tabs);
    auto* pv = new QVBoxLayout(probePage);
    m_probe = new QLabel(probePage);
    m_probe->setObjectName(QStringLiteral("detailProbe"));
    m_probe->setWordWrap(true);
    m_probe->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pv->addWidget(m_probe);
    m_nodes = makeTable({tr("Node"), tr("Serves"), tr("Versus recorded")},
                        QStringLiteral("detailNodes"), probePage);
    pv->addWidget(m_nodes, 1);
    m_servedFindings = new QLabel(probePage);
    m_servedFindings->setObjectName(QStringLiteral("detailServedFindings"));
    m_servedFindings->setWordWrap(true);
    m_servedFindings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pv->addWidget(m_servedFindings);
    m_tabs->addTab(probePage, tr("Last probe"));

    m_history = makeTable({tr("When (UTC)"), tr("State"), tr("Certificate")},
                          QStringLiteral("detailHistory"), m_tabs);
    m_history->setWordWrap(true);

    m_tabs->addTab(m_history, tr("History"));

    auto* deployScroll = new QScrollArea(m_tabs);
    deployScroll->setWidgetResizable(true);
    deployScroll->setFrameShape(QFrame::NoFrame);
    m_deploy = new QLabel(deployScroll);
    m_deploy->setObjectName(QStringLiteral("detailDeploy"));
    m_deploy->setWordWrap(true);
    m_deploy->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_deploy->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_deploy->setMargin(6);
    deployScroll->setWidget(m_deploy);
    m_tabs->addTab(deployScroll, tr("Deploy target"));

    // The subject last: it is the long one, and elides in the middle.
    m_audit = makeTable({tr("When (UTC)"), tr("Actor"), tr("Action"), tr("Result"), tr("Subject")},
                        QStringLiteral("detailAudit"), m_tabs);
    m_tabs->addTab(m_audit, tr("Audit"));
    v->addWidget(m_tabs, 1);

    showNothing(tr("Select one endpoint to see its certificate, last probe, history and audit "
                   "entries here."));
}

EndpointDetail::~EndpointDetail() = default;

void EndpointDetail::clearViews()
{
    ++m_generation;
    m_currentCertificate = 0;
    m_title->clear();
    m_summary->clear();
    setToneText(m_summary, Tone::Neutral);
    m_message->clear();
    setToneText(m_message, Tone::Neutral);
    m_message->hide();
    m_chain->clear();
    m_probe->clear();
    setToneText(m_probe, Tone::Neutral);
    m_nodes->setRowCount(0);
    m_servedFindings->clear();
    m_history->setRowCount(0);
    m_deploy->clear();
    m_audit->setRowCount(0);
    m_open->setEnabled(false);
    m_open->setToolTip(tr("The endpoint has no certificate recorded"));
}

void EndpointDetail::showNothing(const QString& why)
{
    clearViews();
    m_id = 0;
    m_title->setText(tr("No endpoint selected"));
    m_summary->setText(why);
    for (QWidget* w : std::initializer_list<QWidget*>{m_attach, m_order, m_tabs}) {
        w->setEnabled(false);
    }
    m_attach->setToolTip(tr("Select one endpoint first"));
}

void EndpointDetail::showEndpoint(qint64 id)
{
    const QString keepMessage = id == m_id ? m_message->text() : QString();
    clearViews();
    m_id = id;
    m_title->setText(tr("Reading endpoint #%1…").arg(id));
    for (QWidget* w : std::initializer_list<QWidget*>{m_attach, m_order, m_tabs}) {
        w->setEnabled(true);
    }
    m_attach->setToolTip(tr("Make a stored certificate, or one from a PEM file, this endpoint's "
                            "current certificate (recorded as issued; deployed once a probe sees "
                            "it served)"));
    if (!keepMessage.isEmpty()) {
        // The outcome of an attach stays while the same endpoint is re-read.
        m_message->setText(keepMessage);
        m_message->show();
    }
    const quint64 generation = m_generation;
    runOnStore<EndpointDetailData>(
        this, m_location, [id](Store& s) { return loadDetail(s, id); },
        [this, id, generation](const Result<EndpointDetailData>& r) {
            if (generation != m_generation) {
                return; // another endpoint is shown now
            }
            if (!r) {
                m_title->setText(tr("Endpoint #%1").arg(id));
                m_message->setText(tr("ERROR: %1").arg(r.error().toString()));
                m_message->show();
                emit loaded(id, false);
                return;
            }
            present(*r);
            emit loaded(id, true);
        });
}

void EndpointDetail::present(const EndpointDetailData& d)
{
    const Endpoint& e = d.endpoint;
    QString title = endpointAddress(e.host, e.port);
    if (!e.sniName.isEmpty() && e.sniName != e.host) {
        title += tr(" (SNI %1)").arg(e.sniName);
    }
    if (!e.group.isEmpty()) {
        title += QStringLiteral(" · ") + e.group;
    }
    m_title->setText(title);

    FleetRow row;
    row.endpoint = e;
    row.certificate = d.current;
    const QDateTime now = m_clock();
    if (d.current) {
        const CertificateRecord& c = *d.current;
        m_currentCertificate = c.id;
        m_open->setEnabled(true);
        m_open->setToolTip(
            tr("Show certificate #%1 and its chain on the Certificates page").arg(c.id));
        const qint64 days = daysLeft(row, now).value_or(0);
        const QString expiry = days >= 0
                                   ? tr("expires %1 (%n day(s) left)", nullptr, int(days))
                                         .arg(c.notAfterUtc.toString(QStringLiteral("yyyy-MM-dd")))
                                   : tr("expired %n day(s) ago, on %1", nullptr, int(-days))
                                         .arg(c.notAfterUtc.toString(QStringLiteral("yyyy-MM-dd")));
        const EndpointDetailData::HistoryRow& newest = d.history.constFirst();
        const QString state =
            newest.seenServed.isValid()
                ? tr("seen served %1").arg(timeText(newest.seenServed))
                : tr("%1, not seen served yet").arg(versionStateName(newest.version.state));
        QString summary =
            tr("%1: %2 · %3 · issued by %4 · %5 · %6")
                .arg(expiryStateWord(expiryState(row, now, m_warnDays)), cnOf(c.subject), expiry,
                     newest.issuedBy, certificateSourceName(c.source), state);
        if (c.revocation) {
            summary += tr(" · REVOKED %1").arg(timeText(c.revocation->atUtc));
        }
        m_summary->setText(summary);
        const ExpiryState st = expiryState(row, now, m_warnDays);
        setToneText(m_summary, c.revocation || st == ExpiryState::Expired ? Tone::Bad
                               : st == ExpiryState::Expiring              ? Tone::Caution
                                                                          : Tone::Neutral);
        verifyChain(d);
    } else {
        m_summary->setText(tr("NO CERTIFICATE: none is recorded for this endpoint. Attach one, "
                              "order one, or probe it to record what it serves."));
    }
    showProbe(d);
    showHistory(d);
    showDeploy(d);
    showAudit(d);
}

void EndpointDetail::verifyChain(const EndpointDetailData& d)
{
    if (d.chain.isEmpty()) {
        return;
    }
    if (!d.trust) {
        m_message->setText(tr("ERROR: the trust anchors: %1").arg(d.trust.error().toString()));
        m_message->show();
        return;
    }
    crypto::ChainInput input;
    input.served = d.chain;
    input.host = d.endpoint.sniName.isEmpty() ? d.endpoint.host : d.endpoint.sniName;
    crypto::ChainJobOptions options;
    options.verify.leafPosition = crypto::ChainVerifyOptions::LeafPosition::First;
    // The recorded chain is checked as it is: no AIA fetches from a detail view.
    options.fetchAia = false;
    const QDateTime now = m_clock();
    const quint64 generation = m_generation;
    const qint64 id = d.endpoint.id;
    crypto::ChainJob::run(input, *d.trust, now, options, this,
                          [this, now, generation, id](const crypto::ChainReport& report) {
                              if (generation != m_generation) {
                                  return;
                              }
                              m_chain->setReport(report, now);
                              emit chainShown(id);
                          });
}

void EndpointDetail::showProbe(const EndpointDetailData& d)
{
    if (!d.probe) {
        m_probe->setText(tr("Never probed. Probe it (Ctrl+P in the table) to see what each node "
                            "serves."));
        return;
    }
    const ProbeRecord& p = *d.probe;
    QString head = tr("%1 · probed %2 UTC").arg(p.status.toUpper(), timeText(p.atUtc));
    if (!p.grade.isEmpty()) {
        head =
            tr("%1 · grade %2 · probed %3 UTC").arg(p.status.toUpper(), p.grade, timeText(p.atUtc));
    }
    const QJsonObject report = QJsonDocument::fromJson(p.reportJson).object();
    const QJsonObject recorded = report.value(QStringLiteral("recorded")).toObject();
    const QString recordedSha = recorded.value(QStringLiteral("sha256")).toString();
    if (!recordedSha.isEmpty()) {
        head +=
            u'\n' + tr("Recorded then: certificate #%1, serial %2, expires %3")
                        .arg(recorded.value(QStringLiteral("certificateId")).toInteger())
                        .arg(recorded.value(QStringLiteral("serial")).toString(),
                             QDateTime::fromString(
                                 recorded.value(QStringLiteral("notAfter")).toString(), Qt::ISODate)
                                 .toUTC()
                                 .toString(QStringLiteral("yyyy-MM-dd")));
    }
    m_probe->setText(head);
    setToneText(m_probe, toneForStatus(p.status));

    const QPalette palette = QGuiApplication::palette();
    for (const QJsonValue& value : report.value(QStringLiteral("served")).toArray()) {
        const QJsonObject node = value.toObject();
        const int row = m_nodes->rowCount();
        m_nodes->insertRow(row);
        m_nodes->setItem(row, 0, cellItem(node.value(QStringLiteral("address")).toString()));
        const QString sha = node.value(QStringLiteral("sha256")).toString();
        if (sha.isEmpty()) {
            const QString why = node.value(QStringLiteral("error")).toString();
            m_nodes->setItem(row, 1, cellItem(tr("not read: %1").arg(why)));
            m_nodes->setItem(row, 2, cellItem(tr("unknown")));
            continue;
        }
        const QDateTime notAfter =
            QDateTime::fromString(node.value(QStringLiteral("notAfter")).toString(), Qt::ISODate);
        m_nodes->setItem(row, 1,
                         cellItem(tr("serial %1, expires %2")
                                      .arg(node.value(QStringLiteral("serial")).toString(),
                                           notAfter.toUTC().toString(QStringLiteral("yyyy-MM-dd"))),
                                  node.value(QStringLiteral("subject")).toString()));
        QTableWidgetItem* against = nullptr;
        if (recordedSha.isEmpty()) {
            against = cellItem(tr("nothing recorded then"));
        } else if (sha.compare(recordedSha, Qt::CaseInsensitive) == 0) {
            against = cellItem(tr("SAME"), tr("The node serves the certificate the inventory "
                                              "recorded then"));
            paintTone(against, Tone::Good, palette);
        } else {
            against = cellItem(tr("DIFFERS"), tr("The node serves another certificate than the "
                                                 "inventory recorded then"));
            paintTone(against, Tone::Warning, palette);
        }
        m_nodes->setItem(row, 2, against);
    }
    fitColumns(m_nodes, 220);
    QStringList findings;
    for (const QJsonValue& value : report.value(QStringLiteral("findings")).toArray()) {
        const QJsonObject f = value.toObject();
        const QString code = f.value(QStringLiteral("code")).toString();
        if (!code.startsWith(QLatin1String("served."))) {
            continue;
        }
        findings << tr("%1 (%2): %3. %4")
                        .arg(f.value(QStringLiteral("severity")).toString().toUpper(), code,
                             f.value(QStringLiteral("title")).toString(),
                             f.value(QStringLiteral("evidence")).toString());
    }
    m_servedFindings->setText(findings.isEmpty()
                                  ? (m_nodes->rowCount() > 0
                                         ? tr("Every node served the recorded certificate.")
                                         : QString())
                                  : findings.join(u'\n'));
    if (recordedSha.isEmpty() && m_nodes->rowCount() > 0 && findings.isEmpty()) {
        m_servedFindings->setText(tr("Nothing was recorded for the endpoint at that probe."));
    }
}

void EndpointDetail::showHistory(const EndpointDetailData& d)
{
    // Three columns, the certificate on three lines: the panel is narrow, and
    // what an admin compares (which certificate, who issued it, from where)
    // stays in view without scrolling sideways.
    const QPalette palette = QGuiApplication::palette();
    for (const EndpointDetailData::HistoryRow& h : d.history) {
        const int row = m_history->rowCount();
        m_history->insertRow(row);
        m_history->setItem(row, 0, cellItem(timeText(h.version.atUtc)));
        auto* state = cellItem(versionStateName(h.version.state));
        if (h.version.state == VersionState::Deployed) {
            paintTone(state, Tone::Good, palette);
        }
        m_history->setItem(row, 1, state);
        if (h.certificate) {
            const CertificateRecord& c = *h.certificate;
            QString text = tr("#%1 %2, serial %3\nexpires %4 · issued by %5 · %6")
                               .arg(c.id)
                               .arg(cnOf(c.subject), c.serialHex,
                                    c.notAfterUtc.toString(QStringLiteral("yyyy-MM-dd")),
                                    h.issuedBy, certificateSourceName(c.source));
            if (c.revocation) {
                text += tr(" · REVOKED %1").arg(timeText(c.revocation->atUtc));
            }
            text +=
                u'\n' + (h.seenServed.isValid() ? tr("seen served %1").arg(timeText(h.seenServed))
                                                : tr("never seen served"));
            auto* item = cellItem(text, c.subject + u'\n' + tr("Issuer: %1").arg(c.issuer));
            if (c.revocation) {
                paintTone(item, Tone::Bad, palette);
            }
            m_history->setItem(row, 2, item);
        } else {
            m_history->setItem(row, 2,
                               cellItem(tr("#%1 (not found)").arg(h.version.certificateId)));
        }
    }
    m_history->resizeColumnToContents(0);
    m_history->resizeColumnToContents(1);
    m_history->resizeRowsToContents();
}

void EndpointDetail::showAudit(const EndpointDetailData& d)
{
    for (const AuditEntry& a : d.audit) {
        const int row = m_audit->rowCount();
        m_audit->insertRow(row);
        m_audit->setItem(row, 0, cellItem(timeText(a.atUtc)));
        m_audit->setItem(row, 1, cellItem(a.actor));
        m_audit->setItem(row, 2, cellItem(a.action));
        auto* result = cellItem(a.result);
        if (a.result != QLatin1String("ok")) {
            paintTone(result, Tone::Bad, QGuiApplication::palette());
        }
        m_audit->setItem(row, 3, result);
        m_audit->setItem(
            row, 4,
            cellItem(a.subject, a.detail.isEmpty() ? a.subject : a.subject + u'\n' + a.detail));
    }
    fitColumns(m_audit, 180);
}

void EndpointDetail::showDeploy(const EndpointDetailData& d)
{
    if (!d.targetError.isEmpty()) {
        m_deploy->setText(tr("ERROR: %1").arg(d.targetError));
        return;
    }
    if (!d.target) {
        m_deploy->setText(tr("No deploy target: CertDeck does not install this endpoint's "
                             "certificate. Set one with Edit…"));
        return;
    }
    const DeployTarget& t = *d.target;
    QStringList lines;
    const auto line = [&lines](const QString& label, const QString& value) {
        if (!value.isEmpty()) {
            lines
                << QStringLiteral("<b>%1</b> %2").arg(label.toHtmlEscaped(), value.toHtmlEscaped());
        }
    };
    // Only what the target says: this machine, a host not set yet, or user@host[:port].
    line(tr("Files on:"), inventory::deployTargetWhere(t));
    line(tr("Key file:"),
         t.keyPath.isEmpty()
             ? QString()
             : QStringLiteral("%1 (mode %2)").arg(t.keyPath).arg(t.keyMode, 4, 8, QChar(u'0')));
    line(tr("Certificate file:"), t.certPath);
    line(tr("Full chain file:"), t.fullchainPath);
    line(tr("Combined PEM file:"), t.combinedPemPath);
    line(tr("Owner:"), t.group.isEmpty() ? t.owner : t.owner + u':' + t.group);
    line(tr("Validate with:"), t.validateCommand);
    line(tr("Reload with:"), t.reloadCommand);
    line(tr("Changed:"), t.updatedUtc.isValid()
                             ? tr("%1 UTC by %2").arg(timeText(t.updatedUtc), t.updatedBy)
                             : QString());
    m_deploy->setText(lines.join(QStringLiteral("<br>")));
}

void EndpointDetail::pickStored()
{
    if (m_id == 0) {
        return;
    }
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Attach a stored certificate"));
    dialog->resize(760, 420);
    auto* v = new QVBoxLayout(dialog);
    auto* list = new StoredList(m_location, dialog);
    list->setShowKeys(false);
    v->addWidget(list, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Attach"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    v->addWidget(buttons);
    connect(list, &StoredList::certificateSelected, buttons,
            [buttons] { buttons->button(QDialogButtonBox::Ok)->setEnabled(true); });
    connect(list, &StoredList::certificateActivated, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    const qint64 endpoint = m_id;
    connect(dialog, &QDialog::accepted, this, [this, list, endpoint] {
        const auto e = list->selectedEntry();
        if (e && e->kind == StoredEntry::Kind::Certificate && endpoint == m_id) {
            attachStored(e->id);
        }
    });
    list->reload();
    dialog->open();
}

void EndpointDetail::pickFile()
{
    if (m_id == 0) {
        return;
    }
    auto* dialog =
        new QFileDialog(this, tr("Attach a certificate file"), QString(),
                        tr("Certificates (*.pem *.crt *.cer *.der *.p7b);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    const qint64 endpoint = m_id;
    connect(dialog, &QFileDialog::fileSelected, this, [this, endpoint](const QString& path) {
        if (endpoint == m_id) {
            attachFile(path);
        }
    });
    dialog->open();
}

void EndpointDetail::attachStored(qint64 certificateId)
{
    const qint64 endpoint = m_id;
    if (endpoint == 0) {
        return;
    }
    m_message->setText(tr("Attaching certificate #%1…").arg(certificateId));
    m_message->show();
    runOnStore<Attached>(
        this, m_location,
        [endpoint, certificateId](Store& s) {
            s.setActor(Store::osUserName());
            return attachStoredCertificate(s, endpoint, certificateId);
        },
        [this, endpoint](const Result<Attached>& r) {
            if (endpoint != m_id) {
                return;
            }
            if (!r) {
                attachDone(false, r.error().message);
                return;
            }
            attachDone(true, r->already ? tr("%1 is the current certificate of %2 already.")
                                              .arg(r->summary, r->endpointName)
                                        : tr("Attached %1 to %2 as issued; it counts as "
                                             "deployed once a probe sees it served.")
                                              .arg(r->summary, r->endpointName));
        });
}

void EndpointDetail::attachFile(const QString& path)
{
    const qint64 endpoint = m_id;
    if (endpoint == 0) {
        return;
    }
    m_message->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    m_message->show();
    runOnStore<Attached>(
        this, m_location,
        [endpoint, path](Store& s) {
            s.setActor(Store::osUserName());
            return attachCertificateFile(s, endpoint, path);
        },
        [this, endpoint](const Result<Attached>& r) {
            if (endpoint != m_id) {
                return;
            }
            if (!r) {
                attachDone(false, r.error().message);
                return;
            }
            attachDone(true, r->already
                                 ? tr("%1 is the current certificate of %2 already.")
                                       .arg(r->summary, r->endpointName)
                                 : tr("Recorded %1 (source: imported) and attached it to %2 as "
                                      "issued; it counts as deployed once a probe sees it served.")
                                       .arg(r->summary, r->endpointName));
        });
}

void EndpointDetail::attachDone(bool ok, const QString& message)
{
    m_message->setText(ok ? message : tr("Not attached: %1").arg(message));
    setToneText(m_message, ok ? Tone::Neutral : Tone::Bad);
    m_message->show();
    emit attached(ok, message);
    if (ok) {
        showEndpoint(m_id);
    }
}

QString EndpointDetail::titleText() const
{
    return m_title->text();
}

QString EndpointDetail::summaryText() const
{
    return m_summary->text();
}

QString EndpointDetail::messageText() const
{
    return m_message->text();
}

QString EndpointDetail::probeText() const
{
    return m_probe->text();
}

QString EndpointDetail::servedFindingsText() const
{
    return m_servedFindings->text();
}

QString EndpointDetail::deployText() const
{
    return m_deploy->text();
}

} // namespace certdeck::ui
