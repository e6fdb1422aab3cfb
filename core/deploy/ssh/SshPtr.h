// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One owner type per libssh handle, declared once, as crypto/OpenSslPtr.h
// does for OpenSSL. Nothing in CertDeck frees a libssh object by hand.

#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <memory>

namespace certdeck::deploy::sshptr {

template <auto FreeFn>
struct Deleter
{
    template <class T>
    void operator()(T* p) const noexcept
    {
        if (p != nullptr) {
            FreeFn(p);
        }
    }
};

template <class T, auto FreeFn>
using Owner = std::unique_ptr<T, Deleter<FreeFn>>;

/// Says goodbye to the server (SSH_MSG_DISCONNECT, without waiting for an
/// answer) before freeing: a session that was never connected is only freed.
inline void disconnectAndFree(ssh_session session) noexcept
{
    if (ssh_is_connected(session) != 0) {
        // Non-blocking, so that a dead peer cannot hold the destructor.
        ssh_set_blocking(session, 0);
        ssh_disconnect(session);
    }
    ssh_free(session);
}

/// A public key hash from ssh_get_publickey_hash().
inline void freeHash(unsigned char* hash) noexcept
{
    ssh_clean_pubkey_hash(&hash);
}

/// A C string that libssh allocated (ssh_get_fingerprint_hash, ssh_get_hexa).
inline void freeChars(char* text) noexcept
{
    ssh_string_free_char(text);
}

using SessionPtr = Owner<ssh_session_struct, disconnectAndFree>;
using ChannelPtr = Owner<ssh_channel_struct, ssh_channel_free>;
using KeyPtr = Owner<ssh_key_struct, ssh_key_free>;
using StringPtr = Owner<ssh_string_struct, ssh_string_free>;
using EventPtr = Owner<ssh_event_struct, ssh_event_free>;
using KnownHostsEntryPtr = Owner<ssh_knownhosts_entry, ssh_knownhosts_entry_free>;
using HashPtr = Owner<unsigned char, freeHash>;
using CharsPtr = Owner<char, freeChars>;

using SftpSessionPtr = Owner<sftp_session_struct, sftp_free>;
using SftpFilePtr = Owner<sftp_file_struct, sftp_close>;
using SftpDirPtr = Owner<sftp_dir_struct, sftp_closedir>;
using SftpAttributesPtr = Owner<sftp_attributes_struct, sftp_attributes_free>;
using SftpStatvfsPtr = Owner<sftp_statvfs_struct, sftp_statvfs_free>;

} // namespace certdeck::deploy::sshptr
