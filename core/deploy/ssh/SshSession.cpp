// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/SshSession.h"

#include "crypto/Wipe.h"
#include "deploy/internal/Log.h"
#include "deploy/ssh/RemoteShell.h"
#include "deploy/ssh/SftpClient.h"
#include "deploy/ssh/internal/KnownHostsLines.h"
#include "deploy/ssh/internal/SshLink.h"

#include <QFileInfo>
#include <cstring>
#include <libssh/callbacks.h>
#include <mutex>

namespace certdeck::deploy {

namespace internal {

/// libssh's passphrase callback and what it saw during one login.
struct AuthPrompt
{
    ssh_callbacks_struct callbacks{};
    const QByteArray* passphrase = nullptr;
    /// An encrypted key was about to be used and no passphrase was at hand.
    bool asked = false;
    /// The passphrase was handed to libssh for a key.
    bool offered = false;
};

} // namespace internal

namespace {

constexpr const char* kUnreadableKeyPrefix = "Failed to read private key: ";
/// The first line of every command's stdout (see runCommand()).
constexpr const char* kPidMarker = "certdeck-exec-pid:";

void initLibssh()
{
    // libssh initialises itself in a constructor when linked dynamically;
    // the explicit call covers a static build and is reference-counted.
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

/// libssh asks here for the passphrase of an encrypted key file. The
/// passphrase goes from the options straight into libssh's buffer.
int authCallback(const char* /*prompt*/, char* buffer, size_t length, int /*echo*/, int /*verify*/,
                 void* userdata)
{
    auto* prompt = static_cast<internal::AuthPrompt*>(userdata);
    const QByteArray* passphrase = prompt->passphrase;
    if (passphrase == nullptr || passphrase->isEmpty() ||
        static_cast<size_t>(passphrase->size()) >= length) {
        prompt->asked = true;
        return -1;
    }
    std::memcpy(buffer, passphrase->constData(), static_cast<size_t>(passphrase->size()));
    buffer[passphrase->size()] = '\0';
    prompt->offered = true;
    return 0;
}

void exitSignalCallback(ssh_session /*session*/, ssh_channel /*channel*/, const char* signal,
                        int /*core*/, const char* /*errmsg*/, const char* /*lang*/, void* userdata)
{
    static_cast<ExecResult*>(userdata)->exitSignal = QString::fromUtf8(signal);
}

/// A libssh option that libssh hands back as a string it allocated.
QString stringOption(ssh_session session, ssh_options_e option)
{
    char* raw = nullptr;
    if (ssh_options_get(session, option, &raw) != SSH_OK || raw == nullptr) {
        return {};
    }
    const sshptr::CharsPtr owned(raw);
    return QString::fromUtf8(owned.get());
}

int portOf(ssh_session session)
{
    unsigned int port = 0;
    return ssh_options_get_port(session, &port) == SSH_OK ? static_cast<int>(port) : 22;
}

/// A command as it appears in messages and the debug log: one line, short.
QString shownCommand(const QString& command)
{
    QString text = command.simplified();
    if (text.size() > 160) {
        text = text.left(157) + QStringLiteral("...");
    }
    return text;
}

} // namespace

SshSession::SshSession(SshConnectOptions options)
    : m_options(std::move(options))
    , m_link(std::make_unique<internal::SshLink>())
    , m_prompt(std::make_unique<internal::AuthPrompt>())
{
    initLibssh();
    m_link->timeouts = m_options.timeouts;
    m_link->label = m_options.host;
    subscribeCancel();
}

SshSession::~SshSession()
{
    unsubscribeCancel();
    disconnect();
    crypto::wipe(m_options.passphrase);
}

void SshSession::subscribeCancel()
{
    internal::SshLink* link = m_link.get();
    m_cancelId =
        m_options.cancel.subscribe([link] { link->alarm.abort(internal::AbortReason::Cancelled); });
}

void SshSession::unsubscribeCancel()
{
    if (m_cancelId >= 0) {
        m_options.cancel.unsubscribe(m_cancelId);
        m_cancelId = -1;
    }
}

void SshSession::setOptions(SshConnectOptions options)
{
    unsubscribeCancel();
    crypto::wipe(m_options.passphrase);
    m_options = std::move(options);
    m_link->timeouts = m_options.timeouts;
    subscribeCancel();
}

void SshSession::setCancel(const SshCancel& cancel)
{
    unsubscribeCancel();
    m_options.cancel = cancel;
    subscribeCancel();
}

bool SshSession::isConnected() const
{
    return m_link->connected && m_link->session &&
           m_link->alarm.reason() == internal::AbortReason::None &&
           ssh_is_connected(m_link->session.get()) != 0;
}

void SshSession::abort()
{
    m_link->alarm.abort(internal::AbortReason::Cancelled);
}

QString SshSession::label() const
{
    return m_link->label;
}

void SshSession::disconnect()
{
    if (m_link->session) {
        // Nothing below may wait on a peer that stopped answering.
        ssh_set_blocking(m_link->session.get(), 0);
    }
    m_sftp.reset();
    // Forget the descriptor before libssh closes it, so that a late cancel
    // cannot shut down a socket that reused its number.
    m_link->alarm.setSocket(-1);
    if (m_link->session && m_link->connected) {
        qCDebug(lcDeploy).noquote() << "closing the connection to" << m_link->label;
    }
    m_link->session.reset();
    m_link->connected = false;
}

Result<SshConnectOutcome> SshSession::connect()
{
    disconnect();
    m_link->alarm.reset();
    if (m_options.cancel.isCancelled()) {
        return fail(ErrorCode::Cancelled,
                    QStringLiteral("connecting to %1 was cancelled").arg(m_options.host));
    }
    if (m_options.host.trimmed().isEmpty()) {
        return fail(ErrorCode::InvalidInput, QStringLiteral("no SSH host was given"));
    }
    m_link->session.reset(ssh_new());
    if (!m_link->session) {
        return fail(ErrorCode::Internal, QStringLiteral("libssh could not create a session"));
    }
    if (Status applied = applyOptions(); !applied) {
        disconnect();
        return tl::unexpected(applied.error());
    }
    if (Status socket = connectSocket(); !socket) {
        disconnect();
        return tl::unexpected(socket.error());
    }
    Result<SshConnectOutcome> known = checkHostKey();
    if (!known || known->status != SshConnectOutcome::Status::Connected) {
        disconnect();
        return known;
    }
    Result<SshConnectOutcome> auth = authenticate();
    if (!auth || auth->status != SshConnectOutcome::Status::Connected) {
        disconnect();
    }
    if (auth && auth->status == SshConnectOutcome::Status::Connected) {
        // Not kept in memory for the life of a pooled connection; a new
        // connection asks again (or uses the agent).
        crypto::wipe(m_options.passphrase);
    }
    return auth;
}

Status SshSession::applyOptions()
{
    ssh_session s = m_link->session.get();
    const QByteArray host = m_options.host.toUtf8();
    if (ssh_options_set(s, SSH_OPTIONS_HOST, host.constData()) != SSH_OK) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("\"%1\" is no usable SSH host").arg(m_options.host),
                    m_link->libsshError());
    }
    // libssh 0.10 reads a missing config file as an empty one: a typo in
    // the path must not silently mean "no config".
    if (!m_options.configFile.isEmpty() && !QFileInfo(m_options.configFile).isFile()) {
        return fail(
            ErrorCode::NotFound,
            QStringLiteral("the ssh_config file %1 does not exist").arg(m_options.configFile));
    }
    const QByteArray config = m_options.configFile.toLocal8Bit();
    if (ssh_options_parse_config(s, config.isEmpty() ? nullptr : config.constData()) != SSH_OK) {
        const QString file =
            m_options.configFile.isEmpty() ? QStringLiteral("~/.ssh/config") : m_options.configFile;
        QString detail = m_link->libsshError();
        if (detail.isEmpty()) {
            // libssh 0.10 says nothing about which line it refused.
            detail = QStringLiteral("libssh refused a line of it; `ssh -G -F %1 %2` shows how "
                                    "OpenSSH reads it")
                         .arg(file, m_options.host);
        }
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("cannot use the ssh_config %1 for %2").arg(file, m_options.host),
                    detail);
    }
    // What the caller set wins over the config, as on ssh's command line:
    // set after parsing, since libssh's parser overwrites some of them.
    if (!m_options.user.isEmpty()) {
        const QByteArray user = m_options.user.toUtf8();
        ssh_options_set(s, SSH_OPTIONS_USER, user.constData());
    }
    if (m_options.port > 0) {
        const unsigned int port = static_cast<unsigned int>(m_options.port);
        ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    }
    if (!m_options.knownHostsFile.isEmpty()) {
        const QByteArray file = m_options.knownHostsFile.toLocal8Bit();
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, file.constData());
    }
    for (const QString& identity : m_options.identityFiles) {
        const QByteArray file = identity.toLocal8Bit();
        ssh_options_set(s, SSH_OPTIONS_ADD_IDENTITY, file.constData());
    }
    // Strict, whatever the config says: an unknown key is a question for
    // the user, never a silent yes ("StrictHostKeyChecking no" in libssh
    // would report an unknown host as known).
    const int strict = 1;
    ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
    // libssh turns ProxyJump into `ssh -W '[%h]:%p' JUMP`; that ssh must read
    // the same config (the jump host may be an alias defined there) and must
    // never wait for a prompt nobody can see.
    const QString proxy = stringOption(s, SSH_OPTIONS_PROXYCOMMAND);
    if (proxy.startsWith(QLatin1String("ssh ")) &&
        proxy.contains(QLatin1String(" -W '[%h]:%p' "))) {
        QString rewritten = QStringLiteral("ssh -o BatchMode=yes ");
        if (!m_options.configFile.isEmpty()) {
            rewritten += QStringLiteral("-F ") + remoteshell::quote(m_options.configFile) + u' ';
        }
        rewritten += proxy.mid(4);
        const QByteArray command = rewritten.toLocal8Bit();
        ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, command.constData());
    }
    // A backstop only: every wait below has its own deadline.
    const long timeoutSeconds = std::max(1, m_options.timeouts.connectMs / 1000 + 1);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeoutSeconds);

    m_prompt->callbacks = {};
    m_prompt->callbacks.userdata = m_prompt.get();
    m_prompt->callbacks.auth_function = authCallback;
    ssh_callbacks_init(&m_prompt->callbacks);
    ssh_set_callbacks(s, &m_prompt->callbacks);
    ssh_set_blocking(s, 0);

    const QString resolved = stringOption(s, SSH_OPTIONS_HOST);
    const QString user = stringOption(s, SSH_OPTIONS_USER);
    const QString where = QStringLiteral("%1%2:%3")
                              .arg(user.isEmpty() ? QString() : user + u'@', resolved)
                              .arg(portOf(s));
    m_link->label =
        resolved == m_options.host ? where : QStringLiteral("%1 (%2)").arg(m_options.host, where);
    return {};
}

