//! common's `AbstractReferenceCountedTest`: the count of a plain reference-counted
//! object (the model's [`RefCnt`] under the profile's algorithm). The two tests that
//! race four threads run every interleaving of four logical threads on the schedule
//! interpreter.

use crate::support::{all_schedules, assert_throws, jvm, IRCE};
use leakproof_model::refcnt::{OpOutcome, RefCnt, RefOp, Scenario};
use leakproof_model::Profile;

/// `newReferenceCounted()` with the JVM's algorithm and profile.
fn new_reference_counted() -> (RefCnt, Profile) {
    let jvm = jvm();
    (RefCnt::new(jvm.refcount_algorithm()), jvm.profile().clone())
}

#[test]
fn test_retain_overflow() {
    let (rc, p) = new_reference_counted();
    rc.set_ref_cnt(i32::MAX);
    // assertEquals(Integer.MAX_VALUE, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), i32::MAX);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain());
    assert_throws(IRCE, rc.retain(1, &p.refcount));
}

#[test]
fn test_retain_overflow2() {
    let (rc, p) = new_reference_counted();
    // assertEquals(1, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), 1);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain(Integer.MAX_VALUE));
    assert_throws(IRCE, rc.retain(i32::MAX, &p.refcount));
}

#[test]
fn test_release_overflow() {
    let (rc, p) = new_reference_counted();
    rc.set_ref_cnt(0);
    // assertEquals(0, referenceCounted.refCnt());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.release(Integer.MAX_VALUE));
    assert_throws(IRCE, rc.release(i32::MAX, &p.refcount));
}

#[test]
fn test_release_error_message() {
    let (rc, p) = new_reference_counted();
    // assertTrue(referenceCounted.release());
    assert!(rc.release(1, &p.refcount).unwrap());
    let e = rc.release(1, &p.refcount).unwrap_err();
    // assertEquals("refCnt: 0, decrement: 1", e.getMessage());
    assert_eq!(e.message, "refCnt: 0, decrement: 1");
}

#[test]
fn test_retain_resurrect() {
    let (rc, p) = new_reference_counted();
    // assertTrue(referenceCounted.release()); assertEquals(0, referenceCounted.refCnt());
    assert!(rc.release(1, &p.refcount).unwrap());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain());
    assert_throws(IRCE, rc.retain(1, &p.refcount));
}

#[test]
fn test_retain_resurrect2() {
    let (rc, p) = new_reference_counted();
    // assertTrue(referenceCounted.release()); assertEquals(0, referenceCounted.refCnt());
    assert!(rc.release(1, &p.refcount).unwrap());
    assert_eq!(rc.ref_cnt(), 0);
    // assertThrows(IllegalReferenceCountException.class, () -> referenceCounted.retain(2));
    assert_throws(IRCE, rc.retain(2, &p.refcount));
}

/// Java draws `retainCnt` from `[1, Integer.MAX_VALUE)`; the interleavings explored
/// here take the extremes and a middle value.
const RETAIN_COUNTS: [i32; 4] = [1, 2, 1 << 20, i32::MAX - 1];

/// Four threads each `retain(retainCnt)` a released object, in every interleaving:
/// `assertEquals(4, refCountExceptions.get())` in every one.
#[test]
fn test_retain_from_multiple_threads_throws_reference_count_exception() {
    let jvm = jvm();
    let algorithm = jvm.refcount_algorithm();
    let threads = RETAIN_COUNTS
        .iter()
        .map(|&k| vec![RefOp::Retain(k)])
        .collect();
    let released = algorithm.raw_for_count(0);
    let scenario = Scenario::new(algorithm, jvm.profile().refcount.clone(), threads)
        .with_initial_raw(released);
    let logs = all_schedules(&scenario);
    assert!(logs.len() > 1, "the four retains interleave");
    for log in &logs {
        let exceptions = (0..4)
            .filter(|&t| matches!(log.result(t, 0), Some(Err(e)) if e.class == IRCE))
            .count();
        // assertEquals(4, refCountExceptions.get());
        assert_eq!(exceptions, 4, "{log}");
    }
}

/// Four threads `release(1)`, `release(2)`, `release(3)`, `release(4)` a fresh object
/// (count 1), in every interleaving: exactly one release succeeds and deallocates,
/// three throw (`assertEquals(3, refCountExceptions.get())`,
/// `assertEquals(1, releasedCount.get())`).
#[test]
fn test_release_from_multiple_threads_throws_reference_count_exception() {
    let jvm = jvm();
    let algorithm = jvm.refcount_algorithm();
    let threads = (1..=4).map(|k| vec![RefOp::Release(k)]).collect();
    let scenario = Scenario::new(algorithm, jvm.profile().refcount.clone(), threads);
    let logs = all_schedules(&scenario);
    assert!(logs.len() > 1, "the four releases interleave");
    for log in &logs {
        let results: Vec<_> = (0..4).map(|t| log.result(t, 0).unwrap()).collect();
        let exceptions = results
            .iter()
            .filter(|r| matches!(r, Err(e) if e.class == IRCE))
            .count();
        let released = results
            .iter()
            .filter(|r| matches!(r, Ok(OpOutcome::Released { deallocate: true })))
            .count();
        // assertEquals(3, refCountExceptions.get()); assertEquals(1, releasedCount.get());
        assert_eq!((exceptions, released), (3, 1), "{log}");
    }
}
