//! `SlicedByteBufTest`'s own tests (its inherited tests run as the `sliced` and
//! `retained_sliced` kinds). Where the Java test reaches the parent through
//! `unwrap()`, the parent is the buffer the test made the slice from.
//!
//! Skipped here (NIO/charsets): `testIsContiguous`,
//! `testGetBytesByteBuffer`, and `SlicedByteBufTest`'s overrides that expect NIO or
//! `CharSequence` calls to throw (`testInternalNioBuffer`, `test*GatheringByteChannel*`,
//! `test*OutputStream*`, `test*BytesInArray*`, `testNioBufferExposeOnlyRegion`,
//! `testGetReadOnly*Dst`, `testWrite*CharSequenceExpand`; the ignored `testReadBytes`,
//! `testForEachByte*2`, `testLittleEndianWithExpand`). Not ported (docs/fidelity.md):
//! `shouldNotAllowNullInConstructor` (no null in Rust).

use crate::support::{assert_throws, jvm, IOOBE, MAX, T};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;

/// `Unpooled.buffer(initial)` in a fresh JVM.
pub fn unpooled_buffer(initial: i64) -> ByteBuf {
    UnpooledAllocator::new(&jvm())
        .new_buffer(T, false, initial, MAX)
        .unwrap()
}

#[test]
fn slice_empty_not_leak() {
    let buffer = unpooled_buffer(8);
    buffer.retain().unwrap();
    // assertEquals(2, buffer.refCnt());
    assert_eq!(buffer.ref_cnt(), 2);
    let slice1 = buffer.slice().unwrap();
    // assertEquals(2, slice1.refCnt());
    assert_eq!(slice1.ref_cnt(), 2);
    let slice2 = slice1.slice().unwrap();
    // assertEquals(2, slice2.refCnt());
    assert_eq!(slice2.ref_cnt(), 2);
    // assertFalse(slice2.release());
    assert!(!slice2.release().unwrap());
    // assertEquals(1, buffer.refCnt()); … slice1, slice2
    assert_eq!(
        (buffer.ref_cnt(), slice1.ref_cnt(), slice2.ref_cnt()),
        (1, 1, 1)
    );
    // assertTrue(slice2.release());
    assert!(slice2.release().unwrap());
    // assertEquals(0, buffer.refCnt()); … slice1, slice2
    assert_eq!(
        (buffer.ref_cnt(), slice1.ref_cnt(), slice2.ref_cnt()),
        (0, 0, 0)
    );
}

/// `SlicedByteBufTest.newBuffer(10)` with its parent: `Unpooled.buffer(20).slice(3, 10)`.
fn slice_of_ten() -> (ByteBuf, ByteBuf) {
    let unwrapped = unpooled_buffer(20);
    let slice = unwrapped.slice_range(3, 10).unwrap();
    (slice, unwrapped)
}

#[test]
fn ensure_writable_with_enough_space_should_not_throw() {
    let (slice, unwrapped) = slice_of_ten();
    unwrapped
        .set_writer_index(unwrapped.writer_index() as i64 + 5)
        .unwrap();
    slice.set_writer_index(slice.reader_index() as i64).unwrap();
    // Run ensureWritable and verify this doesn't change any indexes.
    let original_writer_index = slice.writer_index();
    let original_readable_bytes = slice.readable_bytes();
    slice
        .ensure_writable(T, original_writer_index - slice.writer_index())
        .unwrap();
    // assertEquals(originalWriterIndex, slice.writerIndex());
    assert_eq!(slice.writer_index(), original_writer_index);
    // assertEquals(originalReadableBytes, slice.readableBytes());
    assert_eq!(slice.readable_bytes(), original_readable_bytes);
    slice.release().unwrap();
}

#[test]
fn ensure_writable_with_not_enough_space_should_throw() {
    let (slice, unwrapped) = slice_of_ten();
    unwrapped
        .set_writer_index(unwrapped.writer_index() as i64 + 5)
        .unwrap();
    // assertThrows(IndexOutOfBoundsException.class, () -> slice.ensureWritable(1));
    assert_throws(IOOBE, slice.ensure_writable(T, 1));
    slice.release().unwrap();
}

#[test]
fn test_reader_index_and_marks() {
    let wrapped = unpooled_buffer(16);
    wrapped.set_writer_index(14).unwrap();
    wrapped.set_reader_index(2).unwrap();
    wrapped.mark_writer_index();
    wrapped.mark_reader_index();
    let slice = wrapped.slice_range(4, 4).unwrap();
    // assertEquals(0, slice.readerIndex());
    assert_eq!(slice.reader_index(), 0);
    // assertEquals(4, slice.writerIndex());
    assert_eq!(slice.writer_index(), 4);

    slice
        .set_reader_index(slice.reader_index() as i64 + 1)
        .unwrap();
    slice.reset_reader_index().unwrap();
    // assertEquals(0, slice.readerIndex());
    assert_eq!(slice.reader_index(), 0);

    slice
        .set_writer_index(slice.writer_index() as i64 - 1)
        .unwrap();
    slice.reset_writer_index().unwrap();
    // assertEquals(0, slice.writerIndex());
    assert_eq!(slice.writer_index(), 0);
    wrapped.release().unwrap();
}
