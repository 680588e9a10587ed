//! Index bookkeeping: marks, `clear`, `skipBytes`, `discard(Some)ReadBytes`, `isWritable`,
//! `indexOf` (AbstractByteBuf.java / ByteBufUtil.java 4.1.128, and 4.1.48's backward
//! search).

use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::{JavaClass, Profile, ThreadId};

const T: ThreadId = ThreadId::MAIN;

fn buffer(capacity: i64) -> leakproof_model::buffer::ByteBuf {
    buffer_of(Profile::netty_4_1(), capacity)
}

fn buffer_of(profile: Profile, capacity: i64) -> leakproof_model::buffer::ByteBuf {
    let jvm = Jvm::new(JvmConfig::for_profile(profile));
    UnpooledAllocator::new(&jvm)
        .new_buffer(T, false, capacity, i64::from(i32::MAX))
        .unwrap()
}

#[test]
fn discard_read_bytes_moves_the_readable_bytes_and_shifts_the_marks() {
    let buf = buffer(8);
    buf.write_bytes(T, &[1, 2, 3, 4, 5, 6]).unwrap();
    buf.skip_bytes(2).unwrap();
    buf.mark_reader_index();
    buf.skip_bytes(1).unwrap();
    buf.mark_writer_index();
    buf.discard_read_bytes().unwrap();
    assert_eq!((buf.reader_index(), buf.writer_index()), (0, 3));
    assert_eq!(buf.get_bytes(0, 3).unwrap(), [4, 5, 6]);
    // adjustMarkers(3): the reader mark (2) is at or below the decrement, so 0; the
    // writer mark (6) moves down by 3.
    buf.reset_writer_index().unwrap();
    assert_eq!(buf.writer_index(), 3);
    buf.reset_reader_index().unwrap();
    assert_eq!(buf.reader_index(), 0);
}

