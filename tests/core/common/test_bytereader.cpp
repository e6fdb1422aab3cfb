// SPDX-License-Identifier: GPL-3.0-or-later
// The one reader of raw protocol bytes: big-endian integers, length-prefixed
// blocks and DER lengths, and what it does with bytes that are not there.
#include "common/ByteReader.h"

#include <QTest>

using namespace certdeck;

class TestByteReader : public QObject
{
    Q_OBJECT
private slots:
    void readsBigEndianIntegers();
    void truncatedIntegerIsRefusedAndNothingMoves_data();
    void truncatedIntegerIsRefusedAndNothingMoves();
    void widthsOutsideOneToFourAreRefused();
    void blocksAreReadersOfTheirOwn();
    void oversizedBlockIsRefusedAndNothingMoves_data();
    void oversizedBlockIsRefusedAndNothingMoves();
    void offsetsCountFromTheOutermostBuffer();
    void bytesRestSkipAndSeek();
    void derLengths_data();
    void derLengths();
    void emptyInput();
};

void TestByteReader::readsBigEndianIntegers()
{
    const QByteArray data = QByteArray::fromHex("01"
                                                "0203"
                                                "040506"
                                                "0708090a"
                                                "0b0c0d0e0f10");
    ByteReader r(data);
    QCOMPARE(r.u8(), std::optional<quint8>(0x01));
    QCOMPARE(r.u16(), std::optional<quint16>(0x0203));
    QCOMPARE(r.u24(), std::optional<quint32>(0x040506));
    QCOMPARE(r.u32(), std::optional<quint32>(0x0708090aU));
    QCOMPARE(r.u48(), std::optional<quint64>(0x0b0c0d0e0f10ULL));
    QVERIFY(r.atEnd());
    QCOMPARE(r.offset(), data.size());
}

void TestByteReader::truncatedIntegerIsRefusedAndNothingMoves_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("width");
    QTest::newRow("u8 of nothing") << QByteArray() << 1;
    QTest::newRow("u16 of 1 byte") << QByteArray("\x01", 1) << 2;
    QTest::newRow("u24 of 2 bytes") << QByteArray("\x01\x02", 2) << 3;
    QTest::newRow("u32 of 3 bytes") << QByteArray("\x01\x02\x03", 3) << 4;
    QTest::newRow("u48 of 5 bytes") << QByteArray("\x01\x02\x03\x04\x05", 5) << 6;
}

void TestByteReader::truncatedIntegerIsRefusedAndNothingMoves()
{
    QFETCH(QByteArray, data);
    QFETCH(int, width);
    ByteReader r(data);
    const bool read = width == 6 ? r.u48().has_value() : r.uint(width).has_value();
    QVERIFY(!read);
    QCOMPARE(r.position(), 0);
    QCOMPARE(r.remaining(), data.size());
}

void TestByteReader::widthsOutsideOneToFourAreRefused()
{
    const QByteArray data(16, '\x7f');
    ByteReader r(data);
    QVERIFY(!r.uint(0));
    QVERIFY(!r.uint(5));
    QVERIFY(!r.uint(-1));
    QCOMPARE(r.position(), 0);
}

void TestByteReader::blocksAreReadersOfTheirOwn()
{
    // A 2-byte-prefixed block holding a 1-byte-prefixed block and a u16,
    // then one byte after it.
    const QByteArray data = QByteArray::fromHex("0006"
                                                "03616263"
                                                "beef"
                                                "ff");
    ByteReader r(data);
    auto outer = r.block(2);
    QVERIFY(outer);
    QCOMPARE(outer->remaining(), 6);
    auto inner = outer->block(1);
    QVERIFY(inner);
    QCOMPARE(inner->rest(), QByteArrayView("abc"));
    QCOMPARE(outer->u16(), std::optional<quint16>(0xbeef));
    QVERIFY(outer->atEnd());
    // The outer reader never read past its block.
    QVERIFY(!outer->u8());
    QCOMPARE(r.u8(), std::optional<quint8>(0xff));
    QVERIFY(r.atEnd());
}

