// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Private to PrivateKey and DhParams: bridges OpenSSL's EVP_PKEY_gen_cb to a
// PrimeSearchCallback, so RSA key and DH parameter generation report their
// prime search and can be stopped (the callback returning 0 aborts them).

#include "crypto/PrivateKey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace certdeck::crypto::internal {

/// Lives on the generating thread's stack for one EVP_PKEY_generate call.
struct KeyGenCallbackState
{
    explicit KeyGenCallbackState(const PrimeSearchCallback* cb)
        : callback(cb)
    {}
    const PrimeSearchCallback* callback;
    PrimeSearchProgress progress;
    bool stopped = false;

    /// Installs the bridge on `ctx` (no-op without a callback).
    void attach(EVP_PKEY_CTX* ctx)
    {
        if (callback == nullptr || !*callback) {
            return;
        }
        EVP_PKEY_CTX_set_app_data(ctx, this);
        EVP_PKEY_CTX_set_cb(ctx, &KeyGenCallbackState::trampoline);
    }

    static int trampoline(EVP_PKEY_CTX* ctx)
    {
        auto* self = static_cast<KeyGenCallbackState*>(EVP_PKEY_CTX_get_app_data(ctx));
        if (self == nullptr) {
            return 1;
        }
        // OpenSSL ignores some of the callback's answers inside its prime
        // search and asks again; once told to stop, keep saying so without
        // bothering the caller.
        if (self->stopped) {
            return 0;
        }
        // BN_GENCB convention: 0 = a candidate was generated, 1 = a primality
        // round passed, 2 = a candidate was rejected, 3 = a prime was found.
        const int phase = EVP_PKEY_CTX_get_keygen_info(ctx, 0);
        if (phase == 0) {
            ++self->progress.candidatesTested;
        } else if (phase == 3) {
            ++self->progress.primesFound;
        }
        if (!(*self->callback)(self->progress)) {
            self->stopped = true;
            return 0;
        }
        return 1;
    }
};

} // namespace certdeck::crypto::internal
