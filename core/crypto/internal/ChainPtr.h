// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Owners for the OpenSSL handles that only chain building and AIA use; kept
// here rather than in OpenSslPtr.h so parallel work does not collide there.

#include "crypto/OpenSslPtr.h"

#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

namespace certdeck::ossl {

namespace detail {
// A stack that borrows its certificates: frees the stack, not the X509s.
inline void freeX509StackOnly(STACK_OF(X509) * s)
{
    sk_X509_free(s);
}
} // namespace detail

using X509StackRefPtr = Owner<STACK_OF(X509), detail::freeX509StackOnly>;
using AuthorityInfoAccessPtr = Owner<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>;
using Pkcs7Ptr = Owner<PKCS7, PKCS7_free>;

} // namespace certdeck::ossl
