// SPDX-License-Identifier: GPL-3.0-or-later
// The one writer of raw protocol bytes: what it writes, and that a length or
// value too large for its field makes it fail instead of writing a lie.
#include "common/ByteReader.h"
#include "common/ByteWriter.h"

#include <QTest>

using namespace certdeck;

class TestByteWriter : public QObject
{
    Q_OBJECT
private slots:
    void writesBigEndianIntegers();
    void nestedBlocksGetTheirLengths();
    void blockAtTheLimitOfItsPrefixFits();
    void oversizedBlockFailsTheWriter_data();
    void oversizedBlockFailsTheWriter();
    void valueTooWideForItsFieldFails();
    void unbalancedBlocksFail();
    void patch16();
    void readerReadsWhatTheWriterWrote();
};

void TestByteWriter::writesBigEndianIntegers()
{
    ByteWriter w;
    w.u8(0x01);
    w.u16(0x0203);
    w.u24(0x040506);
    w.u32(0x0708090a);
    w.u48(0x0b0c0d0e0f10ULL);
    w.uint(0x11, 1);
    w.bytes("xy");
    QVERIFY(w.ok());
    QCOMPARE(w.data().toHex(), QByteArray("0102030405060708090a0b0c0d0e0f101178"
                                          "79"));
    QCOMPARE(w.size(), 19);
}

void TestByteWriter::nestedBlocksGetTheirLengths()
{
    ByteWriter w;
    w.beginBlock(2);
    w.beginBlock(1);
    w.bytes("abc");
    w.endBlock();
    w.beginBlock(3);
    w.endBlock(); // an empty block is 0
    w.endBlock();
    QVERIFY(w.ok());
    QCOMPARE(w.data().toHex(), QByteArray("0007"
                                          "03616263"
                                          "000000"));
}

void TestByteWriter::blockAtTheLimitOfItsPrefixFits()
{
    ByteWriter w;
    w.beginBlock(1);
    w.bytes(QByteArray(255, 'a'));
    w.endBlock();
    QVERIFY(w.ok());
    QCOMPARE(quint8(w.data().at(0)), quint8(255));
}

void TestByteWriter::oversizedBlockFailsTheWriter_data()
{
    QTest::addColumn<int>("prefix");
    QTest::addColumn<int>("bodySize");
    QTest::newRow("256 bytes behind a 1-byte length") << 1 << 256;
    QTest::newRow("65536 bytes behind a 2-byte length") << 2 << 65536;
}

void TestByteWriter::oversizedBlockFailsTheWriter()
{
    QFETCH(int, prefix);
    QFETCH(int, bodySize);
    ByteWriter w;
    w.beginBlock(prefix);
    w.bytes(QByteArray(bodySize, 'a'));
    w.endBlock();
    QVERIFY(!w.ok());
    // Later writes do not make it whole again.
    w.u8(0);
    QVERIFY(!w.ok());
}

void TestByteWriter::valueTooWideForItsFieldFails()
{
    ByteWriter a;
    a.u24(0x01000000);
    QVERIFY(!a.ok());
    ByteWriter b;
    b.u48(quint64(1) << 48);
    QVERIFY(!b.ok());
    ByteWriter c;
    c.uint(0x100, 1);
    QVERIFY(!c.ok());
    ByteWriter d;
    d.uint(1, 9);
    QVERIFY(!d.ok());
    ByteWriter e;
    e.beginBlock(5);
    e.endBlock();
    QVERIFY(!e.ok());
}

void TestByteWriter::unbalancedBlocksFail()
{
    ByteWriter open;
    open.beginBlock(2);
    QVERIFY(!open.ok()); // not finished yet
    open.endBlock();
    QVERIFY(open.ok());
    ByteWriter closed;
    closed.endBlock();
    QVERIFY(!closed.ok());
}

void TestByteWriter::patch16()
{
    ByteWriter w;
    w.u16(0);
    w.u16(0);
    w.patch16(2, 0xabcd);
    QVERIFY(w.ok());
    QCOMPARE(w.data().toHex(), QByteArray("0000abcd"));
    w.patch16(3, 1); // one byte past what was written
    QVERIFY(!w.ok());
    QCOMPARE(w.data().toHex(), QByteArray("0000abcd"));
}

void TestByteWriter::readerReadsWhatTheWriterWrote()
{
    ByteWriter w;
    w.u8(22);
    w.beginBlock(2);
    w.u16(0x0303);
    w.beginBlock(3);
    w.bytes("payload");
    w.endBlock();
    w.endBlock();
    QVERIFY(w.ok());
    ByteReader r(w.data());
    QCOMPARE(r.u8(), std::optional<quint8>(22));
    auto record = r.block(2);
    QVERIFY(record);
    QCOMPARE(record->u16(), std::optional<quint16>(0x0303));
    auto body = record->block(3);
    QVERIFY(body);
    QCOMPARE(body->rest(), QByteArrayView("payload"));
    QVERIFY(record->atEnd());
    QVERIFY(r.atEnd());
}

QTEST_GUILESS_MAIN(TestByteWriter)
#include "test_bytewriter.moc"
