// SPDX-License-Identifier: GPL-3.0-or-later
// Smoke test of the PostgreSQL fixture: a real PostgreSQL 15 answers psql and
// Qt's QPSQL driver, refuses an unknown database, leaves no process behind
// when stopped, and restarts on its data (on another port if its own is taken).
#include "PostgresFixture.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTest>
#include <QUrl>
#include <cerrno>
#include <csignal>

using namespace certdeck::test;

namespace {

bool processExists(qint64 pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

} // namespace

class TestFixturePostgres : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void psqlAnswers();
    void qpsqlTransaction();
    void unknownDatabaseIsRefused();
    void stopLeavesNoProcessAndRestartKeepsData();
    void cleanupTestCase();

private:
    // Opens a QPSQL connection named `connection` to `database` on the fixture.
    QSqlDatabase openQpsql(const QString& connection, const QString& database) const;

    PostgresFixture m_pg;
};

void TestFixturePostgres::initTestCase()
{
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    qInfo("initdb + start + first query: %lld ms (port %u)", timer.elapsed(), m_pg.port());
    QVERIFY(m_pg.port() > 0);
    QVERIFY(m_pg.pid() > 0);
    QCOMPARE(m_pg.url(QStringLiteral("certdeck")),
             QStringLiteral("postgresql://postgres@127.0.0.1:%1/certdeck").arg(m_pg.port()));
    const QUrl url(m_pg.url());
    QCOMPARE(url.scheme(), QStringLiteral("postgresql"));
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(url.port(), int(m_pg.port()));
    QCOMPARE(url.userName(), QStringLiteral("postgres"));
    QCOMPARE(url.path(), QStringLiteral("/postgres"));
}

void TestFixturePostgres::psqlAnswers()
{
    // The oracle is psql itself, not the fixture's runSql.
    QByteArray out;
    const int rc =
        runTool(PostgresFixture::binDir() + QStringLiteral("/psql"),
                {QStringLiteral("-X"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                 QStringLiteral("-p"), QString::number(m_pg.port()), QStringLiteral("-U"),
                 QStringLiteral("postgres"), QStringLiteral("-d"), QStringLiteral("postgres"),
                 QStringLiteral("-Atc"), QStringLiteral("select 40+2")},
                &out, 20000);
    QVERIFY2(rc == 0, out.constData());
    QCOMPARE(out.trimmed(), QByteArray("42"));

    // It listens on 127.0.0.1 only, with its socket in the fixture's folder.
    QVERIFY(m_pg.runSql(QStringLiteral("show listen_addresses"), QStringLiteral("postgres"), &out));
    QCOMPARE(out.trimmed(), QByteArray("127.0.0.1"));
    QVERIFY(m_pg.runSql(QStringLiteral("show unix_socket_directories"), QStringLiteral("postgres"),
                        &out));
    QCOMPARE(QString::fromUtf8(out.trimmed()), m_pg.socketDir());
    QVERIFY(m_pg.runSql(QStringLiteral("select version()"), QStringLiteral("postgres"), &out));
    QVERIFY2(out.startsWith("PostgreSQL 15."), out.constData());
}

QSqlDatabase TestFixturePostgres::openQpsql(const QString& connection,
                                            const QString& database) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
    db.setHostName(PostgresFixture::host());
    db.setPort(m_pg.port());
    db.setUserName(PostgresFixture::user());
    db.setDatabaseName(database);
    db.setConnectOptions(QStringLiteral("connect_timeout=10"));
    db.open();
    return db;
}

