// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/assess/Findings.h"
#include "probe/inspect/TlsInspection.h"

#include <QJsonArray>
#include <QJsonObject>

namespace certdeck::probe {

/// The inspection as JSON (CLI --json "inspection"): chain as base64 DER,
/// negotiated parameters, staple, resumption, ALPN, HTTP/HSTS, errors.
[[nodiscard]] QJsonObject tlsInspectionJson(const TlsInspection& inspection);
/// Findings as JSON objects {code, severity, title, evidence, remediation}.
[[nodiscard]] QJsonArray findingsJson(const QList<Finding>& findings);
/// {letter, capped}.
[[nodiscard]] QJsonObject gradeJson(const Grade& grade);
/// The inspection in plain words, one aspect per line ("  OCSP staple  good,
/// ..."), as `certdeckctl probe` prints it and the console shows it; `chain`
/// is the served chain as the workbench verified it (or null, with
/// `chainError` saying why when it could not be verified).
[[nodiscard]] QString inspectionText(const TlsInspection& inspection,
                                     const crypto::ChainReport* chain = nullptr,
                                     const QString& chainError = {});

} // namespace certdeck::probe
