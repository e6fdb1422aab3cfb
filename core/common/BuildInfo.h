// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace certdeck {

/// Versions of CertDeck and of the libraries it runs on, as loaded at run
/// time (which may differ from the headers it was built against).
struct BuildInfo
{
    QString certdeck;
    QString qtRuntime;
    QString qtBuild;
    QString openssl;      ///< OpenSSL_version(OPENSSL_VERSION)
    QString opensslBuild; ///< OPENSSL_VERSION_TEXT of the headers
    QString libssh;
    bool kf6Highlighting = false;

    [[nodiscard]] static BuildInfo current();
};

} // namespace certdeck
