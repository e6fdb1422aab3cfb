// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <functional>

namespace certdeck::ui {

/// The console's hold on the key vault's master passphrase: asked once
/// (a dialog, or for a store without one, a new passphrase typed twice),
/// kept in memory for the session's jobs, wiped by forget() (a wrong
/// passphrase, "Lock") and on destruction. The vault's state is read off the
/// GUI thread; asking never blocks it (the dialog is window-modal, not a
/// nested event loop).
class VaultSession : public QObject
{
    Q_OBJECT
public:
    /// How to ask: `initialize` says the vault has no passphrase yet; call
    /// `answer` with the passphrase, or an empty one when the user cancelled.
    using Prompt =
        std::function<void(bool initialize, std::function<void(const QByteArray&)> answer)>;
    /// What a job needs: the passphrase and whether to set it up first.
    using Then = std::function<void(const QByteArray& passphrase, bool initialize)>;

    VaultSession(QString storePath, QWidget* dialogParent, QObject* parent = nullptr);
    ~VaultSession() override;

    /// Calls `then` on `context` with the passphrase, asking for it first
    /// when none is held; not at all when the user cancels or `context` died.
    void withPassphrase(QObject* context, Then then);
    /// Drops the held passphrase (wiped).
    void forget();
    [[nodiscard]] bool isHeld() const { return !m_passphrase.isEmpty(); }
    /// A job set the vault up with the held passphrase: later jobs unlock.
    void markInitialized() { m_pendingInit = false; }
    /// Tests answer here instead of the dialog.
    void setPrompt(Prompt prompt) { m_prompt = std::move(prompt); }

private:
    void ask(bool initialize, QPointer<QObject> context, Then then);

    QString m_storePath;
    QPointer<QWidget> m_dialogParent;
    QByteArray m_passphrase;
    bool m_pendingInit = false;
    Prompt m_prompt;
};

} // namespace certdeck::ui
