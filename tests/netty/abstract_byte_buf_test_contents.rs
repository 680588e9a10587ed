//! `AbstractByteBufTest`: what slices and duplicates (retained or not, chained) read,
//! and that releasing the original first still ends with every count at 0.

use crate::support::{same_content, Fixture, T};
use leakproof_model::buffer::ByteBuf;

/// `newBuffer(n).resetWriterIndex()` then `writeBytes(bytes)`.
fn written(fx: &Fixture, capacity: usize, bytes: &[u8]) -> ByteBuf {
    let buf = fx.new_buffer(capacity);
    buf.reset_writer_index().unwrap();
    buf.write_bytes(T, bytes).unwrap();
    buf
}

const ONE_TO_EIGHT: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// `x.retainedSlice(i, n)` or `x.slice(i, n)` (`.retain()` when `retain_plain`).
fn slice_of(x: &ByteBuf, retained: bool, retain_plain: bool, index: usize, n: usize) -> ByteBuf {
    let (i, n) = (index as i64, n as i64);
    if retained {
        return x.retained_slice_range(T, i, n).unwrap();
    }
    let s = x.slice_range(i, n).unwrap();
    if retain_plain {
        s.retain().unwrap();
    }
    s
}

/// `x.retainedDuplicate()` or `x.duplicate()` (`.retain()` when `retain_plain`).
fn duplicate_of(x: &ByteBuf, retained: bool, retain_plain: bool) -> ByteBuf {
    if retained {
        return x.retained_duplicate(T).unwrap();
    }
    let d = x.duplicate().unwrap();
    if retain_plain {
        d.retain().unwrap();
    }
    d
}

/// Asserts every buffer reports count 0 (`assertEquals(0, x.refCnt())`).
#[track_caller]
fn all_released(bufs: &[&ByteBuf]) {
    for b in bufs {
        assert_eq!(b.ref_cnt(), 0, "{}", b.to_java_string());
    }
}

fn test_retained_slice_and_retained_duplicate_content_is_expected(fx: &Fixture, _: &ByteBuf) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected1 = written(fx, 6, &[2, 3, 4, 5, 6, 7]);
    let expected2 = written(fx, 5, &[3, 4, 5, 6, 7]);
    let expected3 = written(fx, 4, &[4, 5, 6, 7]);
    let expected4 = written(fx, 3, &[5, 6, 7]);
    let slice1 = slice_of(&buf, true, false, buf.reader_index() + 1, 6);
    // assertEquals(0, slice1.compareTo(expected1));
    assert!(same_content(&slice1, &expected1));
    // assertEquals(0, slice1.compareTo(buf.slice(buf.readerIndex() + 1, 6)));
    assert!(same_content(&slice1, &slice_of(&buf, false, false, 1, 6)));
    buf.release().unwrap();
    slice1.read_byte().unwrap();
    let dup1 = slice1.retained_duplicate(T).unwrap();
    // assertEquals(0, dup1.compareTo(expected2));
    assert!(same_content(&dup1, &expected2));
    // assertEquals(0, dup1.compareTo(slice1.duplicate()));
    assert!(same_content(&dup1, &slice1.duplicate().unwrap()));
    dup1.read_byte().unwrap();
    let dup2 = dup1.duplicate().unwrap();
    // assertEquals(0, dup2.compareTo(expected3));
    assert!(same_content(&dup2, &expected3));
    dup2.read_byte().unwrap();
    let slice2 = slice_of(&dup2, true, false, dup2.reader_index(), 3);
    // assertEquals(0, slice2.compareTo(expected4));
    assert!(same_content(&slice2, &expected4));
    // assertEquals(0, slice2.compareTo(dup2.slice(dup2.readerIndex(), 3)));
    assert!(same_content(
        &slice2,
        &slice_of(&dup2, false, false, dup2.reader_index(), 3)
    ));
    for e in [&expected1, &expected2, &expected3, &expected4] {
        // assertTrue(expectedN.release());
        assert!(e.release().unwrap());
    }
    slice2.release().unwrap();
    dup2.release().unwrap();
    // assertEquals(slice2.refCnt(), dup2.refCnt()); assertEquals(dup2.refCnt(), dup1.refCnt());
    assert_eq!(slice2.ref_cnt(), dup2.ref_cnt());
    assert_eq!(dup2.ref_cnt(), dup1.ref_cnt());
    // assertTrue(slice1.release());
    assert!(slice1.release().unwrap());
    all_released(&[&buf, &slice1, &slice2, &dup1, &dup2]);
}

