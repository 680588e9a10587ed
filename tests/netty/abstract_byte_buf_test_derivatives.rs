//! `AbstractByteBufTest`: slices, duplicates and their retained forms — indexes,
//! contents, shared or own counts, and what they do once released.
//!
//! Skipped here (bytes/endianness): `testSliceEndianness`.

use crate::support::{assert_throws, same_content, Fixture, CAPACITY, IOOBE, IRCE, T};
use leakproof_model::buffer::ByteBuf;
use leakproof_model::JavaResult;

fn test_sequential_slice1(fx: &Fixture, buffer: &ByteBuf) {
    const BLOCK_SIZE: usize = 128;
    buffer.set_writer_index(0).unwrap();
    let mut written = Vec::new();
    for i in (0..buffer.capacity() - BLOCK_SIZE + 1).step_by(BLOCK_SIZE) {
        let value = fx.random_bytes(BLOCK_SIZE);
        // assertEquals(0, buffer.readerIndex()); assertEquals(i, buffer.writerIndex());
        assert_eq!((buffer.reader_index(), buffer.writer_index()), (0, i));
        buffer.write_bytes(T, &value).unwrap();
        written.push(value);
    }
    for (n, expected) in written.iter().enumerate() {
        let i = n * BLOCK_SIZE;
        // assertEquals(i, buffer.readerIndex()); assertEquals(CAPACITY, buffer.writerIndex());
        assert_eq!(
            (buffer.reader_index(), buffer.writer_index()),
            (i, CAPACITY)
        );
        let actual = buffer.read_slice(BLOCK_SIZE).unwrap();
        // assertEquals(wrappedBuffer(expectedValue), actualValue);
        assert_eq!(&actual.get_bytes(0, BLOCK_SIZE).unwrap(), expected);
        // Make sure it is a sliced buffer.
        let first = actual.get_byte(0).unwrap();
        actual.set_byte(0, first.wrapping_add(1)).unwrap();
        // assertEquals(buffer.getByte(i), actualValue.getByte(0));
        assert_eq!(
            buffer.get_byte(i as i64).unwrap(),
            actual.get_byte(0).unwrap()
        );
    }
}

/// Fills `buffer` with random bytes and sets the indexes to a third and two thirds.
fn fill_thirds(fx: &Fixture, buffer: &ByteBuf) -> (usize, usize) {
    buffer
        .set_bytes(0, &fx.random_bytes(buffer.capacity()))
        .unwrap();
    let (reader, writer) = (CAPACITY / 3, CAPACITY * 2 / 3);
    buffer.set_indexes(reader as i64, writer as i64).unwrap();
    (reader, writer)
}

fn test_copy(fx: &Fixture, buffer: &ByteBuf) {
    let (reader, _) = fill_thirds(fx, buffer);
    let copy = buffer.copy(T).unwrap();
    // assertEquals(0, copy.readerIndex());
    assert_eq!(copy.reader_index(), 0);
    // assertEquals(buffer.readableBytes(), copy.writerIndex());
    assert_eq!(copy.writer_index(), buffer.readable_bytes());
    // assertEquals(buffer.readableBytes(), copy.capacity());
    assert_eq!(copy.capacity(), buffer.readable_bytes());
    for i in 0..copy.capacity() {
        // assertEquals(buffer.getByte(i + readerIndex), copy.getByte(i));
        let at = (i + reader) as i64;
        assert_eq!(
            buffer.get_byte(at).unwrap(),
            copy.get_byte(i as i64).unwrap()
        );
    }
    // Make sure the buffer content is independent from each other.
    let r = reader as i64;
    buffer
        .set_byte(r, buffer.get_byte(r).unwrap().wrapping_add(1))
        .unwrap();
    // assertTrue(buffer.getByte(readerIndex) != copy.getByte(0));
    assert_ne!(buffer.get_byte(r).unwrap(), copy.get_byte(0).unwrap());
    copy.set_byte(1, copy.get_byte(1).unwrap().wrapping_add(1))
        .unwrap();
    // assertTrue(buffer.getByte(readerIndex + 1) != copy.getByte(1));
    assert_ne!(buffer.get_byte(r + 1).unwrap(), copy.get_byte(1).unwrap());
    copy.release().unwrap();
}

