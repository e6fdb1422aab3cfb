// SPDX-License-Identifier: GPL-3.0-or-later
#include "CtlApp.h"

#include <QCoreApplication>
#include <cstdio>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("CertDeck"));
    QCoreApplication::setOrganizationName(QStringLiteral("CertDeck"));
    QTextStream out(stdout);
    QTextStream err(stderr);
    certdeck::cli::CtlApp ctl(out, err);
    return static_cast<int>(ctl.run(QCoreApplication::arguments()));
}
