// SPDX-License-Identifier: GPL-3.0-or-later
#include "inventory/import/CertbotImporter.h"

#include "common/HostPort.h"
#include "common/SecureFile.h"
#include "inventory/import/CertbotRenewalConf.h"
#include "inventory/import/CertificateFileScanner.h"

#include <QDir>
#include <QFileInfo>
#include <QUrl>

namespace certdeck::inventory {

namespace {

/// Renewal confs are a few hundred bytes; anything huge is not one.
constexpr qint64 MaxConfBytes = 1024 * 1024;

class LineageReader
{
public:
    LineageReader(const QString& configDir, const CertbotImporter::Options& options,
                  ImportPlan& plan, QStringList& problems)
        : m_dir(configDir)
        , m_options(options)
        , m_plan(plan)
        , m_problems(problems)
    {}

    void read(const QString& name)
    {
        const QString confRel = QStringLiteral("renewal/%1.conf").arg(name);
        CertbotRenewalConf conf;
        bool haveConf = false;
        if (QFileInfo::exists(m_dir.filePath(confRel))) {
            auto text = readFileCapped(m_dir.filePath(confRel), MaxConfBytes);
            if (text) {
                conf = CertbotRenewalConf::parse(*text, confRel);
                m_problems << conf.errors;
                haveConf = true;
            } else {
                m_plan.warnings << confRel + QStringLiteral(": ") + text.error().message +
                                       QStringLiteral("; renewal settings unknown");
            }
        } else {
            m_plan.warnings << confRel + QStringLiteral(" is missing; renewal settings unknown");
        }

        const QString live = QStringLiteral("live/%1/").arg(name);
        // The conf's paths are where the files are on the server; the local
        // copy may sit elsewhere, so files are read from the folder given.
        auto serverPath = [&](const QString& confPath, const QString& file) {
            return confPath.isEmpty() ? m_dir.absoluteFilePath(live + file) : confPath;
        };

        QList<crypto::Certificate> chain;
        QString readFrom;
        for (const QString& file : {QStringLiteral("fullchain.pem"), QStringLiteral("cert.pem")}) {
            const QString rel = live + file;
            if (!QFileInfo(m_dir.filePath(rel)).isFile()) {
                m_plan.warnings << rel + (QFileInfo(m_dir.filePath(rel)).isSymLink()
                                              ? QStringLiteral(" points to a missing file (is "
                                                               "archive/ there?)")
                                              : QStringLiteral(" is missing"));
                continue;
            }
            auto scanned = CertificateFileScanner::scanFile(m_dir.filePath(rel));
            if (!scanned) {
                // There but damaged (cut off, not PEM): refused, never
                // passed over for a file that reads.
                m_problems << rel + QStringLiteral(": ") + scanned.error().message;
                continue;
            }
            if (scanned->certificates.isEmpty()) {
                m_plan.warnings << rel + QStringLiteral(" holds no certificate");
                continue;
            }
            chain = scanned->certificates;
            readFrom = m_dir.absoluteFilePath(rel);
            break;
        }
        if (file(live + QStringLiteral("chain.pem")) && chain.size() == 1) {
            auto scanned = CertificateFileScanner::scanFile(m_dir.filePath(live + "chain.pem"));
            if (scanned) {
                chain << scanned->certificates;
            } else {
                m_problems << live + QStringLiteral("chain.pem: ") + scanned.error().message;
            }
        }
        const QString keyRel = live + QStringLiteral("privkey.pem");
        const QString keyPath = serverPath(conf.privkeyPath, QStringLiteral("privkey.pem"));
        if (!QFileInfo(m_dir.filePath(keyRel)).isFile()) {
            m_plan.warnings << keyRel + QStringLiteral(" is missing");
        }
        m_plan.addPrivateKeyPath(keyPath);

        QStringList domains;
        if (!chain.isEmpty()) {
            // A certificate may name things that are no host (a CA can put
            // any text in a dNSName): those are noted, never probed.
            QStringList odd;
            for (const QString& n : chain.first().dnsNames() + chain.first().ipAddresses()) {
                const QString bare = n.startsWith(QLatin1String("*.")) ? n.mid(2) : n;
                auto host = parseHostName(bare);
                if (host) {
                    domains << (bare == n ? *host : QStringLiteral("*.") + *host);
                } else {
                    odd << n;
                }
            }
            if (!odd.isEmpty()) {
                m_plan.warnings << QStringLiteral("lineage %1: the certificate names %2, which "
                                                  "is no host name; not probed")
                                       .arg(name, odd.join(QStringLiteral(", ")));
            }
        }
        for (const QString& d : conf.domains) {
            if (!domains.contains(d, Qt::CaseInsensitive)) {
                domains << d;
            }
        }
        if (domains.isEmpty()) {
            m_plan.warnings << QStringLiteral("lineage %1: no names (no readable certificate and "
                                              "none in the renewal conf); skipped")
                                   .arg(name);
            return;
        }

        DeployTarget target;
        target.sshHost = m_options.sshHost;
        target.sshUser = m_options.sshUser;
        target.local = m_options.local;
        target.fullchainPath = serverPath(conf.fullchainPath, QStringLiteral("fullchain.pem"));
        target.certPath = serverPath(conf.certPath, QStringLiteral("cert.pem"));
        target.keyPath = keyPath;
        // The plugin says which server uses the files; how that server is
        // checked and reloaded on this host (service name, binary) it does
        // not say, so the target gets no commands.
        ServerKind kind = ServerKind::Unknown;
        if (conf.installer == QLatin1String("nginx") ||
            conf.authenticator == QLatin1String("nginx")) {
            kind = ServerKind::Nginx;
        } else if (conf.installer == QLatin1String("apache") ||
                   conf.authenticator == QLatin1String("apache")) {
            kind = ServerKind::Apache;
        }
        const int targetIndex = m_plan.addDeployTarget(target);

        QList<int> endpointIndexes;
        QStringList wildcards;
        for (const QString& d : std::as_const(domains)) {
            if (d.contains(u'*')) {
                wildcards << d;
                continue;
            }
            Endpoint e;
            e.host = d.toLower();
            e.port = 443;
            e.group = m_options.group;
            e.tags << QStringLiteral("certbot");
            e.serverKind = kind;
            e.notes = QStringLiteral("certbot lineage %1; port 443 assumed (certbot names no "
                                     "port)")
                          .arg(name);
            endpointIndexes << m_plan.addEndpoint(e, QStringLiteral("lineage %1").arg(name),
                                                  targetIndex);
        }
        if (!wildcards.isEmpty()) {
            m_plan.warnings << QStringLiteral("lineage %1: %2 not probed (wildcard); add the "
                                              "hosts it covers by hand")
                                   .arg(name, wildcards.join(QStringLiteral(", ")));
            for (int e : endpointIndexes) {
                m_plan.endpoints[e].notes +=
                    QStringLiteral("; also covers ") + wildcards.join(u' ');
            }
        }
        for (qsizetype i = 0; i < chain.size(); ++i) {
            const int c = m_plan.addCertificate(chain[i], readFrom, -1, i == 0);
            if (i == 0) {
                for (int e : endpointIndexes) {
                    if (!m_plan.certificates[c].endpointIndexes.contains(e)) {
                        m_plan.certificates[c].endpointIndexes << e;
                    }
                }
            }
        }

        if (haveConf) {
            PlannedRenewal r;
            r.lineage = name;
            r.endpointIndexes = endpointIndexes;
            r.authenticator = conf.authenticator;
            r.webrootPaths = conf.webrootPaths;
            r.domains = domains;
            r.policy.challenge = conf.challenge();
            r.policy.renewBeforeDays = conf.renewBeforeDays();
            const QString keyType = conf.certdeckKeyType();
            r.policy.keyType = keyType;
            if (!conf.server.isEmpty()) {
                IssuerRecord issuer;
                issuer.kind = IssuerRecord::Kind::AcmeAccount;
                issuer.directoryUrl = conf.server;
                issuer.name = QUrl(conf.server).host();
                if (!conf.account.isEmpty()) {
                    issuer.name += QStringLiteral(" (certbot account %1)").arg(conf.account);
                }
                r.issuerIndex = m_plan.addIssuer(issuer);
            }
            // A policy with another key type in its place would renew with
            // a key the admin never chose.
            if (keyType.isEmpty()) {
                m_plan.warnings << confRel + QStringLiteral(": key type %1 %2 is not one CertDeck "
                                                            "makes; no renewal policy imported "
                                                            "for this lineage")
                                                 .arg(conf.keyType, conf.ellipticCurve);
                return;
            }
            m_plan.renewals << r;
        }
    }

private:
    bool file(const QString& rel) const { return QFileInfo(m_dir.filePath(rel)).isFile(); }