fn test_duplicate(fx: &Fixture, buffer: &ByteBuf) {
    let (reader, _) = fill_thirds(fx, buffer);
    let duplicate = buffer.duplicate().unwrap();
    // assertEquals(buffer.readableBytes(), duplicate.readableBytes());
    assert_eq!(duplicate.readable_bytes(), buffer.readable_bytes());
    // assertEquals(0, buffer.compareTo(duplicate));
    assert!(same_content(buffer, &duplicate));
    // Make sure the buffer content is shared.
    let r = reader as i64;
    buffer
        .set_byte(r, buffer.get_byte(r).unwrap().wrapping_add(1))
        .unwrap();
    let d = duplicate.reader_index() as i64;
    // assertEquals(buffer.getByte(readerIndex), duplicate.getByte(duplicate.readerIndex()));
    assert_eq!(buffer.get_byte(r).unwrap(), duplicate.get_byte(d).unwrap());
    duplicate
        .set_byte(d, duplicate.get_byte(d).unwrap().wrapping_add(1))
        .unwrap();
    // assertEquals(buffer.getByte(readerIndex), duplicate.getByte(duplicate.readerIndex()));
    assert_eq!(buffer.get_byte(r).unwrap(), duplicate.get_byte(d).unwrap());
}

/// `(index, length)` pairs of `testSliceIndex`: whole, minus last, from 1, inner.
fn slice_ranges(capacity: usize) -> [(i64, i64); 4] {
    let c = capacity as i64;
    [(0, c), (0, c - 1), (1, c - 1), (1, c - 2)]
}

fn test_slice_index(_: &Fixture, buffer: &ByteBuf) {
    for (index, length) in slice_ranges(buffer.capacity()) {
        let slice = buffer.slice_range(index, length).unwrap();
        // assertEquals(0, buffer.slice(index, length).readerIndex());
        assert_eq!(slice.reader_index(), 0);
        // assertEquals(length, buffer.slice(index, length).writerIndex());
        assert_eq!(slice.writer_index() as i64, length);
    }
}

fn test_retained_slice_index(_: &Fixture, buffer: &ByteBuf) {
    for (index, length) in slice_ranges(buffer.capacity()) {
        let retained = buffer.retained_slice_range(T, index, length).unwrap();
        // assertEquals(0, retainedSlice.readerIndex());
        assert_eq!(retained.reader_index(), 0);
        // assertEquals(length, retainedSlice.writerIndex());
        assert_eq!(retained.writer_index() as i64, length);
        retained.release().unwrap();
    }
}

crate::only_4_1_128! {
    /// The slices of `testDuplicateOf…SliceHasTheSameCapacityAsTheSlice`: `slice()` and
    /// `slice(0, capacity - 2)`, retained or not.
    fn slices_of(buffer: &ByteBuf, retained: bool) -> Vec<ByteBuf> {
        let short = buffer.capacity() as i64 - 2;
        if retained {
            vec![
                buffer.retained_slice(T).unwrap(),
                buffer.retained_slice_range(T, 0, short).unwrap(),
            ]
        } else {
            vec![
                buffer.slice().unwrap(),
                buffer.slice_range(0, short).unwrap(),
            ]
        }
    }
}

crate::only_4_1_128! {
    pub fn duplicate_of_slice_has_the_same_capacity(buffer: &ByteBuf, retained_slice: bool) {
        for retained_dup in [false, true] {
            for slice in slices_of(buffer, retained_slice) {
                let duplicate = if retained_dup {
                    slice.retained_duplicate(T).unwrap()
                } else {
                    slice.duplicate().unwrap()
                };
                // assertEquals(slice.capacity(), duplicate.capacity());
                assert_eq!(duplicate.capacity(), slice.capacity());
                if retained_dup {
                    duplicate.release().unwrap();
                }
                if retained_slice {
                    slice.release().unwrap();
                }
            }
        }
    }
}

crate::only_4_1_128! {
    fn test_duplicate_of_slice_has_the_same_capacity_as_the_slice(_: &Fixture, buffer: &ByteBuf) {
        duplicate_of_slice_has_the_same_capacity(buffer, false);
    }
}

crate::only_4_1_128! {
    fn test_duplicate_of_retained_slice_has_the_same_capacity_as_the_slice(
        _: &Fixture,
        buffer: &ByteBuf,
    ) {
        duplicate_of_slice_has_the_same_capacity(buffer, true);
    }
}

