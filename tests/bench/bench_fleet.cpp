// SPDX-License-Identifier: GPL-3.0-or-later
// The fleet at scale: imports N endpoints with certificates (a PEM folder,
// one leaf per file) into a fresh SQLite store through the real importer and
// ImportApplier, opens the Fleet page on it, types into its filter, and
// prints import time, time until the table is shown, time per keystroke and
// peak RSS beside the aims of the issue. Not a test: no thresholds enforced,
// run it by hand or with bench_fleet.sh (QT_QPA_PLATFORM=offscreen).
#include "TestPki.h"
#include "crypto/Certificate.h"
#include "crypto/OpenSslError.h"
#include "crypto/internal/PemBlocks.h"
#include "inventory/FleetView.h"
#include "inventory/ImportApplier.h"
#include "inventory/Store.h"
#include "inventory/import/PemFolderImporter.h"
#include "ui/fleet/FleetPage.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/resource.h>

using namespace certdeck;
using namespace certdeck::crypto;

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool addExt(X509* cert, X509V3_CTX* ctx, int nid, const char* value)
{
    ossl::Owner<X509_EXTENSION, X509_EXTENSION_free> ext(
        X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Signs N leaves with the OpenSSL API (N runs of the openssl CLI would take
// minutes). Expiry dates spread from 10 days ago to 90 days ahead so the
// counts strip and the status column see expired, expiring and fine rows.
bool generateLeaves(const test::TestPki& pki, const QString& dir, int count)
{
    ossl::BioPtr keyBio(BIO_new_file(pki.intermediateKey.toLocal8Bit().constData(), "r"));
    ossl::PKeyPtr caKey(keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr)
                               : nullptr);
    auto caCerts = internal::readCertificates(readAll(pki.intermediateCert), pki.intermediateCert);
    ossl::PKeyPtr leafKey(EVP_EC_gen("P-256"));
    if (!caKey || !caCerts || !leafKey) {
        return false;
    }
    X509* ca = caCerts->first().handle();
    for (int i = 0; i < count; ++i) {
        ossl::X509Ptr x(X509_new());
        const QByteArray cn = "host-" + QByteArray::number(i) + ".example.test";
        ossl::Owner<X509_NAME, X509_NAME_free> name(X509_NAME_new());
        const long days = (i % 101) - 10;
        if (!x || !name || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
            ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 100000 + i) != 1 ||
            X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(cn.constData()), -1,
                                       -1, 0) != 1 ||
            X509_set_subject_name(x.get(), name.get()) != 1 ||
            X509_set_issuer_name(x.get(), X509_get_subject_name(ca)) != 1 ||
            X509_gmtime_adj(X509_getm_notBefore(x.get()), -200L * 86400) == nullptr ||
            X509_gmtime_adj(X509_getm_notAfter(x.get()), days * 86400 + 3600) == nullptr ||
            X509_set_pubkey(x.get(), leafKey.get()) != 1) {
            return false;
        }
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, ca, x.get(), nullptr, nullptr, 0);
        const QByteArray san = "DNS:" + cn;
        if (!addExt(x.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
            !addExt(x.get(), &ctx, NID_key_usage, "critical,digitalSignature") ||
            !addExt(x.get(), &ctx, NID_ext_key_usage, "serverAuth") ||
            !addExt(x.get(), &ctx, NID_subject_key_identifier, "hash") ||
            !addExt(x.get(), &ctx, NID_authority_key_identifier, "keyid:always") ||
            !addExt(x.get(), &ctx, NID_subject_alt_name, san.constData()) ||
            X509_sign(x.get(), caKey.get(), EVP_sha256()) <= 0) {
            return false;
        }
        QFile f(QStringLiteral("%1/host-%2.pem").arg(dir).arg(i, 5, 10, QLatin1Char('0')));
        if (!f.open(QIODevice::WriteOnly) || f.write(Certificate(std::move(x)).toPem()) <= 0) {
            return false;
        }
    }
    return true;
}

double peakRssMb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