Status SshSession::connectSocket()
{
    ssh_session s = m_link->session.get();
    const int ms = m_options.timeouts.connectMs;
    const internal::Deadline deadline = internal::deadlineIn(ms);
    const QString step = QStringLiteral("connecting to %1").arg(m_link->label);
    qCDebug(lcDeploy).noquote() << step;
    for (;;) {
        const int rc = ssh_connect(s);
        if (const int fd = ssh_get_fd(s); fd >= 0) {
            m_link->alarm.setSocket(fd);
        }
        if (rc == SSH_OK) {
            break;
        }
        if (rc == SSH_ERROR) {
            const QString text = m_link->libsshError();
            // libssh's words for a peer that is no SSH server.
            const bool notSsh = text.contains(QLatin1String("banner"), Qt::CaseInsensitive) ||
                                text.contains(QLatin1String("Protocol mismatch")) ||
                                text.contains(QLatin1String("protocol version"));
            Error error =
                m_link->failure(step, ms, notSsh ? ErrorCode::Protocol : ErrorCode::Network);
            if (notSsh && error.code == ErrorCode::Protocol) {
                error.message = QStringLiteral("%1 failed: the server did not answer as an SSH "
                                               "server")
                                    .arg(step);
            }
            return tl::unexpected(error);
        }
        if (Status waited = m_link->waitSocket(deadline, step, ms); !waited) {
            return waited;
        }
    }
    // Now libssh knows the login name it will use.
    const QString user = stringOption(s, SSH_OPTIONS_USER);
    const QString resolved = stringOption(s, SSH_OPTIONS_HOST);
    const QString where = QStringLiteral("%1@%2:%3").arg(user, resolved).arg(portOf(s));
    m_link->label =
        resolved == m_options.host ? where : QStringLiteral("%1 (%2)").arg(m_options.host, where);
    return {};
}

