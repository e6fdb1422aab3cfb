// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness for the `nginx -T` importer (tokenizer, include
// expansion, server extraction). Certificate files are never read here: the
// input names paths, and a fuzzer must not open them.
#include "inventory/import/NginxDumpImporter.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace certdeck::inventory;
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    NginxDumpImporter::Options options;
    options.sshHost = QStringLiteral("fuzz.example.test");
    const auto plan = NginxDumpImporter::parse(input, QStringLiteral("fuzz-input"), options);
    if (plan) {
        // Every link must point into the plan.
        if (plan->endpointDeployTarget.size() != plan->endpoints.size()) {
            std::abort();
        }
        for (int t : plan->endpointDeployTarget) {
            if (t < -1 || t >= plan->deployTargets.size()) {
                std::abort();
            }
        }
        for (const Endpoint& e : plan->endpoints) {
            if (e.host.isEmpty() || e.port == 0) {
                std::abort();
            }
        }
    } else if (plan.error().message.isEmpty()) {
        std::abort();
    }
    return 0;
}
