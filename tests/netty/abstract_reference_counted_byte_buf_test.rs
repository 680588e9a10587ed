//! `AbstractReferenceCountedByteBufTest`: the same count rules through a buffer's
//! `retain`/`release` (Netty's test subclasses `AbstractReferenceCountedByteBuf` with a
//! no-op `deallocate`; here an unpooled heap buffer, whose count is the same class's).

use crate::support::{assert_throws, jvm, IRCE, MAX, T};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;

/// `newReferenceCounted()`: a buffer with maxCapacity `Integer.MAX_VALUE`.
fn new_reference_counted() -> ByteBuf {
    let jvm = jvm();
    UnpooledAllocator::new(&jvm)
        .new_buffer(T, false, 0, MAX)
        .unwrap()
}

/// `setRefCnt(n)` on the buffer's own count.
fn set_ref_cnt(buf: &ByteBuf, n: i32) {
    buf.object().own_refcnt().unwrap().set_ref_cnt(n);
}

#[test]
fn test_retain_overflow() {
    let rc = new_reference_counted();
    set_ref_cnt(&rc, i32::MAX);
    // assertEquals(Integer.MAX_VALUE, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), i32::MAX);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain());
    assert_throws(IRCE, rc.retain());
}

#[test]
fn test_retain_overflow2() {
    let rc = new_reference_counted();
    // assertEquals(1, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), 1);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain(Integer.MAX_VALUE));
    assert_throws(IRCE, rc.retain_n(i32::MAX));
}

#[test]
fn test_release_overflow() {
    let rc = new_reference_counted();
    set_ref_cnt(&rc, 0);
    // assertEquals(0, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.release(Integer.MAX_VALUE));
    assert_throws(IRCE, rc.release_n(i32::MAX));
}

#[test]
fn test_release_error_message() {
    let rc = new_reference_counted();
    // assertTrue(referenceCounted.release());
    assert!(rc.release().unwrap());
    // assertEquals("refCnt: 0, decrement: 1", e.getMessage());
    assert_eq!(
        rc.release_n(1).unwrap_err().message,
        "refCnt: 0, decrement: 1"
    );
}

#[test]
fn test_retain_resurrect() {
    let rc = new_reference_counted();
    // assertTrue(referenceCounted.release()); assertEquals(0, referenceCounted.refCnt());
    assert!(rc.release().unwrap());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain());
    assert_throws(IRCE, rc.retain());
}

#[test]
fn test_retain_resurrect2() {
    let rc = new_reference_counted();
    // assertTrue(referenceCounted.release()); assertEquals(0, referenceCounted.refCnt());
    assert!(rc.release().unwrap());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain(2));
    assert_throws(IRCE, rc.retain_n(2));
}
