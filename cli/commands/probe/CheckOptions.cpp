// SPDX-License-Identifier: GPL-3.0-or-later
#include "CheckOptions.h"

#include "services/ScanTargets.h"

namespace certdeck::cli {

Status CheckOptions::apply(const QCommandLineParser& p, services::ScanServiceOptions& o,
                           std::optional<services::TrustAnchors>& anchors) const
{
    bool ok = false;
    const int days = p.value(warnDays).toInt(&ok);
    if (!ok || days < 1 || days > 3650) {
        return fail(ErrorCode::InvalidInput,
                    QStringLiteral("--warn-days needs a number from 1 to 3650"));
    }
    o.expiryWarnDays = days;
    o.revocation = !p.isSet(noRevocation);
    anchors.reset();
    if (p.isSet(caFile)) {
        auto read = services::anchorsFromFile(p.value(caFile));
        if (!read) {
            return fail(ErrorCode::InvalidInput,
                        QStringLiteral("--ca-file: ") + read.error().message, read.error().detail);
        }
        anchors = *read;
    }
    return {};
}

} // namespace certdeck::cli
