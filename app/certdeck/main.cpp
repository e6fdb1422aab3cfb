// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"
#include "inventory/Store.h"

#include <QApplication>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("CertDeck"));
    QApplication::setOrganizationName(QStringLiteral("CertDeck"));
    QApplication::setDesktopFileName(QStringLiteral("org.certdeck.CertDeck"));
    certdeck::ui::MainWindow window(certdeck::inventory::Store::defaultLocation());
    window.show();
    return QApplication::exec();
}
