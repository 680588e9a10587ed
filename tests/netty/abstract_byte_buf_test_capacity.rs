//! `AbstractByteBufTest` (and `AbstractPooledByteBufTest`): `capacity(n)`,
//! `ensureWritable` and `maxFastWritableBytes`.
//!
//! The tests calling `newBuffer(n, maxCapacity)` with a maxCapacity below
//! `Integer.MAX_VALUE` do not run for the sliced kinds (`SlicedByteBufTest.newBuffer`
//! assumes it); `SlicedByteBufTest` disables the duplicate-capacity tests.
//! Skipped here (bytes/NIO): `testLittleEndianWithExpand` (byte order),
//! `AbstractPooledByteBufTest.testIsContiguous` (NIO memory layout).

use crate::support::{assert_throws, Fixture, IAE, IOOBE, T};

crate::only_4_1_128! {
    use crate::support::{CAPACITY, MAX};
}
use leakproof_model::buffer::ByteBuf;
use leakproof_model::JavaClass;

/// `testDuplicateCapacityChange(retainedDuplicate)`: the duplicate resizes its root.
fn duplicate_capacity_change(fx: &Fixture, retained: bool) {
    let buf = fx.new_buffer(8);
    let dup = if retained {
        buf.retained_duplicate(T).unwrap()
    } else {
        buf.duplicate().unwrap()
    };
    dup.set_capacity(T, 10).unwrap();
    // assertEquals(buf.capacity(), dup.capacity());
    assert_eq!(dup.capacity(), buf.capacity());
    dup.set_capacity(T, 5).unwrap();
    // assertEquals(buf.capacity(), dup.capacity());
    assert_eq!(dup.capacity(), buf.capacity());
    if retained {
        dup.release().unwrap();
    }
    buf.release().unwrap();
}

fn test_duplicate_capacity_change(fx: &Fixture, _: &ByteBuf) {
    duplicate_capacity_change(fx, false);
}

fn test_retained_duplicate_capacity_change(fx: &Fixture, _: &ByteBuf) {
    duplicate_capacity_change(fx, true);
}

/// `testSliceCapacityChange(retainedSlice)`: a slice refuses `capacity(n)`.
fn slice_capacity_change(fx: &Fixture, retained: bool) {
    let buf = fx.new_buffer(8);
    let at = buf.reader_index() as i64 + 1;
    let slice = if retained {
        buf.retained_slice_range(T, at, 3).unwrap()
    } else {
        buf.slice_range(at, 3).unwrap()
    };
    // assertThrows(UnsupportedOperationException.class, () -> slice.capacity(10));
    assert_throws(JavaClass::UnsupportedOperation, slice.set_capacity(T, 10));
    if retained {
        slice.release().unwrap();
    }
    buf.release().unwrap();
}

fn test_slice_capacity_change(fx: &Fixture, _: &ByteBuf) {
    slice_capacity_change(fx, false);
}

fn test_retained_slice_capacity_change(fx: &Fixture, _: &ByteBuf) {
    slice_capacity_change(fx, true);
}

/// `newBuffer(3, 13)` with its asserted capacities.
fn three_of_thirteen(fx: &Fixture) -> ByteBuf {
    let buffer = fx.new_buffer_max(3, 13);
    // assertEquals(13, buffer.maxCapacity()); assertEquals(3, buffer.capacity());
    assert_eq!((buffer.max_capacity(), buffer.capacity()), (13, 3));
    buffer
}

fn test_capacity_enforce_max_capacity(fx: &Fixture, _: &ByteBuf) {
    let buffer = three_of_thirteen(fx);
    // assertThrows(IllegalArgumentException.class, () -> buffer.capacity(14));
    assert_throws(IAE, buffer.set_capacity(T, 14));
    buffer.release().unwrap();
}