/// `assert{,Retained}{Slice,Duplicate}FailAfterRelease(bufs…)`: release every buffer
/// still live, then each must report count 0 and refuse to derive.
fn assert_fail_after_release(bufs: &[ByteBuf], derive: fn(&ByteBuf) -> JavaResult<ByteBuf>) {
    for buf in bufs {
        if buf.ref_cnt() > 0 {
            buf.release().unwrap();
        }
    }
    for buf in bufs {
        // assertEquals(0, buf.refCnt());
        assert_eq!(buf.ref_cnt(), 0);
        // buf.slice(); fail(); catch (IllegalReferenceCountException ignored)
        assert_throws(IRCE, derive(buf));
    }
}

fn slice(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.slice()
}
fn retained_slice(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.retained_slice(T)
}
fn duplicate(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.duplicate()
}
fn retained_duplicate(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.retained_duplicate(T)
}

/// The chains of the `…AfterRelease…` tests: `buf`, a derivative, maybe one of that.
fn chain(fx: &Fixture, steps: &[fn(&ByteBuf) -> JavaResult<ByteBuf>]) -> Vec<ByteBuf> {
    let mut bufs = vec![fx.new_buffer(1)];
    for step in steps {
        let next = step(bufs.last().unwrap()).unwrap();
        bufs.push(next);
    }
    bufs
}

/// `buf.retainedSlice(0, 1)`.
fn retained_slice01(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.retained_slice_range(T, 0, 1)
}
/// `buf.slice(0, 1)`.
fn slice01(b: &ByteBuf) -> JavaResult<ByteBuf> {
    b.slice_range(0, 1)
}

fn test_slice_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().slice());
    assert_throws(IRCE, fx.released_buffer().slice());
}

fn test_slice_after_release2(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().slice(0, 1));
    assert_throws(IRCE, fx.released_buffer().slice_range(0, 1));
}

fn test_slice_after_release_retained_slice(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01]), slice);
}

fn test_slice_after_release_retained_slice_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01, duplicate]), slice);
}

fn test_slice_after_release_retained_slice_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01, retained_duplicate]), slice);
}

fn test_slice_after_release_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate]), slice);
}

fn test_slice_after_release_retained_duplicate_slice(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate, slice01]), slice);
}

fn test_retained_slice_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().retainedSlice());
    assert_throws(IRCE, fx.released_buffer().retained_slice(T));
}

fn test_retained_slice_after_release2(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().retainedSlice(0, 1));
    assert_throws(IRCE, fx.released_buffer().retained_slice_range(T, 0, 1));
}

fn test_retained_slice_after_release_retained_slice(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01]), retained_slice);
}

fn test_retained_slice_after_release_retained_slice_duplicate(fx: &Fixture, _: &ByteBuf) {
    let bufs = chain(fx, &[retained_slice01, duplicate]);
    assert_fail_after_release(&bufs, retained_slice);
}

fn test_retained_slice_after_release_retained_slice_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    let bufs = chain(fx, &[retained_slice01, retained_duplicate]);
    assert_fail_after_release(&bufs, retained_slice);
}

fn test_retained_slice_after_release_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate]), retained_slice);
}

fn test_retained_slice_after_release_retained_duplicate_slice(fx: &Fixture, _: &ByteBuf) {
    let bufs = chain(fx, &[retained_duplicate, slice01]);
    assert_fail_after_release(&bufs, retained_slice);
}

fn test_duplicate_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().duplicate());
    assert_throws(IRCE, fx.released_buffer().duplicate());
}

fn test_retained_duplicate_after_release(fx: &Fixture, _: &ByteBuf) {
    // assertThrows(IllegalReferenceCountException.class, () -> releasedBuffer().retainedDuplicate());
    assert_throws(IRCE, fx.released_buffer().retained_duplicate(T));
}

fn test_duplicate_after_release_retained_slice_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01, duplicate]), duplicate);
}

fn test_duplicate_after_release_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate]), duplicate);
}

fn test_duplicate_after_release_retained_duplicate_slice(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate, slice01]), duplicate);
}

fn test_retained_duplicate_after_release_retained_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_duplicate]), retained_duplicate);
}

fn test_retained_duplicate_after_release_duplicate(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[duplicate]), retained_duplicate);
}

fn test_retained_duplicate_after_release_retained_slice(fx: &Fixture, _: &ByteBuf) {
    assert_fail_after_release(&chain(fx, &[retained_slice01]), retained_duplicate);
}

