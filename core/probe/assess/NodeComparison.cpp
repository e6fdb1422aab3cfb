// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/assess/NodeComparison.h"

#include "probe/wire/CipherSuiteRegistry.h"
#include "probe/wire/NamedGroup.h"

#include <algorithm>
#include <functional>

namespace certdeck::probe {

namespace {

bool anyAccepted(const ProbeResult& r)
{
    return std::any_of(r.protocols.cbegin(), r.protocols.cend(),
                       [](const ProtocolProbe& p) { return p.accepted; });
}

QString nodeName(const ProbeResult& r)
{
    return r.address.isEmpty() ? r.host : r.address;
}

QString suiteName(quint16 code)
{
    const CipherSuite* s = CipherSuiteRegistry::instance().find(code);
    return s ? s->ianaName : cipherSuiteCode(code);
}

// Groups the nodes by the value `of` gives (nullopt: the node has no say);
// a difference when more than one value is seen.
void compareBy(const QList<const ProbeResult*>& nodes, const QString& aspect,
               const std::function<std::optional<QString>(const ProbeResult&)>& of,
               QList<NodeDifference>& out)
{
    NodeDifference d;
    d.aspect = aspect;
    for (const ProbeResult* n : nodes) {
        const std::optional<QString> value = of(*n);
        if (!value) {
            continue;
        }
        auto it = std::find_if(d.variants.begin(), d.variants.end(),
                               [&](const NodeDifference::Variant& v) { return v.value == *value; });
        if (it == d.variants.end()) {
            d.variants.append({*value, {nodeName(*n)}});
        } else {
            it->nodes.append(nodeName(*n));
        }
    }
    if (d.variants.size() > 1) {
        out << d;
    }
}

// Suites of one version that not every node accepting it accepts, grouped
// by the set of nodes that do.
void compareSuites(const QList<const ProbeResult*>& nodes, TlsVersion version,
                   QList<NodeDifference>& out)
{
    QList<const ProbeResult*> speakers;
    for (const ProbeResult* n : nodes) {
        const ProtocolProbe* p = n->protocol(version);
        if (p != nullptr && p->accepted) {
            speakers << n;
        }
    }
    if (speakers.size() < 2) {
        return;
    }
    QList<quint16> all;
    for (const ProbeResult* n : std::as_const(speakers)) {
        for (quint16 s : n->protocol(version)->suites) {
            if (!all.contains(s)) {
                all << s;
            }
        }
    }
    NodeDifference d;
    d.aspect = tlsVersionName(version) + QStringLiteral(" suites");
    QList<QStringList> nodeSets;
    QList<QStringList> suiteSets;
    for (quint16 s : std::as_const(all)) {
        QStringList have;
        for (const ProbeResult* n : std::as_const(speakers)) {
            if (n->protocol(version)->suites.contains(s)) {
                have << nodeName(*n);
            }
        }
        if (have.size() == speakers.size()) {
            continue;
        }
        const qsizetype at = nodeSets.indexOf(have);
        if (at < 0) {
            nodeSets << have;
            suiteSets << QStringList{suiteName(s)};
        } else {
            suiteSets[at] << suiteName(s);
        }
    }
    for (qsizetype i = 0; i < nodeSets.size(); ++i) {
        d.variants.append(
            {QStringLiteral("only %1").arg(suiteSets.at(i).join(QStringLiteral(", "))),
             nodeSets.at(i)});
    }
    if (!d.variants.isEmpty()) {
        out << d;
    }
}

} // namespace

QString NodeDifference::text() const
{
    QStringList parts;
    for (const Variant& v : variants) {
        parts << QStringLiteral("%1 on %2").arg(v.value, v.nodes.join(QStringLiteral(", ")));
    }
    return QStringLiteral("%1: %2").arg(aspect, parts.join(QStringLiteral("; ")));
}

QString nodeReachability(const ProbeResult& node)
{
    if (anyAccepted(node)) {
        return QStringLiteral("reachable");
    }
    if (node.errors.isEmpty()) {
        return QStringLiteral("no handshake");
    }
    return probeFailureKindName(node.errors.constFirst().kind);
}

QList<NodeDifference> compareNodes(const QList<ProbeResult>& nodes)
{
    QList<NodeDifference> out;
    if (nodes.size() < 2) {
        return out;
    }
    QList<const ProbeResult*> all;
    QList<const ProbeResult*> up;
    for (const ProbeResult& n : nodes) {
        all << &n;
        if (anyAccepted(n)) {
            up << &n;
        }
    }
    compareBy(
        all, QStringLiteral("reachability"),
        [](const ProbeResult& n) { return std::optional<QString>(nodeReachability(n)); }, out);
    if (up.size() < 2) {
        return out;
    }
    compareBy(
        up, QStringLiteral("protocols"),
        [](const ProbeResult& n) -> std::optional<QString> {
            QStringList v;
            for (const ProtocolProbe& p : n.protocols) {
                if (p.accepted) {
                    v << tlsVersionName(p.version);
                }
            }
            return v.join(QStringLiteral(", "));
        },
        out);
    for (TlsVersion version : allTlsVersions()) {
        compareSuites(up, version, out);
    }
    for (TlsVersion version : allTlsVersions()) {
        const auto orderOf = [version](const ProbeResult& n) -> std::optional<ServerOrder> {
            const ProtocolProbe* p = n.protocol(version);
            if (p == nullptr || !p->accepted || p->order == ServerOrder::Unknown) {
                return std::nullopt;
            }
            return p->order;
        };
        compareBy(
            up, tlsVersionName(version) + QStringLiteral(" server order"),
            [&](const ProbeResult& n) -> std::optional<QString> {
                const auto o = orderOf(n);
                return o ? std::optional<QString>(serverOrderName(*o)) : std::nullopt;
            },
            out);
        const qsizetype before = out.size();
        // The server's own preference, among nodes that impose one over the
        // same suites (a different set is reported above).
        compareBy(
            up, tlsVersionName(version) + QStringLiteral(" suite order"),
            [&](const ProbeResult& n) -> std::optional<QString> {
                const auto order = orderOf(n);
                if (!order || !serverImposesOrder(*order)) {
                    return std::nullopt;
                }
                QStringList names;
                for (quint16 s : n.protocol(version)->suites) {
                    names << suiteName(s);
                }
                QStringList sorted = names;
                sorted.sort();
                return sorted.join(u',') + QStringLiteral("|") + names.join(QStringLiteral(" > "));
            },
            out);
        if (out.size() > before) {
            NodeDifference& d = out.last();
            // Only the same sets are comparable; drop the set key again.
            QStringList sets;
            for (const auto& v : std::as_const(d.variants)) {
                sets << v.value.section(u'|', 0, 0);
            }
            sets.removeDuplicates();
            if (sets.size() > 1) {
                out.removeLast();
            } else {
                for (auto& v : d.variants) {
                    v.value = v.value.section(u'|', 1);
                }
            }
        }
    }
    compareBy(
        up, QStringLiteral("groups"),
        [](const ProbeResult& n) -> std::optional<QString> {
            if (n.groupsTested.isEmpty()) {
                return std::nullopt;
            }
            QStringList v;
            for (quint16 g : n.groups) {
                v << namedGroupName(g);
            }
            return v.isEmpty() ? QStringLiteral("none") : v.join(u',');
        },
        out);
    compareBy(
        up, QStringLiteral("DHE prime"),
        [](const ProbeResult& n) -> std::optional<QString> {
            return n.dhBits ? QStringLiteral("%1 bits").arg(*n.dhBits) : QStringLiteral("no DHE");
        },
        out);
    return out;
}

} // namespace certdeck::probe
