// SPDX-License-Identifier: GPL-3.0-or-later
#include "TextHighlighting.h"

#include "BuiltinHighlighter.h"
#include "certdeck_config.h"

#if CERTDECK_HAVE_KF6
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace certdeck::ui {

namespace {

// KF6's definition names (Definition::name()) for the languages it has;
// empty where only the built-in highlighter knows the format.
[[maybe_unused]] QString kf6Name(TextLanguage language)
{
    switch (language) {
    case TextLanguage::Nginx:
        return QStringLiteral("nginx Configuration");
    case TextLanguage::Json:
        return QStringLiteral("JSON");
    case TextLanguage::Yaml:
        return QStringLiteral("YAML");
    case TextLanguage::Ini:
        return QStringLiteral("INI Files");
    case TextLanguage::Bash:
        return QStringLiteral("Bash");
    case TextLanguage::Log:
        return QStringLiteral("Log File (simplified)");
    case TextLanguage::Pem:
    case TextLanguage::OpenSslText:
    case TextLanguage::Haproxy:
        return {};
    }
    return {};
}

QString builtinName(TextLanguage language)
{
    switch (language) {
    case TextLanguage::Pem:
        return QStringLiteral("PEM");
    case TextLanguage::OpenSslText:
        return QStringLiteral("OpenSSL text");
    case TextLanguage::Nginx:
        return QStringLiteral("nginx");
    case TextLanguage::Haproxy:
        return QStringLiteral("HAProxy");
    case TextLanguage::Json:
        return QStringLiteral("JSON");
    case TextLanguage::Yaml:
        return QStringLiteral("YAML");
    case TextLanguage::Ini:
        return QStringLiteral("INI");
    case TextLanguage::Bash:
        return QStringLiteral("Bash");
    case TextLanguage::Log:
        return QStringLiteral("log");
    }
    return {};
}

#if CERTDECK_HAVE_KF6
KSyntaxHighlighting::Repository& repository()
{
    static KSyntaxHighlighting::Repository repo;
    return repo;
}
#endif

} // namespace

void TextHighlighting::attach(QTextDocument* document, TextLanguage language, bool dark)
{
#if CERTDECK_HAVE_KF6
    const QString name = kf6Name(language);
    if (!name.isEmpty()) {
        const KSyntaxHighlighting::Definition def = repository().definitionForName(name);
        if (def.isValid()) {
            auto* h = new KSyntaxHighlighting::SyntaxHighlighter(document);
            h->setTheme(
                repository().defaultTheme(dark ? KSyntaxHighlighting::Repository::DarkTheme
                                               : KSyntaxHighlighting::Repository::LightTheme));
            h->setDefinition(def);
            return;
        }
    }
#endif
    new BuiltinHighlighter(document, language, dark);
}

QString TextHighlighting::backendName()
{
#if CERTDECK_HAVE_KF6
    return QStringLiteral("KF6 SyntaxHighlighting");
#else
    return QStringLiteral("built-in");
#endif
}

QString TextHighlighting::describe(TextLanguage language)
{
#if CERTDECK_HAVE_KF6
    const QString name = kf6Name(language);
    if (!name.isEmpty() && repository().definitionForName(name).isValid()) {
        return QStringLiteral("KF6: ") + name;
    }
#endif
    return QStringLiteral("built-in: ") + builtinName(language);
}

} // namespace certdeck::ui
