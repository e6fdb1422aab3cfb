// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"
#include "inventory/StoreRepository.h"

#include <QList>

namespace certdeck::inventory {

/// What happened and what needs attention: the append-only audit log and the
/// alerts (`store.activity()`).
class ActivityRepository : public StoreRepository
{
public:
    explicit ActivityRepository(Store& store)
        : StoreRepository(store)
    {}

    /// Appends one line to the audit log (within the current transaction, if
    /// any).
    [[nodiscard]] Status audit(const QString& actor, const QString& action, const QString& subject,
                               const QString& result, const QString& detail = {});
    /// The newest `limit` audit entries, newest first.
    [[nodiscard]] Result<QList<AuditEntry>> auditLog(int limit = 100) const;
    /// The newest `limit` audit entries about `endpoint`, newest first: those
    /// whose subject names its address ("host:port", not a longer name or
    /// port that contains it; with " (SNI name)" after it, only when that is
    /// the endpoint's SNI name) or "endpoint #ID".
    [[nodiscard]] Result<QList<AuditEntry>> auditLogFor(const Endpoint& endpoint,
                                                        int limit = 100) const;

    [[nodiscard]] Result<qint64> raiseAlert(const AlertRecord& alert);
    /// Marks an open alert resolved now; NotFound if it is not open.
    [[nodiscard]] Status resolveAlert(qint64 alertId);
    /// Alerts not yet resolved, newest first.
    [[nodiscard]] Result<QList<AlertRecord>> openAlerts() const;
};

} // namespace certdeck::inventory
