// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QTextDocument;

namespace certdeck::ui {

/// What a text pane shows, for its syntax colours.
enum class TextLanguage
{
    Pem,
    OpenSslText,
    Nginx,
    Haproxy,
    Json,
    Yaml,
    Ini,
    Bash,
    Log
};

/// The one highlighting interface of the console. Built with KF6
/// SyntaxHighlighting where the platform has it (Debian 13, Fedora, KDE neon);
/// otherwise, and for the languages KF6 has no definition for (PEM, HAProxy,
/// OpenSSL's text dump), a small built-in highlighter.
class TextHighlighting
{
public:
    /// Attaches a highlighter for `language` to `document` (owned by it).
    /// `dark` picks colours for a dark palette.
    static void attach(QTextDocument* document, TextLanguage language, bool dark);

    /// "KF6 SyntaxHighlighting" or "built-in", for About and tests.
    [[nodiscard]] static QString backendName();

    /// Which backend would highlight `language` here ("KF6: nginx Configuration",
    /// "built-in: PEM").
    [[nodiscard]] static QString describe(TextLanguage language);
};

} // namespace certdeck::ui
