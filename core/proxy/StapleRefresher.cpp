// SPDX-License-Identifier: GPL-3.0-or-later
#include "StapleRefresher.h"

#include "crypto/Certificate.h"
#include "crypto/CertificateDetails.h"
#include "proxy/TlsContextSet.h"
#include "revocation/OcspClient.h"

namespace certdeck::proxy {

struct StapleRefresher::Entry
{
    const X509* leaf = nullptr;
    crypto::Certificate cert;
    crypto::Certificate issuer;
    QUrl url;
    State state;
    std::unique_ptr<revocation::OcspClient> client;
};

StapleRefresher::StapleRefresher(std::function<std::shared_ptr<TlsContextSet>()> contexts,
                                 Options options, QObject* parent)
    : QObject(parent)
    , m_contexts(std::move(contexts))
    , m_options(std::move(options))
{
    m_timer.setInterval(m_options.tick);
    connect(&m_timer, &QTimer::timeout, this, &StapleRefresher::tick);
}

StapleRefresher::~StapleRefresher() = default;

QDateTime StapleRefresher::now() const
{
    return m_options.now ? m_options.now() : QDateTime::currentDateTimeUtc();
}

void StapleRefresher::start()
{
    m_timer.start();
    tick();
}

QList<StapleRefresher::State> StapleRefresher::states() const
{
    QList<State> out;
    for (const auto& e : m_entries) {
        out << e->state;
    }
    return out;
}

void StapleRefresher::tick()
{
    const auto set = m_contexts();
    if (set != m_set) {
        // A reload: start over with the new certificates.
        m_entries.clear();
        m_set = set;
        if (!m_set) {
            return;
        }
        for (const auto& served : m_set->served()) {
            auto e = std::make_unique<Entry>();
            e->leaf = served.leaf.get();
            X509_up_ref(served.leaf.get());
            e->cert = crypto::Certificate(ossl::X509Ptr(served.leaf.get()));
            if (served.issuer) {
                X509_up_ref(served.issuer.get());
                e->issuer = crypto::Certificate(ossl::X509Ptr(served.issuer.get()));
            }
            e->state.file = served.file;
            if (m_options.responder.isValid() && !m_options.responder.isEmpty()) {
                e->url = m_options.responder;
            } else {
                const QStringList urls =
                    crypto::CertificateDetails::decode(e->cert, now()).ocspUrls;
                if (!urls.isEmpty()) {
                    e->url = QUrl(urls.first());
                }
            }
            if (!served.issuer) {
                e->state.status = QStringLiteral("not stapled: the file has no issuer "
                                                 "certificate after the leaf");
            } else if (!e->url.isValid() || e->url.isEmpty()) {
                e->state.status = QStringLiteral("not stapled: the certificate names no OCSP "
                                                 "responder");
            }
            m_entries.push_back(std::move(e));
        }
    }
    const QDateTime t = now();
    for (const auto& e : m_entries) {
        if (e->issuer.handle() == nullptr || e->url.isEmpty() || e->client) {
            continue;
        }
        // A staple past its nextUpdate is dropped: better none than a stale one.
        if (e->state.stapled && e->state.nextUpdate.isValid() && t >= e->state.nextUpdate) {
            m_set->setStaple(e->leaf, nullptr);
            e->state.stapled = false;
            e->state.status = QStringLiteral("not stapled: the response expired at %1")
                                  .arg(e->state.nextUpdate.toString(Qt::ISODate));
            emit updated(e->state.file, false, e->state.status);
        }
        if (!e->state.refreshAt.isValid() || t >= e->state.refreshAt) {
            fetch(*e);
        }
    }
}

void StapleRefresher::fetch(Entry& entry)
{
    revocation::OcspClientOptions o;
    o.useCache = false;
    o.nonce = false; // a staple is shown to every client: no per-request nonce
    o.now = now();
    entry.client = std::make_unique<revocation::OcspClient>(&m_network, o);
    Entry* e = &entry;
    connect(entry.client.get(), &revocation::OcspClient::finished, this,
            [this, e] { onFinished(e); });
    ++entry.state.fetches;
    entry.client->check(entry.url, entry.cert, entry.issuer);
}

void StapleRefresher::onFinished(Entry* entry)
{
    // The entry may belong to a set replaced meanwhile; it is still alive
    // (its client is what is finishing), but only the current set is updated.
    // Deleted later: this runs inside the client's own finished() signal.
    revocation::OcspClient* client = entry->client.release();
    client->deleteLater();
    const auto& result = client->result();
    const QDateTime t = now();
    QString message;
    bool ok = false;
    if (!result) {
        message = QStringLiteral("responder unreachable: ") + result.error().toString();
    } else if (!result->response.verified()) {
        message = QStringLiteral("response refused: ") + result->response.problems.join(u' ');
    } else if (result->response.status != revocation::CertStatus::Good) {
        message = QStringLiteral("not stapled: the responder does not say good");
    } else {
        ok = true;
    }
    if (ok) {
        const auto& r = result->response;
        m_set->setStaple(entry->leaf, std::make_shared<const QByteArray>(result->der));
        entry->state.stapled = true;
        entry->state.nextUpdate = r.nextUpdate;
        if (r.nextUpdate.isValid() && r.thisUpdate.isValid()) {
            const qint64 window = r.thisUpdate.secsTo(r.nextUpdate);
            entry->state.refreshAt =
                r.thisUpdate.addSecs(static_cast<qint64>(window * m_options.refreshFraction));
        } else {
            entry->state.refreshAt = t.addSecs(3600);
        }
        if (entry->state.refreshAt <= t) {
            entry->state.refreshAt = t.addSecs(m_options.retry.count());
        }
        message = QStringLiteral("stapled (good) until %1, refresh at %2")
                      .arg(r.nextUpdate.toString(Qt::ISODate),
                           entry->state.refreshAt.toString(Qt::ISODate));
    } else {
        entry->state.refreshAt = t.addSecs(m_options.retry.count());
    }
    entry->state.status = message;
    emit updated(entry->state.file, ok, message);
}

} // namespace certdeck::proxy