    QDir m_dir;
    CertbotImporter::Options m_options;
    ImportPlan& m_plan;
    QStringList& m_problems;
};

} // namespace

Result<ImportPlan> CertbotImporter::importFolder(const QString& configDir)
{
    return importFolder(configDir, Options{});
}

Result<ImportPlan> CertbotImporter::importFolder(const QString& configDir, const Options& options)
{
    const QDir dir(configDir);
    const bool haveLive = QFileInfo(dir.filePath(QStringLiteral("live"))).isDir();
    const bool haveRenewal = QFileInfo(dir.filePath(QStringLiteral("renewal"))).isDir();
    if (!dir.exists()) {
        return fail(ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(configDir));
    }
    if (!haveLive && !haveRenewal) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("%1 has neither live/ nor renewal/: not a certbot folder "
                                   "(usually /etc/letsencrypt)")
                        .arg(configDir));
    }
    QStringList names;
    if (haveLive) {
        names = QDir(dir.filePath(QStringLiteral("live")))
                    .entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    }
    if (haveRenewal) {
        const QStringList confs =
            QDir(dir.filePath(QStringLiteral("renewal")))
                .entryList({QStringLiteral("*.conf")}, QDir::Files, QDir::Name);
        for (const QString& c : confs) {
            const QString name = c.chopped(5);
            if (!names.contains(name)) {
                names << name;
            }
        }
    }
    std::sort(names.begin(), names.end());
    ImportPlan plan;
    QStringList problems;
    LineageReader reader(configDir, options, plan, problems);
    for (const QString& name : std::as_const(names)) {
        reader.read(name);
    }
    if (!problems.isEmpty()) {
        return refuseMalformed(problems);
    }
    if (names.isEmpty()) {
        plan.warnings << QStringLiteral("%1: no certbot lineage found").arg(configDir);
    }
    return plan;
}

} // namespace certdeck::inventory
