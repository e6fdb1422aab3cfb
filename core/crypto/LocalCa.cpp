// SPDX-License-Identifier: GPL-3.0-or-later
#include "LocalCa.h"

#include "common/SecureFile.h"
#include "crypto/Asn1.h"
#include "crypto/OpenSslError.h"
#include "crypto/internal/CaCertBuilder.h"
#include "crypto/internal/CaIndex.h"
#include "crypto/internal/CaKeyIo.h"
#include "crypto/internal/CaNameConstraints.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QStandardPaths>
#include <array>
#include <utility>

namespace certdeck::crypto {

namespace {

using namespace internal;

// Certificates start a little in the past so that peers whose clocks lag
// behind do not see "not yet valid".
constexpr qint64 kBackdateSecs = 5 * 60;
constexpr int kMaxLeafDays = 3650;
constexpr int kMaxLeafHours = 24 * 31;
constexpr qsizetype kMinPassphrase = 8;

const std::array<std::pair<RevocationReason, const char*>, 7> kReasons{{
    {RevocationReason::Unspecified, "unspecified"},
    {RevocationReason::KeyCompromise, "keyCompromise"},
    {RevocationReason::CaCompromise, "cACompromise"},
    {RevocationReason::AffiliationChanged, "affiliationChanged"},
    {RevocationReason::Superseded, "superseded"},
    {RevocationReason::CessationOfOperation, "cessationOfOperation"},
    {RevocationReason::PrivilegeWithdrawn, "privilegeWithdrawn"},
}};

Result<Certificate> readCertificate(const QString& path)
{
    auto data = readFileCapped(path, 1024 * 1024);
    if (!data) {
        return tl::unexpected(data.error());
    }
    auto der = unwrapPem(*data, {QStringLiteral("CERTIFICATE")}, path);
    if (!der) {
        return tl::unexpected(der.error());
    }
    return Certificate::fromDer(*der, path);
}

Result<ossl::X509NamePtr> caName(const QString& organization, const QString& commonName)
{
    ossl::X509NamePtr name(X509_NAME_new());
    if (!name) {
        return fail(ErrorCode::Internal, QStringLiteral("Out of memory"), ossl::drainErrors());
    }
    for (auto [nid, value] :
         {std::pair{NID_organizationName, organization}, std::pair{NID_commonName, commonName}}) {
        if (value.isEmpty()) {
            continue;
        }
        const QByteArray utf8 = value.toUtf8();
        if (X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(utf8.constData()),
                                       int(utf8.size()), -1, 0) != 1) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("The CA name '%1' cannot be encoded (64 characters at most)")
                            .arg(value),
                        ossl::drainErrors());
        }
    }
    return name;
}

CaRecord toRecord(const CaIndexEntry& e)
{
    CaRecord r;
    r.serial = e.serial;
    r.subject = e.subject;
    r.notBefore = e.notBefore;
    r.notAfter = e.notAfter;
    r.profile = e.profile;
    r.revoked = e.revoked;
    r.revokedAt = e.revokedAt;
    r.reason = RevocationReason(e.reason);
    return r;
}

CaIndexEntry entryFor(const Certificate& cert, const QString& profile)
{
    CaIndexEntry e;
    e.serial = CaIndex::normalizeSerial(cert.serialHex());
    e.subject = cert.subject();
    e.notBefore = cert.notBefore();
    e.notAfter = cert.notAfter();
    e.profile = profile;
    return e;
}

Status lockFolder(QLockFile& lock, const QString& dir)
{
    if (!lock.tryLock(10000)) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("The CA folder is busy (another certdeck process holds its "
                                   "lock)"),
                    dir);
    }
    return {};
}

} // namespace

Result<RevocationReason> parseRevocationReason(const QString& name)
{
    for (const auto& [reason, n] : kReasons) {
        if (name.compare(QLatin1String(n), Qt::CaseInsensitive) == 0) {
            return reason;
        }
    }
    QStringList known;
    for (const auto& entry : kReasons) {
        known << QLatin1String(entry.second);
    }
    return fail(ErrorCode::InvalidInput, QStringLiteral("unknown revocation reason '%1' (%2)")
                                             .arg(name, known.join(QStringLiteral(", "))));
}