fn test_capacity_negative(fx: &Fixture, _: &ByteBuf) {
    let buffer = three_of_thirteen(fx);
    // assertThrows(IllegalArgumentException.class, () -> buffer.capacity(-1));
    assert_throws(IAE, buffer.set_capacity(T, -1));
    buffer.release().unwrap();
}

fn test_capacity_decrease(fx: &Fixture, _: &ByteBuf) {
    let buffer = three_of_thirteen(fx);
    buffer.set_capacity(T, 2).unwrap();
    // assertEquals(2, buffer.capacity()); assertEquals(13, buffer.maxCapacity());
    assert_eq!((buffer.capacity(), buffer.max_capacity()), (2, 13));
    buffer.release().unwrap();
}

fn test_capacity_increase(fx: &Fixture, _: &ByteBuf) {
    let buffer = three_of_thirteen(fx);
    buffer.set_capacity(T, 4).unwrap();
    // assertEquals(4, buffer.capacity()); assertEquals(13, buffer.maxCapacity());
    assert_eq!((buffer.capacity(), buffer.max_capacity()), (4, 13));
    buffer.release().unwrap();
}

/// `AbstractByteBufTest.testMaxFastWritableBytes` (not the pooled override).
fn test_max_fast_writable_bytes(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer_max(150, 500);
    buffer.set_writer_index(100).unwrap();
    // assertEquals(50, buffer.writableBytes());
    assert_eq!(buffer.writable_bytes(), 50);
    // assertEquals(150, buffer.capacity()); assertEquals(500, buffer.maxCapacity());
    assert_eq!((buffer.capacity(), buffer.max_capacity()), (150, 500));
    // assertEquals(400, buffer.maxWritableBytes());
    assert_eq!(buffer.max_capacity() - buffer.writer_index(), 400);
    // Default implementation has fast writable == writable
    // assertEquals(50, buffer.maxFastWritableBytes());
    assert_eq!(buffer.max_fast_writable_bytes(), 50);
    buffer.release().unwrap();
}

crate::only_4_1_128! {
    fn test_max_fast_writable_bytes_tracks_written_bytes(fx: &Fixture, _: &ByteBuf) {
        let buf = fx.new_buffer_max(4, 10);
        let max = buf.max_fast_writable_bytes();
        buf.write_byte(T, 1).unwrap();
        // assertEquals(max - 1, buf.maxFastWritableBytes());
        assert_eq!(buf.max_fast_writable_bytes(), max - 1);
        buf.release().unwrap();
    }
}

crate::only_4_1_128! {
    fn test_ensure_writable_integer_overflow(fx: &Fixture, _: &ByteBuf) {
        let buffer = fx.new_buffer(CAPACITY);
        buffer
            .set_writer_index(buffer.reader_index() as i64)
            .unwrap();
        buffer.write_byte(T, 1).unwrap();
        // buffer.ensureWritable(Integer.MAX_VALUE); fail(); catch (IndexOutOfBoundsException e)
        assert_throws(IOOBE, buffer.ensure_writable(T, MAX as usize));
        buffer.release().unwrap();
    }
}

