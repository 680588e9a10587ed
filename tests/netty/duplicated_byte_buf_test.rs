//! `DuplicatedByteBufTest`'s own tests (its inherited tests run as the `duplicated`
//! and `retained_duplicated` kinds). The Java test's `unwrap()` is the buffer the test
//! made the duplicate from.
//!
//! Skipped here (NIO): `testIsContiguous`. Not ported (docs/fidelity.md):
//! `shouldNotAllowNullInConstructor` (no null in Rust), `testMarksInitialized` (marks
//! are not modelled).

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