QString revocationReasonName(RevocationReason reason)
{
    for (const auto& [r, n] : kReasons) {
        if (r == reason) {
            return QLatin1String(n);
        }
    }
    return QStringLiteral("unspecified");
}

LocalCa::~LocalCa() = default;

QString LocalCa::path(const char* name) const
{
    return QDir(m_dir).filePath(QLatin1String(name));
}

QDateTime LocalCa::now() const
{
    return m_clock ? m_clock().toUTC() : QDateTime::currentDateTimeUtc();
}

QString LocalCa::defaultFolder(const QString& name)
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/certdeck/ca/") + name;
}

void LocalCa::loadNameConstraints()
{
    const auto nc = CaNameConstraints::fromCertificate(m_intermediate.handle());
    m_permittedDns = nc.permittedDns;
    m_permittedIp = nc.permittedIp;
    m_excludedIp = nc.excludedIp;
}

Result<LocalCa> LocalCa::init(const QString& dir, const LocalCaOptions& options,
                              const QByteArray& passphrase)
{
    if (passphrase.size() < kMinPassphrase) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The CA passphrase must have at least %1 characters")
                        .arg(kMinPassphrase));
    }
    const QDir d(dir);
    if (QFileInfo::exists(d.filePath(QStringLiteral("index.json")))) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("%1 already holds a CA; it was left as it is").arg(dir));
    }
    for (const char* f : {"root.pem", "root.key", "intermediate.pem", "intermediate.key"}) {
        if (QFileInfo::exists(d.filePath(QLatin1String(f)))) {
            // An init that stopped half-way: never overwrite a key, let the
            // user decide what to keep.
            return fail(ErrorCode::Conflict,
                        QStringLiteral("%1 holds an unfinished CA (%2 but no index.json); move it "
                                       "away or choose another folder")
                            .arg(dir, QLatin1String(f)));
        }
    }
    auto keyType = parseCaKeyType(options.keyType);
    if (!keyType) {
        return tl::unexpected(keyType.error());
    }
    if (options.rootDays < 1 || options.intermediateDays < 1 ||
        options.intermediateDays > options.rootDays) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Lifetimes must be at least one day, and the intermediate's "
                                   "no longer than the root's"));
    }
    auto nc = CaNameConstraints::toConfValue(options.permittedDns, options.permittedIp);
    if (!nc) {
        return tl::unexpected(nc.error());
    }

    const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-kBackdateSecs);
    auto rootKey = generateKey(*keyType);
    if (!rootKey) {
        return tl::unexpected(rootKey.error());
    }
    auto intKey = generateKey(*keyType);
    if (!intKey) {
        return tl::unexpected(intKey.error());
    }
    auto rootName = caName(options.organization, options.rootName);
    auto intName = caName(options.organization, options.intermediateName);
    if (!rootName || !intName) {
        return tl::unexpected(!rootName ? rootName.error() : intName.error());
    }
    auto rootSerial = randomSerial();
    auto intSerial = randomSerial();
    if (!rootSerial || !intSerial) {
        return tl::unexpected(!rootSerial ? rootSerial.error() : intSerial.error());
    }

    CertFrame rf;
    rf.subject = rootName->get();
    rf.publicKey = rootKey->get();
    rf.signingKey = rootKey->get();
    rf.serial = *rootSerial;
    rf.notBefore = start;
    rf.notAfter = start.addDays(options.rootDays);
    auto root = startCertificate(rf);
    if (!root) {
        return tl::unexpected(root.error());
    }
    for (auto [nid, value] :
         {std::pair{NID_basic_constraints, QStringLiteral("critical,CA:TRUE")},
          std::pair{NID_key_usage, QStringLiteral("critical,keyCertSign,cRLSign")},
          std::pair{NID_subject_key_identifier, QStringLiteral("hash")}}) {
        if (auto s = addConfExtension(root->get(), nullptr, nid, value); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (auto s = signCertificate(root->get(), rootKey->get()); !s) {
        return tl::unexpected(s.error());
    }

    CertFrame itf;
    itf.subject = intName->get();
    itf.publicKey = intKey->get();
    itf.issuer = root->get();
    itf.signingKey = rootKey->get();
    itf.serial = *intSerial;
    itf.notBefore = start;
    itf.notAfter = start.addDays(options.intermediateDays);
    auto inter = startCertificate(itf);
    if (!inter) {
        return tl::unexpected(inter.error());
    }
    QList<std::pair<int, QString>> intExts{
        {NID_basic_constraints, QStringLiteral("critical,CA:TRUE,pathlen:0")},
        {NID_key_usage, QStringLiteral("critical,keyCertSign,cRLSign")},
        {NID_subject_key_identifier, QStringLiteral("hash")},
        {NID_authority_key_identifier, QStringLiteral("keyid:always")}};
    if (!nc->isEmpty()) {
        intExts.append({NID_name_constraints, *nc});
    }
    for (const auto& [nid, value] : intExts) {
        if (auto s = addConfExtension(inter->get(), root->get(), nid, value); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (auto s = signCertificate(inter->get(), rootKey->get()); !s) {
        return tl::unexpected(s.error());
    }

    auto rootKeyPem = privateKeyToPkcs8Pem(rootKey->get(), passphrase);
    auto intKeyPem = privateKeyToPkcs8Pem(intKey->get(), passphrase);
    if (!rootKeyPem || !intKeyPem) {
        return tl::unexpected(!rootKeyPem ? rootKeyPem.error() : intKeyPem.error());
    }
    LocalCa ca;
    ca.m_dir = QFileInfo(dir).absoluteFilePath();
    ca.m_root = Certificate(std::move(*root));
    ca.m_intermediate = Certificate(std::move(*inter));
    ca.m_intermediateKey = std::move(*intKey);

    // Keys first: their write creates the folder 0700. index.json last: open()
    // treats a folder without it as an unfinished CA.
    WriteOptions secret;
    secret.secret = true;
    CaIndex index;
    index.add(entryFor(ca.m_root, QStringLiteral("root")));
    index.add(entryFor(ca.m_intermediate, QStringLiteral("intermediate")));
    for (const auto& [name, data, opts] :
         {std::tuple{"root.key", *rootKeyPem, secret},
          {"intermediate.key", *intKeyPem, secret},
          {"root.pem", ca.m_root.toPem(), WriteOptions{}},
          {"intermediate.pem", ca.m_intermediate.toPem(), WriteOptions{}},
          {"chain.pem", ca.m_intermediate.toPem() + ca.m_root.toPem(), WriteOptions{}}}) {
        if (auto s = writeFileAtomically(ca.path(name), data, opts); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (auto s = index.save(ca.path("index.json")); !s) {
        return tl::unexpected(s.error());
    }
    ca.loadNameConstraints();
    return ca;
}

Result<LocalCa> LocalCa::open(const QString& dir, const QByteArray& passphrase)
{
    LocalCa ca;
    ca.m_dir = QFileInfo(dir).absoluteFilePath();
    if (!QFileInfo(dir).isDir()) {
        return fail(ErrorCode::NotFound, QStringLiteral("No CA folder at %1").arg(dir));
    }
    if (!QFileInfo::exists(ca.path("index.json"))) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("%1 holds no finished CA (index.json is missing); run 'ca init'")
                        .arg(dir));
    }
    auto root = readCertificate(ca.path("root.pem"));
    if (!root) {
        return tl::unexpected(root.error());
    }
    auto inter = readCertificate(ca.path("intermediate.pem"));
    if (!inter) {
        return tl::unexpected(inter.error());
    }
    auto keyPem = readFileCapped(ca.path("intermediate.key"), 1024 * 1024);
    if (!keyPem) {
        return tl::unexpected(keyPem.error());
    }
    auto key = readPrivateKeyPem(*keyPem, passphrase,
                                 QStringLiteral("the CA key %1").arg(ca.path("intermediate.key")));
    if (!key) {
        if (key.error().code == ErrorCode::PermissionDenied && !passphrase.isEmpty()) {
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("Wrong CA passphrase: the intermediate key in %1 cannot "
                                       "be decrypted; nothing was changed")
                            .arg(dir),
                        key.error().detail);
        }
        return tl::unexpected(key.error());
    }
    if (X509_check_private_key(inter->handle(), key->get()) != 1) {
        return fail(
            ErrorCode::Crypto,
            QStringLiteral("intermediate.key does not belong to intermediate.pem in %1").arg(dir),
            ossl::drainErrors());
    }
    ca.m_root = std::move(*root);
    ca.m_intermediate = std::move(*inter);
    ca.m_intermediateKey = std::move(*key);
    ca.loadNameConstraints();
    return ca;
}

Result<CaIssued> LocalCa::sign(const Csr& csr, const CaProfile& profile,
                               const QList<SubjectAltName>& sanOverride)
{
    if (csr.isNull()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("No CSR to sign"));
    }
    if (auto s = csr.verifySignature(); !s) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("Refusing to sign: the CSR's signature does not verify (it was "
                                   "altered, or not made with the key it carries)"),
                    s.error().detail);
    }
    qint64 lifetimeSecs = 0;
    if (profile.lifetimeHours > 0) {
        if (profile.lifetimeHours > kMaxLeafHours) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("A short-lived certificate lasts at most %1 hours; use days")
                            .arg(kMaxLeafHours));
        }
        lifetimeSecs = qint64(profile.lifetimeHours) * 3600;
    } else {
        if (profile.lifetimeDays < 1 || profile.lifetimeDays > kMaxLeafDays) {
            return fail(
                ErrorCode::InvalidInput,
                QStringLiteral("The lifetime must be between 1 and %1 days").arg(kMaxLeafDays));
        }
        lifetimeSecs = qint64(profile.lifetimeDays) * 86400;
    }

    QList<SubjectAltName> sans = sanOverride.isEmpty() ? csr.subjectAltNames() : sanOverride;
    for (const SubjectAltName& san : sans) {
        if (auto s = san.validate(); !s) {
            return tl::unexpected(s.error());
        }
    }
    const QString cn = csr.commonName();
    const bool server = profile.kind == CaProfileKind::Server;
    bool hasHostName = false;
    for (const SubjectAltName& san : sans) {
        hasHostName = hasHostName || san.type == SubjectAltName::Type::Dns ||
                      san.type == SubjectAltName::Type::Ip;
    }
    if (server && !hasHostName) {
        // Clients match only SANs (RFC 6125), so a host-name CN becomes one.
        const SubjectAltName fromCn{SubjectAltName::Type::Dns, cn};
        if (cn.isEmpty() || !fromCn.validate()) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("A server certificate needs a DNS or IP name: the CSR has "
                                       "none in its SANs and its CN '%1' is not a host name; "
                                       "give the names (--san DNS:...)")
                            .arg(cn));
        }
        sans << fromCn;
    }
    const bool subjectEmpty = X509_NAME_entry_count(X509_REQ_get_subject_name(csr.handle())) == 0;
    if (sans.isEmpty() && subjectEmpty) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The CSR has neither a subject nor SANs: nothing to certify"));
    }
    if (auto s = CaNameConstraints{m_permittedDns, m_permittedIp, m_excludedIp}.check(sans, cn);
        !s) {
        return tl::unexpected(s.error());
    }

    const QDateTime t = now();
    const QDateTime notBefore = t.addSecs(-kBackdateSecs);
    const QDateTime notAfter = t.addSecs(lifetimeSecs);
    if (notAfter > m_intermediate.notAfter()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The certificate would outlive the intermediate CA (valid until "
                                   "%1); choose a shorter lifetime")
                        .arg(m_intermediate.notAfter().toString(Qt::ISODate)));
    }

    QStringList ignored;
    const bool mustStaple = csr.mustStaple();
    for (const CsrExtension& e : csr.requestedExtensions()) {
        if (e.oid == QLatin1String("2.5.29.17")) {
            if (!sanOverride.isEmpty()) {
                ignored << e.name + QStringLiteral(": replaced by the given SANs");
            }
        } else if (e.oid == QLatin1String("2.5.29.15") || e.oid == QLatin1String("2.5.29.37")) {
            ignored << e.name +
                           QStringLiteral(": set by the %1 profile instead")
                               .arg(server ? QStringLiteral("server") : QStringLiteral("client"));
        } else if (e.oid != QLatin1String("1.3.6.1.5.5.7.1.24")) {
            ignored << e.name + QStringLiteral(": not copied");
        }
    }

    QLockFile lock(path(".lock"));
    if (auto s = lockFolder(lock, m_dir); !s) {
        return tl::unexpected(s.error());
    }
    auto index = CaIndex::load(path("index.json"));
    if (!index) {
        return tl::unexpected(index.error());
    }
    QByteArray serial;
    for (int attempt = 0; attempt < 8 && serial.isEmpty(); ++attempt) {
        auto candidate = randomSerial();
        if (!candidate) {
            return tl::unexpected(candidate.error());
        }
        if (!index->contains(QString::fromLatin1(candidate->toHex()))) {
            serial = *candidate;
        }
    }
    if (serial.isEmpty()) {
        return fail(ErrorCode::Internal,
                    QStringLiteral("Could not find an unused serial number (random generator?)"));
    }

    CertFrame frame;
    frame.subject = X509_REQ_get_subject_name(csr.handle());
    frame.publicKey = X509_REQ_get0_pubkey(csr.handle());
    frame.issuer = m_intermediate.handle();
    frame.signingKey = m_intermediateKey.get();
    frame.serial = serial;
    frame.notBefore = notBefore;
    frame.notAfter = notAfter;
    auto cert = startCertificate(frame);
    if (!cert) {
        return tl::unexpected(cert.error());
    }
    const bool rsa = EVP_PKEY_is_a(frame.publicKey, "RSA") == 1;
    QList<std::pair<int, QString>> exts{
        {NID_basic_constraints, QStringLiteral("critical,CA:FALSE")},
        {NID_key_usage, rsa ? QStringLiteral("critical,digitalSignature,keyEncipherment")
                            : QStringLiteral("critical,digitalSignature")},
        {NID_ext_key_usage, server ? QStringLiteral("serverAuth") : QStringLiteral("clientAuth")},
        {NID_subject_key_identifier, QStringLiteral("hash")},
        {NID_authority_key_identifier, QStringLiteral("keyid:always")}};
    if (mustStaple) {
        exts.append({NID_tlsfeature, QStringLiteral("status_request")});
    }
    for (const auto& [nid, value] : exts) {
        if (auto s = addConfExtension(cert->get(), m_intermediate.handle(), nid, value); !s) {
            return tl::unexpected(s.error());
        }
    }
    if (!sans.isEmpty()) {
        auto names = toGeneralNames(sans);
        if (!names) {
            return tl::unexpected(names.error());
        }
        if (X509_add1_ext_i2d(cert->get(), NID_subject_alt_name, names->get(), subjectEmpty ? 1 : 0,
                              X509V3_ADD_DEFAULT) != 1) {
            return fail(ErrorCode::Internal, QStringLiteral("Cannot add the SAN extension"),
                        ossl::drainErrors());
        }
    }
    if (auto s = signCertificate(cert->get(), m_intermediateKey.get()); !s) {
        return tl::unexpected(s.error());
    }

    CaIssued issued;
    issued.certificate = Certificate(std::move(*cert));
    issued.chain = {m_intermediate, m_root};
    issued.ignoredExtensions = ignored;
    CaIndexEntry entry =
        entryFor(issued.certificate, server ? QStringLiteral("server") : QStringLiteral("client"));
    index->add(entry);
    // Recorded before it is handed out: a serial is never issued twice.
    if (auto s = index->save(path("index.json")); !s) {
        return tl::unexpected(s.error());
    }
    issued.record = toRecord(entry);
    return issued;
}