fn test_retained_duplicate_and_retained_slice_content_is_expected(fx: &Fixture, _: &ByteBuf) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected1 = written(fx, 6, &[2, 3, 4, 5, 6, 7]);
    let expected2 = written(fx, 5, &[3, 4, 5, 6, 7]);
    let expected3 = written(fx, 4, &[5, 6, 7]);
    let dup1 = buf.retained_duplicate(T).unwrap();
    // assertEquals(0, dup1.compareTo(buf)); assertEquals(0, dup1.compareTo(buf.slice()));
    assert!(same_content(&dup1, &buf));
    assert!(same_content(&dup1, &buf.slice().unwrap()));
    buf.release().unwrap();
    dup1.read_byte().unwrap();
    let slice1 = slice_of(&dup1, true, false, dup1.reader_index(), 6);
    // assertEquals(0, slice1.compareTo(expected1)); assertEquals(0, slice1.compareTo(slice1.duplicate()));
    assert!(same_content(&slice1, &expected1));
    assert!(same_content(&slice1, &slice1.duplicate().unwrap()));
    slice1.read_byte().unwrap();
    let dup2 = slice1.duplicate().unwrap();
    // assertEquals(0, dup2.compareTo(slice1));
    assert!(same_content(&dup2, &slice1));
    dup2.read_byte().unwrap();
    let slice2 = slice_of(&dup2, true, false, dup2.reader_index() + 1, 3);
    // assertEquals(0, slice2.compareTo(expected3));
    assert!(same_content(&slice2, &expected3));
    // assertEquals(0, slice2.compareTo(dup2.slice(dup2.readerIndex() + 1, 3)));
    assert!(same_content(
        &slice2,
        &slice_of(&dup2, false, false, dup2.reader_index() + 1, 3)
    ));
    for e in [&expected1, &expected2, &expected3] {
        // assertTrue(expectedN.release());
        assert!(e.release().unwrap());
    }
    slice2.release().unwrap();
    slice1.release().unwrap();
    // assertEquals(slice2.refCnt(), dup2.refCnt()); assertEquals(dup2.refCnt(), slice1.refCnt());
    assert_eq!(slice2.ref_cnt(), dup2.ref_cnt());
    assert_eq!(dup2.ref_cnt(), slice1.ref_cnt());
    // assertTrue(dup1.release());
    assert!(dup1.release().unwrap());
    all_released(&[&buf, &slice1, &slice2, &dup1, &dup2]);
}

/// `testSliceContents(retainedSlice)`.
fn slice_contents(fx: &Fixture, retained: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected = written(fx, 3, &[4, 5, 6]);
    let slice = slice_of(&buf, retained, false, buf.reader_index() + 3, 3);
    // assertEquals(0, slice.compareTo(expected));
    assert!(same_content(&slice, &expected));
    // assertEquals(0, slice.compareTo(slice.duplicate()));
    assert!(same_content(&slice, &slice.duplicate().unwrap()));
    let b = slice.retained_duplicate(T).unwrap();
    // assertEquals(0, slice.compareTo(b));
    assert!(same_content(&slice, &b));
    b.release().unwrap();
    // assertEquals(0, slice.compareTo(slice.slice(0, slice.capacity())));
    assert!(same_content(
        &slice,
        &slice_of(&slice, false, false, 0, slice.capacity())
    ));
    if retained {
        slice.release().unwrap();
    }
    buf.release().unwrap();
    expected.release().unwrap();
}

fn test_slice_contents(fx: &Fixture, _: &ByteBuf) {
    slice_contents(fx, false);
}

fn test_retained_slice_contents(fx: &Fixture, _: &ByteBuf) {
    slice_contents(fx, true);
}

/// `testDuplicateContents(retainedDuplicate)`.
fn duplicate_contents(fx: &Fixture, retained: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let dup = duplicate_of(&buf, retained, false);
    // assertEquals(0, dup.compareTo(buf)); assertEquals(0, dup.compareTo(dup.duplicate()));
    assert!(same_content(&dup, &buf));
    assert!(same_content(&dup, &dup.duplicate().unwrap()));
    let b = dup.retained_duplicate(T).unwrap();
    // assertEquals(0, dup.compareTo(b));
    assert!(same_content(&dup, &b));
    b.release().unwrap();
    // assertEquals(0, dup.compareTo(dup.slice(dup.readerIndex(), dup.readableBytes())));
    let whole = slice_of(&dup, false, false, dup.reader_index(), dup.readable_bytes());
    assert!(same_content(&dup, &whole));
    if retained {
        dup.release().unwrap();
    }
    buf.release().unwrap();
}

