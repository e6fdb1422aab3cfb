// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
#include "probe/scan/ProbeRequest.h"
#include "probe/scan/ProbeResult.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <functional>
#include <memory>

namespace certdeck::probe {

struct ClientHelloSpec;

namespace internal {
struct AttemptOutcome;
class HandshakeAttempt;
} // namespace internal

/// Enumerates what one endpoint accepts with raw ClientHellos: protocol
/// versions, every cipher suite per version ("offer all, remove the chosen
/// one, repeat": accepted + 1 connections per version), whether the server
/// imposes its order, key-exchange groups and the DHE prime size.
///
/// Probes one address: ProbeTarget::address when given, else the host's
/// first IPv4 address (or first address) from the resolver.
///
/// Runs on the caller's event loop (no thread per connection), with at most
/// ProbeOptions::maxConnections connections open at once and a timeout on
/// every step. An Operation (its contract): progress() names the phase
/// ("TLSv1.2 suites") with a fraction 0..1; result() holds the ProbeResult,
/// in which failed connections are recorded (the probe itself does not fail).
/// cancel() closes every open connection and stops their timers at once;
/// finished() then carries Cancelled and no partial result.
class TlsProber : public TypedOperation<ProbeResult>
{
    Q_OBJECT
public:
    TlsProber(ProbeTarget target, ProbeOptions options, QObject* parent = nullptr);
    ~TlsProber() override;

protected:
    void onStart() override;
    void onCancel() override;

private:
    struct Request;
    struct Enumeration;

    void begin(const QHostAddress& address);
    void submit(Request request);
    void pump();
    void releaseSlot();
    void launch(Request request);
    void enumerate(const std::shared_ptr<Enumeration>& e);
    void onEnumerationReply(const std::shared_ptr<Enumeration>& e,
                            const internal::AttemptOutcome& outcome);
    void endEnumeration(const std::shared_ptr<Enumeration>& e);
    void checkOrder(TlsVersion version);
    void startGroupsAndDh();
    void probeTls13Groups(const QList<quint16>& suites);
    void probeTls12Groups(TlsVersion version, const QList<quint16>& ecdheSuites);
    void probeDhSize(TlsVersion version, const QList<quint16>& dheSuites);
    void recordFailure(const ProbeFailure& failure, const QString& phase);
    void phaseDone(const QString& phase);
    void abortAll(const ProbeFailure& why);
    void maybeFinish();
    [[nodiscard]] ProtocolProbe& protocolEntry(TlsVersion version);
    [[nodiscard]] ClientHelloSpec baseSpec(TlsVersion version) const;

    ProbeTarget m_target;
    ProbeOptions m_options;
    ProbeResult m_result;
    QHostAddress m_address;
    QString m_sni;
    QList<Request> m_queue;
    QList<internal::HandshakeAttempt*> m_active;
    int m_openTasks = 0;
    int m_phasesTotal = 0;
    int m_phasesDone = 0;
    int m_enumerationsLeft = 0;
    bool m_aborted = false;
    QElapsedTimer m_clock;
};

} // namespace certdeck::probe
