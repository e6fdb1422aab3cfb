// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes what an ACME server sends that the client parses: problem documents,
// the directory, Link and Retry-After headers, identifiers. The first byte
// picks the parser so one corpus covers them all.
#include "acme/protocol/AcmeDirectory.h"
#include "acme/protocol/AcmeIdentifier.h"
#include "acme/protocol/AcmeProblem.h"
#include "acme/protocol/AcmeResponse.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdint>

using namespace certdeck::acme;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const QByteArray body(reinterpret_cast<const char*>(data) + 1,
                          static_cast<qsizetype>(size - 1));
    switch (data[0] % 5) {
    case 0:
        if (const auto p = AcmeProblem::parse(body, 400)) {
            static_cast<void>(p->toError(QStringLiteral("fuzz")).toString());
        }
        break;
    case 1:
        static_cast<void>(AcmeDirectory::parse(body, QStringLiteral("fuzz")));
        break;
    case 2:
        for (const AcmeLink& l :
             AcmeResponse::parseLinks(body, QUrl(QStringLiteral("https://ca.test/cert/1")))) {
            static_cast<void>(l.url.toString());
        }
        break;
    case 3:
        static_cast<void>(AcmeResponse::parseRetryAfter(
            body, QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC)));
        break;
    default:
        static_cast<void>(AcmeIdentifier::fromJson(QJsonDocument::fromJson(body).object()));
        break;
    }
    return 0;
}