void TestByteReader::oversizedBlockIsRefusedAndNothingMoves_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("prefix");
    QTest::newRow("length beyond the data") << QByteArray::fromHex("0005616263") << 2;
    QTest::newRow("length of 2^24-1 in 4 bytes") << QByteArray::fromHex("ffffff00") << 3;
    QTest::newRow("huge 4-byte length") << QByteArray::fromHex("ffffffff00") << 4;
    QTest::newRow("prefix cut short") << QByteArray::fromHex("00") << 2;
    QTest::newRow("prefix width 5") << QByteArray::fromHex("000000000000") << 5;
    QTest::newRow("prefix width 0") << QByteArray::fromHex("00") << 0;
}

void TestByteReader::oversizedBlockIsRefusedAndNothingMoves()
{
    QFETCH(QByteArray, data);
    QFETCH(int, prefix);
    ByteReader r(data);
    QVERIFY(!r.block(prefix));
    QCOMPARE(r.position(), 0);
}

void TestByteReader::offsetsCountFromTheOutermostBuffer()
{
    const QByteArray data = QByteArray::fromHex("aaaa"
                                                "0004"
                                                "0002"
                                                "cccc");
    ByteReader r(QByteArrayView(data).sliced(2), 2);
    QCOMPARE(r.offset(), 2);
    auto b = r.block(2);
    QVERIFY(b);
    QCOMPARE(b->offset(), 4);
    auto c = b->block(2);
    QVERIFY(c);
    QCOMPARE(c->offset(), 6);
    QVERIFY(c->skip(2));
    QCOMPARE(c->offset(), 8);
}

void TestByteReader::bytesRestSkipAndSeek()
{
    const QByteArray data("hello world");
    ByteReader r(data);
    QCOMPARE(r.bytes(5), std::optional<QByteArrayView>("hello"));
    QVERIFY(!r.bytes(7)); // 6 left
    QVERIFY(!r.bytes(-1));
    QVERIFY(!r.skip(7));
    QCOMPARE(r.position(), 5);
    QVERIFY(r.skip(1));
    QCOMPARE(r.peekU8(), std::optional<quint8>('w'));
    QCOMPARE(r.position(), 6);
    QCOMPARE(r.rest(), QByteArrayView("world"));
    QVERIFY(r.atEnd());
    QVERIFY(!r.peekU8());
    QCOMPARE(r.rest(), QByteArrayView());
    QVERIFY(r.seek(0));
    QCOMPARE(r.u8(), std::optional<quint8>('h'));
    QVERIFY(r.seek(data.size())); // the end itself is a place to stand
    QVERIFY(!r.seek(data.size() + 1));
    QVERIFY(!r.seek(-1));
    QCOMPARE(r.position(), data.size());
    QCOMPARE(r.data(), QByteArrayView(data));
}

void TestByteReader::derLengths_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("length"); // -1: refused
    QTest::addColumn<int>("after");     // position after the read
    QTest::newRow("short form") << QByteArray::fromHex("7f") << qint64(0x7f) << 1;
    QTest::newRow("zero") << QByteArray::fromHex("00") << qint64(0) << 1;
    QTest::newRow("one length byte") << QByteArray::fromHex("8180") << qint64(0x80) << 2;
    QTest::newRow("two length bytes") << QByteArray::fromHex("820100") << qint64(256) << 3;
    QTest::newRow("four length bytes")
        << QByteArray::fromHex("84ffffffff") << qint64(0xffffffffLL) << 5;
    QTest::newRow("indefinite (BER, not DER)") << QByteArray::fromHex("80") << qint64(-1) << 0;
    QTest::newRow("five length bytes") << QByteArray::fromHex("850000000001") << qint64(-1) << 0;
    QTest::newRow("cut inside the length") << QByteArray::fromHex("8201") << qint64(-1) << 0;
    QTest::newRow("nothing") << QByteArray() << qint64(-1) << 0;
}

void TestByteReader::derLengths()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, length);
    QFETCH(int, after);
    ByteReader r(data);
    const auto read = r.derLength();
    QCOMPARE(read.has_value(), length >= 0);
    if (read) {
        QCOMPARE(qint64(*read), length);
    }
    QCOMPARE(r.position(), after);
}

void TestByteReader::emptyInput()
{
    ByteReader r{QByteArrayView()};
    QVERIFY(r.atEnd());
    QVERIFY(!r.u8());
    QVERIFY(!r.block(1));
    QVERIFY(r.bytes(0)); // zero bytes are always there
    QCOMPARE(r.offset(), 0);
}

QTEST_GUILESS_MAIN(TestByteReader)
#include "test_bytereader.moc"
