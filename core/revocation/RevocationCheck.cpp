// SPDX-License-Identifier: GPL-3.0-or-later
#include "revocation/RevocationCheck.h"

#include "crypto/ChainVerifier.h"
#include "revocation/CrlClient.h"
#include "revocation/OcspClient.h"
#include "revocation/OcspResponse.h"
#include "revocation/internal/HttpExchange.h"
#include "revocation/internal/RevocationLog.h"

#include <QNetworkAccessManager>
#include <openssl/x509v3.h>
#include <optional>

namespace certdeck::revocation {

using crypto::ChainLink;
using crypto::LinkFinding;
using crypto::LinkProblem;
using crypto::RevocationStatus;
using crypto::Severity;

namespace {

QString shortName(const crypto::Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

QString updatesText(const QDateTime& thisUpdate, const QDateTime& nextUpdate)
{
    QString t = QStringLiteral("thisUpdate %1").arg(utcStamp(thisUpdate));
    t += nextUpdate.isValid() ? QStringLiteral(", nextUpdate %1").arg(utcStamp(nextUpdate))
                              : QStringLiteral(", no nextUpdate");
    return t;
}

QString revokedText(const QDateTime& when, const QString& reason)
{
    QString t = QStringLiteral("revoked on %1").arg(utcStamp(when));
    if (!reason.isEmpty()) {
        t += QStringLiteral(" (%1)").arg(reason);
    }
    return t;
}

QString urlList(const QList<QUrl>& urls)
{
    QStringList out;
    for (const QUrl& u : urls) {
        out << u.toString();
    }
    return out.join(QStringLiteral(", "));
}

} // namespace

/// One link being checked: its sources still to ask and what was learned.
struct RevocationCheck::LinkRun
{
    qsizetype index = 0;
    crypto::Certificate cert;
    crypto::Certificate issuer;
    QList<QUrl> ocsp;  ///< responders still to ask
    QList<QUrl> crl;   ///< distribution points still to fetch
    QStringList notes; ///< one sentence per source that gave no usable answer
    QString lastProblem;
    bool sawError = false;             ///< an answer came but did not verify
    std::optional<CertStatus> decided; ///< Good or Revoked from a verified source
    QString decidedNote;
    QDateTime revokedAt;
    QString reason;
    std::unique_ptr<OcspClient> ocspClient;
    std::unique_ptr<CrlClient> crlClient;
    bool settled = false;

