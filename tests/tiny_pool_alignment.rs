#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! #11955 end to end: on `netty-4.1.48` with `directMemoryCacheAlignment` 8 a tiny pool
//! (or cache queue) can meet a request of another size. The shadow predicts Netty's
//! outcome from the observed pools and queues (`sim/src/shadow/tiny_pools.rs`); the
//! executor accepts exactly that exception as the known bug, ends the program there and
//! runs the end phase. An outcome the rule does not predict (a model mutant) is a
//! violation, and `netty-4.1` (fixed by #11987) serves every request.

use leakproof_model::op::{Addressing, Amount, Op, Program, Size, Step};
use leakproof_model::{Mutant, Profile};
use leakproof_sim::exec::{run, ExecConfig, Quiet, RunReport, KNOWN_BUG_TINY_POOL_ALIGNMENT};

fn step(op: Op, creates: Option<u32>) -> Step {
    let mut s = Step::new(0, op);
    s.creates = creates;
    s
}

fn alloc(size: u32, creates: u32) -> Step {
    let op = Op::Alloc {
        pooled: true,
        direct: true,
        size: Size(size),
        max: Default::default(),
        second: false,
    };
    step(op, Some(creates))
}

fn release(buf: u32) -> Step {
    step(Op::Release { buf, k: Amount(1) }, None)
}

fn report(profile: Profile, mutant: Mutant, steps: Vec<Step>) -> RunReport {
    let mut c = ExecConfig::small(profile, mutant, 0);
    c.allocator.direct_alignment = 8;
    let program = Program {
        addressing: Addressing::Resolved,
        steps,
    };
    run(&program, &c, &mut Quiet)
}

/// The one known bug of `r`: its message.
fn known(r: &RunReport) -> &str {
    assert!(r.violation().is_none(), "{:?}", r.violation());
    assert_eq!(r.known_bugs.len(), 1, "{:?}", r.known_bugs);
    assert_eq!(r.known_bugs[0].issue, KNOWN_BUG_TINY_POOL_ALIGNMENT);
    &r.known_bugs[0].message
}

#[test]
fn the_pool_assert_is_the_known_bug_and_the_program_ends_there() {
    // 16 B makes pool 1 hold 16-byte elements; 24 B (tinyIdx 1) fails Netty's assert
    // (PoolArena.java:206); the allocation after it is not run.
    let steps = vec![alloc(16, 0), alloc(24, 1), alloc(40, 2)];
    let r = report(Profile::netty_4_1_48(), Mutant::None, steps);
    assert!(known(&r).contains("java.lang.AssertionError"), "{r:?}");
    assert_eq!((r.steps_run, r.steps_skipped), (2, 1));
}

#[test]
fn a_cached_smaller_element_asserts_and_a_new_8_byte_subpage_overflows_its_bitmap_4_kib_pages() {
    // The released 16-byte element waits in the cache's tiny queue 1: 24 B polls it
    // and fails `assert reqCapacity <= subpage.elemSize` (PoolChunk.java:427).
    let cached = vec![alloc(16, 0), release(0), alloc(24, 1)];
    let r = report(Profile::netty_4_1_48(), Mutant::None, cached);
    assert!(known(&r).contains("java.lang.AssertionError"), "{r:?}");
    // 8 B (tinyIdx 0, nothing cached there) makes a new subpage of 8-byte elements.
    let overflow = vec![alloc(16, 0), release(0), alloc(8, 1)];
    let r = report(Profile::netty_4_1_48(), Mutant::None, overflow);
    assert!(
        known(&r).ends_with(
            "(java.lang.ArrayIndexOutOfBoundsException: Index 4 out of bounds for length 4); \
             the program ends here"
        ),
        "{r:?}"
    );
}

#[test]
fn an_outcome_the_rule_does_not_predict_is_a_violation() {
    // `CacheOffByOne` serves 8 B from queue 1's 16-byte entry: Netty overflows the
    // bitmap, the mutated model succeeds.
    let steps = vec![alloc(16, 0), release(0), alloc(8, 1)];
    let r = report(Profile::netty_4_1_48(), Mutant::CacheOffByOne, steps);
    let v = r.violation().expect("the mutant is caught");
    assert_eq!(v.name(), "shadow_agreement", "{v:?}");
    assert!(r.known_bugs.is_empty());
}

#[test]
fn on_4_1_every_request_is_served() {
    let steps = vec![
        alloc(16, 0),
        alloc(24, 1),
        release(1),
        alloc(8, 2),
        alloc(40, 3),
    ];
    let r = report(Profile::netty_4_1(), Mutant::None, steps);
    assert!(r.violation().is_none() && r.known_bugs.is_empty(), "{r:?}");
    assert_eq!(r.steps_skipped, 0);
}

#[test]
fn a_cached_larger_element_serves_a_smaller_request_of_its_queue() {
    // 24 B (tinyIdx 1 under alignment 8) is cached on release; 16 B polls that 24-byte
    // entry (`reqCapacity <= elemSize` holds), although pool 1's head holds 24-byte
    // elements, which would fail the pool's assert: the queue decides, not the pool.
    let steps = vec![alloc(24, 0), release(0), alloc(16, 1)];
    let r = report(Profile::netty_4_1_48(), Mutant::None, steps);
    assert!(r.violation().is_none() && r.known_bugs.is_empty(), "{r:?}");
    assert_eq!(r.steps_skipped, 0);
}
