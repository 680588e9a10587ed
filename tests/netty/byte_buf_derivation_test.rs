//! `ByteBufDerivationTest`: what slices, duplicates and read-only views of an unpooled
//! buffer wrap, and that their indexes are their own.
//!
//! Skipped here (endianness): `testSwap`, `testMixture` (it mixes `order(…)` swaps into
//! the chain it measures).

use crate::sliced_byte_buf_test::unpooled_buffer;
use leakproof_model::buffer::{BufClass, ByteBuf};

/// `Unpooled.buffer(8).setIndex(1, 7)`.
fn buffer_1_7() -> ByteBuf {
    let buf = unpooled_buffer(8);
    buf.set_indexes(1, 7).unwrap();
    buf
}

/// `assertSame(expected, buf.unwrap())`.
#[track_caller]
fn assert_unwraps_to(buf: &ByteBuf, expected: &ByteBuf) {
    let unwrapped = buf
        .unwrap()
        .unwrap()
        .expect("a wrapper unwraps to a buffer");
    assert_eq!(unwrapped.object_id(), expected.object_id());
}

/// `assertEquals` of reader index, writer index, capacity and max capacity.
#[track_caller]
fn assert_same_indexes(a: &ByteBuf, b: &ByteBuf) {
    let shape = |x: &ByteBuf| {
        (
            x.reader_index(),
            x.writer_index(),
            x.capacity(),
            x.max_capacity(),
        )
    };
    assert_eq!(shape(a), shape(b));
}

#[test]
fn test_slice() {
    let buf = buffer_1_7();
    let slice = buf.slice_range(1, 7).unwrap();
    // assertInstanceOf(AbstractUnpooledSlicedByteBuf.class, slice);
    assert_eq!(slice.class(), BufClass::UnpooledSliced);
    // assertSame(buf, slice.unwrap());
    assert_unwraps_to(&slice, &buf);
    // assertEquals(0, slice.readerIndex()); assertEquals(7, slice.writerIndex());
    assert_eq!((slice.reader_index(), slice.writer_index()), (0, 7));
    // assertEquals(7, slice.capacity()); assertEquals(7, slice.maxCapacity());
    assert_eq!((slice.capacity(), slice.max_capacity()), (7, 7));
    slice.set_indexes(1, 6).unwrap();
    // assertEquals(1, buf.readerIndex()); assertEquals(7, buf.writerIndex());
    assert_eq!((buf.reader_index(), buf.writer_index()), (1, 7));
}

#[test]
fn test_slice_of_slice() {
    let buf = unpooled_buffer(8);
    let slice = buf.slice_range(1, 7).unwrap();
    let slice2 = slice.slice_range(0, 6).unwrap();
    // assertNotSame(slice, slice2);
    assert_ne!(slice.object_id(), slice2.object_id());
    // assertInstanceOf(AbstractUnpooledSlicedByteBuf.class, slice2);
    assert_eq!(slice2.class(), BufClass::UnpooledSliced);
    // assertSame(buf, slice2.unwrap());
    assert_unwraps_to(&slice2, &buf);
    // assertEquals(6, slice2.writerIndex()); assertEquals(6, slice2.capacity());
    assert_eq!((slice2.writer_index(), slice2.capacity()), (6, 6));
}

#[test]
fn test_duplicate() {
    let buf = buffer_1_7();
    let dup = buf.duplicate().unwrap();
    // assertInstanceOf(DuplicatedByteBuf.class, dup);
    assert_eq!(dup.class(), BufClass::UnpooledDuplicated);
    // assertSame(buf, dup.unwrap());
    assert_unwraps_to(&dup, &buf);
    // assertEquals(buf.readerIndex(), dup.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&buf, &dup);
    dup.set_indexes(2, 6).unwrap();
    // assertEquals(1, buf.readerIndex()); assertEquals(7, buf.writerIndex());
    assert_eq!((buf.reader_index(), buf.writer_index()), (1, 7));
}

#[test]
fn test_duplicate_of_duplicate() {
    let buf = buffer_1_7();
    let dup = buf.duplicate().unwrap();
    dup.set_indexes(2, 6).unwrap();
    let dup2 = dup.duplicate().unwrap();
    // assertNotSame(dup, dup2);
    assert_ne!(dup.object_id(), dup2.object_id());
    // assertInstanceOf(DuplicatedByteBuf.class, dup2);
    assert_eq!(dup2.class(), BufClass::UnpooledDuplicated);
    // assertSame(buf, dup2.unwrap());
    assert_unwraps_to(&dup2, &buf);
    // assertEquals(dup.readerIndex(), dup2.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&dup, &dup2);
}

#[test]
fn test_read_only() {
    let buf = buffer_1_7();
    let ro = buf.unmodifiable().unwrap();
    // assertInstanceOf(ReadOnlyByteBuf.class, ro);
    assert_eq!(ro.class(), BufClass::ReadOnly);
    // assertSame(buf, ro.unwrap());
    assert_unwraps_to(&ro, &buf);
    // assertEquals(buf.readerIndex(), ro.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&buf, &ro);
    ro.set_indexes(2, 6).unwrap();
    // assertEquals(1, buf.readerIndex());
    assert_eq!(buf.reader_index(), 1);
}

#[test]
fn test_read_only_of_duplicate() {
    let buf = buffer_1_7();
    let dup = buf.duplicate().unwrap();
    dup.set_indexes(2, 6).unwrap();
    let ro = dup.as_read_only().unwrap();
    // assertInstanceOf(ReadOnlyByteBuf.class, ro);
    assert_eq!(ro.class(), BufClass::ReadOnly);
    // assertSame(buf, ro.unwrap());
    assert_unwraps_to(&ro, &buf);
    // assertEquals(dup.readerIndex(), ro.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&dup, &ro);
}

#[test]
fn test_duplicate_of_read_only() {
    let buf = buffer_1_7();
    let ro = buf.as_read_only().unwrap();
    ro.set_indexes(2, 6).unwrap();
    let dup = ro.duplicate().unwrap();
    // assertInstanceOf(ReadOnlyByteBuf.class, ro); assertSame(buf, ro.unwrap());
    assert_eq!(ro.class(), BufClass::ReadOnly);
    assert_unwraps_to(&ro, &buf);
    // assertEquals(dup.readerIndex(), ro.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&dup, &ro);
}

#[test]
fn test_read_only_of_read_only() {
    let buf = buffer_1_7();
    let ro = buf.unmodifiable().unwrap();
    ro.set_indexes(2, 6).unwrap();
    let ro2 = ro.unmodifiable().unwrap();
    // assertNotSame(ro, ro2);
    assert_ne!(ro.object_id(), ro2.object_id());
    // assertInstanceOf(ReadOnlyByteBuf.class, ro2);
    assert_eq!(ro2.class(), BufClass::ReadOnly);
    // assertSame(buf, ro2.unwrap());
    assert_unwraps_to(&ro2, &buf);
    // assertEquals(ro.readerIndex(), ro2.readerIndex()); … writerIndex, capacity, maxCapacity
    assert_same_indexes(&ro, &ro2);
}
