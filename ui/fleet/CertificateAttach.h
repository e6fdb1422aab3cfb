// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"

#include <QString>

namespace certdeck::inventory {
class Store;
}

namespace certdeck::ui {

/// What an attach did.
struct Attached
{
    qint64 certificateId = 0;
    QString endpointName; ///< "host:port"
    QString summary;      ///< "certificate #7 (CN=api.example.com, expires 2027-03-01)"
    bool already = false; ///< it was the current certificate already: nothing written
};

/// Makes stored certificate `certificateId` the current certificate of
/// endpoint `endpointId`: an "issued" version (deployed comes only from a
/// probe that sees it served). Refused, with nothing written, when the
/// certificate is not valid for the name clients of the endpoint ask for
/// (its SNI name, else its host), is a CA certificate or was revoked; the
/// error says which and why. Runs on the store's thread.
[[nodiscard]] Result<Attached> attachStoredCertificate(inventory::Store& store, qint64 endpointId,
                                                       qint64 certificateId);

/// Reads a PEM (or DER, PKCS#7) file, and with the same checks as
/// attachStoredCertificate(), records its leaf and chain with source
/// "imported" and attaches the leaf, in one transaction. Runs on the
/// store's thread (the file is read there too, off the GUI thread).
[[nodiscard]] Result<Attached> attachCertificateFile(inventory::Store& store, qint64 endpointId,
                                                     const QString& path);

} // namespace certdeck::ui
