// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/Result.h"
#include "probe/assess/ServedCertificates.h"

#include <QByteArrayList>

namespace certdeck::inventory {
class Store;
}

namespace certdeck::services {

struct EndpointCheck;

/// The leaf of a served chain (DER, leaf first) as a ServedLeaf of `address`;
/// an empty or unreadable chain gives a leaf with its error.
[[nodiscard]] probe::ServedLeaf servedLeafOf(const QString& address,
                                             const QByteArrayList& chainDer);

/// What a check saw served, written to the inventory in one transaction:
/// - every leaf seen served (and the inspected node's chain) is a certificate
///   record;
/// - the endpoint's certificate becomes `deployed` only when every node that
///   answered served it: the recorded one when it is served everywhere (its
///   newest version is not already deployed), or, when nothing is recorded,
///   the one leaf all nodes serve;
/// - a node that serves something else changes no version (the check has the
///   served.differs finding instead).
[[nodiscard]] Status recordServed(inventory::Store& store, const EndpointCheck& check);

/// Every link of the check's verified chain that a responder reported
/// revoked (the staple, OCSP or a CRL) and that the inventory records is
/// marked revoked there, with when and why as the responder said and which
/// one said it. Call after recordServed(), which records the served chain.
[[nodiscard]] Status recordRevocations(inventory::Store& store, const EndpointCheck& check);

} // namespace certdeck::services
