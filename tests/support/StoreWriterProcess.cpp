// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoreWriterProcess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <csignal>

namespace certdeck::test {

KilledWriter killStoreWriterMidWrite(const QString& location, int rows)
{
    KilledWriter out;
    QProcess writer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CERTDECK_STORE_WRITER"), location);
    writer.setProcessEnvironment(env);
    writer.start(QCoreApplication::applicationFilePath(), {});
    if (!writer.waitForStarted(10000)) {
        out.error = QStringLiteral("the writer did not start: %1").arg(writer.errorString());
        return out;
    }
    QByteArray pending;
    const auto take = [&out, &pending](bool all) {
        const qsizetype lastNewline = all ? pending.size() : pending.lastIndexOf('\n');
        if (lastNewline < 0) {
            return;
        }
        for (const QByteArray& line : pending.left(lastNewline).split('\n')) {
            if (line.endsWith(".example.test")) {
                out.committed << QString::fromLatin1(line);
            }
        }
        pending = pending.mid(lastNewline + 1);
    };
    QElapsedTimer timer;
    timer.start();
    while (out.committed.size() < rows && timer.elapsed() < 60000) {
        if (!writer.waitForReadyRead(10000)) {
            break;
        }
        pending += writer.readAllStandardOutput();
        take(false);
    }
    if (out.committed.size() < rows) {
        out.error = QStringLiteral("the writer reported only %1 commits: %2")
                        .arg(out.committed.size())
                        .arg(QString::fromLocal8Bit(writer.readAllStandardError()));
        writer.kill();
        writer.waitForFinished(10000);
        return out;
    }
    if (::kill(static_cast<pid_t>(writer.processId()), SIGKILL) != 0 ||
        !writer.waitForFinished(10000) || writer.exitStatus() != QProcess::CrashExit) {
        out.error = QStringLiteral("the writer could not be killed mid-write");
        return out;
    }
    // Rows it reported between the last read and the kill count too.
    pending += writer.readAllStandardOutput();
    take(true);
    out.ok = true;
    return out;
}

} // namespace certdeck::test
