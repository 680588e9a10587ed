//! `DuplicatedByteBufTest`'s own tests (its inherited tests run as the `duplicated`
//! and `retained_duplicated` kinds). The Java test's `unwrap()` is the buffer the test
//! made the duplicate from.
//!
//! Skipped here (NIO): `testIsContiguous`. Not ported (docs/fidelity.md):
//! `shouldNotAllowNullInConstructor` (no null in Rust).

use crate::sliced_byte_buf_test::unpooled_buffer;
use crate::support::T;

/// `DuplicatedByteBufTest.testIncreaseCapacityWrapped` (#1800): growing the wrapped
/// buffer keeps what the duplicate reads.
#[test]
fn test_increase_capacity_wrapped() {
    let wrapped = unpooled_buffer(8);
    let buffer = wrapped.duplicate().unwrap();
    wrapped.write_byte(T, 0).unwrap();
    wrapped
        .set_reader_index(wrapped.reader_index() as i64 + 1)
        .unwrap();
    buffer
        .set_writer_index(buffer.writer_index() as i64 + 1)
        .unwrap();
    wrapped
        .set_capacity(T, wrapped.capacity() as i64 * 2)
        .unwrap();
    // assertEquals((byte) 0, buffer.readByte());
    assert_eq!(buffer.read_byte().unwrap(), 0);
}

/// `new DuplicatedByteBuf(wrapped)` is `wrapped.duplicate()`: an unpooled heap root's
/// duplicate is that class.
#[test]
fn test_marks_initialized() {
    let wrapped = unpooled_buffer(8);
    wrapped.set_writer_index(6).unwrap();
    wrapped.set_reader_index(1).unwrap();
    let duplicate = wrapped.duplicate().unwrap();

    // Test writer mark
    duplicate
        .set_writer_index(duplicate.writer_index() as i64 + 1)
        .unwrap();
    duplicate.reset_writer_index().unwrap();
    // assertEquals(wrapped.writerIndex(), duplicate.writerIndex());
    assert_eq!(duplicate.writer_index(), wrapped.writer_index());

    // Test reader mark
    duplicate
        .set_reader_index(duplicate.reader_index() as i64 + 1)
        .unwrap();
    duplicate.reset_reader_index().unwrap();
    // assertEquals(wrapped.readerIndex(), duplicate.readerIndex());
    assert_eq!(duplicate.reader_index(), wrapped.reader_index());
    wrapped.release().unwrap();
}