Result<SshConnectOutcome> SshSession::checkHostKey()
{
    ssh_session s = m_link->session.get();
    ssh_key rawKey = nullptr;
    if (ssh_get_server_publickey(s, &rawKey) != SSH_OK || rawKey == nullptr) {
        return fail(ErrorCode::Protocol,
                    QStringLiteral("%1 sent no usable host key").arg(m_link->label),
                    m_link->libsshError());
    }
    const sshptr::KeyPtr key(rawKey);
    const QString host = stringOption(s, SSH_OPTIONS_HOST);
    const int port = portOf(s);
    m_hostKey = SshHostKey{};
    m_hostKey.fingerprint = internal::fingerprintSha256(key.get());
    m_hostKey.keyType = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key.get())));
    m_hostKey.knownHostsName = port == 22 ? host : QStringLiteral("[%1]:%2").arg(host).arg(port);
    m_hostKey.knownHostsFile = stringOption(s, SSH_OPTIONS_KNOWNHOSTS);
    if (m_hostKey.fingerprint.isEmpty()) {
        return fail(
            ErrorCode::Crypto,
            QStringLiteral("cannot compute the fingerprint of %1's host key").arg(m_link->label));
    }

    SshConnectOutcome outcome;
    outcome.hostKey = m_hostKey;
    const ssh_known_hosts_e state = ssh_session_is_known_server(s);
    switch (state) {
    case SSH_KNOWN_HOSTS_OK:
        return outcome;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER: {
        const QStringList files{m_hostKey.knownHostsFile,
                                stringOption(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS)};
        QStringList where;
        for (const internal::KnownHostsLine& line :
             internal::knownHostsLinesFor(files, m_hostKey.knownHostsName)) {
            if (state == SSH_KNOWN_HOSTS_OTHER || line.keyType == m_hostKey.keyType) {
                where << QStringLiteral("%1 line %2 (%3)")
                             .arg(line.file)
                             .arg(line.line)
                             .arg(line.keyType);
            }
        }
        if (where.isEmpty()) {
            where << m_hostKey.knownHostsFile;
        }
        const QString what = state == SSH_KNOWN_HOSTS_CHANGED
                                 ? QStringLiteral("HAS CHANGED")
                                 : QStringLiteral("IS OF ANOTHER TYPE THAN THE KNOWN ONE");
        Error error{ErrorCode::Crypto,
                    QStringLiteral("WARNING: THE HOST KEY OF %1 %2. known_hosts has another key "
                                   "for %3 at %4. Someone may be intercepting the connection, or "
                                   "the host was reinstalled: CertDeck will not connect. If the "
                                   "change is expected, remove that line and connect again to "
                                   "accept the new key.")
                        .arg(m_link->label, what, m_hostKey.knownHostsName,
                             where.join(QStringLiteral(", "))),
                    QStringLiteral("the host presented %1 key %2")
                        .arg(m_hostKey.keyType, m_hostKey.fingerprint)};
        qCWarning(lcDeploy).noquote() << error.toString();
        return tl::unexpected(error);
    }
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot check %1's host key against %2")
                        .arg(m_link->label, m_hostKey.knownHostsFile),
                    m_link->libsshError());
    }

    if (m_options.acceptHostKey.isEmpty() || m_options.acceptHostKey != m_hostKey.fingerprint) {
        qCInfo(lcDeploy).noquote()
            << m_link->label << "presented the unknown host key" << m_hostKey.fingerprint;
        outcome.status = SshConnectOutcome::Status::HostKeyUnknown;
        return outcome;
    }
    if (ssh_session_update_known_hosts(s) != SSH_OK) {
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot record %1's host key in %2")
                        .arg(m_link->label, m_hostKey.knownHostsFile),
                    m_link->libsshError());
    }
    qCInfo(lcDeploy).noquote() << "recorded the host key" << m_hostKey.fingerprint << "of"
                               << m_hostKey.knownHostsName << "in" << m_hostKey.knownHostsFile;
    return outcome;
}

