// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "crypto/Certificate.h"
#include "crypto/PrivateKey.h"

#include <QList>
#include <QString>

namespace certdeck::proxy {

/// One certificate the proxy serves, with its chain and private key: either
/// a PEM file ("FILE" holding the chain and the key, or "CERT,KEY"), read
/// again at every load and reload, or a chain and key already in memory
/// (taken from the key vault, so the key never touches a disk). In-memory
/// sources share the OpenSSL objects by reference count: the key material
/// is never copied, and it is freed when the last context serving it goes.
struct CertificateSource
{
    /// Names the source in reports and errors: the file spec, or what the
    /// caller says ("endpoint 3 www.example.com:443, certificate 17").
    QString label;
    /// Non-empty: a file source; `chain` and `key` are unused.
    QString file;
    QList<crypto::Certificate> chain; ///< leaf first
    crypto::PrivateKey key;

    [[nodiscard]] bool isFile() const { return !file.isEmpty(); }

    [[nodiscard]] static CertificateSource fromFile(const QString& spec)
    {
        CertificateSource s;
        s.label = spec;
        s.file = spec;
        return s;
    }
    [[nodiscard]] static CertificateSource
    fromMemory(const QString& label, QList<crypto::Certificate> chain, crypto::PrivateKey key)
    {
        CertificateSource s;
        s.label = label;
        s.chain = std::move(chain);
        s.key = std::move(key);
        return s;
    }
};

} // namespace certdeck::proxy
