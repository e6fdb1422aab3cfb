// SPDX-License-Identifier: GPL-3.0-or-later
#include "deploy/ssh/internal/KnownHostsLines.h"

#include "deploy/ssh/SshPtr.h"

#include <QFile>

namespace certdeck::deploy::internal {

QList<KnownHostsLine> knownHostsLinesFor(const QStringList& files, const QString& knownHostsName)
{
    QList<KnownHostsLine> out;
    const QByteArray name = knownHostsName.toUtf8();
    for (const QString& path : files) {
        QFile file(path);
        if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
            continue;
        }
        // A known_hosts file is small; a huge one is read only as far as a
        // sane file goes.
        const QByteArray content = file.read(16 * 1024 * 1024);
        int number = 0;
        for (QByteArray text : content.split('\n')) {
            ++number;
            text = text.trimmed();
            // Comments, blanks and @cert-authority/@revoked markers are not
            // plain host keys.
            if (text.isEmpty() || text.startsWith('#') || text.startsWith('@')) {
                continue;
            }
            ssh_knownhosts_entry* raw = nullptr;
            const int rc = ssh_known_hosts_parse_line(name.constData(), text.constData(), &raw);
            const sshptr::KnownHostsEntryPtr entry(raw);
            if (rc != SSH_OK || !entry || entry->publickey == nullptr) {
                continue;
            }
            out.append(KnownHostsLine{
                path, number,
                QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(entry->publickey)))});
        }
    }
    return out;
}

} // namespace certdeck::deploy::internal
