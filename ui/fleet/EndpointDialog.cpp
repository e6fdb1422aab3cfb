// SPDX-License-Identifier: GPL-3.0-or-later
#include "EndpointDialog.h"

#include "common/HostPort.h"
#include "inventory/RecordNames.h"
#include "ui/common/StoreTask.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>

namespace certdeck::ui {

EndpointDialog::EndpointDialog(const inventory::Endpoint& endpoint, const QString& storeLocation,
                               QWidget* parent)
    : QDialog(parent)
    , m_original(endpoint)
{
    setObjectName(QStringLiteral("endpointDialog"));
    setWindowTitle(endpoint.id == 0 ? tr("Add endpoint") : tr("Edit endpoint"));
    auto* form = new QFormLayout(this);
    m_host = new QLineEdit(endpoint.host, this);
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setPlaceholderText(QStringLiteral("api.example.com"));
    m_host->setToolTip(tr("A host name, an IP address, or HOST:PORT as the CLI takes it "
                          "([IPv6]:PORT for an IPv6 address with a port)"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("port"));
    m_port->setRange(1, 65535);
    m_port->setValue(endpoint.port);
    m_sni = new QLineEdit(endpoint.sniName, this);
    m_sni->setObjectName(QStringLiteral("sni"));
    m_sni->setPlaceholderText(tr("same as host"));
    m_address = new QLineEdit(endpoint.addressOverride, this);
    m_address->setObjectName(QStringLiteral("address"));
    m_address->setPlaceholderText(tr("connect to this IP instead of resolving the host"));
    m_group = new QLineEdit(endpoint.group, this);
    m_group->setObjectName(QStringLiteral("group"));
    m_tags = new QLineEdit(endpoint.tags.join(QStringLiteral(", ")), this);
    m_tags->setObjectName(QStringLiteral("tags"));
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kind"));
    for (const QString& k : inventory::serverKindNames()) {
        m_kind->addItem(k);
    }
    m_kind->setCurrentText(inventory::serverKindName(endpoint.serverKind));
    m_notes = new QPlainTextEdit(endpoint.notes, this);
    m_notes->setObjectName(QStringLiteral("notes"));
    m_notes->setMaximumHeight(80);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&SNI name:"), m_sni);
    form->addRow(tr("&Address:"), m_address);
    form->addRow(tr("&Group:"), m_group);
    form->addRow(tr("&Tags:"), m_tags);
    form->addRow(tr("Server &kind:"), m_kind);
    form->addRow(tr("&Notes:"), m_notes);
    // Which anchors the chain is verified against: an internal CA's
    // endpoints need its bundle, or every check says "untrusted".
    m_trust = new QComboBox(this);
    m_trust->setObjectName(QStringLiteral("trustBundle"));
    m_trust->addItem(tr("The group's bundle, else the system trust store"), QVariant());
    m_trust->setToolTip(tr("The CA certificates this endpoint's chain is verified against. "
                           "Add bundles with: certdeckctl fleet trust add NAME FILE"));
    if (endpoint.trustBundleId) {
        // Shown at once, named when the list arrives.
        m_trust->addItem(tr("Bundle #%1").arg(*endpoint.trustBundleId),
                         QVariant(*endpoint.trustBundleId));
        m_trust->setCurrentIndex(1);
    }
    form->addRow(tr("T&rust anchors:"), m_trust);
    if (!storeLocation.isEmpty()) {
        using Bundles = QList<inventory::TrustBundle>;
        runOnStore<Bundles>(
            this, storeLocation, [](inventory::Store& s) { return s.trustBundles().list(); },
            [this](const Result<Bundles>& r) {
                if (!r) {
                    m_trust->setToolTip(
                        tr("The trust bundles could not be read: %1").arg(r.error().toString()));
                    return;
                }
                const QVariant chosen = m_trust->currentData();
                while (m_trust->count() > 1) {
                    m_trust->removeItem(1);
                }
                for (const inventory::TrustBundle& b : *r) {
                    m_trust->addItem(
                        tr("%1 (%n certificate(s))", nullptr, b.certificates).arg(b.name),
                        QVariant(b.id));
                }
                const int at = m_trust->findData(chosen);
                m_trust->setCurrentIndex(at < 0 ? 0 : at);
            });
    }
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("endpointError"));
    m_error->setWordWrap(true);
    form->addRow(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &EndpointDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

inventory::Endpoint EndpointDialog::endpoint() const
{
    inventory::Endpoint e = m_original;
    // The shared parser's form (an IDN in ASCII, an IPv6 address without
    // brackets); text it refuses stays as typed, and accept() says why.
    const QString host = m_host->text().trimmed();
    const QString sni = m_sni->text().trimmed();
    // HOST[:PORT] as the CLI and the importers read it; a port typed with
    // the host wins over the port box.
    const auto hp = parseHostPort(host, static_cast<quint16>(m_port->value()));
    e.host = hp ? hp->host : host.toLower();
    e.port = hp ? hp->port : static_cast<quint16>(m_port->value());
    e.sniName = sni.isEmpty() ? QString() : parseHostName(sni).value_or(sni.toLower());
    e.addressOverride = m_address->text().trimmed();
    e.group = m_group->text().trimmed();
    e.tags.clear();
    static const QRegularExpression sep(QStringLiteral("[,\\s]+"));
    for (const QString& t : m_tags->text().split(sep, Qt::SkipEmptyParts)) {
        e.tags << t;
    }
    e.serverKind = inventory::serverKindFromName(m_kind->currentText())
                       .value_or(inventory::ServerKind::Unknown);
    e.notes = m_notes->toPlainText().trimmed();
    const QVariant trust = m_trust->currentData();
    e.trustBundleId =
        trust.isValid() ? std::optional<qint64>(trust.toLongLong()) : std::optional<qint64>();
    return e;
}

void EndpointDialog::accept()
{
    const inventory::Endpoint e = endpoint();
    if (m_host->text().trimmed().isEmpty()) {
        m_error->setText(tr("ERROR: the host is missing."));
        return;
    }
    const auto host = parseHostPort(m_host->text().trimmed(), e.port);
    if (!host) {
        m_error->setText(tr("ERROR: host %1").arg(host.error().message));
        return;
    }
    // The port typed with the host goes to its box; the host shows as the
    // console lists it (an IDN in Unicode).
    m_host->setText(host->displayHost);
    m_port->setValue(host->port);
    if (const QString sni = m_sni->text().trimmed(); !sni.isEmpty()) {
        if (auto name = parseHostName(sni); !name) {
            m_error->setText(tr("ERROR: SNI name %1").arg(name.error().message));
            return;
        }
    }
    if (!e.addressOverride.isEmpty() && QHostAddress(e.addressOverride).isNull()) {
        m_error->setText(
            tr("ERROR: the address '%1' is not an IP address.").arg(e.addressOverride));
        return;
    }
    m_error->clear();
    QDialog::accept();
}

} // namespace certdeck::ui
