// SPDX-License-Identifier: GPL-3.0-or-later
#include "CtlRun.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

namespace certdeck::test {

QJsonObject CtlRun::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QString certdeckctlPath()
{
    return qEnvironmentVariable("CERTDECKCTL");
}

CtlRun runCtl(const QStringList& args, const QProcessEnvironment& env, int timeoutMs,
              const QStringList& unset)
{
    QProcess p;
    QProcessEnvironment all = QProcessEnvironment::systemEnvironment();
    for (const QString& k : unset) {
        all.remove(k);
    }
    for (const QString& k : env.keys()) {
        all.insert(k, env.value(k));
    }
    p.setProcessEnvironment(all);
    // Connected before start: a run that ends at once is still seen.
    QSignalSpy done(&p, &QProcess::finished);
    p.start(certdeckctlPath(), args);
    CtlRun r;
    if (!p.waitForStarted(10000)) {
        return r;
    }
    p.closeWriteChannel(); // nothing on stdin: a prompt reads end of file
    if (done.isEmpty() && !done.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    if (p.exitStatus() != QProcess::NormalExit) {
        return r;
    }
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

CtlTextRun runCtlText(const QStringList& args, const QProcessEnvironment& env, int timeoutMs)
{
    const CtlRun r = runCtl(args, env, timeoutMs);
    return CtlTextRun{r.code, QString::fromUtf8(r.out), QString::fromUtf8(r.err)};
}

} // namespace certdeck::test
