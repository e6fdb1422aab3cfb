// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Name constraints of the local CA's intermediate: written at init from the
// user's permitted subtrees, read back from the certificate, and checked
// before signing so that a refused name never reaches a signature.

#include "common/Result.h"
#include "crypto/CsrSpec.h"
#include "crypto/OpenSslPtr.h"

#include <QStringList>

namespace certdeck::crypto::internal {

/// The subtrees of one intermediate, DNS as written, IP ranges as CIDR.
struct CaNameConstraints
{
    QStringList permittedDns;
    QStringList permittedIp;
    QStringList excludedIp;

    /// The nameConstraints value in OpenSSL's config syntax for the given
    /// permitted subtrees, empty when there are none. DNS-only constraints
    /// also exclude every IPv4 and IPv6 address.
    [[nodiscard]] static Result<QString> toConfValue(const QStringList& dns,
                                                     const QStringList& ipCidrs);
    /// Reads the extension of `cert`; empty lists when it has none.
    [[nodiscard]] static CaNameConstraints fromCertificate(X509* cert);
    /// Refuses any DNS or IP SAN (and a host-name CN) outside the subtrees.
    [[nodiscard]] Status check(const QList<SubjectAltName>& sans, const QString& commonName) const;
};

} // namespace certdeck::crypto::internal
