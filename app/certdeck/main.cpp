// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/Logging.h"
#include "common/ThreadedOperation.h"
#include "inventory/Store.h"
#include "ui/shell/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    certdeck::logging::configureFromEnvironment(false);
    QApplication::setApplicationName(QStringLiteral("CertDeck"));
    QApplication::setOrganizationName(QStringLiteral("CertDeck"));
    QApplication::setApplicationVersion(QStringLiteral(CERTDECK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.certdeck.CertDeck"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("CertDeck: the TLS certificate console."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(
        QStringLiteral("host"), QStringLiteral("Check the opened chains for this host name or IP."),
        QStringLiteral("NAME"));
    const QCommandLineOption caFile(
        QStringLiteral("ca-file"),
        QStringLiteral("Trust the anchors in this bundle instead of the "
                       "system store."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption verbose(
        QStringLiteral("verbose"),
        QStringLiteral("Debug logs of every module on stderr (never secrets); CERTDECK_LOG "
                       "picks modules: acme,probe or all."));
    parser.addOption(host);
    parser.addOption(caFile);
    parser.addOption(verbose);
    parser.addPositionalArgument(
        QStringLiteral("files"),
        QStringLiteral("Certificates, bundles, .p7b or .p12 files to open."),
        QStringLiteral("[FILE...]"));
    parser.process(app);
    if (parser.isSet(verbose)) {
        certdeck::logging::configureFromEnvironment(true);
    }

    int code = 0;
    {
        certdeck::ui::MainWindow window(certdeck::inventory::Store::defaultLocation());
        window.show();
        if (!parser.positionalArguments().isEmpty()) {
            window.openCertificateFiles(parser.positionalArguments(), parser.value(host),
                                        parser.value(caFile));
        }
        code = QApplication::exec();
    }
    // A page closed mid-order left its flow cancelling on a worker thread
    // (withdrawing ACME tokens): let it end before the process does.
    certdeck::OperationThread::waitForAll(QDeadlineTimer(10000));
    return code;
}
