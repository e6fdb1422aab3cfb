// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigValidator.h"

#include "common/SecureFile.h"
#include "crypto/CertificateReader.h"
#include "crypto/PrivateKey.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <unistd.h>

namespace certdeck::config {

namespace {

QString binaryName(ServerSoftware server)
{
    switch (server) {
    case ServerSoftware::Nginx:
        return QStringLiteral("nginx");
    case ServerSoftware::Haproxy:
        return QStringLiteral("haproxy");
    case ServerSoftware::Apache:
        return QStringLiteral("apache2");
    case ServerSoftware::Envoy:
        return QStringLiteral("envoy");
    }
    return {};
}

/// Reads one source file, naming which file it is when it cannot.
Result<QByteArray> readSource(const QString& what, const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("the %1 file %2 does not exist").arg(what, path));
    }
    if (!info.isFile() || !info.isReadable()) {
        return fail(ErrorCode::Io,
                    QStringLiteral("the %1 file %2 is not a readable file").arg(what, path));
    }
    auto data = readFileCapped(path, 4 * 1024 * 1024);
    if (!data) {
        return fail(data.error().code,
                    QStringLiteral("the %1 file %2 cannot be read").arg(what, path),
                    data.error().toString());
    }
    if (data->isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the %1 file %2 is empty").arg(what, path));
    }
    return data;
}

QByteArray withNewline(QByteArray data)
{
    if (!data.endsWith('\n')) {
        data.append('\n');
    }
    return data;
}

/// One file to bring into the validation folder.
struct Copy
{
    const char* what;
    QString source;   ///< local file
    QString* target;  ///< the settings' field, pointed at the copy
    const char* name; ///< its name in the folder
    bool secret;
};

QString nginxWrapper(const QString& dir, const QString& generated)
{
    return QStringLiteral("pid %1/nginx.pid;\n"
                          "error_log %1/error.log;\n"
                          "events { worker_connections 64; }\n"
                          "http {\n"
                          "  access_log off;\n"
                          "  client_body_temp_path %1/tmp/body;\n"
                          "  proxy_temp_path %1/tmp/proxy;\n"
                          "  fastcgi_temp_path %1/tmp/fastcgi;\n"
                          "  uwsgi_temp_path %1/tmp/uwsgi;\n"
                          "  scgi_temp_path %1/tmp/scgi;\n"
                          "%2"
                          "}\n")
        .arg(dir, generated);
}

QString haproxyWrapper(const QString& generated)
{
    // The generated text brings its own global section; HAProxy merges
    // several. The defaults section gives the frontend its timeouts.
    return QStringLiteral("global\n"
                          "    log stderr format raw local0 info\n"
                          "defaults\n"
                          "    mode http\n"
                          "    timeout connect 5s\n"
                          "    timeout client 30s\n"
                          "    timeout server 30s\n") +
           generated;
}

QString apacheWrapper(const QString& dir, const ServerTlsSettings& s, const QString& generated)
{
    const QString modules = QStringLiteral("/usr/lib/apache2/modules");
    QString t = QStringLiteral("ServerRoot %1\n"
                               "PidFile %1/apache2.pid\n"
                               "Mutex file:%1 default\n"
                               "ErrorLog %1/error.log\n"
                               "ServerName localhost\n")
                    .arg(dir);
    for (const char* m : {"mpm_event", "authz_core", "ssl", "socache_shmcb", "headers"}) {
        const QString name = QString::fromLatin1(m);
        t += QStringLiteral("LoadModule %1_module %2/mod_%1.so\n").arg(name, modules);
    }
    if (::geteuid() == 0) {
        t += QStringLiteral("User nobody\nGroup nogroup\n");
    }
    t += QStringLiteral("SSLSessionCache shmcb:%1/ssl_scache(512000)\n").arg(dir);
    t += QStringLiteral("Listen %1\n").arg(s.listenText());
    return t + generated;
}

