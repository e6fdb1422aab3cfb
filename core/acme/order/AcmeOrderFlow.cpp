// SPDX-License-Identifier: GPL-3.0-or-later
// The order state machine of RFC 8555 section 7.4, written by hand: it is
// the ACME flow itself, which no packaged library provides for Qt.
#include "acme/order/AcmeOrderFlow.h"

#include "acme/internal/Log.h"
#include "acme/protocol/AcmeNewOrder.h"
#include "acme/protocol/AcmeProblem.h"
#include "acme/protocol/Base64Url.h"
#include "crypto/Csr.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QTimer>
#include <algorithm>

namespace certdeck::acme {

namespace {

constexpr int kFirstPollMs = 250;
constexpr int kMaxPollMs = 4000;

QString challengeError(const QJsonObject& authz, const QString& type)
{
    for (const QJsonValue& v : authz.value(QStringLiteral("challenges")).toArray()) {
        const QJsonObject c = v.toObject();
        if ((!type.isEmpty() && c.value(QStringLiteral("type")).toString() != type) ||
            !c.value(QStringLiteral("error")).isObject()) {
            continue;
        }
        const QJsonObject e = c.value(QStringLiteral("error")).toObject();
        const QString words = AcmeProblem::plainWords(e.value(QStringLiteral("type")).toString());
        const QString detail = e.value(QStringLiteral("detail")).toString();
        if (words.isEmpty()) {
            return detail;
        }
        return detail.isEmpty() ? words : words + QStringLiteral(": ") + detail;
    }
    return {};
}

// The chain's top certificate was issued by a CA whose name contains `issuer`.
bool chainMatches(const QByteArray& pem, const QString& issuer)
{
    const QList<QSslCertificate> certs = QSslCertificate::fromData(pem);
    if (certs.isEmpty()) {
        return false;
    }
    const QSslCertificate& top = certs.constLast();
    return top.issuerDisplayName().contains(issuer, Qt::CaseInsensitive) ||
           top.issuerInfo(QSslCertificate::CommonName)
               .join(u' ')
               .contains(issuer, Qt::CaseInsensitive);
}

} // namespace

AcmeOrderFlow::AcmeOrderFlow(AcmeClient& client, ChallengePublisher& publisher,
                             OrderRequest request, QObject* parent)
    : TypedOperation<IssuedCertificate>(parent)
    , m_client(client)
    , m_publishers{&publisher}
    , m_request(std::move(request))
{}

AcmeOrderFlow::AcmeOrderFlow(AcmeClient& client, QList<ChallengePublisher*> publishers,
                             OrderRequest request, QObject* parent)
    : TypedOperation<IssuedCertificate>(parent)
    , m_client(client)
    , m_publishers(std::move(publishers))
    , m_request(std::move(request))
{
    m_publishers.removeAll(nullptr);
}

AcmeOrderFlow::~AcmeOrderFlow()
{
    // Destroyed mid-order: still take the tokens down (local publishers
    // finish at once; a remote one gets the request).
    for (const Published& p : std::as_const(m_published)) {
        p.publisher->withdraw(p.identifier, p.token, p.keyAuthorization, [](const Status&) {});
    }
}

void AcmeOrderFlow::report(const QString& step, const QString& message)
{
    const int total = static_cast<int>(m_authorizationUrls.size()) + 3;
    int done = 0;
    if (m_current >= 0) {
        done = 1 + std::min(m_current, static_cast<int>(m_authorizationUrls.size()));
    }
    if (step.startsWith(QLatin1String("Finalizing"))) {
        done = total - 2;
    } else if (step.startsWith(QLatin1String("Downloading"))) {
        done = total - 1;
    }
    // The progress lines name steps and identifiers, never tokens.
    qCDebug(lcAcme).noquote() << "order:" << step << "-" << message;
    reportProgress(step, static_cast<double>(done) / total, message);
}

void AcmeOrderFlow::onStart()
{
    m_startNonceRetries = m_client.badNonceRetries();
    if (m_request.identifiers.isEmpty()) {
        fail(
            Error{ErrorCode::InvalidInput, QStringLiteral("an order needs at least one name"), {}});
        return;
    }
    if (m_request.certificateKey.isNull()) {
        fail(Error{
            ErrorCode::InvalidInput, QStringLiteral("an order needs the certificate's key"), {}});
        return;
    }
    QStringList types;
    for (const ChallengePublisher* p : std::as_const(m_publishers)) {
        types << p->challengeType();
    }
    if (m_publishers.isEmpty()) {
        fail(Error{
            ErrorCode::InvalidInput, QStringLiteral("an order needs a challenge to answer"), {}});
        return;
    }
    for (const AcmeIdentifier& id : std::as_const(m_request.identifiers)) {
        const bool provable =
            std::any_of(m_publishers.cbegin(), m_publishers.cend(),
                        [&id](const ChallengePublisher* p) { return p->canProve(id); });
        if (!provable) {
            fail(Error{ErrorCode::InvalidInput,
                       QStringLiteral("%1: %2 cannot prove it (a wildcard needs dns-01; an IP "
                                      "address http-01 or tls-alpn-01)")
                           .arg(id.toString(), types.join(QStringLiteral(" or "))),
                       {}});
            return;
        }
    }
    createOrder();
}

void AcmeOrderFlow::onCancel()
{
    if (m_finishing) {
        return;
    }
    m_client.abortAll();
    fail(Error{ErrorCode::Cancelled, QStringLiteral("the order was cancelled"), {}});
}

void AcmeOrderFlow::createOrder()
{
    report(QStringLiteral("Creating the order"),
           QStringLiteral("asking for %1 identifier(s)").arg(m_request.identifiers.size()));
    QPointer<AcmeOrderFlow> self(this);
    m_client.directory([self](const Result<AcmeDirectory>& dir) {
        if (!self || self->stopped()) {
            return;
        }
        if (!dir) {
            self->fail(dir.error());
            return;
        }
        const NewOrderPayload payload =
            newOrderPayload(self->m_request.identifiers, self->m_request.replacesCertId, *dir);
        self->m_replacesSent = payload.replacesSent;
        if (!self->m_request.replacesCertId.isEmpty() && !payload.replacesSent) {
            // A step of its own: progress merges repeats of one step.
            self->report(QStringLiteral("Not naming the replaced certificate"),
                         QStringLiteral("the CA offers no renewal information (ARI), so the "
                                        "order does not name the certificate it replaces"));
            if (!self || self->stopped()) {
                return;
            }
        }
        self->m_client.post(
            dir->newOrder, payload.json, QStringLiteral("creating the order"),
            [self](const Result<AcmeResponse>& r) {
                if (!self || self->stopped()) {
                    return;
                }
                if (!r) {
                    self->fail(r.error());
                    return;
                }
                self->m_orderUrl = r->location;
                self->m_finalizeUrl = QUrl(r->json.value(QStringLiteral("finalize")).toString());
                for (const QJsonValue& v :
                     r->json.value(QStringLiteral("authorizations")).toArray()) {
                    self->m_authorizationUrls << QUrl(v.toString());
                }
                if (self->m_orderUrl.isEmpty() || self->m_finalizeUrl.isEmpty() ||
                    self->m_authorizationUrls.isEmpty()) {
                    self->fail(Error{ErrorCode::Protocol,
                                     QStringLiteral("the CA's new order lacks its URL, its "
                                                    "finalize URL or its authorizations"),
                                     QString::fromUtf8(r->body.left(300))});
                    return;
                }
                self->m_authorizations.resize(self->m_authorizationUrls.size());
                self->m_chosen =
                    QList<ChallengePublisher*>(self->m_authorizationUrls.size(), nullptr);
                for (qsizetype i = 0; i < self->m_authorizationUrls.size(); ++i) {
                    self->m_authorizations[i].url = self->m_authorizationUrls.at(i);
                }
                self->nextAuthorization();
            });
    });
}

void AcmeOrderFlow::nextAuthorization()
{
    // A progress slot may have cancelled the flow just before this step.
    if (stopped()) {
        return;
    }
    ++m_current;
    if (m_current >= m_authorizationUrls.size()) {
        report(QStringLiteral("Finalizing"),
               QStringLiteral("all %1 authorization(s) valid").arg(m_authorizationUrls.size()));
        m_waitClock.start();
        m_polls = 0;
        waitForOrder(
            {QStringLiteral("ready"), QStringLiteral("valid")}, [this](const QJsonObject& order) {
                if (order.value(QStringLiteral("status")).toString() == QLatin1String("valid")) {
                    download(QUrl(order.value(QStringLiteral("certificate")).toString()));
                } else {
                    finalize();
                }
            });
        return;
    }
    const int index = m_current;
    m_waitClock.start();
    m_polls = 0;
    QPointer<AcmeOrderFlow> self(this);
    m_client.postAsGet(m_authorizationUrls.at(index),
                       QStringLiteral("reading authorization %1 of %2")
                           .arg(index + 1)
                           .arg(m_authorizationUrls.size()),
                       [self, index](const Result<AcmeResponse>& r) {
                           if (!self || self->stopped()) {
                               return;
                           }
                           if (!r) {
                               self->fail(r.error());
                               return;
                           }
                           self->onAuthorization(index, r->json, false);
                       });
}

void AcmeOrderFlow::onAuthorization(int index, const QJsonObject& json, bool afterResponse)
{
    AuthorizationState& state = m_authorizations[index];
    auto id = AcmeIdentifier::fromJson(json.value(QStringLiteral("identifier")).toObject());
    if (!id) {
        fail(Error{ErrorCode::Protocol,
                   QStringLiteral("authorization %1 names no usable identifier").arg(index + 1),
                   id.error().message});
        return;
    }
    state.identifier = *id;
    if (json.value(QStringLiteral("wildcard")).toBool(false)) {
        state.identifier.value.prepend(QStringLiteral("*."));
    }
    state.status = json.value(QStringLiteral("status")).toString();
    const QString name = state.identifier.toString();
    const QString step = QStringLiteral("Authorizing %1 (%2/%3)")
                             .arg(name)
                             .arg(index + 1)
                             .arg(m_authorizationUrls.size());

    if (state.status == QLatin1String("valid")) {
        state.reused = !afterResponse;
        state.stage = AuthorizationStage::Done;
        emit authorizationChanged(index, state);
        report(step, state.reused ? QStringLiteral("%1 is already authorized").arg(name)
                                  : QStringLiteral("%1 is valid").arg(name));
        nextAuthorization();
        return;
    }
    if (state.status == QLatin1String("invalid")) {
        const QString why = challengeError(json, state.challengeType);
        state.error = why.isEmpty() ? QStringLiteral("the CA marked it invalid") : why;
        state.stage = AuthorizationStage::Done;
        emit authorizationChanged(index, state);
        fail(Error{why.contains(QLatin1String("connect")) ? ErrorCode::Network
                                                          : ErrorCode::PermissionDenied,
                   QStringLiteral("%1: proving control with %2 failed: %3")
                       .arg(name,
                            state.challengeType.isEmpty() ? QStringLiteral("its challenge")
                                                          : state.challengeType,
                            state.error),
                   m_authorizationUrls.at(index).toString()});
        return;
    }
    if (state.status != QLatin1String("pending")) {
        state.error = QStringLiteral("the authorization is %1").arg(state.status);
        state.stage = AuthorizationStage::Done;
        emit authorizationChanged(index, state);
        fail(Error{ErrorCode::Protocol,
                   QStringLiteral("%1: the authorization is %2, not pending or valid")
                       .arg(name, state.status),
                   m_authorizationUrls.at(index).toString()});
        return;
    }
    if (afterResponse) {
        state.stage = AuthorizationStage::Processing;
        emit authorizationChanged(index, state);
        report(step, QStringLiteral("waiting for the CA to check %1").arg(name));
        pollAuthorization(index, std::nullopt);
        return;
    }
    // The first publisher, in preference order, that can prove this
    // identifier and whose challenge type the CA offers for it.
    QHash<QString, QJsonObject> offered;
    QStringList offeredTypes;
    for (const QJsonValue& v : json.value(QStringLiteral("challenges")).toArray()) {
        const QJsonObject c = v.toObject();
        offered.insert(c.value(QStringLiteral("type")).toString(), c);
        offeredTypes << c.value(QStringLiteral("type")).toString();
    }
    QStringList configured;
    for (ChallengePublisher* p : std::as_const(m_publishers)) {
        configured << p->challengeType();
        if (!p->canProve(state.identifier) || !offered.contains(p->challengeType())) {
            continue;
        }
        const QJsonObject c = offered.value(p->challengeType());
        m_chosen[index] = p;
        state.challengeType = p->challengeType();
        const bool checking =
            c.value(QStringLiteral("status")).toString() != QLatin1String("pending");
        state.stage = checking ? AuthorizationStage::Processing : AuthorizationStage::Publishing;
        emit authorizationChanged(index, state);
        report(step, QStringLiteral("answering the %1 challenge").arg(state.challengeType));
        if (checking) {
            pollAuthorization(index, std::nullopt); // already being checked
        } else {
            answerChallenge(index, c);
        }
        return;
    }
    state.error = QStringLiteral("no usable challenge: this order answers %1, the CA offers %2")
                      .arg(configured.join(u','), offeredTypes.isEmpty() ? QStringLiteral("none")
                                                                         : offeredTypes.join(u','));
    state.stage = AuthorizationStage::Done;
    emit authorizationChanged(index, state);
    fail(Error{ErrorCode::Unsupported, QStringLiteral("%1: %2").arg(name, state.error),
               m_authorizationUrls.at(index).toString()});
}

void AcmeOrderFlow::answerChallenge(int index, const QJsonObject& challenge)
{
    // A progress slot may have cancelled the flow just before this step.
    if (stopped()) {
        return;
    }
    const QByteArray token = challenge.value(QStringLiteral("token")).toString().toLatin1();
    const QUrl url(challenge.value(QStringLiteral("url")).toString());
    const AcmeIdentifier identifier = m_authorizations.at(index).identifier;
    const QString name = identifier.toString();
    ChallengePublisher* publisher = m_chosen.value(index);
    const QString type = m_authorizations.at(index).challengeType;
    if (publisher == nullptr) {
        fail(Error{ErrorCode::Internal, QStringLiteral("%1: no challenge chosen").arg(name), {}});
        return;
    }
    // RFC 8555 8.1: the token must carry at least 128 bits of entropy and
    // only base64url characters (it becomes a path segment or file name).
    if (!isBase64UrlToken(token) || token.size() < 22 || !url.isValid()) {
        fail(Error{ErrorCode::Protocol,
                   QStringLiteral("%1: the CA's %2 challenge has a malformed token or URL")
                       .arg(name, type),
                   url.toString()});
        return;
    }
    const QByteArray keyAuthorization = token + '.' + m_client.key().thumbprint();
    m_published << Published{publisher, identifier, token, keyAuthorization};
    QPointer<AcmeOrderFlow> self(this);
    publisher->publish(
        identifier, token, keyAuthorization,
        [self, index, url, name, identifier, token, keyAuthorization, publisher](const Status& s) {
            if (!self) {
                return;
            }
            if (self->stopped()) {
                // Published after the flow ended: take it down again at once.
                self->m_published.removeIf([&](const Published& p) { return p.token == token; });
                publisher->withdraw(identifier, token, keyAuthorization, [](const Status&) {});
                return;
            }
            AuthorizationState& state = self->m_authorizations[index];
            if (!s) {
                state.error = QStringLiteral("cannot publish the challenge through %1: %2")
                                  .arg(publisher->describe(), s.error().message);
                state.stage = AuthorizationStage::Done;
                emit self->authorizationChanged(index, state);
                self->fail(Error{s.error().code, QStringLiteral("%1: %2").arg(name, state.error),
                                 s.error().detail});
                return;
            }
            state.stage = AuthorizationStage::Published;
            emit self->authorizationChanged(index, state);
            // RFC 8555 7.5.1: an empty object tells the CA to validate now.
            self->m_client.post(url, QJsonObject{},
                                QStringLiteral("asking the CA to check %1").arg(name),
                                [self, index](const Result<AcmeResponse>& r) {
                                    if (!self || self->stopped()) {
                                        return;
                                    }
                                    if (!r) {
                                        self->fail(r.error());
                                        return;
                                    }
                                    self->pollAuthorization(index, r->retryAfterSeconds);
                                });
        });
}

int AcmeOrderFlow::pollDelayMs(std::optional<int> retryAfter)
{
    const qint64 remaining =
        std::max<qint64>(0, qint64(m_request.pollTimeoutSeconds) * 1000 - m_waitClock.elapsed());
    if (retryAfter) {
        return static_cast<int>(std::min<qint64>(qint64(*retryAfter) * 1000, remaining));
    }
    const int delay = std::min(kMaxPollMs, kFirstPollMs << std::min(m_polls, 5));
    ++m_polls;
    return static_cast<int>(std::min<qint64>(delay, remaining));
}

void AcmeOrderFlow::pollAuthorization(int index, std::optional<int> retryAfter)
{
    // A progress slot may have cancelled the flow just before this step.
    if (stopped()) {
        return;
    }
    const QString name = m_authorizations.at(index).identifier.toString();
    if (m_waitClock.elapsed() > qint64(m_request.pollTimeoutSeconds) * 1000) {
        fail(Error{ErrorCode::Timeout,
                   QStringLiteral("%1: the CA had not decided after %2 s")
                       .arg(name)
                       .arg(m_request.pollTimeoutSeconds),
                   m_authorizationUrls.at(index).toString()});
        return;
    }
    QPointer<AcmeOrderFlow> self(this);
    QTimer::singleShot(pollDelayMs(retryAfter), this, [self, index, name] {
        if (!self || self->stopped()) {
            return;
        }
        self->m_client.postAsGet(self->m_authorizationUrls.at(index),
                                 QStringLiteral("checking the authorization of %1").arg(name),
                                 [self, index](const Result<AcmeResponse>& r) {
                                     if (!self || self->stopped()) {
                                         return;
                                     }
                                     if (!r) {
                                         self->fail(r.error());
                                         return;
                                     }
                                     if (r->json.value(QStringLiteral("status")).toString() ==
                                             QLatin1String("pending") &&
                                         r->retryAfterSeconds) {
                                         self->pollAuthorization(index, r->retryAfterSeconds);
                                         return;
                                     }
                                     self->onAuthorization(index, r->json, true);
                                 });
    });
}

void AcmeOrderFlow::waitForOrder(const QStringList& wanted,
                                 std::function<void(const QJsonObject&)> next)
{
    QPointer<AcmeOrderFlow> self(this);
    m_client.postAsGet(
        m_orderUrl, QStringLiteral("checking the order"),
        [self, wanted, next](const Result<AcmeResponse>& r) {
            if (!self || self->stopped()) {
                return;
            }
            if (!r) {
                self->fail(r.error());
                return;
            }
            const QString status = r->json.value(QStringLiteral("status")).toString();
            if (wanted.contains(status)) {
                next(r->json);
                return;
            }
            if (status == QLatin1String("invalid")) {
                const QJsonObject e = r->json.value(QStringLiteral("error")).toObject();
                Error err{ErrorCode::Protocol, QStringLiteral("the CA marked the order invalid"),
                          self->m_orderUrl.toString()};
                if (auto p = AcmeProblem::parse(QJsonDocument(e).toJson(), 0)) {
                    err = p->toError(QStringLiteral("the CA marked the order invalid"));
                }
                self->fail(err);
                return;
            }
            if (self->m_waitClock.elapsed() > qint64(self->m_request.pollTimeoutSeconds) * 1000) {
                self->fail(Error{ErrorCode::Timeout,
                                 QStringLiteral("the order is still %1 after %2 s")
                                     .arg(status)
                                     .arg(self->m_request.pollTimeoutSeconds),
                                 self->m_orderUrl.toString()});
                return;
            }
            const int delay = self->pollDelayMs(r->retryAfterSeconds);
            QTimer::singleShot(delay, self.data(), [self, wanted, next] {
                if (self && !self->stopped()) {
                    self->waitForOrder(wanted, next);
                }
            });
        });
}

void AcmeOrderFlow::finalize()
{
    // A progress slot may have cancelled the flow just before this step.
    if (stopped()) {
        return;
    }
    crypto::CsrSpec spec;
    for (const AcmeIdentifier& id : std::as_const(m_request.identifiers)) {
        crypto::SubjectAltName san;
        san.type = id.type == AcmeIdentifier::Type::Ip ? crypto::SubjectAltName::Type::Ip
                                                       : crypto::SubjectAltName::Type::Dns;
        san.value = id.value;
        spec.sans << san;
        // The CN (if any) must be one of the names and fit 64 characters.
        if (spec.subject.commonName.isEmpty() && id.type == AcmeIdentifier::Type::Dns &&
            id.value.size() <= 64) {
            spec.subject.commonName = id.value;
        }
    }
    auto csr = crypto::Csr::build(spec, m_request.certificateKey.handle());
    if (!csr) {
        fail(Error{csr.error().code,
                   QStringLiteral("cannot build the CSR: %1").arg(csr.error().message),
                   csr.error().detail});
        return;
    }
    report(QStringLiteral("Finalizing"), QStringLiteral("sending the CSR"));
    m_waitClock.start();
    m_polls = 0;
    QPointer<AcmeOrderFlow> self(this);
    m_client.post(
        m_finalizeUrl,
        QJsonObject{{QStringLiteral("csr"), QString::fromLatin1(base64Url(csr->toDer()))}},
        QStringLiteral("finalizing the order"), [self](const Result<AcmeResponse>& r) {
            if (!self || self->stopped()) {
                return;
            }
            if (!r) {
                self->fail(r.error());
                return;
            }
            self->waitForOrder({QStringLiteral("valid")}, [self](const QJsonObject& order) {
                self->download(QUrl(order.value(QStringLiteral("certificate")).toString()));
            });
        });
}

void AcmeOrderFlow::download(const QUrl& certificateUrl)
{
    // A progress slot may have cancelled the flow just before this step.
    if (stopped()) {
        return;
    }
    if (!certificateUrl.isValid() || certificateUrl.isEmpty()) {
        fail(Error{ErrorCode::Protocol,
                   QStringLiteral("the CA's valid order has no certificate URL"),
                   m_orderUrl.toString()});
        return;
    }
    report(QStringLiteral("Downloading the certificate"), certificateUrl.toString());
    QPointer<AcmeOrderFlow> self(this);
    m_client.postAsGet(
        certificateUrl, QStringLiteral("downloading the certificate"),
        [self, certificateUrl](const Result<AcmeResponse>& r) {
            if (!self || self->stopped()) {
                return;
            }
            if (!r) {
                self->fail(r.error());
                return;
            }
            if (QSslCertificate::fromData(r->body).isEmpty()) {
                self->fail(Error{ErrorCode::Protocol,
                                 QStringLiteral("the CA's certificate download holds no PEM "
                                                "certificate"),
                                 QString::fromUtf8(r->contentType)});
                return;
            }
            self->pickChain(r->body, certificateUrl, r->linksWithRel(QStringLiteral("alternate")),
                            0);
        },
        "application/pem-certificate-chain");
}

void AcmeOrderFlow::pickChain(const QByteArray& chain, const QUrl& url,
                              const QList<QUrl>& alternates, int nextAlternate)
{
    // `chain`/`url` is the default; alternates are tried in order until one
    // matches the preferred issuer, else the default stays.
    IssuedCertificate issued;
    issued.chainPem = chain;
    issued.certificateUrl = url;
    issued.alternateUrls = alternates;
    const QString preferred = m_request.preferredChainIssuer;
    if (preferred.isEmpty() || chainMatches(chain, preferred) ||
        nextAlternate >= alternates.size()) {
        succeed(issued);
        return;
    }
    const QUrl alt = alternates.at(nextAlternate);
    QPointer<AcmeOrderFlow> self(this);
    m_client.postAsGet(
        alt, QStringLiteral("downloading an alternate chain"),
        [self, chain, url, alternates, nextAlternate, alt](const Result<AcmeResponse>& r) {
            if (!self || self->stopped()) {
                return;
            }
            if (r && chainMatches(r->body, self->m_request.preferredChainIssuer)) {
                IssuedCertificate picked;
                picked.chainPem = r->body;
                picked.certificateUrl = alt;
                picked.alternateUrls = alternates;
                self->succeed(picked);
                return;
            }
            self->pickChain(chain, url, alternates, nextAlternate + 1);
        },
        "application/pem-certificate-chain");
}

void AcmeOrderFlow::succeed(IssuedCertificate issued)
{
    issued.orderUrl = m_orderUrl;
    issued.authorizations = m_authorizations;
    issued.badNonceRetries = m_client.badNonceRetries() - m_startNonceRetries;
    issued.replacesSent = m_replacesSent;
    conclude(std::move(issued));
}

void AcmeOrderFlow::fail(const Error& error)
{
    conclude(tl::unexpected(error));
}

void AcmeOrderFlow::conclude(Result<IssuedCertificate> result)
{
    if (m_finishing) {
        return;
    }
    m_finishing = true;
    qCDebug(lcAcme).noquote()
        << "order" << m_orderUrl.toString()
        << "ended:" << (result ? QStringLiteral("certificate issued") : result.error().toString())
        << QStringLiteral("(withdrawing %1 challenge answer(s))").arg(m_published.size());
    auto shared = std::make_shared<Result<IssuedCertificate>>(std::move(result));
    withdrawAll([this, shared] { finishWith(*shared); });
}

void AcmeOrderFlow::withdrawAll(std::function<void()> then)
{
    if (m_published.isEmpty()) {
        then();
        return;
    }
    const Published p = m_published.takeLast();
    QPointer<AcmeOrderFlow> self(this);
    p.publisher->withdraw(p.identifier, p.token, p.keyAuthorization, [self, then](const Status&) {
        if (self) {
            self->withdrawAll(then);
        }
    });
}

} // namespace certdeck::acme
