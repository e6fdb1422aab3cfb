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
    QList<NginxDirective> children;
};

/// One "# configuration file PATH:" section of an `nginx -T` dump.
struct NginxConfigFile
{
    QString path;
    int headerLine = 0; ///< the separator's line in the dump
    QList<NginxDirective> directives;
};

/// The parsed dump: every file, plus what was skipped (lines before the first
/// file).
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
/// Malformed input is an error naming the line (binary data, an unterminated
/// quote, a `}` without its `{`, no separator at all, nesting deeper than
/// nginx ever needs, a dump cut off inside a directive or a block): nginx
/// prints only files it parsed, so none of these comes from a real dump.
class NginxConfigParser
{
public:
    static constexpr int MaxDepth = 32;

    [[nodiscard]] static Result<NginxDump> parseDump(const QByteArray& dump,
                                                     const QString& originName);
};

} // namespace certdeck::inventory
