// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Operation.h"
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
/// An Operation (its contract): progress() names each request; cancel()
/// aborts the open requests at once (no polling) and finished() carries
/// Cancelled; otherwise it succeeds, and result() is the chain given, with each link's revocation
/// and revocationDetail filled in (plain words: source ("OCSP http://..." / "CRL http://..." /
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
class RevocationCheck : public TypedOperation<crypto::ChainReport>
{
    Q_OBJECT
public:
    RevocationCheck(crypto::ChainReport chain, RevocationOptions options,
                    QObject* parent = nullptr);
    ~RevocationCheck() override;

    /// The chain as checked so far; once finished, also after cancel()
    /// (then the links not yet settled say that the check was cancelled).
    [[nodiscard]] const crypto::ChainReport& report() const { return m_report; }

protected:
    void onStart() override;
    void onCancel() override;

private:
    struct LinkRun;

    void begin();
    void next(LinkRun& run);
    void onOcsp(LinkRun& run);
    void onCrl(LinkRun& run);
    void settle(LinkRun& run);
    void complete();

    crypto::ChainReport m_report;
    RevocationOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::vector<std::unique_ptr<LinkRun>> m_runs;
    int m_settled = 0;
};

} // namespace certdeck::revocation
