// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeyCsrWizard.h"

#include "common/SecureFile.h"
#include "crypto/Csr.h"
#include "crypto/KeyGenerator.h"
#include "ui/common/Background.h"
#include "ui/common/OperationProgress.h"
#include "ui/common/highlight/TextHighlighting.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <openssl/crypto.h>

namespace certdeck::ui {

using namespace certdeck::crypto;

class KeyCsrWizard::KeyPage : public QWizardPage
{
public:
    explicit KeyPage(KeyCsrWizard* w)
        : QWizardPage(w)
        , m_w(w)
    {
        setTitle(tr("Private key"));
        setSubTitle(tr("ECDSA P-256 suits almost every server; RSA only for old clients."));
        auto* form = new QFormLayout(this);
        w->m_keyType = new QComboBox(this);
        w->m_keyType->setObjectName(QStringLiteral("keyType"));
        const QList<std::pair<QString, KeyType>> types = {
            {tr("ECDSA P-256 (recommended)"), KeyType::EcdsaP256},
            {tr("ECDSA P-384"), KeyType::EcdsaP384},
            {tr("Ed25519 (not accepted by public CAs)"), KeyType::Ed25519},
            {tr("RSA 2048"), KeyType::Rsa2048},
            {tr("RSA 3072"), KeyType::Rsa3072},
            {tr("RSA 4096 (slow to generate)"), KeyType::Rsa4096},
        };
        for (const auto& [label, type] : types) {
            w->m_keyType->addItem(label, static_cast<int>(type));
        }
        form->addRow(tr("Key &type:"), w->m_keyType);
        w->m_passphrase = new QLineEdit(this);
        w->m_passphrase->setObjectName(QStringLiteral("passphrase"));
        w->m_passphrase->setEchoMode(QLineEdit::Password);
        w->m_confirm = new QLineEdit(this);
        w->m_confirm->setObjectName(QStringLiteral("confirm"));
        w->m_confirm->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Passphrase:"), w->m_passphrase);
        form->addRow(tr("&Confirm:"), w->m_confirm);
        w->m_unencrypted = new QCheckBox(
            tr("Write the key &unencrypted (only for servers that cannot ask for a passphrase)"),
            this);
        w->m_unencrypted->setObjectName(QStringLiteral("unencrypted"));
        form->addRow(QString(), w->m_unencrypted);
        auto* folderRow = new QHBoxLayout;
        w->m_folder = new QLineEdit(this);
        w->m_folder->setObjectName(QStringLiteral("folder"));
        w->m_folder->setText(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                             QStringLiteral("/certdeck/keys"));
        auto* browse = new QPushButton(tr("&Browse…"), this);
        connect(browse, &QPushButton::clicked, this, [w] {
            const QString dir =
                QFileDialog::getExistingDirectory(w, tr("Folder for the key"), w->m_folder->text());
            if (!dir.isEmpty()) {
                w->m_folder->setText(dir);
            }
        });
        folderRow->addWidget(w->m_folder, 1);
        folderRow->addWidget(browse);
        form->addRow(tr("Folder:"), folderRow);
        m_error = new QLabel(this);
        m_error->setObjectName(QStringLiteral("keyError"));
        m_error->setWordWrap(true);
        form->addRow(QString(), m_error);
    }

    bool validatePage() override
    {
        if (!m_w->m_unencrypted->isChecked()) {
            if (m_w->m_passphrase->text().size() < 8) {
                m_error->setText(tr("ERROR: the passphrase needs at least 8 characters."));
                return false;
            }
            if (m_w->m_passphrase->text() != m_w->m_confirm->text()) {
                m_error->setText(tr("ERROR: the two passphrases differ."));
                return false;
            }
        }
        if (m_w->m_folder->text().trimmed().isEmpty()) {
            m_error->setText(tr("ERROR: choose a folder for the key."));
            return false;
        }
        m_error->clear();
        return true;
    }

private:
    KeyCsrWizard* m_w;
    QLabel* m_error = nullptr;
};

class KeyCsrWizard::RequestPage : public QWizardPage
{
public:
    explicit RequestPage(KeyCsrWizard* w)
        : QWizardPage(w)
        , m_w(w)
    {
        setTitle(tr("Certificate signing request"));
        setSubTitle(tr("Names go in the SANs; clients ignore the common name."));
        auto* form = new QFormLayout(this);
        w->m_cn = new QLineEdit(this);
        w->m_cn->setObjectName(QStringLiteral("commonName"));
        w->m_cn->setPlaceholderText(QStringLiteral("api.example.com"));
        form->addRow(tr("Common &name:"), w->m_cn);
        w->m_sans = new QPlainTextEdit(this);
        w->m_sans->setObjectName(QStringLiteral("sans"));
        w->m_sans->setPlaceholderText(tr("One per line or comma-separated: api.example.com, "
                                         "10.0.0.5, DNS:www.example.com, email:ops@example.com"));
        w->m_sans->setMaximumHeight(90);
        form->addRow(tr("&Subject alt. names:"), w->m_sans);
        w->m_org = new QLineEdit(this);
        w->m_org->setObjectName(QStringLiteral("organization"));
        form->addRow(tr("&Organization:"), w->m_org);
        w->m_serverAuth = new QCheckBox(tr("TLS &server (serverAuth)"), this);
        w->m_serverAuth->setChecked(true);
        w->m_clientAuth = new QCheckBox(tr("TLS &client (clientAuth, for mTLS)"), this);
        w->m_mustStaple = new QCheckBox(tr("OCSP &must-staple"), this);
        w->m_mustStaple->setObjectName(QStringLiteral("mustStaple"));
        form->addRow(tr("Usage:"), w->m_serverAuth);
        form->addRow(QString(), w->m_clientAuth);
        form->addRow(QString(), w->m_mustStaple);
        w->m_digest = new QComboBox(this);
        w->m_digest->addItem(QStringLiteral("SHA-256"));
        w->m_digest->addItem(QStringLiteral("SHA-384"));
        form->addRow(tr("&Digest:"), w->m_digest);
        w->m_requestError = new QLabel(this);
        w->m_requestError->setObjectName(QStringLiteral("requestError"));
        w->m_requestError->setWordWrap(true);
        form->addRow(QString(), w->m_requestError);
    }