    void noteFailure(const QString& text, bool verificationFailed)
    {
        notes << text;
        lastProblem = text;
        sawError = sawError || verificationFailed;
    }
};

RevocationCheck::RevocationCheck(crypto::ChainReport chain, RevocationOptions options,
                                 QObject* parent)
    : TypedOperation<crypto::ChainReport>(parent)
    , m_report(std::move(chain))
    , m_options(std::move(options))
{}

RevocationCheck::~RevocationCheck()
{
    // Clients first (their requests abort), then the network manager.
    m_runs.clear();
    m_network.reset();
}

void RevocationCheck::onStart()
{
    // Through the event loop, so finished() never fires inside start().
    QMetaObject::invokeMethod(this, &RevocationCheck::begin, Qt::QueuedConnection);
}

void RevocationCheck::begin()
{
    if (isEnding()) {
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (qsizetype i = 0; i < m_report.built.size(); ++i) {
        ChainLink& link = m_report.built[i];
        link.revocation = RevocationStatus::NotChecked;
        if (link.role == ChainLink::Role::Anchor) {
            link.revocationDetail = QStringLiteral("a trust anchor is not checked for revocation");
            continue;
        }
        if (!m_options.ocsp && !m_options.crl) {
            link.revocationDetail = QStringLiteral("revocation checking is turned off");
            continue;
        }
        const crypto::Certificate& cert = link.certificate;
        crypto::Certificate issuer;
        if (i + 1 < m_report.built.size()) {
            const crypto::Certificate& above = m_report.built[i + 1].certificate;
            if (!above.isNull() && !cert.isNull() &&
                X509_check_issued(above.handle(), cert.handle()) == X509_V_OK) {
                issuer = above;
            }
        }
        if (issuer.isNull()) {
            link.revocationDetail = QStringLiteral("its issuer is not in the chain, so its "
                                                   "revocation status cannot be checked");
            continue;
        }
        auto run = std::make_unique<LinkRun>();
        run->index = i;
        run->cert = cert;
        run->issuer = issuer;
        QList<QUrl> skipped;
        const QList<QUrl> ocsp = ocspUrls(cert);
        const QList<QUrl> crl = crlUrls(cert);
        for (const QUrl& u : ocsp) {
            (internal::HttpExchange::isFetchable(u) ? run->ocsp : skipped) << u;
        }
        for (const QUrl& u : crl) {
            (internal::HttpExchange::isFetchable(u) ? run->crl : skipped) << u;
        }
        if (!m_options.ocsp) {
            run->ocsp.clear();
        }
        if (!m_options.crl) {
            run->crl.clear();
        }
        const bool staple = i == 0 && link.role == ChainLink::Role::Leaf &&
                            !m_options.leafStaple.isEmpty() && m_options.ocsp;
        if (run->ocsp.isEmpty() && run->crl.isEmpty() && !staple) {
            if (ocsp.isEmpty() && crl.isEmpty()) {
                link.revocationDetail = QStringLiteral("the certificate names no OCSP responder "
                                                       "and no CRL distribution point");
            } else if (!skipped.isEmpty()) {
                link.revocationDetail = QStringLiteral("the certificate names only %1, which is "
                                                       "not fetched (http and https only)")
                                            .arg(urlList(skipped));
            } else {
                link.revocationDetail =
                    m_options.ocsp ? QStringLiteral("the certificate names no OCSP responder and "
                                                    "CRL checking is turned off")
                                   : QStringLiteral("the certificate names no CRL distribution "
                                                    "point and OCSP checking is turned off");
            }
            continue;
        }
        if (staple) {
            // A staple is a few hundred bytes: one signature check, here.
            const OcspResponseCheck c = checkOcspResponse(m_options.leafStaple, cert, issuer, now);
            const QString label = QStringLiteral("stapled OCSP response");
            if (c.verified() && c.status && *c.status != CertStatus::Unknown) {
                run->decided = c.status;
                run->revokedAt = c.revocationTime;
                run->reason = c.revocationReason;
                run->decidedNote = label + QStringLiteral(": ") +
                                   (*c.status == CertStatus::Good
                                        ? QStringLiteral("good")
                                        : revokedText(c.revocationTime, c.revocationReason)) +
                                   QStringLiteral("; ") + updatesText(c.thisUpdate, c.nextUpdate);
            } else if (c.verified()) {
                run->noteFailure(label + QStringLiteral(": the responder does not know the "
                                                        "certificate (unknown)"),
                                 false);
            } else if (c.decoded && !c.successful) {
                run->noteFailure(
                    label + QStringLiteral(": ") + c.problems.join(QStringLiteral("; ")), false);
            } else {
                run->noteFailure(label + QStringLiteral(" does not verify: ") +
                                     c.problems.join(QStringLiteral("; ")),
                                 true);
            }
        }
        m_runs.push_back(std::move(run));
    }
    if (m_runs.empty()) {
        complete();
        return;
    }
    m_network = std::make_unique<QNetworkAccessManager>();
    // Answers must come from the responder, never from a cache on the way.
    m_network->setCache(nullptr);
    // Copies: settle() may complete the check and the vector must not change
    // under the loop.
    std::vector<LinkRun*> runs;
    for (const auto& r : m_runs) {
        runs.push_back(r.get());
    }
    for (LinkRun* r : runs) {
        if (isEnding()) {
            return;
        }
        if (r->decided) {
            settle(*r);
        } else {
            next(*r);
        }
    }
}

void RevocationCheck::next(LinkRun& run)
{
    const QString name = shortName(run.cert);
    const double fraction = m_runs.empty() ? 0.0 : double(m_settled) / double(m_runs.size());
    if (!run.ocsp.isEmpty()) {
        const QUrl url = run.ocsp.takeFirst();
        OcspClientOptions o;
        o.timeoutMs = m_options.timeoutMs;
        o.nonce = m_options.nonce;
        run.ocspClient = std::make_unique<OcspClient>(m_network.get(), o);
        connect(run.ocspClient.get(), &OcspClient::finished, this, [this, &run] { onOcsp(run); });
        reportProgress(QStringLiteral("ocsp"), fraction,
                       QStringLiteral("asking %1 about %2").arg(url.toString(), name));
        run.ocspClient->check(url, run.cert, run.issuer);
        return;
    }
    if (!run.crl.isEmpty()) {
        const QUrl url = run.crl.takeFirst();
        CrlClientOptions o;
        o.timeoutMs = m_options.timeoutMs;
        o.maxBytes = m_options.maxCrlBytes;
        run.crlClient = std::make_unique<CrlClient>(m_network.get(), o);
        connect(run.crlClient.get(), &CrlClient::finished, this, [this, &run] { onCrl(run); });
        reportProgress(QStringLiteral("crl"), fraction,
                       QStringLiteral("fetching the CRL %1 for %2").arg(url.toString(), name));
        run.crlClient->check(url, run.cert, run.issuer);
        return;
    }
    settle(run);
}

void RevocationCheck::onOcsp(LinkRun& run)
{
    if (isEnding() || !run.ocspClient) {
        return;
    }
    OcspClient* client = run.ocspClient.release();
    client->deleteLater(); // not inside its own signal
    const Result<OcspAnswer> got = client->result();
    if (!got) {
        // The message names the responder and what went wrong.
        run.noteFailure(got.error().message, false);
        next(run);
        return;
    }
    const QString label = QStringLiteral("OCSP ") + got->url.toString();
    const OcspResponseCheck& c = got->response;
    const QString via = got->fromCache ? QStringLiteral(" (cached)") : QString();
    if (!c.decoded || (c.successful && !c.verified())) {
        run.noteFailure(label + QStringLiteral(": the response does not verify: ") +
                            c.problems.join(QStringLiteral("; ")),
                        true);
    } else if (!c.successful) {
        run.noteFailure(label + QStringLiteral(": ") + c.problems.join(QStringLiteral("; ")),
                        false);
    } else if (*c.status == CertStatus::Unknown) {
        run.noteFailure(
            label + QStringLiteral(": the responder does not know the certificate (unknown)"),
            false);
    } else {
        run.decided = c.status;
        run.revokedAt = c.revocationTime;
        run.reason = c.revocationReason;
        run.decidedNote =
            label + QStringLiteral(": ") +
            (*c.status == CertStatus::Good ? QStringLiteral("good")
                                           : revokedText(c.revocationTime, c.revocationReason)) +
            QStringLiteral("; ") + updatesText(c.thisUpdate, c.nextUpdate) + via;
        // A definite answer: the CRL need not be fetched.
        run.ocsp.clear();
        run.crl.clear();
    }
    next(run);
}

void RevocationCheck::onCrl(LinkRun& run)
{
    if (isEnding() || !run.crlClient) {
        return;
    }
    CrlClient* client = run.crlClient.release();
    client->deleteLater();
    const Result<CrlAnswer> got = client->result();
    if (!got) {
        run.noteFailure(got.error().message, false);
        next(run);
        return;
    }
    const QString label = QStringLiteral("CRL ") + got->url.toString();
    const CrlCheck& c = got->check;
    const QString via = got->fromCache ? QStringLiteral(" (cached)") : QString();
    if (!c.verified()) {
        run.noteFailure(label + QStringLiteral(": the CRL does not verify: ") +
                            c.problems.join(QStringLiteral("; ")),
                        true);
    } else if (*c.status == CertStatus::Unknown) {
        run.noteFailure(
            label + QStringLiteral(": does not cover the certificate (") + c.note + u')', false);
    } else {
        run.decided = c.status;
        run.revokedAt = c.revocationTime;
        run.reason = c.revocationReason;
        run.decidedNote =
            label + QStringLiteral(": ") +
            (*c.status == CertStatus::Good ? QStringLiteral("good (not listed)")
                                           : revokedText(c.revocationTime, c.revocationReason)) +
            QStringLiteral("; ") + updatesText(c.thisUpdate, c.nextUpdate) + via;
        run.crl.clear();
    }
    next(run);
}

void RevocationCheck::settle(LinkRun& run)
{
    if (run.settled || isEnding()) {
        return;
    }
    run.settled = true;
    ChainLink& link = m_report.built[run.index];
    const QString before =
        run.notes.isEmpty()
            ? QString()
            : QStringLiteral(" (before that: %1)").arg(run.notes.join(QStringLiteral("; ")));
    if (run.decided) {
        link.revocationDetail = run.decidedNote + before;
        if (*run.decided == CertStatus::Revoked) {
            link.revocation = RevocationStatus::Revoked;
            QString message = QStringLiteral("Revoked on %1").arg(utcStamp(run.revokedAt));
            if (!run.reason.isEmpty()) {
                message += QStringLiteral(" (%1)").arg(run.reason);
            }
            link.findings << LinkFinding{LinkProblem::Revoked, Severity::Error, message,
                                         link.revocationDetail};
        } else {
            link.revocation = RevocationStatus::Good;
        }
    } else {
        link.revocation = run.sawError ? RevocationStatus::Error : RevocationStatus::Unknown;
        link.revocationDetail = run.notes.join(QStringLiteral("; "));
        const QString message = run.sawError
                                    ? QStringLiteral("Revocation could not be verified: %1")
                                    : QStringLiteral("Revocation status unknown: %1");
        link.findings << LinkFinding{LinkProblem::RevocationUnknown, Severity::Warning,
                                     message.arg(run.lastProblem), link.revocationDetail};
    }
    qCDebug(lcRevocation) << "link" << run.index << "serial" << run.cert.serialHex()
                          << link.revocationDetail;
    ++m_settled;
    QString word;
    switch (link.revocation) {
    case RevocationStatus::Good:
        word = QStringLiteral("good");
        break;
    case RevocationStatus::Revoked:
        word = QStringLiteral("REVOKED");
        break;
    case RevocationStatus::Unknown:
        word = QStringLiteral("unknown");
        break;
    case RevocationStatus::Error:
        word = QStringLiteral("could not be verified");
        break;
    case RevocationStatus::NotChecked:
        word = QStringLiteral("not checked");
        break;
    }
    reportProgress(QStringLiteral("revocation"), double(m_settled) / double(m_runs.size()),
                   QStringLiteral("%1: revocation %2").arg(shortName(run.cert), word));
    if (m_settled == static_cast<int>(m_runs.size())) {
        complete();
    }
}

void RevocationCheck::complete()
{
    if (isEnding()) {
        return;
    }
    const ChainLink* revoked = nullptr;
    for (const ChainLink& l : m_report.built) {
        if (l.revocation == RevocationStatus::Revoked) {
            revoked = &l;
            break;
        }
    }
    if (revoked != nullptr) {
        m_report.trusted = false;
        QString message;
        for (const LinkFinding& f : revoked->findings) {
            if (f.problem == LinkProblem::Revoked) {
                message = f.message;
            }
        }
        m_report.summary = QStringLiteral("Not trusted: %1 is revoked: %2")
                               .arg(shortName(revoked->certificate), message);
    } else {
        m_report.summary = crypto::ChainVerifier::summarize(m_report);
    }
    reportProgress(QStringLiteral("done"), 1.0, QStringLiteral("Revocation checked"));
    finishWith(m_report);
}

void RevocationCheck::onCancel()
{
    for (const auto& run : m_runs) {
        // Disconnected first: the clients' own Cancelled ends are not ours.
        if (run->ocspClient) {
            run->ocspClient->disconnect(this);
            run->ocspClient->cancel();
        }
        if (run->crlClient) {
            run->crlClient->disconnect(this);
            run->crlClient->cancel();
        }
        if (!run->settled) {
            m_report.built[run->index].revocationDetail = QStringLiteral("the check was "
                                                                         "cancelled");
        }
    }
    finish(tl::unexpected(
        Error{ErrorCode::Cancelled, QStringLiteral("the revocation check was cancelled"), {}}));
}

} // namespace certdeck::revocation
