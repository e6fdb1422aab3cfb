// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChainJob.h"

#include "common/OpensslThreadCleanup.h"
#include "common/PoolTask.h"

#include <QNetworkAccessManager>

namespace certdeck::crypto {

namespace {

QString shortName(const Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

} // namespace

ChainJob::ChainJob(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options,
                   QObject* parent)
    : TypedOperation<ChainReport>(parent)
    , m_input(std::move(input))
    , m_trust(std::move(trust))
    , m_now(std::move(now))
    , m_options(options)
{}

ChainJob::~ChainJob() = default;

ChainJob* ChainJob::run(ChainInput input, TrustStore trust, QDateTime now, ChainJobOptions options,
                        QObject* context, std::function<void(const ChainReport&)> done)
{
    // Parented to the context: it dies with it, and so does the callback.
    auto* job = new ChainJob(std::move(input), std::move(trust), std::move(now), options, context);
    connect(job, &ChainJob::finished, context, [job, done = std::move(done)] {
        if (!job->wasCancelled()) {
            done(job->report());
        }
        job->deleteLater();
    });
    job->start();
    return job;
}

void ChainJob::onStart()
{
    nextHop();
}

void ChainJob::onCancel()
{
    if (m_fetcher) {
        m_fetcher->disconnect(this);
        m_fetcher->cancel(); // aborts the request: its socket is closed now
    }
    finish(fail(ErrorCode::Cancelled, QStringLiteral("the chain check was cancelled")));
}

void ChainJob::say(const QString& sentence)
{
    reportProgress(sentence, Indeterminate, {});
}

void ChainJob::nextHop()
{
    if (isEnding()) {
        return;
    }
    const Certificate top = ChainVerifier::missingIssuerOf(m_input, m_trust, m_options.verify);
    if (top.isNull() || !m_options.fetchAia) {
        verifyOnWorker();
        return;
    }
    if (m_hops >= m_options.maxAiaHops) {
        m_input.aiaErrors
            << QStringLiteral("gave up after fetching %1 issuers through AIA").arg(m_hops);
        verifyOnWorker();
        return;
    }
    const QList<QUrl> urls = AiaFetcher::caIssuersUrls(top);
    if (urls.isEmpty()) {
        m_input.aiaErrors
            << QStringLiteral("%1 names no AIA caIssuers URL to fetch it from").arg(shortName(top));
        verifyOnWorker();
        return;
    }
    if (!m_network) {
        m_network = std::make_unique<QNetworkAccessManager>();
    }
    ++m_hops;
    m_fetcher = std::make_unique<AiaFetcher>(m_network.get(), m_options.aia);
    connect(m_fetcher.get(), &AiaFetcher::finished, this, &ChainJob::onFetched);
    say(QStringLiteral("fetching the issuer of %1 from %2")
            .arg(shortName(top), urls.first().toString()));
    m_fetcher->fetch(urls.first());
}

void ChainJob::onFetched()
{
    if (isEnding() || !m_fetcher) {
        return;
    }
    const Result<QList<Certificate>> got = m_fetcher->result();
    const QString url = m_fetcher->url().toString();
    // Not deleted inside its own signal: the object goes on the next turn.
    m_fetcher.release()->deleteLater();
    if (!got) {
        m_input.aiaErrors << got.error().toString();
        verifyOnWorker();
        return;
    }
    qsizetype added = 0;
    for (const Certificate& c : *got) {
        if (!m_input.extra.contains(c) && !m_input.served.contains(c)) {
            m_input.extra << c;
            ++added;
        }
    }
    if (added == 0) {
        m_input.aiaErrors << QStringLiteral("%1 answered no new certificate").arg(url);
        verifyOnWorker();
        return;
    }
    nextHop();
}

void ChainJob::verifyOnWorker()
{
    say(QStringLiteral("verifying the chain"));
    // The result comes to this job while it lives; the worker holds copies
    // only, so nobody waits for it.
    runOnPool(
        this,
        [input = m_input, trust = m_trust, now = m_now, options = m_options.verify] {
            const certdeck::OpensslThreadCleanup cleanup;
            return ChainVerifier::verify(input, trust, now, options);
        },
        [this](const ChainReport& report) {
            if (isEnding()) {
                return;
            }
            m_report = report;
            finishWith(m_report);
        });
}

} // namespace certdeck::crypto
