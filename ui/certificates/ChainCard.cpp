// SPDX-License-Identifier: GPL-3.0-or-later
#include "ChainCard.h"

#include "ui/common/StatusColours.h"

#include <QApplication>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>

namespace certdeck::ui {

using crypto::ChainLink;
using crypto::Severity;

namespace {

QString roleWord(ChainLink::Role r)
{
    switch (r) {
    case ChainLink::Role::Leaf:
        return ChainCard::tr("LEAF");
    case ChainLink::Role::Intermediate:
        return ChainCard::tr("INTERMEDIATE");
    case ChainLink::Role::Anchor:
        return ChainCard::tr("TRUST ANCHOR");
    }
    return {};
}

QString sourceText(ChainLink::Source s)
{
    switch (s) {
    case ChainLink::Source::Served:
        // Given: a file, a server's handshake or the inventory's record
        // alike, so not "served", which a file never was.
        return ChainCard::tr("in the chain as given");
    case ChainLink::Source::Aia:
        return ChainCard::tr("fetched through AIA (not served)");
    case ChainLink::Source::TrustStore:
        return ChainCard::tr("from the trust store");
    }
    return {};
}

QString revocationText(crypto::RevocationStatus r, const QString& detail)
{
    QString t;
    switch (r) {
    case crypto::RevocationStatus::NotChecked:
        t = ChainCard::tr("not checked");
        break;
    case crypto::RevocationStatus::Good:
        t = ChainCard::tr("good");
        break;
    case crypto::RevocationStatus::Revoked:
        t = ChainCard::tr("REVOKED");
        break;
    case crypto::RevocationStatus::Unknown:
        t = ChainCard::tr("unknown to the responder");
        break;
    case crypto::RevocationStatus::Error:
        t = ChainCard::tr("could not be checked");
        break;
    }
    return detail.isEmpty() ? t : t + QStringLiteral(" (") + detail + u')';
}

QString nameOf(const crypto::Certificate& c)
{
    const QString cn = c.commonName();
    return cn.isEmpty() ? c.subject() : cn;
}

QString issuerCn(const crypto::Certificate& c)
{
    // RFC 2253 puts the most specific RDN first: "CN=...,O=...".
    const QString issuer = c.issuer();
    for (const QString& part : issuer.split(u',')) {
        if (part.startsWith(QLatin1String("CN="))) {
            return part.mid(3);
        }
    }
    return issuer;
}

} // namespace

QString ChainCard::severityWord(Severity s)
{
    switch (s) {
    case Severity::Ok:
        return tr("OK");
    case Severity::Info:
        return tr("INFO");
    case Severity::Warning:
        return tr("WARNING");
    case Severity::Error:
        return tr("ERROR");
    }
    return {};
}

QColor ChainCard::severityColor(Severity s)
{
    return toneText(toneFor(s), QGuiApplication::palette());
}

ChainCard::ChainCard(const ChainLink& link, const QDateTime& now, QWidget* parent)
    : QFrame(parent)
    , m_link(link)
{
    setObjectName(QStringLiteral("chainCard"));
    const Severity verdict = link.verdict();
    const QColor color = severityColor(verdict);
    setStyleSheet(QStringLiteral("QFrame#chainCard { border: 2px solid %1; border-radius: 6px; }")
                      .arg(color.name()));
    setToolTip(tr("Double-click to show every field"));

    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(10, 8, 10, 8);
    auto* header = new QHBoxLayout;
    auto* role = new QLabel(roleWord(link.role), this);
    role->setObjectName(QStringLiteral("role"));
    QFont small = role->font();
    small.setBold(true);
    role->setFont(small);
    const QStyle::StandardPixmap icon =
        verdict == Severity::Error     ? QStyle::SP_MessageBoxCritical
        : verdict == Severity::Warning ? QStyle::SP_MessageBoxWarning
        : verdict == Severity::Info    ? QStyle::SP_MessageBoxInformation
                                       : QStyle::SP_DialogApplyButton;
    auto* iconLabel = new QLabel(this);
    iconLabel->setPixmap(style()->standardIcon(icon).pixmap(18, 18));
    m_verdict = new QLabel(severityWord(verdict), this);
    m_verdict->setObjectName(QStringLiteral("verdict"));
    m_verdict->setStyleSheet(QStringLiteral("font-weight: bold; color: %1;").arg(color.name()));
    header->addWidget(role);
    header->addStretch(1);
    header->addWidget(iconLabel);
    header->addWidget(m_verdict);
    v->addLayout(header);

    const crypto::Certificate& c = link.certificate;
    auto* title = new QLabel(nameOf(c), this);
    title->setObjectName(QStringLiteral("subject"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.2);
    big.setBold(true);
    title->setFont(big);
    title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    title->setToolTip(c.subject());
    title->setWordWrap(true);
    v->addWidget(title);

    const qint64 days = c.daysLeft(now);
    const QString validity = days >= 0
                                 ? tr("%1 → %2 UTC (%n day(s) left)", nullptr, int(days))
                                       .arg(c.notBefore().toString(QStringLiteral("yyyy-MM-dd")),
                                            c.notAfter().toString(QStringLiteral("yyyy-MM-dd")))
                                 : tr("%1 → %2 UTC (expired %n day(s) ago)", nullptr, int(-days))
                                       .arg(c.notBefore().toString(QStringLiteral("yyyy-MM-dd")),
                                            c.notAfter().toString(QStringLiteral("yyyy-MM-dd")));
    const QStringList lines = {
        tr("Issued by: %1").arg(issuerCn(c)),
        tr("Valid: %1").arg(validity),
        tr("Source: %1").arg(sourceText(link.source)),
        tr("Revocation: %1").arg(revocationText(link.revocation, link.revocationDetail)),
        tr("SHA-256: %1…").arg(crypto::colonHex(c.fingerprint(QCryptographicHash::Sha256).left(8))),
    };
    auto* facts = new QLabel(lines.join(u'\n'), this);
    facts->setObjectName(QStringLiteral("facts"));
    facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    facts->setWordWrap(true);
    v->addWidget(facts);

    for (const crypto::LinkFinding& f : link.findings) {
        const QString text = severityWord(f.severity) + QStringLiteral(": ") + f.message;
        m_findings << text;
        auto* l = new QLabel(QStringLiteral("• ") + text, this);
        l->setObjectName(QStringLiteral("finding"));
        l->setWordWrap(true);
        l->setToolTip(f.detail);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setStyleSheet(QStringLiteral("color: %1;").arg(severityColor(f.severity).name()));
        v->addWidget(l);
    }
    if (link.findings.isEmpty()) {
        auto* l = new QLabel(tr("No problems found."), this);
        l->setObjectName(QStringLiteral("finding"));
        v->addWidget(l);
    }
}

QString ChainCard::verdictText() const
{
    return m_verdict->text();
}

QStringList ChainCard::findingTexts() const
{
    return m_findings;
}

void ChainCard::mouseDoubleClickEvent(QMouseEvent* event)
{
    QFrame::mouseDoubleClickEvent(event);
    emit activated(m_link.certificate);
}

} // namespace certdeck::ui
