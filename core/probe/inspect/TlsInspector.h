// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "probe/inspect/TlsInspection.h"
#include "probe/scan/ProbeRequest.h"

#include <QElapsedTimer>
#include <QHostAddress>
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
/// failed step is recorded in the result and the others still run; a main
/// handshake that fails ends the inspection.
///
/// An Operation (its contract): progress() names each connection's step;
/// result() holds the TlsInspection. cancel() closes the open connection,
/// stops its timer and gives its budget slot back at once; finished() then
/// carries Cancelled.
class TlsInspector : public TypedOperation<TlsInspection>
{
    Q_OBJECT
public:
    TlsInspector(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);
    ~TlsInspector() override;

protected:
    void onStart() override;
    void onCancel() override;

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
    void conclude();

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
    QElapsedTimer m_clock;
};

} // namespace certdeck::probe