fn test_duplicate_contents(fx: &Fixture, _: &ByteBuf) {
    duplicate_contents(fx, false);
}

fn test_retained_duplicate_contents(fx: &Fixture, _: &ByteBuf) {
    duplicate_contents(fx, true);
}

/// `testMultipleLevelRetainedSliceWithNonRetained(doSlice1, doSlice2)`.
fn multiple_level_retained_slice(fx: &Fixture, do_slice1: bool, do_slice2: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected1 = written(fx, 6, &[2, 3, 4, 5, 6, 7]);
    let expected2 = written(fx, 4, &[3, 4, 5, 6]);
    let expected3 = written(fx, 2, &[4, 5]);
    let expected4_slice_slice = written(fx, 1, &[5]);
    let expected4_dup_slice = written(fx, 1, &[4]);
    let slice1 = slice_of(&buf, true, false, buf.reader_index() + 1, 6);
    // assertEquals(0, slice1.compareTo(expected1));
    assert!(same_content(&slice1, &expected1));
    buf.release().unwrap();
    let slice2 = slice_of(&slice1, true, false, slice1.reader_index() + 1, 4);
    // assertEquals(0, slice2.compareTo(expected2)); … compareTo(slice2.duplicate()), (slice2.slice())
    assert!(same_content(&slice2, &expected2));
    assert!(same_content(&slice2, &slice2.duplicate().unwrap()));
    assert!(same_content(&slice2, &slice2.slice().unwrap()));
    let tmp = slice2.retained_duplicate(T).unwrap();
    // assertEquals(0, slice2.compareTo(tmpBuf));
    assert!(same_content(&slice2, &tmp));
    tmp.release().unwrap();
    let tmp = slice2.retained_slice(T).unwrap();
    // assertEquals(0, slice2.compareTo(tmpBuf));
    assert!(same_content(&slice2, &tmp));
    tmp.release().unwrap();
    let slice3 = if do_slice1 {
        slice_of(&slice2, false, false, slice2.reader_index() + 1, 2)
    } else {
        slice2.duplicate().unwrap()
    };
    // assertEquals(0, slice3.compareTo(doSlice1 ? expected3 : expected2));
    assert!(same_content(
        &slice3,
        if do_slice1 { &expected3 } else { &expected2 }
    ));
    let slice4 = if do_slice2 {
        slice_of(&slice3, false, false, slice3.reader_index() + 1, 1)
    } else {
        slice3.duplicate().unwrap()
    };
    match (do_slice1, do_slice2) {
        // assertEquals(0, slice4.compareTo(expected4SliceSlice));
        (true, true) => assert!(same_content(&slice4, &expected4_slice_slice)),
        // assertEquals(0, slice4.compareTo(expected4DupSlice));
        (false, true) => assert!(same_content(&slice4, &expected4_dup_slice)),
        // assertEquals(0, slice3.compareTo(slice4));
        _ => assert!(same_content(&slice3, &slice4)),
    }
    for e in [
        &expected1,
        &expected2,
        &expected3,
        &expected4_slice_slice,
        &expected4_dup_slice,
    ] {
        // assertTrue(expectedN.release());
        assert!(e.release().unwrap());
    }
    slice4.release().unwrap();
    // assertEquals(slice3.refCnt(), slice2.refCnt()); assertEquals(slice3.refCnt(), slice4.refCnt());
    assert_eq!(slice3.ref_cnt(), slice2.ref_cnt());
    assert_eq!(slice3.ref_cnt(), slice4.ref_cnt());
    // assertTrue(slice1.release());
    assert!(slice1.release().unwrap());
    all_released(&[&buf, &slice1, &slice2, &slice3]);
}

fn test_multiple_level_retained_slice1(fx: &Fixture, _: &ByteBuf) {
    multiple_level_retained_slice(fx, true, true);
}
fn test_multiple_level_retained_slice2(fx: &Fixture, _: &ByteBuf) {
    multiple_level_retained_slice(fx, true, false);
}
fn test_multiple_level_retained_slice3(fx: &Fixture, _: &ByteBuf) {
    multiple_level_retained_slice(fx, false, true);
}
fn test_multiple_level_retained_slice4(fx: &Fixture, _: &ByteBuf) {
    multiple_level_retained_slice(fx, false, false);
}

