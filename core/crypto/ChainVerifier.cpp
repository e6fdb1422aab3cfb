// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChainVerifier.h"

#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/ChainMessages.h"
#include "crypto/internal/ChainPath.h"
#include "crypto/internal/ServedChain.h"

#include <QHostAddress>
#include <map>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <vector>

namespace certdeck::crypto {

using internal::ChainPath;
using internal::LinkContext;

namespace {

// Security level 2 (112 bits): what `openssl verify -auth_level 2` and TLS
// clients with default settings reject (RSA-1024, SHA-1 signatures).
constexpr int kAuthLevel = 2;

struct VerifyError
{
    int depth = 0;
    int error = X509_V_OK;
};

// The verify callback's notebook: every error at every depth.
struct Collector
{
    std::vector<VerifyError> errors;
};

// Returning 1 makes OpenSSL carry on after each error, so every link gets
// all of its findings rather than only the first one found.
int collectErrors(int ok, X509_STORE_CTX* ctx)
{
    if (ok == 1) {
        return 1;
    }
    auto* collector = static_cast<Collector*>(X509_STORE_CTX_get_app_data(ctx));
    if (collector != nullptr) {
        collector->errors.push_back(
            {X509_STORE_CTX_get_error_depth(ctx), X509_STORE_CTX_get_error(ctx)});
    }
    return 1;
}

struct OpenSslVerdict
{
    QList<Certificate> chain; ///< as OpenSSL built it, leaf first
    std::vector<VerifyError> errors;
    QString failure; ///< set when the check itself could not run
};

OpenSslVerdict runOpenSsl(const ChainPath& path, const TrustStore& trust, const QString& host,
                          const QDateTime& now)
{
    OpenSslVerdict v;
    ossl::X509StackRefPtr untrusted(sk_X509_new_null());
    ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!untrusted || !ctx) {
        v.failure = ossl::drainErrors();
        return v;
    }
    // Only the path we chose, so OpenSSL checks the same links we show.
    for (qsizetype i = 1; i < path.certs.size(); ++i) {
        if (sk_X509_push(untrusted.get(), path.certs[i].handle()) <= 0) {
            v.failure = ossl::drainErrors();
            return v;
        }
    }
    if (X509_STORE_CTX_init(ctx.get(), trust.handle(), path.certs.first().handle(),
                            untrusted.get()) != 1 ||
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER) != 1) {
        v.failure = ossl::drainErrors();
        return v;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now.toSecsSinceEpoch()));
    X509_VERIFY_PARAM_set_auth_level(param, kAuthLevel);
    if (!host.isEmpty()) {
        const QByteArray h = host.toUtf8();
        const int rc = QHostAddress(host).isNull()
                           ? X509_VERIFY_PARAM_set1_host(param, h.constData(), h.size())
                           : X509_VERIFY_PARAM_set1_ip_asc(param, h.constData());
        if (rc != 1) {
            v.failure =
                QStringLiteral("cannot check the name %1: %2").arg(host, ossl::drainErrors());
            return v;
        }
    }
    Collector collector;
    X509_STORE_CTX_set_app_data(ctx.get(), &collector);
    X509_STORE_CTX_set_verify_cb(ctx.get(), collectErrors);
    const int rc = X509_verify_cert(ctx.get());
    if (rc < 0) {
        v.failure = ossl::drainErrors();
    }
    ERR_clear_error();
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
        X509* x = sk_X509_value(chain, i);
        if (X509_up_ref(x) == 1) {
            v.chain << Certificate(ossl::X509Ptr(x));
        }
    }
    v.errors = std::move(collector.errors);
    return v;
}

ChainLink::Source sourceOf(const Certificate& c, const ChainInput& input, const TrustStore& trust,
                           bool isTop)
{
    if (isTop && trust.contains(c)) {
        return ChainLink::Source::TrustStore;
    }
    if (input.served.contains(c)) {
        return ChainLink::Source::Served;
    }
    if (input.extra.contains(c)) {
        return ChainLink::Source::Aia;
    }
    return ChainLink::Source::TrustStore;
}

void addFinding(ChainLink& link, LinkProblem problem, Severity severity, const LinkContext& ctx,
                const QString& detail)
{
    for (LinkFinding& f : link.findings) {
        if (f.problem == problem) {
            if (!detail.isEmpty() && !f.detail.contains(detail)) {
                f.detail += (f.detail.isEmpty() ? QString() : QStringLiteral("; ")) + detail;
            }
            return;
        }
    }
    link.findings << LinkFinding{problem, severity, internal::linkMessage(problem, ctx), detail};
}

QString shortName(const Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

} // namespace

QString ChainVerifier::summarize(const ChainReport& r)
{
    const auto firstWith = [&r](Severity s) -> QString {
        for (const ChainLink& l : r.built) {
            for (const LinkFinding& f : l.findings) {
                if (f.severity == s) {
                    return shortName(l.certificate) + QStringLiteral(": ") + f.message;
                }
            }
        }
        for (const ServedFinding& f : r.servedFindings) {
            if (f.severity == s) {
                return f.message;
            }
        }
        return {};
    };
    if (r.served.isEmpty()) {
        return QStringLiteral("Not trusted: no certificate was served");
    }
    if (!r.trusted) {
        const QString why = firstWith(Severity::Error);
        return QStringLiteral("Not trusted: ") +
               (why.isEmpty() ? QStringLiteral("no path to a trust anchor") : why);
    }
    const QString anchor = shortName(r.built.last().certificate);
    const QString error = firstWith(Severity::Error);
    if (!error.isEmpty()) {
        return QStringLiteral("Trusted chain to %1, but: %2").arg(anchor, error);
    }
    const QString warning = firstWith(Severity::Warning);
    if (!warning.isEmpty()) {
        return QStringLiteral("Trusted chain to %1, with a warning: %2").arg(anchor, warning);
    }
    return QStringLiteral("Trusted chain to %1").arg(anchor);
}

