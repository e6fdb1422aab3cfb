// SPDX-License-Identifier: GPL-3.0-or-later
// certdeck-ocsp-front: `openssl ocsp` as an OCSP responder on 127.0.0.1 only.
// Started by OcspFixture; prints "listening on 127.0.0.1:PORT" once ready and
// one line per answered request.
#include "OcspFront.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Loopback HTTP front for openssl ocsp (test fixture helper)"));
    parser.addHelpOption();
    const QCommandLineOption portOption(
        QStringLiteral("port"), QStringLiteral("TCP port on 127.0.0.1."), QStringLiteral("port"));
    const QCommandLineOption configOption(
        QStringLiteral("config"),
        QStringLiteral("key=value file (openssl, index, ca, rsigner, rkey, ndays), re-read "
                       "for every request."),
        QStringLiteral("file"));
    const QCommandLineOption workOption(QStringLiteral("work-dir"),
                                        QStringLiteral("Folder for request/response files."),
                                        QStringLiteral("dir"));
    parser.addOptions({portOption, configOption, workOption});
    parser.process(app);

    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port == 0 || port > 65535 || !parser.isSet(configOption) ||
        !parser.isSet(workOption)) {
        std::fprintf(stderr, "usage: certdeck-ocsp-front --port N --config FILE --work-dir DIR\n");
        return 2;
    }
    const QString workDir = parser.value(workOption);
    if (!QDir().mkpath(workDir)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(workDir));
        return 2;
    }
    certdeck::test::OcspFront front(parser.value(configOption), workDir);
    if (!front.listen(static_cast<quint16>(port))) {
        std::fprintf(stderr, "cannot listen on 127.0.0.1:%u: %s\n", port,
                     qPrintable(front.errorString()));
        return 3;
    }
    std::printf("listening on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
    return QCoreApplication::exec();
}