    void initializePage() override
    {
        // Ed25519 signs without a separate digest.
        m_w->m_digest->setEnabled(m_w->keyType() != KeyType::Ed25519);
    }

    bool validatePage() override
    {
        const auto s = m_w->spec();
        if (!s) {
            m_w->m_requestError->setText(tr("ERROR: %1").arg(s.error().toString()));
            return false;
        }
        m_w->m_requestError->clear();
        return true;
    }

private:
    KeyCsrWizard* m_w;
};

class KeyCsrWizard::GeneratePage : public QWizardPage
{
public:
    explicit GeneratePage(KeyCsrWizard* w)
        : QWizardPage(w)
        , m_w(w)
    {
        setTitle(tr("Generate"));
        auto* v = new QVBoxLayout(this);
        w->m_status = new QLabel(this);
        w->m_status->setObjectName(QStringLiteral("generateStatus"));
        w->m_status->setWordWrap(true);
        w->m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
        w->m_progress = new QProgressBar(this);
        w->m_cancel = new QPushButton(tr("C&ancel generation"), this);
        w->m_cancel->setObjectName(QStringLiteral("cancelGeneration"));
        auto* row = new QHBoxLayout;
        row->addWidget(w->m_progress, 1);
        row->addWidget(w->m_cancel);
        v->addWidget(w->m_status);
        v->addLayout(row);
        w->m_csrView = new QPlainTextEdit(this);
        w->m_csrView->setObjectName(QStringLiteral("csrView"));
        w->m_csrView->setReadOnly(true);
        w->m_csrView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        TextHighlighting::attach(w->m_csrView->document(), TextLanguage::Pem,
                                 palette().color(QPalette::Window).lightness() < 128);
        v->addWidget(w->m_csrView, 1);
    }

