// SPDX-License-Identifier: GPL-3.0-or-later
#include "OpenSslError.h"

#include <QStringList>
#include <openssl/err.h>

namespace certdeck::ossl {

QString drainErrors()
{
    QStringList parts;
    const char* file = nullptr;
    const char* func = nullptr;
    const char* data = nullptr;
    int line = 0;
    int flags = 0;
    unsigned long code = 0;
    while ((code = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        QString entry = QString::fromLatin1(buf);
        if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
            entry += QStringLiteral(" [") + QString::fromUtf8(data) + u']';
        }
        parts << entry;
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace certdeck::ossl