Result<SshConnectOutcome> SshSession::authenticate()
{
    ssh_session s = m_link->session.get();
    const int ms = m_options.timeouts.authMs;
    const internal::Deadline deadline = internal::deadlineIn(ms);
    const QString step = QStringLiteral("logging in to %1").arg(m_link->label);
    m_prompt->passphrase = &m_options.passphrase;
    m_prompt->asked = false;
    m_prompt->offered = false;

    int rc = SSH_AUTH_ERROR;
    for (;;) {
        // ssh-agent first, then every identity file (the config's
        // IdentityFile lines, the options' files, libssh's defaults).
        rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
        if (rc != SSH_AUTH_AGAIN) {
            break;
        }
        if (Status waited = m_link->waitSocket(deadline, step, ms); !waited) {
            return tl::unexpected(waited.error());
        }
    }
    m_prompt->passphrase = nullptr;

    SshConnectOutcome outcome;
    outcome.hostKey = m_hostKey;
    if (rc == SSH_AUTH_SUCCESS) {
        m_link->connected = true;
        qCDebug(lcDeploy).noquote() << "logged in to" << m_link->label;
        return outcome;
    }
    if (rc == SSH_AUTH_ERROR) {
        return tl::unexpected(m_link->failure(step, ms));
    }
    // Denied (or partial). libssh leaves "Failed to read private key: FILE"
    // as the session's error when a key file could not be opened.
    const QString libsshText = m_link->libsshError();
    QString keyFile;
    if (libsshText.startsWith(QLatin1String(kUnreadableKeyPrefix))) {
        keyFile = libsshText.mid(static_cast<qsizetype>(std::strlen(kUnreadableKeyPrefix)));
    }
    if (m_prompt->asked && m_options.passphrase.isEmpty()) {
        qCInfo(lcDeploy).noquote() << step << "needs the passphrase of"
                                   << (keyFile.isEmpty() ? QStringLiteral("a key file") : keyFile);
        outcome.status = SshConnectOutcome::Status::PassphraseNeeded;
        outcome.keyFile = keyFile;
        return outcome;
    }
    if (m_prompt->offered && !keyFile.isEmpty()) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("wrong passphrase: it does not unlock the key %1 for %2")
                        .arg(keyFile, m_link->label));
    }
    if (rc == SSH_AUTH_PARTIAL) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("%1 accepted the key but asks for another login method "
                                   "(password or keyboard-interactive), which CertDeck does not do")
                        .arg(m_link->label));
    }
    return fail(ErrorCode::PermissionDenied,
                QStringLiteral("%1 refused the login: no key from ssh-agent or the identity "
                               "files was accepted")
                    .arg(m_link->label),
                libsshText);
}

