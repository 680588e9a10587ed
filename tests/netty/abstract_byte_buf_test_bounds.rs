//! `AbstractByteBufTest`: initial state and index/bounds checks.
//!
//! Skipped here (bytes): `get{Boolean,Short,Medium,Int,Long}BoundaryCheck{1,2}` (typed
//! accessors), `getByteArrayBoundaryCheck{3,4}` (partial copies into a `byte[]` at a
//! destination offset), `getByteBufferBoundaryCheck`, `getByteBufferState`,
//! `getDirectByteBufferBoundaryCheck`, `getDirectByteBufferState` (NIO).

use crate::support::{assert_throws, Fixture, CAPACITY, IOOBE, T};
use leakproof_model::buffer::ByteBuf;
use leakproof_model::JavaResult;

const CAP: i64 = CAPACITY as i64;

fn initial_state(_: &Fixture, buffer: &ByteBuf) {
    // assertEquals(CAPACITY, buffer.capacity());
    assert_eq!(buffer.capacity(), CAPACITY);
    // assertEquals(0, buffer.readerIndex());
    assert_eq!(buffer.reader_index(), 0);
}

fn reader_index_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(0).unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.readerIndex(-1));
    assert_throws(IOOBE, buffer.set_reader_index(-1));
}

fn reader_index_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(buffer.capacity() as i64).unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.readerIndex(buffer.capacity() + 1));
    assert_throws(IOOBE, buffer.set_reader_index(buffer.capacity() as i64 + 1));
}

fn reader_index_boundary_check3(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(CAP / 2).unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.readerIndex(CAPACITY * 3 / 2));
    assert_throws(IOOBE, buffer.set_reader_index(CAP * 3 / 2));
}

fn reader_index_boundary_check4(_: &Fixture, buffer: &ByteBuf) {
    // No exception expected on any of these.
    let cap = buffer.capacity() as i64;
    buffer.set_writer_index(0).unwrap();
    buffer.set_reader_index(0).unwrap();
    buffer.set_writer_index(cap).unwrap();
    buffer.set_reader_index(cap).unwrap();
    assert_eq!(
        (buffer.reader_index(), buffer.writer_index()),
        (CAPACITY, CAPACITY)
    );
}

fn writer_index_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.writerIndex(-1));
    assert_throws(IOOBE, buffer.set_writer_index(-1));
}

fn writer_index_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(CAP).unwrap();
    buffer.set_reader_index(CAP).unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.writerIndex(buffer.capacity() + 1));
    assert_throws(IOOBE, buffer.set_writer_index(buffer.capacity() as i64 + 1));
}

fn writer_index_boundary_check3(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(CAP).unwrap();
    buffer.set_reader_index(CAP / 2).unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.writerIndex(CAPACITY / 4));
    assert_throws(IOOBE, buffer.set_writer_index(CAP / 4));
}

fn writer_index_boundary_check4(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_writer_index(0).unwrap();
    buffer.set_reader_index(0).unwrap();
    buffer.set_writer_index(CAP).unwrap();
    // buffer.writeBytes(ByteBuffer.wrap(EMPTY_BYTES)); — an empty write at capacity
    // succeeds (the model writes a byte slice where Java wraps one in a ByteBuffer).
    buffer.write_bytes(T, &[]).unwrap();
    assert_eq!(buffer.writer_index(), CAPACITY);
}

fn get_byte_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.getByte(-1));
    assert_throws(IOOBE, buffer.get_byte(-1));
}

fn get_byte_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.getByte(buffer.capacity()));
    assert_throws(IOOBE, buffer.get_byte(buffer.capacity() as i64));
}

fn get_byte_array_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.getBytes(-1, EMPTY_BYTES));
    assert_throws(IOOBE, buffer.get_bytes(-1, 0));
}

fn get_byte_array_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.getBytes(-1, EMPTY_BYTES, 0, 0));
    assert_throws(IOOBE, buffer.get_bytes(-1, 0));
}

fn copy_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.copy(-1, 0));
    assert_throws(IOOBE, buffer.copy_range(T, -1, 0));
}

fn copy_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.copy(0, buffer.capacity() + 1));
    let cap = buffer.capacity() as i64;
    assert_throws(IOOBE, buffer.copy_range(T, 0, cap + 1));
}

