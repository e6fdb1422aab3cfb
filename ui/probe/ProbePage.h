// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/ProbeAssessment.h"
#include "probe/scan/FleetScanner.h"
#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"
#include "services/ScanJob.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>
#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace certdeck::ui {

/// Probe: what one endpoint really accepts, found with raw handshakes off the
/// GUI thread: a cipher-suite x protocol matrix coloured by strength, each
/// protocol's verdict (accepted, refused and why, whose order, secure
/// renegotiation, compression), the key-exchange groups and DHE size, and
/// every connection failure by kind, and the findings with what to do about
/// each and the grade they lead to. "Inspect served chain" hands the
/// endpoint to the chain inspector.
///
/// A fleet scan (several endpoints selected on the Fleet page) runs on a
/// thread of its own with a progress bar and Cancel: a table fills with each
/// endpoint's verdict, grade and findings as it ends; selecting a row shows
/// its details below. Results of inventory endpoints go to the probe history.
class ProbePage : public QWidget
{
    Q_OBJECT
public:
    explicit ProbePage(QWidget* parent = nullptr);
    ~ProbePage() override;

    /// Fills the fields (as typing would) and probes.
    void probe(const probe::ProbeTarget& target);
    /// Probes what the fields say.
    void start();
    void cancel();
    /// Scans several endpoints; their results are recorded in the probe
    /// history of the store set with setStoreLocation().
    void scan(const QList<probe::ScanItem>& items);
    /// Options for the next probe (tests shorten the timeouts).
    void setOptions(const probe::ProbeOptions& options) { m_options = options; }
    /// Bounds for the next fleet scan (its probe options are setOptions').
    void setScanOptions(const probe::ScanOptions& options) { m_scanOptions = options; }
    /// The anchors an ad-hoc probe (one the inventory does not know) is
    /// verified against; default: the system trust store.
    void setTrustAnchors(const services::TrustAnchors& anchors) { m_anchors = anchors; }
    /// The expiry window: fewer days left is a WARNING (default 30).
    void setExpiryWarnDays(int days) { m_expiryWarnDays = days; }
    /// The inventory: where fleet-scan results are recorded and where an
    /// endpoint's trust anchors come from (empty: the system store, nothing
    /// recorded).
    void setStoreLocation(const QString& location) { m_storeLocation = location; }

    [[nodiscard]] QLineEdit* endpointEdit() const { return m_endpoint; }
    [[nodiscard]] QTableWidget* matrix() const { return m_matrix; }
    [[nodiscard]] QTableWidget* protocols() const { return m_protocols; }
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString groupsText() const;
    [[nodiscard]] QString logText() const;
    [[nodiscard]] QString inspectionText() const;
    [[nodiscard]] QTableWidget* findings() const { return m_findings; }
    [[nodiscard]] QTableWidget* fleetTable() const { return m_fleet; }
    [[nodiscard]] QString gradeText() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool isRunning() const { return m_job != nullptr || m_scan != nullptr; }

signals:
    /// The probe ended (also when cancelled); `reachable` as in the result.
    void probed(bool reachable);
    /// "host:port" whose served chain the user wants to inspect.
    void inspectChainRequested(const QString& endpoint, const QString& host);
    /// A fleet scan ended: `done` endpoints finished (fewer when cancelled).
    void scanFinished(int done, bool cancelled);
    /// Fleet-scan results were written to the probe history (ok or not).
    void probesRecorded(bool ok, int count);

private:
    void clearDetails();
    void showResult(const probe::ProbeResult& r);
    void showFindings(const probe::ProbeAssessment& assessment);
    void setRunning(bool running);
    void onScanned(const services::EndpointCheck& check);
    void onScanFinished(const Status& status, int peak);
    void showFleetRow(int row);
    void showCheck(const services::EndpointCheck& check);
    [[nodiscard]] services::ScanServiceOptions serviceOptions() const;

    probe::ProbeOptions m_options;
    probe::ScanOptions m_scanOptions;
    QString m_storeLocation;
    probe::ProbeTarget m_last;
    QLineEdit* m_endpoint = nullptr;
    QLineEdit* m_sni = nullptr;
    QLineEdit* m_address = nullptr;
    QPushButton* m_probe = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_chain = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_matrix = nullptr;
    QTableWidget* m_protocols = nullptr;
    QLabel* m_groups = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QPlainTextEdit* m_inspection = nullptr;
    QLabel* m_grade = nullptr;
    QTableWidget* m_findings = nullptr;
    QTableWidget* m_fleet = nullptr;
    QTabWidget* m_tabs = nullptr;
    QPointer<services::ScanJob> m_job;
    QPointer<services::ScanJob> m_scan;
    std::optional<services::EndpointCheck> m_single;
    int m_scanTotal = 0;
    int m_expiryWarnDays = 30;
    services::TrustAnchors m_anchors;
    /// One entry per fleet-table row, in row order.
    struct Scanned
    {
        services::EndpointCheck check;
        probe::ProbeResult result; ///< the first node, shown in the details
    };
    QList<Scanned> m_scanned;
    QElapsedTimer m_scanClock;
};

} // namespace certdeck::ui
