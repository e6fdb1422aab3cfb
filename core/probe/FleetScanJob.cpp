// SPDX-License-Identifier: GPL-3.0-or-later
#include "FleetScanJob.h"

#include <QThread>
#include <openssl/crypto.h>

namespace certdeck::probe {

FleetScanJob::FleetScanJob(QList<ScanItem> items, ScanOptions options, QObject* parent)
    : QObject(parent)
    , m_items(std::move(items))
    , m_options(std::move(options))
    , m_total(int(m_items.size()))
{}

FleetScanJob::~FleetScanJob()
{
    if (m_thread == nullptr) {
        return;
    }
    cancel();
    m_thread->wait();
    delete m_thread;
}

void FleetScanJob::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("certdeck-fleet-scan"));
    auto* scanner = new FleetScanner(std::move(m_items), m_options);
    m_items.clear();
    scanner->moveToThread(m_thread);
    m_scanner = scanner;

    connect(m_thread, &QThread::started, scanner, &FleetScanner::start);
    // Results and progress cross to this object's thread (queued).
    connect(scanner, &FleetScanner::endpointDone, this,
            [this](const ScanItem& item, const EndpointResult& result) {
                if (!result.nodes.isEmpty()) {
                    emit endpointDone(item, result.nodes.constFirst());
                }
                emit endpointNodesDone(item, result);
            });
    connect(scanner, &FleetScanner::progress, this, &FleetScanJob::progress);
    // Read the peak on the scanner's thread, where its budget lives.
    connect(
        scanner, &FleetScanner::finished, scanner,
        [this, scanner] {
            const int peak = scanner->peakConnections();
            QMetaObject::invokeMethod(this, [this, peak] { onScannerFinished(peak); });
            scanner->thread()->quit();
        },
        Qt::DirectConnection);
    connect(m_thread, &QThread::finished, scanner, &QObject::deleteLater);
    // The thread's OpenSSL state (random key shares use it) goes with it.
    connect(
        m_thread, &QThread::finished, m_thread, [] { OPENSSL_thread_stop(); },
        Qt::DirectConnection);
    m_thread->start();
}

void FleetScanJob::cancel()
{
    if (!m_started || m_finished || m_cancelled) {
        return;
    }
    m_cancelled = true;
    if (m_scanner) {
        QMetaObject::invokeMethod(m_scanner.data(), &FleetScanner::cancel);
    }
}

void FleetScanJob::onScannerFinished(int peak)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    emit finished(m_cancelled, peak);
}

} // namespace certdeck::probe
