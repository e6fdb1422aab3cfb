// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Job.h"
#include "common/Result.h"
#include "crypto/ChainReport.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace certdeck::revocation {

/// What a RevocationCheck asks, and how long it waits.
struct RevocationOptions
{
    bool ocsp = true;
    bool crl = true;      ///< CRL when OCSP is absent or gives no usable answer
    int timeoutMs = 5000; ///< per request
    qint64 maxCrlBytes = 10 * 1024 * 1024;
    bool nonce = true;
    /// A DER OCSP response stapled in the handshake: used for the leaf when
    /// it verifies (no fetch then).
    QByteArray leafStaple;
};

/// Checks the revocation status of every link of a built chain whose issuer
/// is in the chain (leaf and intermediates; never the anchor), all links at
/// once on the calling thread's event loop: the leaf's staple when given,
/// then each OCSP responder of the link's AIA (OcspClient), then, when none
/// gave a usable answer, each CRL distribution point (CrlClient). Responses
/// and CRLs are verified off the calling thread; verified answers are cached
/// process-wide (RevocationCache).
///
/// start() returns at once; finished() always comes later from the event
/// loop, exactly once: success, or Cancelled after cancel().
class RevocationCheck : public QObject
{
    Q_OBJECT
public:
    RevocationCheck(crypto::ChainReport chain, RevocationOptions options,
                    QObject* parent = nullptr);
    ~RevocationCheck() override;

    void start();  ///< finished() always comes later from the event loop, exactly once
    void cancel(); ///< aborts open requests at once (no polling), then finished(Cancelled)
    [[nodiscard]] bool isFinished() const { return m_finished; }

    /// The chain given, with each link's revocation and revocationDetail
    /// filled in (plain words: source ("OCSP http://..." / "CRL http://..." /
    /// "stapled OCSP response"), status, reason, revocation time,
    /// thisUpdate/nextUpdate, or why it could not be told). A Revoked link
    /// also gets a LinkFinding {LinkProblem::Revoked, Severity::Error,
    /// "Revoked on <date> (reason)"}, the report's trusted = false and the
    /// summary says which certificate is revoked. Unknown (responder says
    /// unknown, or nothing reachable / timeout) and Error (a response that
    /// does not verify: forged, stale, wrong nonce) get a Warning LinkFinding
    /// (LinkProblem::RevocationUnknown) with the reason. Links without OCSP
    /// URL or CRL DP stay NotChecked (with a detail saying so); the anchor is
    /// never checked.
    [[nodiscard]] const crypto::ChainReport& result() const { return m_report; }

signals:
    void progress(const QString& step, double fraction, const QString& message);
    void finished(const certdeck::Status& status);

private:
    struct LinkRun;

    void begin();
    void next(LinkRun& run);
    void onOcsp(LinkRun& run);
    void onCrl(LinkRun& run);
    void settle(LinkRun& run);
    void complete();
    void finish(const Status& status);

    crypto::ChainReport m_report;
    RevocationOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::vector<std::unique_ptr<LinkRun>> m_runs;
    int m_settled = 0;
    bool m_started = false;
    bool m_finished = false;
};

} // namespace certdeck::revocation
