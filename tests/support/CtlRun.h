// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace certdeck::test {

/// What one run of certdeckctl left: its exit code and both streams.
struct CtlRun
{
    int code = -1; ///< -1: it did not start, crashed or ran out of time
    QByteArray out;
    QByteArray err;

    [[nodiscard]] QByteArray all() const { return out + err; }
    /// stdout as a JSON object (empty when it is not one).
    [[nodiscard]] QJsonObject json() const;
};

/// The same run with its streams decoded as UTF-8, for tests that compare text.
struct CtlTextRun
{
    int code = -1;
    QString out;
    QString err;
};

/// The certdeckctl the build made ($CERTDECKCTL, set by certdeck_add_test).
[[nodiscard]] QString certdeckctlPath();

/// Runs certdeckctl with `args`. `env` is laid over this test's environment,
/// which already names the test's own store (CERTDECK_DB) and data folder.
/// The test's event loop runs while it waits, so servers living in the test
/// process (an AIA or OCSP server, a hostile TLS peer) keep answering; after
/// `timeoutMs` the run is killed and reported with code -1. Variables named
/// in `unset` are taken out of the environment first.
[[nodiscard]] CtlRun runCtl(const QStringList& args, const QProcessEnvironment& env = {},
                            int timeoutMs = 120000, const QStringList& unset = {});
[[nodiscard]] CtlTextRun runCtlText(const QStringList& args, const QProcessEnvironment& env = {},
                                    int timeoutMs = 120000);

} // namespace certdeck::test