Result<ExecResult> SshSession::exec(const QString& command, const ExecOptions& options)
{
    return runCommand(command, options, true);
}

Result<ExecResult> SshSession::runCommand(const QString& command, const ExecOptions& options,
                                          bool killOnTimeout)
{
    const int ms = options.timeoutMs > 0 ? options.timeoutMs : m_options.timeouts.execMs;
    const QString step =
        QStringLiteral("the command `%1` on %2").arg(shownCommand(command), m_link->label);
    if (!isConnected()) {
        if (m_link->alarm.reason() == internal::AbortReason::Cancelled) {
            return tl::unexpected(m_link->cancelled(step));
        }
        return fail(ErrorCode::Network, QStringLiteral("%1: not connected").arg(step));
    }
    ssh_session s = m_link->session.get();
    ssh_set_blocking(s, 0);
    const internal::Deadline deadline = internal::deadlineIn(ms);
    qCDebug(lcDeploy).noquote() << "running" << step;

    ExecResult result;
    sshptr::ChannelPtr channel(ssh_channel_new(s));
    if (!channel) {
        return tl::unexpected(m_link->failure(step, ms));
    }
    ssh_channel_callbacks_struct callbacks{};
    callbacks.userdata = &result;
    callbacks.channel_exit_signal_function = exitSignalCallback;
    ssh_callbacks_init(&callbacks);
    ssh_set_channel_callbacks(channel.get(), &callbacks);
    // libssh keeps a freed channel until the server closes it too, and may
    // still call its callbacks then: they must be gone before this frame is.
    struct CallbackGuard
    {
        ssh_channel channel;
        ssh_channel_callbacks_struct* callbacks;
        ~CallbackGuard() { ssh_remove_channel_callbacks(channel, callbacks); }
    } const callbackGuard{channel.get(), &callbacks};

    // The login shell says its PID first, then runs the command itself: the
    // PID is the command's process group (sshd starts each session with
    // setsid), which a timeout kills. Closing the channel alone would leave
    // the command running, and sshd refuses SSH "signal" requests in some
    // setups (a root login: "session signalling requires privilege
    // separation").
    const QByteArray wrapped = "echo " + QByteArray(kPidMarker) + "$$\n" + command.toUtf8();
    qint64 remotePid = 0;
    bool started = false;
    bool markerSeen = false;
    QByteArray head;

    const auto stopped = [&](Error error) -> Result<ExecResult> {
        if (ssh_channel_is_open(channel.get()) != 0 && isConnected()) {
            ssh_channel_close(channel.get());
        }
        if (error.code == ErrorCode::Timeout && killOnTimeout && started) {
            if (remotePid > 0 && killRemoteGroup(remotePid)) {
                error.message += QStringLiteral("; it was killed");
            } else {
                error.message += QStringLiteral("; it may still be running there");
            }
        }
        return tl::unexpected(error);
    };
    const auto wait = [&]() -> Status {
        return m_link->waitSocket(deadline, step, ms);
    };
    const auto keep = [&](QByteArray& sink, const char* data, qint64 n) {
        const qint64 room = options.maxOutputBytes - sink.size();
        if (room < n) {
            result.truncated = true;
        }
        if (room > 0) {
            sink.append(data, static_cast<qsizetype>(std::min<qint64>(room, n)));
        }
    };

    int rc = SSH_AGAIN;
    while ((rc = ssh_channel_open_session(channel.get())) == SSH_AGAIN) {
        if (Status w = wait(); !w) {
            return stopped(w.error());
        }
    }
    if (rc != SSH_OK) {
        return tl::unexpected(m_link->failure(step, ms));
    }
    while ((rc = ssh_channel_request_exec(channel.get(), wrapped.constData())) == SSH_AGAIN) {
        if (Status w = wait(); !w) {
            return stopped(w.error());
        }
    }
    if (rc != SSH_OK) {
        return stopped(m_link->failure(step, ms));
    }
    started = true;
    qsizetype written = 0;
    while (written < options.stdinData.size()) {
        const qsizetype chunk = std::min<qsizetype>(options.stdinData.size() - written, 32768);
        const int n = ssh_channel_write(channel.get(), options.stdinData.constData() + written,
                                        static_cast<uint32_t>(chunk));
        if (n < 0) {
            return stopped(m_link->failure(step, ms));
        }
        written += n;
        if (n == 0) {
            // The remote window is full: wait until the command reads.
            if (Status w = wait(); !w) {
                return stopped(w.error());
            }
        }
    }
    // EOF even without input, so a command reading stdin does not wait.
    if (ssh_channel_send_eof(channel.get()) == SSH_ERROR) {
        return stopped(m_link->failure(step, ms));
    }

    char buffer[16384];
    for (;;) {
        bool gotData = false;
        for (int isStderr = 0; isStderr <= 1; ++isStderr) {
            const int n =
                ssh_channel_read_nonblocking(channel.get(), buffer, sizeof buffer, isStderr);
            if (n == SSH_ERROR) {
                return stopped(m_link->failure(step, ms));
            }
            if (n <= 0) {
                continue;
            }
            gotData = true;
            if (isStderr != 0) {
                keep(result.err, buffer, n);
                continue;
            }
            if (markerSeen) {
                keep(result.out, buffer, n);
                continue;
            }
            // The marker line comes before any output of the command, but
            // after whatever a chatty shell startup file prints.
            head.append(buffer, n);
            const qsizetype marker = head.indexOf(kPidMarker);
            const qsizetype newline = marker < 0 ? -1 : head.indexOf('\n', marker);
            if (newline < 0 && head.size() < 4096) {
                continue;
            }
            markerSeen = true;
            if (newline >= 0) {
                const qsizetype digits = marker + qsizetype(std::strlen(kPidMarker));
                remotePid = head.mid(digits, newline - digits).toLongLong();
                head.remove(marker, newline + 1 - marker);
            }
            keep(result.out, head.constData(), head.size());
            head.clear();
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return stopped(m_link->timedOut(step, ms));
        }
        if (gotData) {
            continue;
        }
        const bool closed = ssh_channel_is_closed(channel.get()) != 0;
        if (closed || ssh_channel_is_eof(channel.get()) != 0) {
            // OpenSSH sends the exit status after the EOF, before closing.
            const int status = ssh_channel_get_exit_status(channel.get());
            if (status != -1 || closed || !result.exitSignal.isEmpty()) {
                result.exitStatus = status;
                break;
            }
        }
        if (Status w = wait(); !w) {
            return stopped(w.error());
        }
    }
    if (!markerSeen) {
        // A shell that printed less than a line: that was the output.
        keep(result.out, head.constData(), head.size());
    }
    ssh_channel_close(channel.get());
    qCDebug(lcDeploy).noquote() << step << "ended with"
                                << (result.exitSignal.isEmpty()
                                        ? QStringLiteral("status %1").arg(result.exitStatus)
                                        : QStringLiteral("SIG%1").arg(result.exitSignal));
    return result;
}

bool SshSession::killRemoteGroup(qint64 pid)
{
    if (!isConnected()) {
        return false;
    }
    ExecOptions quick;
    quick.timeoutMs = std::min(m_options.timeouts.execMs, 10000);
    const Result<ExecResult> killed = runCommand(
        QStringLiteral("kill -KILL -- -%1 2>/dev/null || kill -KILL %1").arg(pid), quick, false);
    const bool ok = killed && killed->succeeded();
    qCDebug(lcDeploy).noquote() << "killing the timed-out command's process group" << pid << "on"
                                << m_link->label << (ok ? "worked" : "failed");
    return ok;
}

Result<SftpClient*> SshSession::sftp()
{
    if (m_sftp) {
        return m_sftp.get();
    }
    std::unique_ptr<SftpClient> client(new SftpClient(*this, *m_link));
    if (Status opened = client->open(); !opened) {
        return tl::unexpected(opened.error());
    }
    m_sftp = std::move(client);
    return m_sftp.get();
}

} // namespace certdeck::deploy
