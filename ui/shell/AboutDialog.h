// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

namespace certdeck::ui {

/// Versions of CertDeck, Qt, OpenSSL and libssh, and the CPU's crypto
/// features: what a bug report or a performance question needs first.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    /// The report as plain text, as "Copy" puts it on the clipboard.
    [[nodiscard]] QString reportText() const { return m_report; }

private:
    QString m_report;
};

} // namespace certdeck::ui