/// `AbstractPooledByteBufTest.testMaxFastWritableBytes`: a pooled buffer writes in
/// place up to its size class (`maxLength`), then reallocates (a new `handle`).
fn test_max_fast_writable_bytes_pooled(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer_max(150, 500);
    buffer.set_writer_index(100).unwrap();
    // assertEquals(50, buffer.writableBytes());
    assert_eq!(buffer.writable_bytes(), 50);
    // assertEquals(150, buffer.capacity()); assertEquals(500, buffer.maxCapacity());
    assert_eq!((buffer.capacity(), buffer.max_capacity()), (150, 500));
    // assertEquals(400, buffer.maxWritableBytes());
    assert_eq!(buffer.max_capacity() - buffer.writer_index(), 400);
    let fields = || buffer.pooled_fields().unwrap();
    let chunk_size = fields().max_length as i64;
    // assertTrue(chunkSize >= 150);
    assert!(chunk_size >= 150);
    let remaining_in_alloc = (chunk_size - 100).min(400);
    // assertEquals(remainingInAlloc, buffer.maxFastWritableBytes());
    assert_eq!(buffer.max_fast_writable_bytes(), remaining_in_alloc);
    // write up to max, chunk alloc should not change (same handle)
    let handle_before = fields().handle;
    buffer
        .write_bytes(T, &vec![0; remaining_in_alloc as usize])
        .unwrap();
    // assertEquals(handleBefore, pooledByteBuf(buffer).handle);
    assert_eq!(fields().handle, handle_before);
    // assertEquals(0, buffer.maxFastWritableBytes());
    assert_eq!(buffer.max_fast_writable_bytes(), 0);
    // writing one more should trigger a reallocation (new handle)
    buffer.write_byte(T, 7).unwrap();
    // assertNotEquals(handleBefore, pooledByteBuf(buffer).handle);
    assert_ne!(fields().handle, handle_before);
    // should not exceed maxCapacity even if chunk alloc does
    buffer.set_capacity(T, 500).unwrap();
    // assertEquals(500 - buffer.writerIndex(), buffer.maxFastWritableBytes());
    assert_eq!(
        buffer.max_fast_writable_bytes(),
        500 - buffer.writer_index() as i64
    );
    buffer.release().unwrap();
}

/// `AbstractPooledByteBufTest.testEnsureWritableDoesntGrowTooMuch`.
fn test_ensure_writable_doesnt_grow_too_much(fx: &Fixture, _: &ByteBuf) {
    let buffer = fx.new_buffer_max(150, 500);
    buffer.set_writer_index(100).unwrap();
    // assertEquals(50, buffer.writableBytes());
    assert_eq!(buffer.writable_bytes(), 50);
    let fast_writable = buffer.max_fast_writable_bytes();
    // assertTrue(fastWritable > 50);
    assert!(fast_writable > 50);
    let handle_before = buffer.pooled_fields().unwrap().handle;
    // capacity expansion should not cause reallocation
    // (should grow precisely the specified amount)
    buffer.ensure_writable(T, fast_writable as usize).unwrap();
    // assertEquals(handleBefore, pooledByteBuf(buffer).handle);
    assert_eq!(buffer.pooled_fields().unwrap().handle, handle_before);
    // assertEquals(100 + fastWritable, buffer.capacity());
    assert_eq!(buffer.capacity() as i64, 100 + fast_writable);
    // assertEquals(buffer.writableBytes(), buffer.maxFastWritableBytes());
    assert_eq!(
        buffer.max_fast_writable_bytes(),
        buffer.writable_bytes() as i64
    );
    buffer.release().unwrap();
}

/// `ensureWritableDoesNotThrow(force)`: 8 more bytes at capacity grow the buffer.
fn ensure_writable_does_not_throw(fx: &Fixture, force: bool) {
    let buffer = fx.new_buffer(8);
    buffer.set_writer_index(buffer.capacity() as i64).unwrap();
    // buffer.ensureWritable(8, force); (no exception)
    buffer.ensure_writable_force(T, 8, force).unwrap();
    buffer.release().unwrap();
}

fn ensure_writable_with_force_does_not_throw(fx: &Fixture, _: &ByteBuf) {
    ensure_writable_does_not_throw(fx, true);
}

fn ensure_writable_with_out_force_does_not_throw(fx: &Fixture, _: &ByteBuf) {
    ensure_writable_does_not_throw(fx, false);
}

crate::only_4_1_128! {
    /// `ensureWritableReadOnly(force)`: a read-only view answers 1 and stays as it is.
    fn ensure_writable_read_only(fx: &Fixture, force: bool) {
        let buffer = fx.new_buffer(8);
        buffer.set_writer_index(buffer.capacity() as i64).unwrap();
        // assertEquals(1, buffer.asReadOnly().ensureWritable(8, force));
        let read_only = buffer.as_read_only().unwrap();
        assert_eq!(read_only.ensure_writable_force(T, 8, force).unwrap(), 1);
        buffer.release().unwrap();
    }
}

