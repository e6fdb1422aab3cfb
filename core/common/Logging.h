// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

/// CertDeck's diagnostics: one QLoggingCategory per module, named
/// "certdeck.<module>" and declared in the module itself
/// (<module>/internal/Log.h). Debug and info lines are off unless asked for;
/// warnings always reach stderr. No module logs keys, passphrases, tokens,
/// MAC keys or payloads that carry them.
namespace certdeck::logging {

/// The module names CERTDECK_LOG accepts ("acme" stands for certdeck.acme);
/// "all" stands for every one of them.
[[nodiscard]] QStringList moduleNames();

/// What configure() would apply.
struct Rules
{
    /// Qt filter rules, one per line (QLoggingCategory::setFilterRules()).
    QString rules;
    /// Names in a CERTDECK_LOG list that are no known module (still applied,
    /// so a module added later can be logged by an older list).
    QStringList unknownModules;
};

/// Builds the filter rules. Debug and info of certdeck.* are off; `verbose`
/// turns them all on. `env` (CERTDECK_LOG) comes last and is either a list of
/// module names ("acme,probe", "all"), separated by commas or spaces, or Qt
/// filter rules separated by ';' or newlines when it contains a '='
/// ("certdeck.acme.debug=true;qt.network.ssl=true").
[[nodiscard]] Rules filterRules(bool verbose, const QString& env);

/// Applies filterRules() for the whole process and sets a message pattern
/// that names the category ("certdeck.acme: POST ..."); warns about unknown
/// module names. Qt's QT_LOGGING_RULES and QT_MESSAGE_PATTERN still win.
/// Call it from main() or a dispatcher, again when --verbose is seen later.
void configure(bool verbose, const QString& env);

/// configure() with the CERTDECK_LOG environment variable.
void configureFromEnvironment(bool verbose);

} // namespace certdeck::logging
