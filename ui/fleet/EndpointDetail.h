// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QString>
#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace certdeck::ui {

class ChainView;
struct EndpointDetailData;

/// One endpoint in full, beside the Fleet table: its current certificate as
/// the chain inspector's cards (the recorded chain, verified for the
/// endpoint's name against its trust anchors), the last probe with what each
/// node serves against what is recorded, its deploy target, the certificate
/// history (state, time, who issued it, source, when it was seen served)
/// and the audit entries about it. "Attach certificate…" (a stored one or a
/// PEM file), "Open in Certificates" and "Order with ACME…" act on it.
///
/// It always shows one endpoint or none: showing another clears everything
/// first, and answers for an endpoint no longer shown are dropped. The store
/// is read on its thread, the chain verified on the pool.
class EndpointDetail : public QWidget
{
    Q_OBJECT
public:
    explicit EndpointDetail(QString storeLocation, QWidget* parent = nullptr);
    ~EndpointDetail() override;

    /// Shows endpoint `id` (read afresh, also when it is shown already);
    /// loaded() tells when done.
    void showEndpoint(qint64 id);
    /// Shows no endpoint, saying why ("Select one endpoint…").
    void showNothing(const QString& why);
    /// The endpoint shown, or 0.
    [[nodiscard]] qint64 endpointId() const { return m_id; }

    /// Attaches a stored certificate / a certificate file to the endpoint
    /// shown (what the Attach menu does after its picker); attached() tells.
    void attachStored(qint64 certificateId);
    void attachFile(const QString& path);

    /// The clock expiry is told against; tests move time without sleeping.
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }
    void setWarnDays(int days) { m_warnDays = days; }

    [[nodiscard]] QString titleText() const;
    [[nodiscard]] QString summaryText() const;
    /// The outcome of the last attach (or why the detail could not be read).
    [[nodiscard]] QString messageText() const;
    [[nodiscard]] QString probeText() const;
    [[nodiscard]] QString servedFindingsText() const;
    [[nodiscard]] QString deployText() const;
    [[nodiscard]] ChainView* chainView() const { return m_chain; }
    [[nodiscard]] QTableWidget* nodesTable() const { return m_nodes; }
    [[nodiscard]] QTableWidget* historyTable() const { return m_history; }
    [[nodiscard]] QTableWidget* auditTable() const { return m_audit; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    [[nodiscard]] QPushButton* attachButton() const { return m_attach; }
    [[nodiscard]] QPushButton* openButton() const { return m_open; }

signals:
    /// The endpoint's detail was read (ok) or not.
    void loaded(qint64 endpointId, bool ok);
    /// The current certificate's chain is shown as cards (verified).
    void chainShown(qint64 endpointId);
    /// An attach ended; on success the endpoint has a new current certificate.
    void attached(bool ok, const QString& message);
    void openCertificateRequested(qint64 certificateId);
    void orderRequested(qint64 endpointId);

private:
    void clearViews();
    void present(const EndpointDetailData& data);
    void showProbe(const EndpointDetailData& data);
    void showHistory(const EndpointDetailData& data);
    void showAudit(const EndpointDetailData& data);
    void showDeploy(const EndpointDetailData& data);
    void verifyChain(const EndpointDetailData& data);
    void pickStored();
    void pickFile();
    void attachDone(bool ok, const QString& message);

    QString m_location;
    std::function<QDateTime()> m_clock;
    int m_warnDays = 30;
    qint64 m_id = 0;
    qint64 m_currentCertificate = 0;
    /// Bumped whenever another endpoint (or none) is shown: answers carry
    /// the generation they were asked in and are dropped when it moved on.
    quint64 m_generation = 0;
    QLabel* m_title = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_message = nullptr;
    QPushButton* m_attach = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_order = nullptr;
    QTabWidget* m_tabs = nullptr;
    ChainView* m_chain = nullptr;
    QLabel* m_probe = nullptr;
    QTableWidget* m_nodes = nullptr;
    QLabel* m_servedFindings = nullptr;
    QTableWidget* m_history = nullptr;
    QLabel* m_deploy = nullptr;
    QTableWidget* m_audit = nullptr;
};

} // namespace certdeck::ui
