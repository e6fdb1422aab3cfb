// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/Logging.h"

#include "common/internal/Log.h"

#include <QLoggingCategory>
#include <QRegularExpression>

namespace certdeck::logging {

namespace {

// Qt 6 enables debug for a custom category unless a rule says otherwise,
// so "off" has to be written down.
const QString kQuiet = QStringLiteral("certdeck.*.debug=false\ncertdeck.*.info=false\n");

QString enable(const QString& category)
{
    return category + QStringLiteral(".debug=true\n") + category + QStringLiteral(".info=true\n");
}

} // namespace

QStringList moduleNames()
{
    // deploy and services are reserved for the modules that will use them.
    return {QStringLiteral("common"),    QStringLiteral("crypto"), QStringLiteral("dns"),
            QStringLiteral("probe"),     QStringLiteral("acme"),   QStringLiteral("revocation"),
            QStringLiteral("inventory"), QStringLiteral("deploy"), QStringLiteral("services"),
            QStringLiteral("cli"),       QStringLiteral("ui")};
}

Rules filterRules(bool verbose, const QString& env)
{
    Rules out;
    out.rules = kQuiet;
    if (verbose) {
        out.rules += enable(QStringLiteral("certdeck.*"));
    }
    const QString text = env.trimmed();
    if (text.isEmpty()) {
        return out;
    }
    if (text.contains(u'=')) {
        // Qt's own syntax; QT_LOGGING_RULES separates with ';', the API with
        // newlines: accept both.
        static const QRegularExpression separators(QStringLiteral("[;\\n]"));
        for (const QString& rule : text.split(separators, Qt::SkipEmptyParts)) {
            if (!rule.trimmed().isEmpty()) {
                out.rules += rule.trimmed() + u'\n';
            }
        }
        return out;
    }
    static const QRegularExpression listSeparators(QStringLiteral("[,\\s]+"));
    const QStringList known = moduleNames();
    for (QString name : text.split(listSeparators, Qt::SkipEmptyParts)) {
        name = name.toLower();
        if (name.startsWith(QLatin1String("certdeck."))) {
            name = name.mid(9);
        }
        if (name == QLatin1String("all") || name == QLatin1String("*")) {
            out.rules += enable(QStringLiteral("certdeck.*"));
            continue;
        }
        static const QRegularExpression plain(QStringLiteral("^[a-z0-9_-]+$"));
        if (!plain.match(name).hasMatch()) {
            out.unknownModules << name;
            continue;
        }
        if (!known.contains(name)) {
            out.unknownModules << name;
        }
        out.rules += enable(QStringLiteral("certdeck.") + name);
    }
    return out;
}

void configure(bool verbose, const QString& env)
{
    const Rules r = filterRules(verbose, env);
    QLoggingCategory::setFilterRules(r.rules);
    // stderr, one line each, the category first: what journald and a support
    // engineer's grep want. QT_MESSAGE_PATTERN overrides it.
    qSetMessagePattern(QStringLiteral("%{if-category}%{category}: %{endif}"
                                      "%{if-warning}warning: %{endif}"
                                      "%{if-critical}critical: %{endif}"
                                      "%{if-fatal}fatal: %{endif}%{message}"));
    // Once per value: --verbose after a command name configures again.
    static QString warnedFor;
    if (!r.unknownModules.isEmpty() && env != warnedFor) {
        warnedFor = env;
        qCWarning(lcCommon).noquote()
            << QStringLiteral("CERTDECK_LOG names no known module: %1 (known: all, %2)")
                   .arg(r.unknownModules.join(QStringLiteral(", ")),
                        moduleNames().join(QStringLiteral(", ")));
    }
}

void configureFromEnvironment(bool verbose)
{
    configure(verbose, qEnvironmentVariable("CERTDECK_LOG"));
}

} // namespace certdeck::logging