QString envoyWrapper(const QString& generated)
{
    QString t = QStringLiteral("static_resources:\n  listeners:\n");
    for (const QString& line : generated.split(u'\n')) {
        t += line.isEmpty() ? QStringLiteral("\n") : QStringLiteral("  ") + line + u'\n';
    }
    return t;
}

/// The servers load a key of another type than the certificate's without a
/// word (nginx -t passes an RSA key beside an ECDSA certificate), and
/// `apache2 -t` loads neither: so the pair is checked here first.
Status checkKeyPair(const QByteArray& chain, const QString& chainPath, const QByteArray& key,
                    const QString& keyPath)
{
    auto bundle = crypto::CertificateReader::readBytes(chain, chainPath);
    if (!bundle) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the certificate file %1 cannot be read").arg(chainPath),
                    bundle.error().toString());
    }
    if (bundle->certificates.isEmpty()) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the certificate file %1 holds no certificate").arg(chainPath));
    }
    if (crypto::PrivateKey::isEncrypted(key)) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the key file %1 is passphrase-protected: the server could not "
                                   "start unattended with it")
                        .arg(keyPath));
    }
    auto parsed = crypto::PrivateKey::fromData(key, {}, keyPath);
    if (!parsed) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("the key file %1 holds no usable private key").arg(keyPath),
                    parsed.error().toString());
    }
    const crypto::Certificate& leaf = bundle->certificates.constFirst();
    if (!parsed->matchesCertificate(leaf)) {
        return fail(ErrorCode::Crypto,
                    QStringLiteral("the key file %1 does not belong to the certificate in %2 (%3)")
                        .arg(keyPath, chainPath, leaf.subject()));
    }
    return {};
}

} // namespace

