// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <tl/expected.hpp>

namespace certdeck {

/// What kind of failure an Error is; the UI picks its remedy from this.
enum class ErrorCode
{
    Internal,     ///< a bug or an OpenSSL/Qt call that must not fail
    InvalidInput, ///< the user's or a file's data is malformed
    NotFound,     ///< a file, record, host or name does not exist
    Io,           ///< reading or writing a local file failed
    Network,      ///< connection refused, reset, DNS failure
    Timeout,      ///< a step took longer than its limit
    Protocol,     ///< the peer answered something the protocol forbids
    Crypto,       ///< a signature, key or certificate check failed
    Database,     ///< the inventory store refused or is damaged
    Conflict,     ///< someone else changed the record first
    Cancelled,    ///< the user cancelled
    Unsupported,  ///< this build or machine cannot do it
    PermissionDenied,
};

/// A failure as a value: a plain-words message for a human, a code for the
/// program, and the evidence (OpenSSL error queue, peer reply, file position).
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString detail;

    /// "message (detail)" for logs and the CLI.
    [[nodiscard]] QString toString() const
    {
        return detail.isEmpty() ? message : message + QStringLiteral(" (") + detail + u')';
    }
};

/// Stable identifier of an error code for --json output and the audit log.
[[nodiscard]] QString errorCodeName(ErrorCode code);

/// The value or the Error; every fallible engine call returns one.
template <class T>
using Result = tl::expected<T, Error>;

/// Result for calls that return nothing on success.
using Status = tl::expected<void, Error>;

/// Shorthand to return an Error from a function returning Result<T>.
[[nodiscard]] inline tl::unexpected<Error> fail(ErrorCode code, QString message,
                                                QString detail = {})
{
    return tl::unexpected<Error>(Error{code, std::move(message), std::move(detail)});
}

} // namespace certdeck
