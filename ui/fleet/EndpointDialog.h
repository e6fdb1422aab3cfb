// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Records.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace certdeck::ui {

/// Add or edit one endpoint. Checks the fields before it closes; the store
/// checks duplicates and conflicts when the page saves.
class EndpointDialog : public QDialog
{
    Q_OBJECT
public:
    /// `storeLocation`: where the trust bundles to choose from are read (off
    /// the GUI thread); empty: only the group's or the system store.
    explicit EndpointDialog(const inventory::Endpoint& endpoint, const QString& storeLocation = {},
                            QWidget* parent = nullptr);

    /// The edited endpoint (id and revision kept from the one given).
    [[nodiscard]] inventory::Endpoint endpoint() const;

    void accept() override;

private:
    inventory::Endpoint m_original;
    QLineEdit* m_host = nullptr;
    QSpinBox* m_port = nullptr;
    QLineEdit* m_sni = nullptr;
    QLineEdit* m_address = nullptr;
    QLineEdit* m_group = nullptr;
    QLineEdit* m_tags = nullptr;
    QComboBox* m_kind = nullptr;
    QPlainTextEdit* m_notes = nullptr;
    QComboBox* m_trust = nullptr;
    QLabel* m_error = nullptr;
};

} // namespace certdeck::ui
