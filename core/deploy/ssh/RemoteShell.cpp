// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/RemoteShell.h"

namespace certdeck::deploy::remoteshell {

namespace {

/// The tail of a command's stderr for a message: enough to see the cause,
/// not a whole log.
QString stderrTail(const QByteArray& err)
{
    constexpr qsizetype kTail = 2000;
    QString text = QString::fromUtf8(err.size() > kTail ? err.right(kTail) : err).trimmed();
    if (err.size() > kTail) {
        text.prepend(QStringLiteral("..."));
    }
    return text;
}

} // namespace

QString quote(const QString& text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'\'';
    for (const QChar c : text) {
        if (c == u'\'') {
            out += QStringLiteral("'\\''");
        } else {
            out += c;
        }
    }
    out += u'\'';
    return out;
}

QString command(const QStringList& argv)
{
    QStringList words;
    words.reserve(argv.size());
    for (const QString& arg : argv) {
        words << quote(arg);
    }
    return words.join(u' ');
}

QString withSudo(const QString& shellCommand, bool useSudo)
{
    if (!useSudo) {
        return shellCommand;
    }
    return QStringLiteral("sudo -n -- sh -c ") + quote(shellCommand);
}

bool isSudoRefusal(const QByteArray& stderrText)
{
    return stderrText.contains("sudo: a password is required") ||
           stderrText.contains("sudo: a terminal is required") ||
           (stderrText.contains("sudo") && (stderrText.contains("is not in the sudoers file") ||
                                            stderrText.contains("is not allowed to run sudo") ||
                                            stderrText.contains("is not allowed to execute")));
}

Status checkExit(const ExecResult& result, const QString& what, const QString& host)
{
    if (result.succeeded()) {
        return {};
    }
    const QString tail = stderrTail(result.err);
    if (isSudoRefusal(result.err)) {
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("%1 on %2: sudo refused to run without a password; allow "
                                   "the login user these commands with NOPASSWD in sudoers, or "
                                   "give the files to the login user")
                        .arg(what, host),
                    tail);
    }
    const QString how = result.exitSignal.isEmpty()
                            ? QStringLiteral("exited with status %1").arg(result.exitStatus)
                            : QStringLiteral("was killed by SIG%1").arg(result.exitSignal);
    return fail(ErrorCode::Io,
                QStringLiteral("%1 on %2 failed: the command %3").arg(what, host, how),
                tail.isEmpty() ? QStringLiteral("no output on stderr") : tail);
}

} // namespace certdeck::deploy::remoteshell
