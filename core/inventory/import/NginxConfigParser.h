// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace certdeck::inventory {

/// One nginx directive: `name args...;` or `name args... { children }`.
struct NginxDirective
{
    QString name;
    QStringList args;
    int line = 0;     ///< line in the whole dump (1-based)
    int fileLine = 0; ///< line within its configuration file
    int fileIndex = -1;
    bool isBlock = false;
    bool unclosed = false; ///< the dump ended before its `}` (truncated)
    QList<NginxDirective> children;
};

/// One "# configuration file PATH:" section of an `nginx -T` dump.
struct NginxConfigFile
{
    QString path;
    int headerLine = 0; ///< the separator's line in the dump
    QList<NginxDirective> directives;
};

/// The parsed dump: every file, plus what was recovered from.
struct NginxDump
{
    QList<NginxConfigFile> files;
    QStringList warnings;
};

/// Splits `nginx -T` output into its files and tokenizes each the way nginx
/// does (ngx_conf_file.c): `;`, `{` and `}` separate, `#` starts a comment,
/// quotes and backslash escapes, `${var}` inside a word. Hand-written: no
/// packaged library reads nginx configs.
///
/// Unrecoverable input is an error naming the line (binary data, an
/// unterminated quote, a `}` without its `{`, no separator at all, nesting
/// deeper than nginx ever needs); a dump that stops inside a block (cut off
/// by a pipe or a copy) is kept, with the open blocks marked `unclosed` and
/// a warning.
class NginxConfigParser
{
public:
    static constexpr int MaxDepth = 32;

    [[nodiscard]] static Result<NginxDump> parseDump(const QByteArray& dump,
                                                     const QString& originName);
};

} // namespace certdeck::inventory
