// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CliSupport.h"
#include "services/ScanService.h"

#include <QCommandLineOption>
#include <optional>

namespace certdeck::cli {

/// The options `probe` and `scan` share for judging an endpoint: the same
/// words, the same defaults, the same checks, so both ask the one question
/// the same way.
struct CheckOptions
{
    QCommandLineOption caFile{
        QStringLiteral("ca-file"),
        QStringLiteral("Verify the chain against this PEM bundle instead of the endpoint's own "
                       "trust bundle (or its group's) and the system store."),
        QStringLiteral("FILE")};
    QCommandLineOption warnDays{
        QStringLiteral("warn-days"),
        QStringLiteral("A certificate with fewer days left is a WARNING (default 30)."),
        QStringLiteral("DAYS"), QStringLiteral("30")};
    QCommandLineOption noRevocation{
        QStringLiteral("no-revocation"),
        QStringLiteral("Do not ask OCSP responders or fetch CRLs (a stapled response is still "
                       "read).")};

    void addTo(QCommandLineParser& p) const { p.addOptions({caFile, warnDays, noRevocation}); }

    /// Sets the expiry window and revocation of `o`, and reads --ca-file
    /// into `anchors` (unset when not given); a usage problem as an error.
    [[nodiscard]] Status apply(const QCommandLineParser& p, services::ScanServiceOptions& o,
                               std::optional<services::TrustAnchors>& anchors) const;
};

} // namespace certdeck::cli