Result<CaRecord> LocalCa::revoke(const QString& serial, RevocationReason reason)
{
    if (CaIndex::normalizeSerial(serial).isEmpty()) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a serial number (hex, colons allowed)").arg(serial));
    }
    QLockFile lock(path(".lock"));
    if (auto s = lockFolder(lock, m_dir); !s) {
        return tl::unexpected(s.error());
    }
    auto index = CaIndex::load(path("index.json"));
    if (!index) {
        return tl::unexpected(index.error());
    }
    const qsizetype i = index->find(serial);
    if (i < 0) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("This CA never issued serial %1").arg(serial));
    }
    CaIndexEntry& e = index->entry(i);
    if (e.profile == QLatin1String("root") || e.profile == QLatin1String("intermediate")) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("Serial %1 is the CA's own %2 certificate; it cannot revoke "
                                   "itself")
                        .arg(serial, e.profile));
    }
    if (e.revoked) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("Serial %1 was already revoked on %2 (%3)")
                        .arg(e.serial, e.revokedAt.toString(Qt::ISODate),
                             revocationReasonName(RevocationReason(e.reason))));
    }
    e.revoked = true;
    e.revokedAt = now();
    e.reason = int(reason);
    const CaRecord record = toRecord(e);
    if (auto s = index->save(path("index.json")); !s) {
        return tl::unexpected(s.error());
    }
    return record;
}