/// `testReadSliceOutOfBounds(retainedSlice)`: 50 written, 51 read. JUnit's
/// `assertThrows` wraps the whole helper: on a slice kind (`writerIndex ==
/// capacity`) `writeZero(50)` already throws.
fn read_slice_out_of_bounds(fx: &Fixture, retained: bool) {
    let buf = fx.new_buffer(100);
    let body = || -> JavaResult<ByteBuf> {
        buf.write_fill(T, 50, 0)?;
        if retained {
            buf.read_retained_slice(T, 51)
        } else {
            buf.read_slice(51)
        }
    };
    // assertThrows(IndexOutOfBoundsException.class, () -> testReadSliceOutOfBounds(…))
    assert_throws(IOOBE, body());
    buf.release().unwrap();
}

fn test_read_slice_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    read_slice_out_of_bounds(fx, false);
}

fn test_read_retained_slice_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    read_slice_out_of_bounds(fx, true);
}

/// `testSliceOutOfBounds(initRetainedSlice, finalRetainedSlice, indexOutOfBounds)`.
fn slice_out_of_bounds(fx: &Fixture, init_retained: bool, final_retained: bool, index_oob: bool) {
    let buf = fx.new_buffer(8);
    let at = buf.reader_index() as i64 + 1;
    let slice = if init_retained {
        buf.retained_slice_range(T, at, 2).unwrap()
    } else {
        buf.slice_range(at, 2).unwrap()
    };
    // assertEquals(2, slice.capacity()); assertEquals(2, slice.maxCapacity());
    assert_eq!((slice.capacity(), slice.max_capacity()), (2, 2));
    let (index, length) = if index_oob { (3, 0) } else { (0, 3) };
    let result = if final_retained {
        slice.retained_slice_range(T, index, length)
    } else {
        slice.slice_range(index, length)
    };
    // assertThrows(IndexOutOfBoundsException.class, …)
    assert_throws(IOOBE, result);
    if init_retained {
        slice.release().unwrap();
    }
    buf.release().unwrap();
}

fn test_retained_slice_index_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, true, true, true);
}
fn test_retained_slice_length_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, true, true, false);
}
fn test_mixed_slice_a_index_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, true, false, true);
}
fn test_mixed_slice_a_length_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, true, false, false);
}
fn test_mixed_slice_b_index_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, false, true, true);
}
fn test_mixed_slice_b_length_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, false, true, false);
}
fn test_slice_index_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, false, false, true);
}
fn test_slice_length_out_of_bounds(fx: &Fixture, _: &ByteBuf) {
    slice_out_of_bounds(fx, false, false, false);
}

crate::kinds_test! {
    test_sequential_slice1: all;
    test_copy: all;
    test_duplicate: all;
    test_slice_index: all;
    test_retained_slice_index: all;
    test_slice_after_release: all;
    test_slice_after_release2: all;
    test_slice_after_release_retained_slice: all;
    test_slice_after_release_retained_slice_duplicate: all;
    test_slice_after_release_retained_slice_retained_duplicate: all;
    test_slice_after_release_retained_duplicate: all;
    test_slice_after_release_retained_duplicate_slice: all;
    test_retained_slice_after_release: all;
    test_retained_slice_after_release2: all;
    test_retained_slice_after_release_retained_slice: all;
    test_retained_slice_after_release_retained_slice_duplicate: all;
    test_retained_slice_after_release_retained_slice_retained_duplicate: all;
    test_retained_slice_after_release_retained_duplicate: all;
    test_retained_slice_after_release_retained_duplicate_slice: all;
    test_duplicate_after_release: all;
    test_retained_duplicate_after_release: all;
    test_duplicate_after_release_retained_slice_duplicate: all;
    test_duplicate_after_release_retained_duplicate: all;
    test_duplicate_after_release_retained_duplicate_slice: all;
    test_retained_duplicate_after_release_retained_duplicate: all;
    test_retained_duplicate_after_release_duplicate: all;
    test_retained_duplicate_after_release_retained_slice: all;
    test_read_slice_out_of_bounds: all;
    test_read_retained_slice_out_of_bounds: all;
    test_retained_slice_index_out_of_bounds: all;
    test_retained_slice_length_out_of_bounds: all;
    test_mixed_slice_a_index_out_of_bounds: all;
    test_mixed_slice_a_length_out_of_bounds: all;
    test_mixed_slice_b_index_out_of_bounds: all;
    test_mixed_slice_b_length_out_of_bounds: all;
    test_slice_index_out_of_bounds: all;
    test_slice_length_out_of_bounds: all;
}

crate::only_4_1_128! {
    crate::kinds_test! {
        test_duplicate_of_slice_has_the_same_capacity_as_the_slice: all;
        test_duplicate_of_retained_slice_has_the_same_capacity_as_the_slice: all;
    }
}