// The resident set now (VmRSS), to tell what the page holds from what the
// import in the same process peaked at.
double currentRssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').constFirst().toDouble() / 1024.0;
        }
    }
    return 0;
}

QString ms(double v)
{
    return QString::number(v, 'f', v < 10 ? 2 : 0) + QStringLiteral(" ms");
}

struct Keystrokes
{
    QList<double> ms;
    int rowsLeft = 0;
    [[nodiscard]] double max() const { return *std::max_element(ms.begin(), ms.end()); }
    [[nodiscard]] double median() const
    {
        QList<double> s = ms;
        std::sort(s.begin(), s.end());
        return s.at(s.size() / 2);
    }
};

// Types `text` one character at a time. Each keystroke's time covers the key
// event (textChanged -> the proxy refilters synchronously -> counts strip)
// and the delivery of the events it posted (layout, repaint requests).
Keystrokes type(ui::FleetPage& page, const QString& text)
{
    Keystrokes k;
    page.filterEdit()->clear();
    QCoreApplication::sendPostedEvents();
    QElapsedTimer t;
    for (const QChar c : text) {
        t.start();
        QTest::keyClick(page.filterEdit(), c.toLatin1());
        QCoreApplication::sendPostedEvents();
        page.table()->viewport()->repaint();
        k.ms << static_cast<double>(t.nsecsElapsed()) / 1e6;
    }
    k.rowsLeft = page.proxy()->rowCount();
    return k;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const qsizetype countAt = args.indexOf(QStringLiteral("--count"));
    const int count =
        countAt > 0 && countAt + 1 < args.size() ? args.at(countAt + 1).toInt() : 10000;
    QTemporaryDir tmp;
    test::TestPki pki;
    if (!tmp.isValid() || !pki.create(tmp.path(), {})) {
        out() << "cannot create the test PKI: " << pki.errorString() << "\n";
        return 1;
    }
    const QString leaves = tmp.filePath(QStringLiteral("leaves"));
    QDir().mkpath(leaves);
    QElapsedTimer t;
    t.start();
    if (!generateLeaves(pki, leaves, count)) {
        out() << "cannot generate the leaves: " << ossl::drainErrors() << "\n";
        return 1;
    }
    out() << "generated " << count << " ECDSA P-256 leaves (SAN host-N.example.test) in "
          << t.elapsed() << " ms\n";
    out().flush();

    // Import through the real path: folder importer, then one transaction.
    const QString dbPath = tmp.filePath(QStringLiteral("store/certdeck.sqlite"));
    t.restart();
    auto plan = inventory::PemFolderImporter::importFolder(leaves, {QStringLiteral("bench"), true});
    if (!plan) {
        out() << "import failed: " << plan.error().toString() << "\n";
        return 1;
    }
    const qint64 readMs = t.elapsed();
    auto store = inventory::Store::openSqlite(dbPath);
    if (!store) {
        out() << "cannot open the store: " << store.error().toString() << "\n";
        return 1;
    }
    t.restart();
    auto summary = inventory::ImportApplier::apply(**store, *plan);
    if (!summary) {
        out() << "apply failed: " << summary.error().toString() << "\n";
        return 1;
    }
    const qint64 applyMs = t.elapsed();
    out() << "imported " << summary->endpointsAdded << " endpoints, " << summary->certificates
          << " certificates (" << plan->warnings.size() << " warnings)\n";

    // The first of loadFleet's four queries, alone: the rest is the current
    // certificates, the latest probes and the deploy targets.
    t.restart();
    const qsizetype listed =
        (*store)->endpoints().list().value_or(QList<inventory::Endpoint>()).size();
    const double listMs = static_cast<double>(t.nsecsElapsed()) / 1e6;

    // loadFleet alone, on this thread: what the page's worker does.
    t.restart();
    auto rows = inventory::loadFleet(**store);
    const qint64 loadMs = t.elapsed();
    if (!rows) {
        out() << "loadFleet failed: " << rows.error().toString() << "\n";
        return 1;
    }
    const qsizetype rowCount = rows->size();
    rows = QList<inventory::FleetRow>();
    *plan = inventory::ImportPlan();
    store->reset();
    const double rssBeforePage = currentRssMb();

    // The page: construction to reloaded(true), then the first paint.
    QElapsedTimer page;
    page.start();
    ui::FleetPage fleet(dbPath);
    fleet.resize(1280, 800);
    fleet.show();
    bool reloadedOk = false;
    QEventLoop loop;
    QObject::connect(&fleet, &ui::FleetPage::reloaded, &loop, [&](bool ok) {
        reloadedOk = ok;
        loop.quit();
    });
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    loop.exec();
    const double reloadedMs = static_cast<double>(page.nsecsElapsed()) / 1e6;
    QCoreApplication::sendPostedEvents();
    fleet.table()->viewport()->repaint();
    const double shownMs = static_cast<double>(page.nsecsElapsed()) / 1e6;
    if (!reloadedOk || fleet.proxy()->rowCount() != count) {
        out() << "the page did not show the fleet: " << fleet.proxy()->rowCount() << " rows\n";
        return 1;
    }

    const QString needle = QStringLiteral("host-4242.");
    const Keystrokes hit = type(fleet, needle);
    const QString nothing = QStringLiteral("zzzzzzzzzz");
    const Keystrokes miss = type(fleet, nothing);
    const double rss = peakRssMb();
    const double rssWithPage = currentRssMb();

    // One row of the table: figure, value, and the aim with its verdict.
    const auto row = [](const QString& figure, double valueMs, const QString& aim = {},
                        bool met = true) {
        out() << figure.leftJustified(46) << ms(valueMs).leftJustified(12);
        if (!aim.isEmpty()) {
            out() << aim.leftJustified(10) << (met ? "met" : "MISSED");
        }
        out() << "\n";
    };
    out() << "\n" << QStringLiteral("figure").leftJustified(46) << "value       aim\n";
    row(QStringLiteral("import: read folder (PemFolderImporter)"), static_cast<double>(readMs));
    row(QStringLiteral("import: apply plan (ImportApplier, 1 txn)"), static_cast<double>(applyMs));
    row(QStringLiteral("import: total"), static_cast<double>(readMs + applyMs));
    row(QStringLiteral("endpoints().list() alone (%1 rows)").arg(listed), listMs);
    row(QStringLiteral("loadFleet alone (%1 rows)").arg(rowCount), static_cast<double>(loadMs));
    row(QStringLiteral("page: construct -> reloaded(true)"), reloadedMs);
    row(QStringLiteral("page: construct -> table painted"), shownMs, QStringLiteral("< 1 s"),
        shownMs < 1000);
    row(QStringLiteral("keystroke '%1': median").arg(needle), hit.median());
    row(QStringLiteral("keystroke '%1': max").arg(needle), hit.max(), QStringLiteral("< 50 ms"),
        hit.max() < 50);
    row(QStringLiteral("keystroke '%1' (no match): median").arg(nothing), miss.median());
    row(QStringLiteral("keystroke '%1' (no match): max").arg(nothing), miss.max(),
        QStringLiteral("< 50 ms"), miss.max() < 50);
    out() << QStringLiteral("peak RSS (ru_maxrss)").leftJustified(46)
          << (QString::number(rss, 'f', 0) + QStringLiteral(" MB")).leftJustified(12)
          << QStringLiteral("< 250 MB").leftJustified(10) << (rss < 250 ? "met" : "MISSED") << "\n";
    out() << "RSS now: " << QString::number(rssBeforePage, 'f', 0)
          << " MB before the page (import freed), " << QString::number(rssWithPage, 'f', 0)
          << " MB with the page open and filtered\n";
    out() << "\nper keystroke, '" << needle << "' (" << hit.rowsLeft << " rows left):";
    for (const double v : hit.ms) {
        out() << " " << QString::number(v, 'f', 1);
    }
    out() << "\nper keystroke, '" << nothing << "' (" << miss.rowsLeft << " rows left):";
    for (const double v : miss.ms) {
        out() << " " << QString::number(v, 'f', 1);
    }
    out() << "\n";
    out().flush();
    return 0;
}