    void initializePage() override { m_w->startGeneration(); }
    bool isComplete() const override { return m_w->m_done; }
    void markComplete() { emit completeChanged(); }

private:
    KeyCsrWizard* m_w;
};

KeyCsrWizard::KeyCsrWizard(QWidget* parent)
    : QWizard(parent)
{
    setObjectName(QStringLiteral("keyCsrWizard"));
    setWindowTitle(tr("New key and CSR"));
    addPage(new KeyPage(this));
    addPage(new RequestPage(this));
    addPage(new GeneratePage(this));
    // Once generation started there is no going back to change its inputs.
    setOption(QWizard::NoBackButtonOnLastPage, true);
    resize(640, 520);
}

KeyType KeyCsrWizard::keyType() const
{
    return static_cast<KeyType>(m_keyType->currentData().toInt());
}

Result<CsrSpec> KeyCsrWizard::spec() const
{
    CsrSpec s;
    s.subject.commonName = m_cn->text().trimmed();
    s.subject.organization = m_org->text().trimmed();
    static const QRegularExpression split(QStringLiteral("[,\\s]+"));
    for (const QString& raw : m_sans->toPlainText().split(split, Qt::SkipEmptyParts)) {
        QString typed = raw;
        if (!raw.contains(u':') || raw.count(u':') > 1) {
            // Bare names: an IP literal is an IP SAN, anything else a DNS name.
            static const QRegularExpression ip(QStringLiteral("^[0-9.]+$|:"));
            typed =
                (ip.match(raw).hasMatch() ? QStringLiteral("IP:") : QStringLiteral("DNS:")) + raw;
        }
        auto san = SubjectAltName::parse(typed);
        if (!san) {
            return tl::unexpected(san.error());
        }
        s.sans << *san;
    }
    if (s.sans.isEmpty() && !s.subject.commonName.isEmpty()) {
        auto san = SubjectAltName::parse(QStringLiteral("DNS:") + s.subject.commonName);
        if (san) {
            s.sans << *san;
        }
    }
    s.keyUsage = KeyUsage::DigitalSignature;
    const KeyType t = keyType();
    if (t == KeyType::Rsa2048 || t == KeyType::Rsa3072 || t == KeyType::Rsa4096) {
        s.keyUsage |= KeyUsage::KeyEncipherment;
    }
    if (m_serverAuth->isChecked()) {
        s.extendedKeyUsage << ExtendedKeyUsage::ServerAuth;
    }
    if (m_clientAuth->isChecked()) {
        s.extendedKeyUsage << ExtendedKeyUsage::ClientAuth;
    }
    s.mustStaple = m_mustStaple->isChecked();
    s.digest = m_digest->currentIndex() == 1 ? CsrDigest::Sha384 : CsrDigest::Sha256;
    if (auto ok = s.validate(); !ok) {
        return tl::unexpected(ok.error());
    }
    return s;
}

void KeyCsrWizard::startGeneration()
{
    m_done = false;
    m_csrView->clear();
    m_status->setText(tr("Generating the key…"));
    m_progress->setRange(0, 0);
    m_cancel->setEnabled(true);
    auto* job = new KeyGenerator(keyType(), this);
    m_job = job;
    showProgress(*job, m_progress, m_status,
                 [](const QString&, const QString& message) { return message; });
    connect(m_cancel, &QPushButton::clicked, job, &Operation::cancel);
    job->onFinished(this, [this, job](const Result<PrivateKey>& key) {
        job->deleteLater();
        m_job = nullptr;
        finishGeneration(key);
    });
    job->start();
}

void KeyCsrWizard::finishGeneration(const Result<PrivateKey>& key)
{
    m_cancel->setEnabled(false);
    auto fail = [this](const QString& message) {
        m_progress->setRange(0, 100);
        m_progress->setValue(0);
        m_status->setText(tr("ERROR: %1").arg(message));
        emit generated(false, message);
    };
    if (!key) {
        fail(key.error().code == ErrorCode::Cancelled ? tr("generation cancelled; nothing written")
                                                      : key.error().toString());
        return;
    }
    const auto s = spec();
    if (!s) {
        fail(s.error().toString());
        return;
    }
    m_status->setText(tr("Writing the key and the request…"));
    QString base = m_cn->text().trimmed();
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    if (base.isEmpty()) {
        base = QStringLiteral("key");
    }
    const QString folder = m_folder->text().trimmed();
    const QString keyPath = QDir(folder).filePath(base + QStringLiteral(".key"));
    const QString csrPath = QDir(folder).filePath(base + QStringLiteral(".csr"));
    QByteArray passphrase =
        m_unencrypted->isChecked() ? QByteArray() : m_passphrase->text().toUtf8();
    m_passphrase->clear();
    m_confirm->clear();
    const CsrSpec request = *s;
    const PrivateKey k = *key;
    struct Written
    {
        QString keyPath;
        QString csrPath;
        QByteArray csrPem;
    };
    // Encrypting the key (scrypt) and writing files stay off the GUI thread.
    runInBackground(
        this,
        [k, request, passphrase, keyPath, csrPath]() mutable -> Result<Written> {
            auto csr = Csr::build(request, k.handle());
            Result<QByteArray> keyPem =
                passphrase.isEmpty() ? k.toPkcs8Pem() : k.toEncryptedPkcs8Pem(passphrase);
            OPENSSL_cleanse(passphrase.data(), static_cast<size_t>(passphrase.size()));
            if (!csr) {
                return tl::unexpected(csr.error());
            }
            if (!keyPem) {
                return tl::unexpected(keyPem.error());
            }
            if (auto w =
                    writeFileAtomically(keyPath, *keyPem, {.secret = true, .overwrite = false});
                !w) {
                return tl::unexpected(w.error());
            }
            const QByteArray csrPem = csr->toPem();
            if (auto w =
                    writeFileAtomically(csrPath, csrPem, {.secret = false, .overwrite = false});
                !w) {
                Error e = w.error();
                e.message += QStringLiteral(" (the key was written to %1)").arg(keyPath);
                return tl::unexpected(e);
            }
            return Written{keyPath, csrPath, csrPem};
        },
        [this, fail](const Result<Written>& r) {
            if (!r) {
                fail(r.error().toString());
                return;
            }
            m_keyPath = r->keyPath;
            m_csrPath = r->csrPath;
            m_progress->setRange(0, 100);
            m_progress->setValue(100);
            m_status->setText(tr("Done. Key: %1 (0600). Request: %2. Send the request to your CA.")
                                  .arg(m_keyPath, m_csrPath));
            m_csrView->setPlainText(QString::fromLatin1(r->csrPem));
            m_done = true;
            for (int id : pageIds()) {
                if (auto* p = dynamic_cast<GeneratePage*>(page(id))) {
                    p->markComplete();
                }
            }
            emit generated(true, m_keyPath);
        });
}

} // namespace certdeck::ui