void TestFixturePostgres::qpsqlTransaction()
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        QFAIL(qPrintable(QStringLiteral("Qt's QPSQL driver is not available (drivers: %1): "
                                        "install the libqt6sql6-psql package")
                             .arg(QSqlDatabase::drivers().join(QLatin1String(", ")))));
    }
    QVERIFY2(m_pg.createDatabase(QStringLiteral("certdeck_smoke")), qPrintable(m_pg.errorString()));
    // Creating it again must fail, and say why.
    QVERIFY(!m_pg.createDatabase(QStringLiteral("certdeck_smoke")));
    QVERIFY2(
        m_pg.errorString().contains(QLatin1String("database \"certdeck_smoke\" already exists")),
        qPrintable(m_pg.errorString()));

    const QString connection = QStringLiteral("smoke-qpsql");
    {
        QSqlDatabase db = openQpsql(connection, QStringLiteral("certdeck_smoke"));
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("create table certs (id serial primary key, "
                                       "subject text not null, not_after timestamptz)")),
                 qPrintable(q.lastError().text()));

        QVERIFY(db.transaction());
        QVERIFY(q.prepare(QStringLiteral("insert into certs (subject, not_after) values (?, ?)")));
        q.addBindValue(QStringLiteral("CN=api.example.test"));
        q.addBindValue(QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        QVERIFY2(q.exec(QStringLiteral("select id, subject, not_after from certs")),
                 qPrintable(q.lastError().text()));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toString(), QStringLiteral("CN=api.example.test"));
        QCOMPARE(q.value(2).toDateTime().toUTC(),
                 QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC));
        QVERIFY(!q.next());
        QVERIFY2(db.commit(), qPrintable(db.lastError().text()));

        // A rolled-back insert must not be seen.
        QVERIFY(db.transaction());
        QVERIFY(q.exec(QStringLiteral("insert into certs (subject) values ('CN=rolled.back')")));
        QVERIFY(db.rollback());
    }
    QSqlDatabase::removeDatabase(connection);

    // Another client on another connection sees exactly the committed row.
    QByteArray out;
    QVERIFY2(m_pg.runSql(QStringLiteral("select subject from certs order by id"),
                         QStringLiteral("certdeck_smoke"), &out),
             out.constData());
    QCOMPARE(out.trimmed(), QByteArray("CN=api.example.test"));
}

void TestFixturePostgres::unknownDatabaseIsRefused()
{
    const QString connection = QStringLiteral("smoke-missing");
    {
        QSqlDatabase db = openQpsql(connection, QStringLiteral("certdeck_no_such_db"));
        QVERIFY(!db.isOpen());
        const QString error = db.lastError().text();
        QVERIFY2(error.contains(QLatin1String("database \"certdeck_no_such_db\" does not exist")),
                 qPrintable(error));
    }
    QSqlDatabase::removeDatabase(connection);

    QByteArray out;
    QVERIFY(!m_pg.runSql(QStringLiteral("select 1"), QStringLiteral("certdeck_no_such_db"), &out));
    QVERIFY2(out.contains("database \"certdeck_no_such_db\" does not exist"), out.constData());
}

void TestFixturePostgres::stopLeavesNoProcessAndRestartKeepsData()
{
    const qint64 pid = m_pg.pid();
    const quint16 port = m_pg.port();
    QVERIFY(processExists(pid));
    // checkpointer, background writer, walwriter, autovacuum, replication launcher.
    const QList<qint64> children = m_pg.childPids();
    QVERIFY2(children.size() >= 3, qPrintable(QString::number(children.size())));

    QElapsedTimer timer;
    timer.start();
    m_pg.stop();
    qInfo("stop: %lld ms", timer.elapsed());
    QCOMPARE(m_pg.pid(), 0);
    QVERIFY2(!processExists(pid), qPrintable(QString::number(pid)));
    for (const qint64 child : children) {
        QVERIFY2(!processExists(child), qPrintable(QString::number(child)));
    }
    QVERIFY(!tcpPortAnswers(port));
    QByteArray out;
    QVERIFY(!m_pg.runSql(QStringLiteral("select 1"), QStringLiteral("postgres"), &out));

    // Restart with the old port taken: the fixture moves to another port, on
    // the same data.
    QTcpServer squatter;
    QVERIFY2(squatter.listen(QHostAddress::LocalHost, port), qPrintable(squatter.errorString()));
    timer.restart();
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
    qInfo("restart: %lld ms (port %u, was %u)", timer.elapsed(), m_pg.port(), port);
    QVERIFY(m_pg.port() != port);
    QVERIFY(m_pg.pid() != pid);
    QVERIFY2(m_pg.runSql(QStringLiteral("select subject from certs"),
                         QStringLiteral("certdeck_smoke"), &out),
             out.constData());
    QCOMPARE(out.trimmed(), QByteArray("CN=api.example.test"));
}

void TestFixturePostgres::cleanupTestCase()
{
    const qint64 pid = m_pg.pid();
    m_pg.stop();
    QVERIFY(pid == 0 || !processExists(pid));
}

QTEST_GUILESS_MAIN(TestFixturePostgres)
#include "test_fixture_postgres.moc"