/// `testSliceReleaseOriginal(retainedSlice1, retainedSlice2)`.
fn slice_release_original(fx: &Fixture, retained1: bool, retained2: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected1 = written(fx, 3, &[6, 7, 8]);
    let expected2 = written(fx, 2, &[7, 8]);
    let slice1 = slice_of(&buf, retained1, true, buf.reader_index() + 5, 3);
    // assertEquals(0, slice1.compareTo(expected1));
    assert!(same_content(&slice1, &expected1));
    buf.release().unwrap();
    let slice2 = slice_of(&slice1, retained2, true, slice1.reader_index() + 1, 2);
    // assertEquals(0, slice2.compareTo(expected2));
    assert!(same_content(&slice2, &expected2));
    // assertTrue(expected1.release()); assertTrue(expected2.release());
    assert!(expected1.release().unwrap());
    assert!(expected2.release().unwrap());
    slice2.release().unwrap();
    // assertTrue(slice1.release());
    assert!(slice1.release().unwrap());
    all_released(&[&buf, &slice1, &slice2]);
}

fn test_retained_slice_release_original1(fx: &Fixture, _: &ByteBuf) {
    slice_release_original(fx, true, true);
}
fn test_retained_slice_release_original2(fx: &Fixture, _: &ByteBuf) {
    slice_release_original(fx, true, false);
}
fn test_retained_slice_release_original3(fx: &Fixture, _: &ByteBuf) {
    slice_release_original(fx, false, true);
}
fn test_retained_slice_release_original4(fx: &Fixture, _: &ByteBuf) {
    slice_release_original(fx, false, false);
}

/// `testDuplicateReleaseOriginal(retainedDuplicate1, retainedDuplicate2)`.
fn duplicate_release_original(fx: &Fixture, retained1: bool, retained2: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected = written(fx, 8, &ONE_TO_EIGHT);
    let dup1 = duplicate_of(&buf, retained1, true);
    // assertEquals(0, dup1.compareTo(expected));
    assert!(same_content(&dup1, &expected));
    buf.release().unwrap();
    let dup2 = duplicate_of(&dup1, retained2, true);
    // assertEquals(0, dup2.compareTo(expected));
    assert!(same_content(&dup2, &expected));
    // assertTrue(expected.release());
    assert!(expected.release().unwrap());
    dup2.release().unwrap();
    // assertTrue(dup1.release());
    assert!(dup1.release().unwrap());
    all_released(&[&buf, &dup1, &dup2]);
}

fn test_retained_duplicate_release_original1(fx: &Fixture, _: &ByteBuf) {
    duplicate_release_original(fx, true, true);
}
fn test_retained_duplicate_release_original2(fx: &Fixture, _: &ByteBuf) {
    duplicate_release_original(fx, true, false);
}
fn test_retained_duplicate_release_original3(fx: &Fixture, _: &ByteBuf) {
    duplicate_release_original(fx, false, true);
}
fn test_retained_duplicate_release_original4(fx: &Fixture, _: &ByteBuf) {
    duplicate_release_original(fx, false, false);
}

/// `testMultipleRetainedSliceReleaseOriginal(retainedSlice1, retainedSlice2)`.
fn multiple_retained_slice_release_original(fx: &Fixture, retained1: bool, retained2: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected1 = written(fx, 3, &[6, 7, 8]);
    let expected2 = written(fx, 2, &[7, 8]);
    let expected3 = written(fx, 2, &[6, 7]);
    let slice1 = slice_of(&buf, retained1, true, buf.reader_index() + 5, 3);
    // assertEquals(0, slice1.compareTo(expected1));
    assert!(same_content(&slice1, &expected1));
    buf.release().unwrap();
    let slice2 = slice_of(&slice1, retained2, true, slice1.reader_index() + 1, 2);
    // assertEquals(0, slice2.compareTo(expected2));
    assert!(same_content(&slice2, &expected2));
    slice2.release().unwrap();
    let slice3 = slice_of(&slice1, true, false, slice1.reader_index(), 2);
    // assertEquals(0, slice3.compareTo(expected3));
    assert!(same_content(&slice3, &expected3));
    slice3.release().unwrap();
    // assertTrue(slice1.release());
    assert!(slice1.release().unwrap());
    for e in [&expected1, &expected2, &expected3] {
        // assertTrue(expectedN.release());
        assert!(e.release().unwrap());
    }
    all_released(&[&buf, &slice1, &slice2, &slice3]);
}

