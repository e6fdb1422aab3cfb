// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

namespace certdeck::probe::internal {

/// core/probe/data/cipher_suites.tsv as embedded at build time.
QByteArrayView cipherSuiteTsv();

} // namespace certdeck::probe::internal
