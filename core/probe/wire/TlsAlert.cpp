// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/wire/TlsAlert.h"

namespace certdeck::probe {

namespace {

struct AlertName
{
    quint8 code;
    const char* name;
};

// IANA TLS Alerts registry (tls-parameters-6).
constexpr AlertName kAlerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {52, "too_many_cids_requested"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
};

} // namespace

QString TlsAlert::name() const
{
    for (const AlertName& a : kAlerts) {
        if (a.code == description) {
            return QString::fromLatin1(a.name);
        }
    }
    return QStringLiteral("alert_%1").arg(description);
}

QString TlsAlert::levelName() const
{
    if (level == 1) {
        return QStringLiteral("warning");
    }
    if (level == 2) {
        return QStringLiteral("fatal");
    }
    return QStringLiteral("level_%1").arg(level);
}

bool TlsAlert::isRefusal() const
{
    switch (description) {
    case 40:  // handshake_failure
    case 47:  // illegal_parameter
    case 50:  // decode_error (some servers say this to an unknown version)
    case 70:  // protocol_version
    case 71:  // insufficient_security
    case 109: // missing_extension
    case 110: // unsupported_extension
    case 112: // unrecognized_name
    case 120: // no_application_protocol
    case 0:   // close_notify in place of an answer (old IIS, some appliances)
        return true;
    default:
        return false;
    }
}

} // namespace certdeck::probe
