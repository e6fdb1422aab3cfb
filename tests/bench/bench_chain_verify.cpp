// SPDX-License-Identifier: GPL-3.0-or-later
// Parses and verifies N leaf certificates (one file each, under one
// intermediate) with ChainVerifier, and times `openssl verify` on the same
// files in the same run. Prints both wall times and the ratio. Not a test:
// no thresholds, run it by hand or with bench_chain_verify.sh.
#include "PeerProcess.h"
#include "TestPki.h"
#include "crypto/ChainVerifier.h"
#include "crypto/OpenSslError.h"
#include "crypto/OpenSslPtr.h"
#include "crypto/internal/PemBlocks.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QtConcurrent>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

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

// Signing N leaves with the OpenSSL API takes a second; N runs of the
// openssl CLI would take minutes. The CLI made the root and intermediate.
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
        const QByteArray cn = "leaf-" + QByteArray::number(i) + ".example";
        ossl::Owner<X509_NAME, X509_NAME_free> name(X509_NAME_new());
        if (!x || !name || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
            ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 100000 + i) != 1 ||
            X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(cn.constData()), -1,
                                       -1, 0) != 1 ||
            X509_set_subject_name(x.get(), name.get()) != 1 ||
            X509_set_issuer_name(x.get(), X509_get_subject_name(ca)) != 1 ||
            X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600) == nullptr ||
            X509_gmtime_adj(X509_getm_notAfter(x.get()), 90L * 86400) == nullptr ||
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
        QFile f(QStringLiteral("%1/leaf-%2.pem").arg(dir).arg(i, 5, 10, QLatin1Char('0')));
        if (!f.open(QIODevice::WriteOnly) || f.write(Certificate(std::move(x)).toPem()) <= 0) {
            return false;
        }
    }
    return true;
}

struct OurRun
{
    qint64 ms = 0;
    int trusted = 0;
};

ChainReport verifyFile(const QString& path, const Certificate& intermediate,
                       const TrustStore& trust, const QDateTime& now)
{
    auto leaf = internal::readCertificates(readAll(path), path);
    ChainInput in;
    if (leaf) {
        in.served = *leaf;
    }
    in.served << intermediate;
    return ChainVerifier::verify(in, trust, now);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
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
    out() << "generated " << count << " ECDSA P-256 leaves under one intermediate in "
          << t.elapsed() << " ms\n";
    QStringList files = QDir(leaves).entryList({QStringLiteral("*.pem")}, QDir::Files);
    for (QString& f : files) {
        f = leaves + u'/' + f;
    }

    // Ours: read, parse and verify every file, one thread, as openssl does.
    t.restart();
    auto trust = TrustStore::fromFile(pki.rootCert);
    auto inter = internal::readCertificates(readAll(pki.intermediateCert), pki.intermediateCert);
    if (!trust || !inter) {
        out() << "cannot load the root or the intermediate\n";
        return 1;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int trusted = 0;
    for (const QString& f : files) {
        trusted += verifyFile(f, inter->first(), *trust, now).trusted ? 1 : 0;
    }
    const qint64 oursMs = t.elapsed();

    // The peer: the same files, the same checks (strict, sslserver, level 2).
    t.restart();
    QByteArray peerOut;
    QStringList peerArgs{QStringLiteral("verify"),      QStringLiteral("-x509_strict"),
                         QStringLiteral("-purpose"),    QStringLiteral("sslserver"),
                         QStringLiteral("-auth_level"), QStringLiteral("2"),
                         QStringLiteral("-CAfile"),     pki.rootCert,
                         QStringLiteral("-untrusted"),  pki.intermediateCert};
    const int rc = test::runTool(QStringLiteral("openssl"), peerArgs + files, &peerOut, 600000);
    const qint64 peerMs = t.elapsed();
    const int peerOk = static_cast<int>(peerOut.count(": OK\n"));

    // Ours again on all cores: what the fleet view does with many endpoints.
    t.restart();
    const TrustStore shared = *trust;
    const Certificate intermediate = inter->first();
    const QList<bool> parallel =
        QtConcurrent::blockingMapped(files, [&shared, &intermediate, now](const QString& f) {
            return verifyFile(f, intermediate, shared, now).trusted;
        });
    const qint64 parallelMs = t.elapsed();

    out() << "certdeck  parse+verify, 1 thread : " << oursMs << " ms (" << trusted << "/" << count
          << " trusted, " << QString::number(1000.0 * oursMs / count, 'f', 1) << " us/cert)\n"
          << "openssl verify, 1 process        : " << peerMs << " ms (" << peerOk << "/" << count
          << " OK, exit " << rc << ", " << QString::number(1000.0 * peerMs / count, 'f', 1)
          << " us/cert)\n"
          << "ratio certdeck/openssl           : "
          << QString::number(static_cast<double>(oursMs) / std::max<qint64>(peerMs, 1), 'f', 2)
          << "\n"
          << "certdeck on " << QThread::idealThreadCount() << " threads          : " << parallelMs
          << " ms (" << parallel.count(true) << " trusted)\n";
    out().flush();
    return trusted == count && peerOk == count ? 0 : 2;
}