fn test_multiple_retained_slice_release_original1(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_slice_release_original(fx, true, true);
}
fn test_multiple_retained_slice_release_original2(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_slice_release_original(fx, true, false);
}
fn test_multiple_retained_slice_release_original3(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_slice_release_original(fx, false, true);
}
fn test_multiple_retained_slice_release_original4(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_slice_release_original(fx, false, false);
}

/// `testMultipleRetainedDuplicateReleaseOriginal(retainedDuplicate1, retainedDuplicate2)`.
fn multiple_retained_duplicate_release_original(fx: &Fixture, retained1: bool, retained2: bool) {
    let buf = written(fx, 8, &ONE_TO_EIGHT);
    let expected = written(fx, 8, &ONE_TO_EIGHT);
    let dup1 = duplicate_of(&buf, retained1, true);
    // assertEquals(0, dup1.compareTo(expected));
    assert!(same_content(&dup1, &expected));
    buf.release().unwrap();
    let dup2 = duplicate_of(&dup1, retained2, true);
    // assertEquals(0, dup2.compareTo(expected)); … compareTo(dup2.duplicate()), (dup2.slice())
    assert!(same_content(&dup2, &expected));
    assert!(same_content(&dup2, &dup2.duplicate().unwrap()));
    assert!(same_content(&dup2, &dup2.slice().unwrap()));
    let tmp = dup2.retained_duplicate(T).unwrap();
    // assertEquals(0, dup2.compareTo(tmpBuf));
    assert!(same_content(&dup2, &tmp));
    tmp.release().unwrap();
    let tmp = dup2.retained_slice(T).unwrap();
    // assertEquals(0, dup2.compareTo(tmpBuf));
    assert!(same_content(&dup2, &tmp));
    tmp.release().unwrap();
    dup2.release().unwrap();
    let dup3 = dup1.retained_duplicate(T).unwrap();
    // assertEquals(0, dup3.compareTo(expected));
    assert!(same_content(&dup3, &expected));
    dup3.release().unwrap();
    // assertTrue(dup1.release()); assertTrue(expected.release());
    assert!(dup1.release().unwrap());
    assert!(expected.release().unwrap());
    all_released(&[&buf, &dup1, &dup2, &dup3]);
}

fn test_multiple_retained_duplicate_release_original1(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_duplicate_release_original(fx, true, true);
}
fn test_multiple_retained_duplicate_release_original2(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_duplicate_release_original(fx, true, false);
}
fn test_multiple_retained_duplicate_release_original3(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_duplicate_release_original(fx, false, true);
}
fn test_multiple_retained_duplicate_release_original4(fx: &Fixture, _: &ByteBuf) {
    multiple_retained_duplicate_release_original(fx, false, false);
}

crate::kinds_test! {
    test_retained_slice_and_retained_duplicate_content_is_expected: all;
    test_retained_duplicate_and_retained_slice_content_is_expected: all;
    test_slice_contents: all;
    test_retained_slice_contents: all;
    test_duplicate_contents: all;
    test_retained_duplicate_contents: all;
    test_multiple_level_retained_slice1: all;
    test_multiple_level_retained_slice2: all;
    test_multiple_level_retained_slice3: all;
    test_multiple_level_retained_slice4: all;
    test_retained_slice_release_original1: all;
    test_retained_slice_release_original2: all;
    test_retained_slice_release_original3: all;
    test_retained_slice_release_original4: all;
    test_retained_duplicate_release_original1: all;
    test_retained_duplicate_release_original2: all;
    test_retained_duplicate_release_original3: all;
    test_retained_duplicate_release_original4: all;
    test_multiple_retained_slice_release_original1: all;
    test_multiple_retained_slice_release_original2: all;
    test_multiple_retained_slice_release_original3: all;
    test_multiple_retained_slice_release_original4: all;
    test_multiple_retained_duplicate_release_original1: all;
    test_multiple_retained_duplicate_release_original2: all;
    test_multiple_retained_duplicate_release_original3: all;
    test_multiple_retained_duplicate_release_original4: all;
}
