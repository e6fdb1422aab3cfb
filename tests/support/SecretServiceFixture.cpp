// SPDX-License-Identifier: GPL-3.0-or-later
#include "SecretServiceFixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <dlfcn.h>

namespace certdeck::test {

SecretServiceFixture::SecretServiceFixture()
    : m_bus(QStringLiteral("dbus-daemon"), m_dir.filePath(QStringLiteral("dbus.log")))
    , m_keyring(QStringLiteral("gnome-keyring-daemon"),
                m_dir.filePath(QStringLiteral("gnome-keyring.log")))
{}

SecretServiceFixture::~SecretServiceFixture()
{
    stop();
}

QString SecretServiceFixture::busAddress() const
{
    return QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("bus"));
}

QProcessEnvironment SecretServiceFixture::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress());
    env.insert(QStringLiteral("HOME"), m_dir.path());
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), m_dir.filePath(QStringLiteral("cache")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.filePath(QStringLiteral("run")));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    return env;
}

int SecretServiceFixture::secretTool(const QStringList& args, QByteArray* output) const
{
    QProcess p;
    p.setProcessEnvironment(environment());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("secret-tool"), args);
    if (!p.waitForStarted(10000)) {
        return -1;
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(20000)) {
        p.kill();
        p.waitForFinished(2000);
        return -1;
    }
    if (output != nullptr) {
        *output = p.readAll();
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool SecretServiceFixture::secretsOwned() const
{
    QByteArray out;
    const int rc = runTool(
        QStringLiteral("dbus-send"),
        {QStringLiteral("--bus=") + busAddress(), QStringLiteral("--print-reply"),
         QStringLiteral("--dest=org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
         QStringLiteral("org.freedesktop.DBus.NameHasOwner"),
         QStringLiteral("string:org.freedesktop.secrets")},
        &out, 5000);
    return rc == 0 && out.contains("boolean true");
}

bool SecretServiceFixture::start()
{
    const QString d = m_dir.path();
    for (const char* sub : {"data", "config", "cache", "run"}) {
        if (!QDir(d).mkpath(QString::fromLatin1(sub))) {
            m_error = QStringLiteral("cannot create %1/%2").arg(d, QString::fromLatin1(sub));
            return false;
        }
    }
    QFile::setPermissions(m_dir.filePath(QStringLiteral("run")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // A session bus of our own: listens on a socket in the folder, activates
    // nothing (no <servicedir>), lets the test's own user do anything.
    const QString conf =
        QStringLiteral("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                       "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/"
                       "busconfig.dtd\">\n"
                       "<busconfig>\n"
                       "  <type>session</type>\n"
                       "  <listen>unix:path=%1/bus</listen>\n"
                       "  <auth>EXTERNAL</auth>\n"
                       "  <policy context=\"default\">\n"
                       "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                       "    <allow eavesdrop=\"true\"/>\n"
                       "    <allow own=\"*\"/>\n"
                       "  </policy>\n"
                       "</busconfig>\n")
            .arg(d);
    if (!m_dir.write(QStringLiteral("dbus.conf"), conf.toUtf8())) {
        m_error = QStringLiteral("cannot write dbus.conf");
        return false;
    }
    if (!m_bus.start(QStringLiteral("/usr/bin/dbus-daemon"),
                     {QStringLiteral("--config-file=") + d + QStringLiteral("/dbus.conf"),
                      QStringLiteral("--nofork"), QStringLiteral("--print-address")}) ||
        !m_bus.waitForLog("unix:path=", 15000)) {
        m_error = m_bus.errorString();
        stop();
        return false;
    }

    // The login keyring's password, on stdin from an owner-only file.
    const QByteArray password = QByteArray::number(QRandomGenerator::system()->generate64(), 36) +
                                QByteArray::number(QRandomGenerator::system()->generate64(), 36);
    const QString passwordFile = m_dir.filePath(QStringLiteral("keyring.password"));
    if (!writePrivateFile(passwordFile, password)) {
        m_error = QStringLiteral("cannot write the keyring password file");
        stop();
        return false;
    }
    // Run through a link in the folder so the fixture path is on its
    // command line (the leftover check looks for it).
    const QString link = m_dir.filePath(QStringLiteral("gnome-keyring-daemon"));
    QFile::remove(link);
    if (!QFile::link(QStringLiteral("/usr/bin/gnome-keyring-daemon"), link)) {
        m_error = QStringLiteral("cannot link gnome-keyring-daemon into %1").arg(d);
        stop();
        return false;
    }
    m_keyring.setEnvironment(environment());
    m_keyring.setStandardInputFile(passwordFile);
    if (!m_keyring.start(link,
                         {QStringLiteral("--foreground"), QStringLiteral("--components=secrets"),
                          QStringLiteral("--unlock")})) {
        m_error = m_keyring.errorString();
        stop();
        return false;
    }
    if (!waitUntil([this] { return !m_keyring.isRunning() || secretsOwned(); }, 15000) ||
        !m_keyring.isRunning()) {
        m_error = QStringLiteral("gnome-keyring-daemon did not take org.freedesktop.secrets on "
                                 "the private bus:\n") +
                  QString::fromUtf8(m_keyring.log()) + QStringLiteral("\ndbus:\n") +
                  QString::fromUtf8(m_bus.log());
        stop();
        return false;
    }
    return true;
}

void SecretServiceFixture::stop()
{
    stopKeyring();
    m_bus.stop(5000);
}

void SecretServiceFixture::stopKeyring()
{
    m_keyring.stop(5000);
}

bool SecretServiceFixture::useBusInThisProcess()
{
    qputenv("DBUS_SESSION_BUS_ADDRESS", busAddress().toUtf8());
    // GIO at run time (libglib2.0-0 comes with Qt; its -dev package is not
    // needed for three calls): the process-wide session connection that
    // libsecret will share, told not to end the process when it closes.
    void* gio = ::dlopen("libgio-2.0.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (gio == nullptr) {
        m_error = QStringLiteral("cannot load libgio-2.0.so.0: ") + QString::fromUtf8(::dlerror());
        return false;
    }
    using BusGetSync = void* (*)(int, void*, void**);
    using SetExitOnClose = void (*)(void*, int);
    using Unref = void (*)(void*);
    const auto busGet = reinterpret_cast<BusGetSync>(::dlsym(gio, "g_bus_get_sync"));
    const auto setExit =
        reinterpret_cast<SetExitOnClose>(::dlsym(gio, "g_dbus_connection_set_exit_on_close"));
    const auto unref = reinterpret_cast<Unref>(::dlsym(gio, "g_object_unref"));
    if (busGet == nullptr || setExit == nullptr || unref == nullptr) {
        m_error = QStringLiteral("libgio-2.0.so.0 lacks the GDBus calls");
        return false;
    }
    constexpr int kGBusTypeSession = 2; // G_BUS_TYPE_SESSION
    void* error = nullptr;
    void* connection = busGet(kGBusTypeSession, nullptr, &error);
    if (connection == nullptr) {
        m_error = QStringLiteral("GDBus cannot connect to the private session bus");
        return false; // the GError is left: this test run is failing anyway
    }
    setExit(connection, 0);
    // GIO holds its singleton by a weak reference only: keep ours for the
    // life of the process, or libsecret would get a fresh one that exits on
    // close again.
    static void* keptAlive = nullptr;
    if (keptAlive != nullptr) {
        unref(keptAlive);
    }
    keptAlive = connection;
    return true;
}

} // namespace certdeck::test
