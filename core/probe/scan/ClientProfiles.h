// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "probe/assess/Findings.h"

#include <QByteArrayView>
#include <QStringList>

namespace certdeck::probe {

/// Client profiles the "no cipher overlap" finding checks an endpoint
/// against: does this client share a protocol and a suite with the server?
///
/// Built in: "mozilla-modern" and "mozilla-intermediate" (the client side of
/// Mozilla's server-side TLS recommendations, version 5.7), and
/// "local-openssl" (what this machine's OpenSSL offers by default, read from
/// the library at run time). Any other client is described in a JSON file:
///
///     {"name": "Payment terminal fw 3.2",
///      "versions": ["TLSv1.2"],
///      "suites": ["ECDHE-RSA-AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "0x009C"]}
///
/// Suites by IANA name, OpenSSL name or hex code point; versions as
/// "SSLv3", "TLSv1.0" .. "TLSv1.3".
[[nodiscard]] QStringList builtinClientProfileNames();

/// The built-in profile `name`; NotFound lists the names there are.
[[nodiscard]] Result<ClientProfile> builtinClientProfile(const QString& name);

/// Reads a profile file's JSON; `source` names it in errors
/// ("terminal.json: suite 'FOO' is neither an IANA nor an OpenSSL name").
[[nodiscard]] Result<ClientProfile> parseClientProfile(QByteArrayView json, const QString& source);

/// A built-in profile's name, or the path of a profile file.
[[nodiscard]] Result<ClientProfile> loadClientProfile(const QString& nameOrPath);

} // namespace certdeck::probe