Certificate ChainVerifier::missingIssuerOf(const ChainInput& input, const TrustStore& trust,
                                           const ChainVerifyOptions& options)
{
    const ChainPath path = internal::buildPath(input, trust, options.leafPosition);
    if (path.certs.isEmpty() || path.reachedAnchor || path.endsSelfSigned) {
        return {};
    }
    return path.certs.last();
}

ChainReport ChainVerifier::verify(const ChainInput& input, const TrustStore& trust,
                                  const QDateTime& now, const ChainVerifyOptions& options)
{
    ChainReport report;
    report.hostname = input.host;
    report.served = input.served;
    const ChainPath path = internal::buildPath(input, trust, options.leafPosition);
    if (path.certs.isEmpty()) {
        report.servedFindings << ServedFinding{
            ServedProblem::Empty, Severity::Error, QStringLiteral("No certificate was served"), {}};
        report.summary = summarize(report);
        return report;
    }

    const OpenSslVerdict v = runOpenSsl(path, trust, input.host, now);
    const QList<Certificate> chain = v.chain.isEmpty() ? path.certs : v.chain;
    const bool anchored =
        trust.contains(chain.last()) && (chain.size() > 1 || internal::isSelfSigned(chain.last()));
    for (qsizetype i = 0; i < chain.size(); ++i) {
        ChainLink link;
        link.certificate = chain[i];
        const bool isTop = i == chain.size() - 1;
        link.role = i == 0                ? ChainLink::Role::Leaf
                    : (isTop && anchored) ? ChainLink::Role::Anchor
                                          : ChainLink::Role::Intermediate;
        link.source = sourceOf(chain[i], input, trust, isTop);
        report.built << link;
    }

    const auto contextFor = [&](qsizetype i, const QString& opensslText) {
        LinkContext c;
        c.cert = chain[i];
        c.issuer = i + 1 < chain.size() ? chain[i + 1] : Certificate();
        c.now = now;
        c.host = input.host;
        c.opensslText = opensslText;
        c.aiaErrors = input.aiaErrors;
        c.expiringSoonDays = options.expiringSoonDays;
        return c;
    };

    for (const VerifyError& e : v.errors) {
        const qsizetype i = std::clamp<qsizetype>(e.depth, 0, report.built.size() - 1);
        const QString text = QString::fromUtf8(X509_verify_cert_error_string(e.error));
        const QString detail =
            QStringLiteral("OpenSSL error %1 at depth %2: %3").arg(e.error).arg(e.depth).arg(text);
        addFinding(report.built[i], internal::problemForVerifyError(e.error), Severity::Error,
                   contextFor(i, text), detail);
    }
    if (!v.failure.isEmpty()) {
        addFinding(report.built[0], LinkProblem::Other, Severity::Error, contextFor(0, v.failure),
                   v.failure);
    }

    // CertDeck's own policy on top of OpenSSL's, so the verdict does not hang
    // on the security level a distribution configures.
    for (qsizetype i = 0; i < report.built.size(); ++i) {
        ChainLink& link = report.built[i];
        const LinkContext c = contextFor(i, {});
        QString what;
        if (internal::isWeakKey(link.certificate, &what)) {
            addFinding(link, LinkProblem::WeakKey, Severity::Error, c,
                       QStringLiteral("CertDeck policy: %1").arg(what));
        }
        // An anchor's self-signature is never checked by anyone: not a finding.
        if (link.role != ChainLink::Role::Anchor &&
            internal::hasWeakSignatureDigest(link.certificate, &what)) {
            addFinding(link, LinkProblem::Sha1Signature, Severity::Error, c,
                       QStringLiteral("CertDeck policy: %1 signature").arg(what));
        }
        const qint64 secsLeft = now.secsTo(link.certificate.notAfter());
        if (secsLeft >= 0 && secsLeft < qint64(options.expiringSoonDays) * 86400 &&
            now >= link.certificate.notBefore()) {
            addFinding(link, LinkProblem::ExpiresSoon, Severity::Warning, c,
                       QStringLiteral("threshold %1 days").arg(options.expiringSoonDays));
        }
    }
    // A path that stops below any anchor always gets UnknownIssuer on its top,
    // even if OpenSSL named the gap differently.
    if (!anchored && !internal::isSelfSigned(chain.last())) {
        const qsizetype top = report.built.size() - 1;
        addFinding(report.built[top], LinkProblem::UnknownIssuer, Severity::Error,
                   contextFor(top, {}), {});
    }

    bool anyError = false;
    for (const ChainLink& l : report.built) {
        anyError = anyError || l.verdict() == Severity::Error;
    }
    report.trusted = anchored && !anyError && v.failure.isEmpty();
    report.servedFindings = internal::judgeServedChain(input, path, report.built);
    report.summary = summarize(report);
    return report;
}

} // namespace certdeck::crypto