Result<QByteArray> LocalCa::crl(int nextUpdateDays)
{
    if (nextUpdateDays < 1 || nextUpdateDays > 366) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("The CRL's next update must be 1 to 366 days away"));
    }
    QLockFile lock(path(".lock"));
    if (auto s = lockFolder(lock, m_dir); !s) {
        return tl::unexpected(s.error());
    }
    auto index = CaIndex::load(path("index.json"));
    if (!index) {
        return tl::unexpected(index.error());
    }
    QList<CrlEntry> entries;
    for (const CaIndexEntry& e : index->entries()) {
        if (e.revoked) {
            entries << CrlEntry{e.serial, e.revokedAt, e.reason};
        }
    }
    const QDateTime t = now();
    auto crl = makeCrl(m_intermediate.handle(), m_intermediateKey.get(), entries,
                       index->crlNumber(), t, t.addDays(nextUpdateDays));
    if (!crl) {
        return tl::unexpected(crl.error());
    }
    unsigned char* der = nullptr;
    const int len = i2d_X509_CRL(crl->get(), &der);
    ossl::OpensslBytesPtr owner(der);
    if (len <= 0) {
        return fail(ErrorCode::Internal, QStringLiteral("Cannot encode the CRL"),
                    ossl::drainErrors());
    }
    const QByteArray pem = wrapPem(QByteArray(reinterpret_cast<const char*>(der), len), "X509 CRL");
    // The number is spent before the CRL is published, so two CRLs never share one.
    index->setCrlNumber(index->crlNumber() + 1);
    if (auto s = index->save(path("index.json")); !s) {
        return tl::unexpected(s.error());
    }
    WriteOptions overwrite;
    overwrite.overwrite = true;
    if (auto s = writeFileAtomically(path("crl.pem"), pem, overwrite); !s) {
        return tl::unexpected(s.error());
    }
    return pem;
}

Result<QList<CaRecord>> LocalCa::records() const
{
    auto index = CaIndex::load(path("index.json"));
    if (!index) {
        return tl::unexpected(index.error());
    }
    QList<CaRecord> out;
    for (const CaIndexEntry& e : index->entries()) {
        out << toRecord(e);
    }
    return out;
}

} // namespace certdeck::crypto