crate::only_4_1_128! {
    fn ensure_writable_with_force_as_ready_only(fx: &Fixture, _: &ByteBuf) {
        ensure_writable_read_only(fx, true);
    }
}

crate::only_4_1_128! {
    fn ensure_writable_with_out_force_as_read_only(fx: &Fixture, _: &ByteBuf) {
        ensure_writable_read_only(fx, false);
    }
}

/// `AbstractPooledByteBufTest.ensureWritableWithEnoughSpaceShouldNotThrow`.
fn ensure_writable_with_enough_space_should_not_throw(fx: &Fixture, _: &ByteBuf) {
    let buf = fx.new_buffer_max(1, 10);
    buf.ensure_writable(T, 3).unwrap();
    // assertThat(buf.writableBytes()).isGreaterThanOrEqualTo(3);
    assert!(buf.writable_bytes() >= 3);
    buf.release().unwrap();
}

/// `AbstractPooledByteBufTest.ensureWritableWithNotEnoughSpaceShouldThrow`.
fn ensure_writable_with_not_enough_space_should_throw(fx: &Fixture, _: &ByteBuf) {
    let buf = fx.new_buffer_max(1, 10);
    // assertThrows(IndexOutOfBoundsException.class, () -> buf.ensureWritable(11));
    assert_throws(IOOBE, buf.ensure_writable(T, 11));
    buf.release().unwrap();
}

crate::only_4_1_128! {
    /// `AbstractPooledByteBufTest.distinctBuffersMustNotOverlap`.
    fn distinct_buffers_must_not_overlap(fx: &Fixture, _: &ByteBuf) {
        let a = fx.new_buffer(16384);
        let b = fx.new_buffer(65536);
        a.set_byte(a.capacity() as i64 - 1, 1).unwrap();
        b.set_byte(0, 2).unwrap();
        // assertEquals(1, a.getByte(a.capacity() - 1));
        assert_eq!(a.get_byte(a.capacity() as i64 - 1).unwrap(), 1);
        a.release().unwrap();
        b.release().unwrap();
    }
}

crate::kinds_test! {
    test_duplicate_capacity_change: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_retained_duplicate_capacity_change: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_slice_capacity_change: all;
    test_retained_slice_capacity_change: all;
    test_capacity_enforce_max_capacity: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_capacity_negative: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_capacity_decrease: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_capacity_increase: [pooled_heap, pooled_direct, unpooled_heap,
        unpooled_direct, duplicated, retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_max_fast_writable_bytes: [unpooled_heap, unpooled_direct, duplicated,
        retained_duplicated, simple_leak_aware, advanced_leak_aware];
    test_max_fast_writable_bytes_pooled: [pooled_heap, pooled_direct];
    test_ensure_writable_doesnt_grow_too_much: [pooled_heap, pooled_direct];
    ensure_writable_with_force_does_not_throw: all;
    ensure_writable_with_out_force_does_not_throw: all;
    ensure_writable_with_enough_space_should_not_throw: [pooled_heap, pooled_direct];
    ensure_writable_with_not_enough_space_should_throw: [pooled_heap, pooled_direct];
}

crate::only_4_1_128! {
    crate::kinds_test! {
        test_max_fast_writable_bytes_tracks_written_bytes: [pooled_heap, pooled_direct,
            unpooled_heap, unpooled_direct, duplicated, retained_duplicated, simple_leak_aware,
            advanced_leak_aware];
        test_ensure_writable_integer_overflow: all;
        ensure_writable_with_force_as_ready_only: all;
        ensure_writable_with_out_force_as_read_only: all;
        distinct_buffers_must_not_overlap: [pooled_heap, pooled_direct];
    }
}
