// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ServerTlsSettings.h"
#include "config/TlsPolicy.h"

#include <QString>
#include <QStringList>

namespace certdeck::config::internal {

/// One emitter per server, each writing the whole text for checked
/// settings; `warnings` gets what the admin must act on.
QString nginxConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings);
QString haproxyConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings);
QString apacheConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings);
QString envoyConfig(const ServerTlsSettings& s, const TlsPolicy& p, QStringList* warnings);

/// The first comment lines every configuration starts with, in the
/// server's comment syntax ("# "): what made it, from which policy, and the
/// old policy's warning.
QString headerComment(const QString& server, const TlsPolicy& p);
/// "max-age=N".
QString hstsValue(const ServerTlsSettings& s);

} // namespace certdeck::config::internal