#[test]
fn discard_read_bytes_moves_marks_above_the_decrement_down() {
    let buf = buffer(16);
    buf.write_bytes(T, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        .unwrap();
    buf.skip_bytes(7).unwrap();
    buf.mark_reader_index();
    buf.mark_writer_index();
    buf.set_reader_index(5).unwrap();
    buf.discard_read_bytes().unwrap();
    assert_eq!((buf.reader_index(), buf.writer_index()), (0, 5));
    // AbstractByteBuf.adjustMarkers(5) (java:265–267): the reader mark (7) is above
    // the decrement, so both marks move down by it: (2, 5).
    buf.reset_reader_index().unwrap();
    assert_eq!(buf.reader_index(), 2);
    buf.write_bytes(T, &[11, 12]).unwrap();
    buf.reset_writer_index().unwrap();
    assert_eq!(buf.writer_index(), 5);
}

#[test]
fn discard_some_read_bytes_moves_only_past_half_the_capacity() {
    let buf = buffer(8);
    buf.write_bytes(T, &[1, 2, 3, 4, 5, 6]).unwrap();
    buf.skip_bytes(3).unwrap();
    buf.discard_some_read_bytes().unwrap();
    assert_eq!((buf.reader_index(), buf.writer_index()), (3, 6));
    buf.skip_bytes(1).unwrap();
    buf.discard_some_read_bytes().unwrap();
    assert_eq!((buf.reader_index(), buf.writer_index()), (0, 2));
    assert_eq!(buf.get_bytes(0, 2).unwrap(), [5, 6]);
}

#[test]
fn discard_some_read_bytes_with_nothing_read_copies_nothing() {
    // java:236–255 copies only when readerIndex > 0, and ReadOnlyByteBuf overrides
    // discardReadBytes alone: its view of a 1-byte buffer, nothing read, is not refused.
    let buf = buffer(1);
    buf.write_bytes(T, &[7]).unwrap();
    let view = buf.as_read_only().unwrap();
    view.discard_some_read_bytes().unwrap();
    assert_eq!((view.reader_index(), view.writer_index()), (0, 1));
}

#[test]
fn skip_bytes_checks_its_argument_and_the_readable_bytes() {
    let buf = buffer(8);
    buf.write_bytes(T, &[1, 2]).unwrap();
    let e = buf.skip_bytes(-1).unwrap_err();
    assert_eq!(e.class, JavaClass::IllegalArgument);
    assert_eq!(e.message, "minimumReadableBytes : -1 (expected: >= 0)");
    assert_eq!(
        buf.skip_bytes(3).unwrap_err().class,
        JavaClass::IndexOutOfBounds
    );
    assert_eq!(buf.reader_index(), 0);
    // Zero is legal (checkPositiveOrZero) and moves nothing.
    buf.skip_bytes(0).unwrap();
    assert_eq!(buf.reader_index(), 0);
}

#[test]
fn index_of_searches_forward_and_backward() {
    let buf = buffer(8);
    buf.write_bytes(T, &[7, 1, 7, 2]).unwrap();
    assert_eq!(buf.index_of(0, 4, 7).unwrap(), 0);
    assert_eq!(buf.index_of(1, 4, 7).unwrap(), 2);
    assert_eq!(buf.index_of(4, 0, 7).unwrap(), 2);
    assert_eq!(buf.index_of(2, 0, 7).unwrap(), 0);
    assert_eq!(buf.index_of(0, 4, 9).unwrap(), -1);
    // fromIndex is clamped to 0 forward and to the capacity backward.
    assert_eq!(buf.index_of(-5, 2, 7).unwrap(), 0);
    assert_eq!(buf.index_of(100, 3, 2).unwrap(), 3);
    // Backward from 0 (an exclusive bound) finds nothing: ByteBufUtil.java:727 of 4.1.128.
    assert_eq!(buf.index_of(0, -1, 7).unwrap(), -1);
    assert_eq!(
        buf.index_of(0, 9, 7).unwrap_err().class,
        JavaClass::IndexOutOfBounds
    );
}

#[test]
fn a_backward_search_from_zero_checks_its_range_in_4_1_48() {
    // 4.1.48's ByteBufUtil.lastIndexOf returns -1 only for a negative bound or no
    // capacity, then forEachByteDesc(toIndex, fromIndex - toIndex) checks the range
    // (java:467–475). The real 4.1.48 on an 8-byte heap buffer: indexOf(0, -1, v)
    // throws `index: -1, length: 1 (expected: range(0, 8))`, indexOf(-1, -3, v) is -1.
    let buf = buffer_of(Profile::netty_4_1_48(), 8);
    let e = buf.index_of(0, -1, 0).unwrap_err();
    assert_eq!(e.class, JavaClass::IndexOutOfBounds);
    assert_eq!(e.message, "index: -1, length: 1 (expected: range(0, 8))");
    assert_eq!(
        buf.index_of(20, -2, 0).unwrap_err().message,
        "index: -2, length: 10 (expected: range(0, 8))"
    );
    assert_eq!(buf.index_of(-1, -3, 0).unwrap(), -1);
    assert_eq!(buf.index_of(20, 5, 0).unwrap(), 7);
    // No capacity: -1 before any check, in both releases.
    assert_eq!(
        buffer_of(Profile::netty_4_1_48(), 0)
            .index_of(0, -1, 0)
            .unwrap(),
        -1
    );
    // 4.1.128 stops at the bound of 0 (java:728).
    assert_eq!(buffer(8).index_of(0, -1, 0).unwrap(), -1);
}

#[test]
fn is_writable_follows_the_capacity_and_refuses_read_only_views() {
    let buf = buffer(4);
    assert!(buf.is_writable() && buf.is_writable_bytes(4) && !buf.is_writable_bytes(5));
    buf.write_bytes(T, &[1, 2, 3]).unwrap();
    // capacity() - writerIndex: one byte left, not the capacity plus the index.
    assert!(buf.is_writable_bytes(1) && !buf.is_writable_bytes(2));
    buf.write_bytes(T, &[4]).unwrap();
    assert!(!buf.is_writable());
    let fresh = buffer(4);
    assert!(!fresh.unmodifiable().unwrap().is_writable());
    assert!(!fresh.as_read_only().unwrap().is_writable_bytes(0));
}

#[test]
fn clear_sets_both_indexes_to_zero_and_keeps_the_bytes() {
    // AbstractByteBuf.clear (java:151–154): `readerIndex = writerIndex = 0`; the bytes
    // stay, the buffer is writable from the start again.
    let buf = buffer(8);
    buf.write_bytes(T, &[1, 2, 3, 4, 5, 6]).unwrap();
    buf.skip_bytes(2).unwrap();
    buf.clear();
    assert_eq!((buf.reader_index(), buf.writer_index()), (0, 0));
    assert_eq!(buf.get_bytes(0, 6).unwrap(), [1, 2, 3, 4, 5, 6]);
    buf.write_bytes(T, &[9]).unwrap();
    assert_eq!(buf.get_bytes(0, 2).unwrap(), [9, 2]);
}
