// SPDX-License-Identifier: GPL-3.0-or-later
#include "AboutDialog.h"

#include "common/BuildInfo.h"
#include "common/CpuFeatures.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace certdeck::ui {

namespace {

QLabel* selectable(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

} // namespace

AboutDialog::AboutDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("About CertDeck"));
    setObjectName(QStringLiteral("aboutDialog"));
    const BuildInfo b = BuildInfo::current();
    const CpuFeatures cpu = CpuFeatures::detect();

    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<h2>CertDeck %1</h2><p>Keeps the TLS certificates of a fleet of "
                                "API endpoints alive.</p>")
                                 .arg(b.certdeck.toHtmlEscaped()),
                             this);
    layout->addWidget(title);

    auto* libs = new QGroupBox(tr("Libraries"), this);
    auto* libForm = new QFormLayout(libs);
    auto addRow = [&](QFormLayout* form, const QString& label, const QString& value,
                      const QString& name) {
        QLabel* v = selectable(value, form->parentWidget());
        v->setObjectName(name);
        form->addRow(label, v);
        m_report += label + u' ' + value + u'\n';
    };
    addRow(libForm, tr("Qt"), tr("%1 (built with %2)").arg(b.qtRuntime, b.qtBuild),
           QStringLiteral("qtVersion"));
    addRow(libForm, tr("OpenSSL"), b.openssl, QStringLiteral("opensslVersion"));
    addRow(libForm, tr("libssh"), b.libssh, QStringLiteral("libsshVersion"));
    addRow(libForm, tr("Highlighting"),
           b.kf6Highlighting ? tr("KF6 SyntaxHighlighting") : tr("built-in"),
           QStringLiteral("highlighting"));
    layout->addWidget(libs);

    auto* cpuBox = new QGroupBox(tr("Processor"), this);
    auto* cpuForm = new QFormLayout(cpuBox);
    QString model = cpu.architecture;
    if (!cpu.model.isEmpty()) {
        model += QStringLiteral(", ") + cpu.model;
    }
    addRow(cpuForm, tr("CPU"), model, QStringLiteral("cpuModel"));
    const QIcon yes = style()->standardIcon(QStyle::SP_DialogApplyButton);
    const QIcon no = style()->standardIcon(QStyle::SP_DialogCancelButton);
    for (const auto& f : cpu.flags()) {
        // The word carries the meaning; the icon only repeats it.
        auto* row = new QWidget(cpuBox);
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        auto* icon = new QLabel(row);
        icon->setPixmap((f.present ? yes : no).pixmap(16, 16));
        auto* word = new QLabel(f.present ? tr("available") : tr("not available"), row);
        word->setObjectName(QStringLiteral("cpu_") + f.name);
        h->addWidget(icon);
        h->addWidget(word, 1);
        cpuForm->addRow(f.name, row);
        m_report += f.name + u' ' + word->text() + u'\n';
    }
    layout->addWidget(cpuBox);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy report"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_report); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace certdeck::ui
