// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/crypto.h>

namespace certdeck {

/// Frees the calling thread's OpenSSL state now (see OpensslThreadCleanup).
inline void releaseOpensslThreadState()
{
    OPENSSL_thread_stop();
}

/// Frees OpenSSL's per-thread state (its private DRBG, error queue) when a
/// piece of work ends on a thread that OpenSSL will not see end: pool threads
/// idle for a while and are never joined at exit, and a worker thread of a
/// ThreadedOperation is detached. Waiting for OpenSSL's own thread-exit
/// handler would keep that state alive, and LeakSanitizer reports it.
/// Declare it first in the work, so it runs last.
class OpensslThreadCleanup
{
public:
    OpensslThreadCleanup() = default;
    OpensslThreadCleanup(const OpensslThreadCleanup&) = delete;
    OpensslThreadCleanup& operator=(const OpensslThreadCleanup&) = delete;
    ~OpensslThreadCleanup() { releaseOpensslThreadState(); }
};

} // namespace certdeck
