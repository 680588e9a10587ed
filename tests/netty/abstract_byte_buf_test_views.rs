//! `AbstractByteBufTest`: read-only and unreleasable views of each kind, and
//! derivatives of them.

use crate::support::{Fixture, T};
use leakproof_model::buffer::ByteBuf;

crate::only_4_1_128! {
    fn test_read_only_release(fx: &Fixture, _: &ByteBuf) {
        let buf = fx.new_buffer(8);
        // assertEquals(1, buf.refCnt());
        assert_eq!(buf.ref_cnt(), 1);
        // assertTrue(buf.asReadOnly().release());
        assert!(buf.as_read_only().unwrap().release().unwrap());
        // assertEquals(0, buf.refCnt());
        assert_eq!(buf.ref_cnt(), 0);
    }
}

/// `buf.retainedSlice()` or `buf.slice().retain()`, and the same for duplicates.
fn retained(buf: &ByteBuf, slice: bool, retained_form: bool) -> ByteBuf {
    match (slice, retained_form) {
        (true, true) => buf.retained_slice(T).unwrap(),
        (false, true) => buf.retained_duplicate(T).unwrap(),
        (true, false) => {
            let s = buf.slice().unwrap();
            s.retain().unwrap();
            s
        }
        (false, false) => {
            let d = buf.duplicate().unwrap();
            d.retain().unwrap();
            d
        }
    }
}

/// `testRetainedSliceUnreleasable` / `testReadRetainedSliceUnreleasable` /
/// `testRetainedDuplicateUnreleasable` (`init`, `fin`: the retained forms).
fn unreleasable(fx: &Fixture, slice: bool, read: bool, init: bool, fin: bool) {
    let buf = fx.new_buffer(8);
    let buf1 = retained(&buf, slice, init);
    let buf2 = buf1.unreleasable();
    let buf3 = if read {
        let n = buf2.readable_bytes();
        if fin {
            buf2.read_retained_slice(T, n).unwrap()
        } else {
            let s = buf2.read_slice(n).unwrap();
            s.retain().unwrap();
            s
        }
    } else {
        retained(&buf2, slice, fin)
    };
    // assertFalse(buf3.release());
    assert!(!buf3.release().unwrap());
    // assertFalse(buf2.release());
    assert!(!buf2.release().unwrap());
    buf1.release().unwrap();
    // assertTrue(buf.release());
    assert!(buf.release().unwrap());
    // assertEquals(0, buf1.refCnt()); assertEquals(0, buf.refCnt());
    assert_eq!((buf1.ref_cnt(), buf.ref_cnt()), (0, 0));
}

fn test_retained_slice_unreleasable1(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, false, true, true);
}
fn test_retained_slice_unreleasable2(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, false, true, false);
}
fn test_retained_slice_unreleasable3(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, false, false, true);
}
fn test_retained_slice_unreleasable4(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, false, false, false);
}
fn test_read_retained_slice_unreleasable1(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, true, true, true);
}
fn test_read_retained_slice_unreleasable2(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, true, true, false);
}
fn test_read_retained_slice_unreleasable3(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, true, false, true);
}
fn test_read_retained_slice_unreleasable4(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, true, true, false, false);
}
fn test_retained_duplicate_unreleasable1(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, false, false, true, true);
}
fn test_retained_duplicate_unreleasable2(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, false, false, true, false);
}
fn test_retained_duplicate_unreleasable3(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, false, false, false, true);
}
fn test_retained_duplicate_unreleasable4(fx: &Fixture, _: &ByteBuf) {
    unreleasable(fx, false, false, false, false);
}

crate::kinds_test! {
    test_retained_slice_unreleasable1: all;
    test_retained_slice_unreleasable2: all;
    test_retained_slice_unreleasable3: all;
    test_retained_slice_unreleasable4: all;
    test_read_retained_slice_unreleasable1: all;
    test_read_retained_slice_unreleasable2: all;
    test_read_retained_slice_unreleasable3: all;
    test_read_retained_slice_unreleasable4: all;
    test_retained_duplicate_unreleasable1: all;
    test_retained_duplicate_unreleasable2: all;
    test_retained_duplicate_unreleasable3: all;
    test_retained_duplicate_unreleasable4: all;
}

crate::only_4_1_128! {
    crate::kinds_test! {
        test_read_only_release: all;
    }
}
