// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace certdeck::revocation {
class OcspClient;
}

namespace certdeck::proxy {

class TlsContextSet;

/// Keeps an OCSP staple for every certificate the proxy serves: asks the
/// certificate's responder (AIA, or one URL for all) through
/// revocation::OcspClient, staples only responses that verify and say
/// "good", refreshes each one once `refreshFraction` of its validity window
/// has passed (well before nextUpdate), retries failures, and drops a staple
/// whose nextUpdate has passed rather than serve a stale one.
///
/// Runs on the event loop of the thread that owns it, never on the proxy's
/// loops: a new staple reaches the handshakes through
/// TlsContextSet::setStaple(), an atomic swap. After a reload it starts over
/// with the new set (checked on every tick).
class StapleRefresher : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl responder; ///< empty: each leaf's own AIA OCSP URL
        double refreshFraction = 0.5;
        std::chrono::seconds retry{60};
        std::chrono::milliseconds tick{1000};
        /// The clock (tests move it); default: the current time in UTC.
        std::function<QDateTime()> now;
    };
    /// One certificate's stapling state, for the CLI and the console.
    struct State
    {
        QString file;
        QString status; ///< "stapled (good)", "no OCSP URL", "responder unreachable: ..."
        QDateTime nextUpdate;
        QDateTime refreshAt;
        int fetches = 0;
        bool stapled = false;
    };

    StapleRefresher(std::function<std::shared_ptr<TlsContextSet>()> contexts, Options options,
                    QObject* parent = nullptr);
    ~StapleRefresher() override;

    void start();
    /// Runs one tick now (tests, after moving the clock).
    void checkNow() { tick(); }
    [[nodiscard]] QList<State> states() const;

signals:
    /// A fetch ended for `file`: stapled, or why not.
    void updated(const QString& file, bool stapled, const QString& message);

private:
    struct Entry;
    void tick();
    void fetch(Entry& entry);
    void onFinished(Entry* entry);
    [[nodiscard]] QDateTime now() const;

    std::function<std::shared_ptr<TlsContextSet>()> m_contexts;
    Options m_options;
    QNetworkAccessManager m_network;
    QTimer m_timer;
    std::shared_ptr<TlsContextSet> m_set;
    std::vector<std::unique_ptr<Entry>> m_entries;
};

} // namespace certdeck::proxy