fn copy_boundary_check3(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.copy(buffer.capacity() + 1, 0));
    let cap = buffer.capacity() as i64;
    assert_throws(IOOBE, buffer.copy_range(T, cap + 1, 0));
}

fn copy_boundary_check4(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.copy(buffer.capacity(), 1));
    let cap = buffer.capacity() as i64;
    assert_throws(IOOBE, buffer.copy_range(T, cap, 1));
}

fn set_index_boundary_check1(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.setIndex(-1, CAPACITY));
    assert_throws(IOOBE, buffer.set_indexes(-1, CAP));
}

fn set_index_boundary_check2(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.setIndex(CAPACITY / 2, CAPACITY / 4));
    assert_throws(IOOBE, buffer.set_indexes(CAP / 2, CAP / 4));
}

fn set_index_boundary_check3(_: &Fixture, buffer: &ByteBuf) {
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.setIndex(0, CAPACITY + 1));
    assert_throws(IOOBE, buffer.set_indexes(0, CAP + 1));
}

/// JUnit's `assertThrows` wraps all three calls: on a slice kind (`writerIndex ==
/// capacity`) the `writeByte(0)` already throws.
fn read_byte_throws_index_out_of_bounds_exception(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer(8);
    let body = || -> JavaResult<u8> {
        buffer.write_byte(T, 0)?;
        // assertEquals((byte) 0, buffer.readByte());
        assert_eq!(buffer.read_byte()?, 0);
        buffer.read_byte()
    };
    // assertThrows(IndexOutOfBoundsException.class, () -> { …; buffer.readByte(); });
    assert_throws(IOOBE, body());
    buffer.release().unwrap();
}

fn test_skip_bytes1(_: &Fixture, buffer: &ByteBuf) {
    buffer.set_indexes(CAP / 4, CAP / 2).unwrap();
    buffer.skip_bytes((CAP / 4) as i32).unwrap();
    // assertEquals(CAPACITY / 4 * 2, buffer.readerIndex());
    assert_eq!(buffer.reader_index(), CAPACITY / 4 * 2);
    // buffer.skipBytes(CAPACITY / 4 + 1); fail(); catch (IndexOutOfBoundsException e)
    assert_throws(IOOBE, buffer.skip_bytes((CAP / 4 + 1) as i32));
    // Should remain unchanged.
    // assertEquals(CAPACITY / 4 * 2, buffer.readerIndex());
    assert_eq!(buffer.reader_index(), CAPACITY / 4 * 2);
}

/// `writeCharSequence(s, US_ASCII)` writes the ASCII bytes of `s`.
fn test_reader_index_larger_than_writer_index(fx: &Fixture, _: &ByteBuf) {
    let (content1, content2) = (b"hello", b"world");
    let buffer = fx.new_buffer(content1.len() + content2.len());
    buffer.set_indexes(0, 0).unwrap();
    buffer.write_bytes(T, content1).unwrap();
    buffer.mark_writer_index();
    buffer.skip_bytes(content1.len() as i32).unwrap();
    buffer.write_bytes(T, content2).unwrap();
    buffer.skip_bytes(content2.len() as i32).unwrap();
    // assertTrue(buffer.readerIndex() <= buffer.writerIndex());
    assert!(buffer.reader_index() <= buffer.writer_index());
    // assertThrows(IndexOutOfBoundsException.class, () -> buffer.resetWriterIndex());
    assert_throws(IOOBE, buffer.reset_writer_index());
    buffer.release().unwrap();
}

crate::kinds_test! {
    initial_state: all;
    reader_index_boundary_check1: all;
    reader_index_boundary_check2: all;
    reader_index_boundary_check3: all;
    reader_index_boundary_check4: all;
    writer_index_boundary_check1: all;
    writer_index_boundary_check2: all;
    writer_index_boundary_check3: all;
    writer_index_boundary_check4: all;
    get_byte_boundary_check1: all;
    get_byte_boundary_check2: all;
    get_byte_array_boundary_check1: all;
    get_byte_array_boundary_check2: all;
    copy_boundary_check1: all;
    copy_boundary_check2: all;
    copy_boundary_check3: all;
    copy_boundary_check4: all;
    set_index_boundary_check1: all;
    set_index_boundary_check2: all;
    set_index_boundary_check3: all;
    read_byte_throws_index_out_of_bounds_exception: all;
    test_skip_bytes1: all;
    test_reader_index_larger_than_writer_index: all;
}
