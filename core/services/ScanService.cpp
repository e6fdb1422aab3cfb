// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScanService.h"

#include "crypto/ChainVerifier.h"
#include "crypto/ServedChainFetcher.h"
#include "crypto/TrustStore.h"
#include "inventory/RecordNames.h"
#include "inventory/Store.h"
#include "probe/assess/NodeComparison.h"
#include "probe/inspect/TlsInspection.h"
#include "revocation/RevocationCheck.h"
#include "services/ServedRecord.h"
#include "services/internal/Log.h"

#include <QCryptographicHash>

namespace certdeck::services {

ScanService::ScanService(QList<ScanTarget> targets, ScanServiceOptions options,
                         inventory::Store* store, QObject* parent)
    : Operation(parent)
    , m_targets(std::move(targets))
    , m_options(std::move(options))
    , m_store(store)
{}

ScanService::~ScanService() = default;

void ScanService::onStart()
{
    QList<probe::ScanItem> items;
    items.reserve(m_targets.size());
    for (qsizetype i = 0; i < m_targets.size(); ++i) {
        probe::ScanItem item;
        item.endpointId = m_targets.at(i).endpointId;
        item.target = m_targets.at(i).target;
        item.ordinal = int(i);
        items << item;
    }
    probe::ScanOptions scan = m_options.scan;
    // The verdict needs the served chain: every check inspects at least the
    // main OpenSSL handshake.
    scan.probe.inspect = true;
    scan.probe.inspectChainOnly = !m_options.fullInspection;
    qCDebug(lcServices).noquote() << QStringLiteral("scan of %1 endpoint(s) starting%2")
                                         .arg(m_targets.size())
                                         .arg(m_store != nullptr ? QStringLiteral(", recorded")
                                                                 : QString());
    auto* scanner = new probe::FleetScanner(std::move(items), scan, this);
    m_scanner = scanner;
    connect(scanner, &probe::FleetScanner::endpointDone, this, &ScanService::onProbed);
    connect(scanner, &probe::FleetScanner::endpointStep, this,
            [this](const probe::ScanItem& item, const QString& step, double fraction,
                   const QString& message) {
                Q_UNUSED(item);
                if (m_targets.size() == 1) {
                    // One endpoint: its own steps are the progress.
                    reportProgress(step, fraction, message);
                }
            });
    connect(scanner, &probe::FleetScanner::finished, this, [this, scanner] {
        m_peak = scanner->peakConnections();
        m_scannerDone = true;
        maybeFinish();
    });
    // With nothing to scan, it still finishes from the event loop.
    scanner->start();
}

void ScanService::onCancel()
{
    if (m_scanner) {
        m_scanner->cancel(); // closes every open connection now
    }
    const QList<QPointer<crypto::ServedChainFetcher>> fetches = m_fetches;
    for (const QPointer<crypto::ServedChainFetcher>& f : fetches) {
        if (f) {
            f->cancel(); // wakes its poll() now
        }
    }
    // A copy: a check may finish (and leave the list) inside its cancel().
    const QList<QPointer<revocation::RevocationCheck>> pending = m_revocations;
    for (const QPointer<revocation::RevocationCheck>& rc : pending) {
        if (rc) {
            rc->cancel(); // aborts its requests now
        }
    }
}

probe::ProbeVerdict ScanService::worstVerdict() const
{
    probe::ProbeVerdict worst = probe::ProbeVerdict::Ok;
    for (const EndpointCheck& c : m_results) {
        worst = std::max(worst, c.assessment.verdict);
    }
    return worst;
}

void ScanService::onProbed(const probe::ScanItem& item, const probe::EndpointResult& result)
{
    if (isCancelled() || result.cancelled || item.ordinal < 0 || item.ordinal >= m_targets.size()) {
        return; // a cancelled endpoint is neither recorded nor reported
    }
    EndpointCheck check;
    check.target = m_targets.at(item.ordinal);
    check.probe = result;
    check.atUtc = QDateTime::currentDateTimeUtc();
    verify(check);
    fetchServed(std::move(check));
}

void ScanService::fetchServed(EndpointCheck check)
{
    // The inspected node's leaf is known from its handshake; every other node
    // that answered gets one OpenSSL handshake of its own, with the same
    // name, so what each node serves can be compared with the inventory.
    QString inspected;
    if (const probe::TlsInspection* in = check.inspection(); in && in->handshakeOk) {
        inspected = in->address;
        probe::ServedLeaf leaf = servedLeafOf(in->address, in->chainDer);
        check.served << leaf;
    }
    QStringList others;
    for (const probe::ProbeResult& node : std::as_const(check.probe.nodes)) {
        if (!node.address.isEmpty() && node.address != inspected &&
            probe::nodeReachability(node) == QLatin1String("reachable")) {
            others << node.address;
        }
    }
    if (others.isEmpty()) {
        afterServed(std::move(check));
        return;
    }
    struct Pending
    {
        EndpointCheck check;
        int outstanding = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->check = std::move(check);
    pending->outstanding = int(others.size());
    const probe::ProbeTarget& target = pending->check.target.target;
    for (const QString& address : std::as_const(others)) {
        crypto::ServedChainFetcher::Options o;
        o.host = address;
        o.port = target.port;
        o.sni = target.sni.isEmpty() ? target.host : target.sni;
        o.connectTimeoutMs = m_options.scan.probe.connectTimeoutMs;
        o.handshakeTimeoutMs = m_options.scan.probe.replyTimeoutMs;
        auto* fetcher = new crypto::ServedChainFetcher(o, this);
        m_fetches << fetcher;
        connect(fetcher, &Operation::finished, this,
                [this, fetcher, address, pending](const Status& status) {
                    m_fetches.removeAll(fetcher);
                    fetcher->deleteLater();
                    if (isCancelled() || (!status && status.error().code == ErrorCode::Cancelled)) {
                        if (--pending->outstanding == 0) {
                            maybeFinish(); // cut short: neither recorded nor reported
                        }
                        return;
                    }
                    const Result<crypto::ServedChain> served = fetcher->result();
                    if (served) {
                        QList<QByteArray> der;
                        for (const crypto::Certificate& c : served->certificates) {
                            der << c.toDer();
                        }
                        pending->check.served << servedLeafOf(address, der);
                    } else {
                        probe::ServedLeaf leaf;
                        leaf.address = address;
                        leaf.error = served.error().message;
                        pending->check.served << leaf;
                    }
                    if (--pending->outstanding == 0) {
                        afterServed(std::move(pending->check));
                    }
                });
        fetcher->start();
    }
}

void ScanService::afterServed(EndpointCheck check)
{
    if (m_options.revocation && check.chain && !check.chain->built.isEmpty()) {
        checkRevocation(std::move(check));
        return;
    }
    complete(std::move(check));
}

void ScanService::checkRevocation(EndpointCheck check)
{
    revocation::RevocationOptions options;
    options.timeoutMs = m_options.scan.probe.replyTimeoutMs;
    if (const probe::TlsInspection* in = check.inspection(); in && in->staple.present) {
        options.leafStaple = in->staple.der;
    }
    auto* rc = new revocation::RevocationCheck(*check.chain, options, this);
    m_revocations << rc;
    connect(rc, &revocation::RevocationCheck::finished, this,
            [this, rc, check = std::move(check)](const Status& status) mutable {
                m_revocations.removeAll(rc);
                rc->deleteLater();
                if (isCancelled() || (!status && status.error().code == ErrorCode::Cancelled)) {
                    maybeFinish(); // cut short: neither recorded nor reported
                    return;
                }
                if (auto checked = rc->result()) {
                    check.chain = std::move(*checked);
                }
                complete(std::move(check));
            });
    rc->start();
}

Result<std::shared_ptr<const crypto::TrustStore>>
ScanService::trustFor(const TrustAnchors& anchors) const
{
    // Loading the system store parses a few hundred certificates: once per
    // scan, not once per endpoint.
    const QByteArray key = anchors.isSystem()
                               ? QByteArray("system")
                               : QCryptographicHash::hash(anchors.pem, QCryptographicHash::Sha256);
    if (auto it = m_trust.constFind(key); it != m_trust.constEnd()) {
        return it.value();
    }
    auto trust = anchors.isSystem() ? crypto::TrustStore::system()
                                    : crypto::TrustStore::fromPem(anchors.pem, anchors.source);
    if (!trust) {
        return tl::unexpected(trust.error());
    }
    auto shared = std::make_shared<const crypto::TrustStore>(std::move(*trust));
    m_trust.insert(key, shared);
    return shared;
}

void ScanService::verify(EndpointCheck& check) const
{
    const probe::TlsInspection* in = check.inspection();
    if (in == nullptr || !in->handshakeOk || in->chainDer.isEmpty()) {
        return; // assess() says why the chain is missing
    }
    crypto::ChainInput input;
    for (const QByteArray& der : in->chainDer) {
        auto cert = crypto::Certificate::fromDer(der, QStringLiteral("served certificate"));
        if (!cert) {
            check.chainError =
                QStringLiteral("the server sent a certificate that does not parse: ") +
                cert.error().message;
            return;
        }
        input.served << *cert;
    }
    // The name clients ask for: the SNI when one is set, else the host.
    input.host =
        check.target.target.sni.isEmpty() ? check.target.target.host : check.target.target.sni;
    auto trust = trustFor(check.target.anchors);
    if (!trust) {
        check.chainError = QStringLiteral("the trust anchors (%1) cannot be loaded: %2")
                               .arg(check.target.anchors.source, trust.error().message);
        return;
    }
    crypto::ChainVerifyOptions options;
    options.expiringSoonDays = m_options.expiryWarnDays;
    check.chain = crypto::ChainVerifier::verify(input, **trust, check.atUtc, options);
}

void ScanService::complete(EndpointCheck check)
{
    probe::Evidence evidence;
    evidence.endpoint = &check.probe;
    evidence.inspection = check.inspection();
    evidence.chain = check.chain ? &*check.chain : nullptr;
    evidence.chainError = check.chainError;
    evidence.trustSource = check.target.anchors.source;
    evidence.client = m_options.client ? &*m_options.client : nullptr;
    evidence.expiryWarnDays = m_options.expiryWarnDays;
    evidence.now = check.atUtc;
    evidence.served = &check.served;
    evidence.recorded = check.target.recorded;
    check.assessment = probe::assess(evidence);

    if (m_store != nullptr && check.target.endpointId != 0) {
        // Recorded before it is reported: what the admin sees is in the
        // history, and a certificate seen served by every node is deployed.
        Status recorded = m_store->probes().add(probeRecord(check)).map([](qint64) {});
        if (recorded) {
            recorded = recordServed(*m_store, check);
        }
        if (recorded) {
            recorded = recordRevocations(*m_store, check);
        }
        if (!recorded) {
            m_recordFailures << QStringLiteral("%1: %2").arg(
                inventory::endpointAddress(check.target.target.host, check.target.target.port),
                recorded.error().message);
        }
    }
    ++m_done;
    const QString where =
        inventory::endpointAddress(check.target.target.host, check.target.target.port);
    qCDebug(lcServices).noquote()
        << QStringLiteral("%1 checked: %2%3")
               .arg(where, probe::probeVerdictName(check.assessment.verdict),
                    check.chainError.isEmpty()
                        ? QString()
                        : QStringLiteral(" (chain: %1)").arg(check.chainError));
    m_results << check;
    emit endpointChecked(m_results.constLast());
    reportProgress(QStringLiteral("scan"),
                   m_targets.isEmpty() ? 1.0 : double(m_done) / double(m_targets.size()), where);
    maybeFinish();
}

void ScanService::maybeFinish()
{
    if (isEnding() || !m_scannerDone || !m_revocations.isEmpty() || !m_fetches.isEmpty()) {
        return;
    }
    qCDebug(lcServices).noquote() << QStringLiteral(
                                         "scan ended%1: %2 endpoint(s) checked, worst %3, peak %4 "
                                         "connection(s), %5 not recorded")
                                         .arg(isCancelled() ? QStringLiteral(" (cancelled)")
                                                            : QString())
                                         .arg(m_done)
                                         .arg(probe::probeVerdictName(worstVerdict()))
                                         .arg(m_peak)
                                         .arg(m_recordFailures.size());
    finish(isCancelled()
               ? Status(fail(ErrorCode::Cancelled,
                             QStringLiteral("Cancelled after %1 endpoint(s)").arg(m_done)))
               : Status{});
}

} // namespace certdeck::services