QString findServerBinary(ServerSoftware server)
{
    const QString name = binaryName(server);
    const QString sbin = QStandardPaths::findExecutable(
        name,
        {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin"), QStringLiteral("/sbin")});
    return sbin.isEmpty() ? QStandardPaths::findExecutable(name) : sbin;
}

Result<ValidationReport> validateConfig(ServerSoftware server, const ServerTlsSettings& settings,
                                        const ValidationOptions& options)
{
    if (Status ok = checkSettings(settings); !ok) {
        return tl::unexpected(ok.error());
    }
    ValidationReport report;
    const QString binary = options.binary.isEmpty() ? findServerBinary(server) : options.binary;
    if (binary.isEmpty() || !QFileInfo(binary).isExecutable()) {
        if (server == ServerSoftware::Envoy) {
            report.skippedReason =
                QStringLiteral("no envoy binary here (Debian 12 packages none): the Envoy "
                               "configuration was not validated");
            return report;
        }
        return fail(
            ErrorCode::Unsupported,
            QStringLiteral("%1 is not installed here (%2), so the generated configuration "
                           "cannot be validated")
                .arg(binaryName(server), binary.isEmpty() ? QStringLiteral("not found") : binary));
    }

    QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/certdeck-config-XXXXXX"));
    if (!dir.isValid()) {
        return fail(ErrorCode::Io, QStringLiteral("cannot create a folder for validation"),
                    dir.errorString());
    }
    // QTemporaryDir makes it 0700; say so rather than rely on it.
    QFile::setPermissions(dir.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString d = dir.path();
    QDir(d).mkpath(QStringLiteral("tmp"));

    ServerTlsSettings s = settings;
    const ValidationFiles& f = options.files;
    const auto pick = [](const QString& local, const QString& path) {
        return local.isEmpty() ? path : local;
    };
    const Copy copies[] = {
        {"certificate", pick(f.certificateFile, settings.certificateFile), &s.certificateFile,
         "fullchain.pem", false},
        {"key", pick(f.keyFile, settings.keyFile), &s.keyFile, "privkey.pem", true},
        {"chain", pick(f.chainFile, settings.chainFile), &s.chainFile, "chain.pem", false},
        {"dhparam", pick(f.dhparamFile, settings.dhparamFile), &s.dhparamFile, "dhparam.pem",
         false},
        {"ticket key", pick(f.ticketKeyFile, settings.ticketKeyFile), &s.ticketKeyFile,
         "ticket.key", true},
    };
    QByteArray fullchain;
    QByteArray key;
    for (const Copy& c : copies) {
        if (c.target->isEmpty()) {
            continue; // not used by these settings
        }
        auto data = readSource(QString::fromLatin1(c.what), c.source);
        if (!data) {
            return tl::unexpected(data.error());
        }
        const QString target = d + u'/' + QString::fromLatin1(c.name);
        if (Status w = writeFileAtomically(target, *data, WriteOptions{.secret = c.secret}); !w) {
            return tl::unexpected(w.error());
        }
        *c.target = target;
        if (c.target == &s.certificateFile) {
            fullchain = *data;
        } else if (c.target == &s.keyFile) {
            key = *data;
        }
    }
    if (Status pair = checkKeyPair(fullchain, pick(f.certificateFile, settings.certificateFile),
                                   key, pick(f.keyFile, settings.keyFile));
        !pair) {
        key.fill('\0');
        return tl::unexpected(pair.error());
    }
    s.combinedPemFile = d + QStringLiteral("/haproxy.pem");
    s.apacheRuntimeDir = d;
    if (server == ServerSoftware::Haproxy) {
        if (Status w =
                writeFileAtomically(s.combinedPemFile, withNewline(key) + withNewline(fullchain),
                                    WriteOptions{.secret = true});
            !w) {
            return tl::unexpected(w.error());
        }
    }
    key.fill('\0');

    auto generated = generateConfig(server, s);
    if (!generated) {
        return tl::unexpected(generated.error());
    }
    QString configPath;
    QString wrapper;
    QStringList args;
    switch (server) {
    case ServerSoftware::Nginx:
        configPath = d + QStringLiteral("/nginx.conf");
        wrapper = nginxWrapper(d, generated->text);
        args = {QStringLiteral("-t"),
                QStringLiteral("-p"),
                d,
                QStringLiteral("-e"),
                d + QStringLiteral("/error.log"),
                QStringLiteral("-c"),
                configPath};
        break;
    case ServerSoftware::Haproxy:
        configPath = d + QStringLiteral("/haproxy.cfg");
        wrapper = haproxyWrapper(generated->text);
        args = {QStringLiteral("-c"), QStringLiteral("-f"), configPath};
        break;
    case ServerSoftware::Apache:
        configPath = d + QStringLiteral("/apache2.conf");
        wrapper = apacheWrapper(d, s, generated->text);
        args = {QStringLiteral("-d"), d, QStringLiteral("-f"), configPath, QStringLiteral("-t")};
        break;
    case ServerSoftware::Envoy:
        configPath = d + QStringLiteral("/envoy.yaml");
        wrapper = envoyWrapper(generated->text);
        args = {QStringLiteral("--mode"), QStringLiteral("validate"), QStringLiteral("-c"),
                configPath};
        break;
    }
    if (Status w = writeFileAtomically(configPath, wrapper.toUtf8()); !w) {
        return tl::unexpected(w.error());
    }

    report.command = binary + u' ' + args.join(u' ');
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setWorkingDirectory(d);
    process.start(binary, args);
    if (!process.waitForStarted(options.timeoutMs)) {
        return fail(ErrorCode::Io, QStringLiteral("%1 could not start").arg(binary),
                    process.errorString());
    }
    if (!process.waitForFinished(options.timeoutMs) && process.state() != QProcess::NotRunning) {
        process.kill(); // the process started above, by its own handle
        process.waitForFinished(5000);
        return fail(ErrorCode::Timeout, QStringLiteral("%1 ran longer than %2 s and was stopped")
                                            .arg(report.command)
                                            .arg(options.timeoutMs / 1000));
    }
    report.output = QString::fromUtf8(process.readAll()).trimmed();
    report.ran = true;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return fail(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 refused the generated %2 configuration (exit status %3)")
                .arg(binaryName(server), tlsPolicy(settings.policy).id())
                .arg(process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1),
            report.output);
    }
    return report;
}

} // namespace certdeck::config
