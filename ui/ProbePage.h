// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/ProbeJob.h"
#include "probe/ProbeRequest.h"
#include "probe/ProbeResult.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace certdeck::ui {

/// Probe: what one endpoint really accepts, found with raw handshakes off the
/// GUI thread: a cipher-suite x protocol matrix coloured by strength, each
/// protocol's verdict (accepted, refused and why, whose order, secure
/// renegotiation, compression), the key-exchange groups and DHE size, and
/// every connection failure by kind. "Inspect served chain" hands the
/// endpoint to the chain inspector.
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
    /// Options for the next probe (tests shorten the timeouts).
    void setOptions(const probe::ProbeOptions& options) { m_options = options; }

    [[nodiscard]] QLineEdit* endpointEdit() const { return m_endpoint; }
    [[nodiscard]] QTableWidget* matrix() const { return m_matrix; }
    [[nodiscard]] QTableWidget* protocols() const { return m_protocols; }
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString groupsText() const;
    [[nodiscard]] QString logText() const;
    [[nodiscard]] bool isRunning() const { return m_job != nullptr; }

signals:
    /// The probe ended (also when cancelled); `reachable` as in the result.
    void probed(bool reachable);
    /// "host:port" whose served chain the user wants to inspect.
    void inspectChainRequested(const QString& endpoint, const QString& host);

private:
    void showResult(const probe::ProbeResult& r);
    void setRunning(bool running);

    probe::ProbeOptions m_options;
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
    QPointer<probe::ProbeJob> m_job;
};

} // namespace certdeck::ui
