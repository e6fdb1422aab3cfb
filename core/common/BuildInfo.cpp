// SPDX-License-Identifier: GPL-3.0-or-later
#include "BuildInfo.h"

#include "certdeck_config.h"

#include <QtGlobal>
#include <libssh/libssh.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

namespace certdeck {

BuildInfo BuildInfo::current()
{
    BuildInfo b;
    b.certdeck = QStringLiteral(CERTDECK_VERSION_STRING);
    b.qtRuntime = QString::fromLatin1(qVersion());
    b.qtBuild = QStringLiteral(QT_VERSION_STR);
    b.openssl = QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION));
    b.opensslBuild = QStringLiteral(OPENSSL_VERSION_TEXT);
    // ssh_version(0) returns the version string without checking a minimum.
    const char* ssh = ssh_version(0);
    b.libssh = ssh != nullptr ? QString::fromLatin1(ssh) : QString();
    b.kf6Highlighting = CERTDECK_HAVE_KF6 != 0;
    return b;
}

} // namespace certdeck
