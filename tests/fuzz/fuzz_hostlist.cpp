// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for the host list / CSV importer. What it accepts must
// survive the fleet CSV export and come back as the same endpoints.
#include "inventory/import/FleetCsv.h"
#include "inventory/import/HostListImporter.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::inventory;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto plan = HostListImporter::parse(input, QStringLiteral("fuzz-input"));
    if (!plan) {
        if (plan.error().message.isEmpty()) {
            std::abort();
        }
        return 0;
    }
    QList<FleetCsvRow> rows;
    for (const Endpoint& e : plan->endpoints) {
        if (e.host.isEmpty() || e.port == 0) {
            std::abort();
        }
        rows << FleetCsvRow{e, std::nullopt};
    }
    const QByteArray csv =
        FleetCsv::write(rows, QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC));
    const auto again = HostListImporter::parse(csv, QStringLiteral("fuzz-export"));
    if (!again || again->endpoints.size() != plan->endpoints.size()) {
        std::abort();
    }
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const Endpoint& a = plan->endpoints[i];
        const Endpoint& b = again->endpoints[i];
        if (a.host != b.host || a.port != b.port || a.sniName != b.sniName || a.group != b.group) {
            std::abort();
        }
    }
    return 0;
}
