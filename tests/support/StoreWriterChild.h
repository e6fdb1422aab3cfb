// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The writer side of StoreWriterProcess, inline: it uses the store (core/),
// and the fixtures library does not link core/ (fixtures stay independent of
// what they test). Include it only from tests that link core/.
#include "StoreWriterProcess.h"
#include "inventory/Store.h"

#include <cstdio>

namespace certdeck::test {

/// A writer process for crash tests of the inventory store: the test
/// executable starts itself again with CERTDECK_STORE_WRITER=<location>
/// (a SQLite path or a postgresql:// URL), and that child adds endpoints one
/// transaction at a time, printing each host after its commit.
///
/// Call runStoreWriterIfAsked() first thing in main(): in the child it runs
/// the writer and returns its exit code; in the test it returns nullopt.
/// Optional CERTDECK_STORE_WRITER_PREFIX (host prefix, default "w") and
/// CERTDECK_STORE_WRITER_COUNT (rows, default 100000).
[[nodiscard]] inline std::optional<int> runStoreWriterIfAsked()
{
    const QString location = qEnvironmentVariable("CERTDECK_STORE_WRITER");
    if (location.isEmpty()) {
        return std::nullopt;
    }
    const QString prefix =
        qEnvironmentVariable("CERTDECK_STORE_WRITER_PREFIX", QStringLiteral("w"));
    const int count = qEnvironmentVariableIsSet("CERTDECK_STORE_WRITER_COUNT")
                          ? qEnvironmentVariableIntValue("CERTDECK_STORE_WRITER_COUNT")
                          : 100000;
    auto store = inventory::Store::openUrl(location);
    if (!store) {
        std::fprintf(stderr, "writer: %s\n", qPrintable(store.error().toString()));
        return 3;
    }
    for (int i = 0; i < count; ++i) {
        inventory::Endpoint e;
        e.host = QStringLiteral("%1%2.example.test").arg(prefix).arg(i);
        e.notes = QString(200, u'x'); // rows large enough to span pages
        auto r = (*store)->endpoints().add(e);
        if (!r) {
            std::fprintf(stderr, "writer: %s\n", qPrintable(r.error().toString()));
            return 2;
        }
        std::printf("%s\n", qPrintable(e.host));
        std::fflush(stdout);
    }
    return 0;
}

} // namespace certdeck::test
