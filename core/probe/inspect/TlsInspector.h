// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/inspect/TlsInspection.h"
#include "probe/scan/ProbeRequest.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <functional>

namespace certdeck::probe {

namespace internal {
struct InspectOutcome;
struct InspectPlan;
class InspectConnection;
} // namespace internal

/// Inspects one endpoint through real OpenSSL handshakes, where TlsProber's
/// raw ClientHellos stop: the served chain, the negotiated parameters, the
/// stapled OCSP response, session resumption (TLS 1.2 session IDs and
/// tickets, TLS 1.3 PSK: two connections each), which of h2 and http/1.1
/// ALPN selects, and one HTTPS request (GET /) for HSTS and the Server header.
///
/// The client side is permissive (TLS 1.0-1.3, every suite, SECLEVEL 0) so
/// the findings are about the server, not about the local OpenSSL. Nothing
/// is verified here: hand TlsInspection::chainDer to crypto::ChainVerifier.
///
/// Runs on the caller's event loop, one connection at a time (each takes a
/// slot of ProbeOptions::budget when given), with a timeout on every step. A
/// failed step is recorded and the others still run; a main handshake that
/// fails ends the inspection. finished() is emitted exactly once, also after
/// cancel().
class TlsInspector : public QObject
{
    Q_OBJECT
public:
    TlsInspector(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);
    ~TlsInspector() override;

    void start();
    /// Closes the open connection and finishes with what was found so far
    /// (result().cancelled is set).
    void cancel();
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] const TlsInspection& result() const { return m_result; }

signals:
    void progress(const QString& step, double fraction, const QString& message);
    void finished();

private:
    using Then = std::function<void(const internal::InspectOutcome&)>;
    struct Pending;

    void begin(const QHostAddress& address);
    [[nodiscard]] internal::InspectPlan basePlan(const QString& step) const;
    void run(internal::InspectPlan plan, Then then);
    void pump();
    void next();
    void onMain(const internal::InspectOutcome& o);
    void queueAlpn(const QString& protocol);
    void queueResumption(const QString& label, int minVersion, int maxVersion, bool tickets,
                         ResumptionCheck ResumptionInfo::*check);
    void recordFailure(const ProbeFailure& failure);
    void finish();

    ProbeTarget m_target;
    ProbeOptions m_options;
    TlsInspection m_result;
    QHostAddress m_address;
    QList<std::function<void()>> m_steps;
    std::unique_ptr<Pending> m_pending; ///< a connection waiting for a budget slot
    internal::InspectConnection* m_active = nullptr;
    bool m_holdsSlot = false;
    bool m_mainWithoutAlpn = false;
    int m_stepsTotal = 0;
    int m_stepsDone = 0;
    bool m_started = false;
    bool m_finished = false;
    QElapsedTimer m_clock;
};

} // namespace certdeck::probe
