// SPDX-License-Identifier: GPL-3.0-or-later
#include "acme/challenge/Dns01HookPublisher.h"

#include "acme/challenge/Dns01Publisher.h"

#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTimer>

namespace certdeck::acme {

Dns01HookPublisher::Dns01HookPublisher(QString program, QStringList arguments, int timeoutMs,
                                       QObject* parent)
    : QObject(parent)
    , m_program(std::move(program))
    , m_arguments(std::move(arguments))
    , m_timeoutMs(timeoutMs)
{}

QString Dns01HookPublisher::describe() const
{
    return QStringLiteral("the DNS hook %1").arg(m_program);
}

void Dns01HookPublisher::publish(const AcmeIdentifier& identifier, const QByteArray& token,
                                 const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    run(QStringLiteral("present"), identifier, keyAuthorization, std::move(done));
}

void Dns01HookPublisher::withdraw(const AcmeIdentifier& identifier, const QByteArray& token,
                                  const QByteArray& keyAuthorization, Done done)
{
    Q_UNUSED(token)
    run(QStringLiteral("cleanup"), identifier, keyAuthorization, std::move(done));
}

void Dns01HookPublisher::run(const QString& action, const AcmeIdentifier& identifier,
                             const QByteArray& keyAuthorization, Done done)
{
    if (identifier.type != AcmeIdentifier::Type::Dns) {
        done(fail(ErrorCode::Unsupported,
                  QStringLiteral("%1: DNS-01 proves DNS names only").arg(identifier.toString())));
        return;
    }
    const QFileInfo program(m_program);
    if (!program.isFile() || !program.isExecutable()) {
        done(fail(ErrorCode::NotFound,
                  QStringLiteral("the DNS hook %1 is not an executable file").arg(m_program)));
        return;
    }
    auto* process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CERTDECK_ACME_ACTION"), action);
    env.insert(QStringLiteral("CERTDECK_ACME_IDENTIFIER"), identifier.toString());
    env.insert(QStringLiteral("CERTDECK_ACME_DOMAIN"),
               identifier.isWildcard() ? identifier.value.mid(2) : identifier.value);
    env.insert(QStringLiteral("CERTDECK_ACME_RECORD"), Dns01Publisher::recordName(identifier));
    env.insert(QStringLiteral("CERTDECK_ACME_VALUE"),
               QString::fromLatin1(Dns01Publisher::txtValue(keyAuthorization)));
    process->setProcessEnvironment(env);
    process->setStandardInputFile(QProcess::nullDevice());
    process->setStandardOutputFile(QProcess::nullDevice());
    auto* timer = new QTimer(process);
    timer->setSingleShot(true);
    auto finished = std::make_shared<bool>(false);
    const QString what =
        QStringLiteral("%1: the DNS hook %2 (%3)").arg(identifier.toString(), m_program, action);
    const auto end = [process, finished, done](const Status& s) {
        if (*finished) {
            return;
        }
        *finished = true;
        process->deleteLater();
        done(s);
    };
    connect(timer, &QTimer::timeout, process, [process, end, what, this] {
        process->kill(); // the process this publisher started, by its handle
        end(fail(ErrorCode::Timeout, QStringLiteral("%1 ran longer than %2 s and was stopped")
                                         .arg(what)
                                         .arg(m_timeoutMs / 1000)));
    });
    connect(process, &QProcess::errorOccurred, process,
            [process, end, what](QProcess::ProcessError e) {
                if (e == QProcess::FailedToStart) {
                    end(fail(ErrorCode::Io, QStringLiteral("%1 could not start").arg(what),
                             process->errorString()));
                }
            });
    connect(process, &QProcess::finished, process,
            [process, end, what](int code, QProcess::ExitStatus status) {
                if (status == QProcess::NormalExit && code == 0) {
                    end({});
                    return;
                }
                const QByteArray err = process->readAllStandardError().right(500).trimmed();
                end(fail(ErrorCode::Io,
                         status == QProcess::NormalExit
                             ? QStringLiteral("%1 failed with exit status %2").arg(what).arg(code)
                             : QStringLiteral("%1 crashed").arg(what),
                         QString::fromUtf8(err)));
            });
    timer->start(m_timeoutMs);
    process->start(m_program, m_arguments);
}

} // namespace certdeck::acme
