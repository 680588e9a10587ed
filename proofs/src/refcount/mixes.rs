//! The bounded programs the refcount models run: misuse-free mixes of retain, release,
//! reads and retained derivatives, and misuse mixes (stale handles) around the final
//! release, for 2, 3 and 4 threads under every algorithm.

use super::RefcountModel;
use crate::report::Expect;
use leakproof_model::invariant::{
    DEALLOCATE_AT_MOST_ONCE, EVERY_REFERENCE_RELEASED, RELEASED_IS_TERMINAL,
};
use leakproof_model::profile::RefCountProfile;
use leakproof_model::refcnt::{Algorithm, ObjectOp, ObjectRef, RefOp, Scenario, ThreadOp};

/// Every algorithm the step machines implement (three Netty generations and #2187).
pub const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::EvenOdd,
    Algorithm::CasLoop,
    Algorithm::RacyGetAndAdd,
    Algorithm::NonAtomicRelease,
];

fn retain() -> ThreadOp {
    RefOp::Retain(1).into()
}
fn release() -> ThreadOp {
    RefOp::Release(1).into()
}
fn derive(parent: ObjectRef, child: usize) -> ThreadOp {
    ObjectOp::Derive { parent, child }.into()
}
fn release_derived(n: usize) -> ThreadOp {
    ObjectOp::ReleaseDerived(n).into()
}
fn access(o: ObjectRef) -> ThreadOp {
    ObjectOp::Access(o).into()
}

/// A holder that takes a second reference, reads, and drops both.
pub fn retainer() -> Vec<ThreadOp> {
    vec![retain(), access(ObjectRef::Root), release(), release()]
}

/// A holder that slices (retainedSlice), drops its root reference while the slice is
/// live, reads the slice and releases it (which releases the root).
pub fn deriver() -> Vec<ThreadOp> {
    vec![
        derive(ObjectRef::Root, 0),
        release(),
        access(ObjectRef::Own(0)),
        release_derived(0),
    ]
}

/// A holder that slices a slice, releases the outer slice first, reads the inner one,
/// releases it and then the root.
pub fn nester() -> Vec<ThreadOp> {
    vec![
        derive(ObjectRef::Root, 0),
        derive(ObjectRef::Own(0), 1),
        release_derived(0),
        access(ObjectRef::Own(1)),
        release_derived(1),
        release(),
    ]
}

/// A holder that takes two sibling slices of the root, drops its root reference,
/// releases one slice, reads the other and releases it.
pub fn splitter() -> Vec<ThreadOp> {
    vec![
        derive(ObjectRef::Root, 0),
        derive(ObjectRef::Root, 1),
        release(),
        release_derived(1),
        access(ObjectRef::Own(0)),
        release_derived(0),
    ]
}

/// Four threads with four different programs: no two are interchangeable, so no
/// symmetry reduction applies (the largest refcount models).
pub fn distinct() -> Vec<Vec<ThreadOp>> {
    vec![retainer(), deriver(), nester(), splitter()]
}

/// The misuse-free mix of `n` threads (each holds one root reference at the start).
pub fn misuse_free(n: usize) -> Vec<Vec<ThreadOp>> {
    match n {
        2 => vec![retainer(), deriver()],
        3 => vec![retainer(), deriver(), nester()],
        _ => {
            let mut t = vec![retainer(), retainer(), deriver(), deriver()];
            t.truncate(n.max(1));
            t
        }
    }
}

/// The misuse mix of `n` threads around one reference: t0 holds it and releases it;
/// the others act through stale handles (#8563's parties: a retain and a second
/// release; with four threads a stale slice too).
pub fn misuse(n: usize) -> Vec<Vec<ThreadOp>> {
    match n {
        2 => vec![vec![release()], vec![retain(), release()]],
        3 => vec![vec![release()], vec![release()], vec![retain()]],
        _ => vec![
            vec![release()],
            vec![release()],
            vec![retain()],
            vec![derive(ObjectRef::Root, 0), release_derived(0)],
        ],
    }
}

/// A named refcount model with its expectation.
pub struct RefcountCase {
    /// Stable name, e.g. `refcount/even-odd/misuse-free/4`.
    pub name: String,
    /// The model.
    pub model: RefcountModel,
    /// What it must show.
    pub expect: Expect,
}

/// What `algorithm` must show on a mix: the current and ≤4.1.16 algorithms hold
/// everywhere; the racy one breaks under misuse (#8563: a resurrection with two
/// parties, a double deallocation with three); #2187 loses releases of misuse-free
/// programs and lets two releases both decide "deallocate".
fn expectation(algorithm: Algorithm, misuse_free: bool, threads: usize) -> Expect {
    match (algorithm, misuse_free) {
        (Algorithm::EvenOdd | Algorithm::CasLoop, _) => Expect::Holds,
        (Algorithm::RacyGetAndAdd, true) => Expect::Holds,
        (Algorithm::RacyGetAndAdd, false) if threads == 2 => {
            Expect::Refuted(vec![RELEASED_IS_TERMINAL.name])
        }
        (Algorithm::RacyGetAndAdd, false) => Expect::Refuted(vec![
            DEALLOCATE_AT_MOST_ONCE.name,
            RELEASED_IS_TERMINAL.name,
        ]),
        (Algorithm::NonAtomicRelease, true) => Expect::Refuted(vec![EVERY_REFERENCE_RELEASED.name]),
        (Algorithm::NonAtomicRelease, false) if threads == 2 => {
            Expect::Refuted(vec![RELEASED_IS_TERMINAL.name])
        }
        (Algorithm::NonAtomicRelease, false) => Expect::Refuted(vec![DEALLOCATE_AT_MOST_ONCE.name]),
    }
}

/// One case: `algorithm` on the misuse-free or misuse mix of `threads` threads.
pub fn case(algorithm: Algorithm, misuse_free_mix: bool, threads: usize) -> RefcountCase {
    let programs = if misuse_free_mix {
        misuse_free(threads)
    } else {
        misuse(threads)
    };
    // Misuse-free: every thread holds one reference of the root; misuse: one holder.
    let count = if misuse_free_mix { threads as i32 } else { 1 };
    let scenario = Scenario::new(algorithm, RefCountProfile::netty_4_1(), programs)
        .with_initial_raw(algorithm.raw_for_count(count));
    RefcountCase {
        name: format!(
            "refcount/{algorithm}/{}/{threads}",
            if misuse_free_mix {
                "misuse-free"
            } else {
                "misuse"
            }
        ),
        model: RefcountModel::new(scenario, misuse_free_mix),
        expect: expectation(algorithm, misuse_free_mix, threads),
    }
}

/// The four distinct misuse-free programs under `algorithm`.
pub fn distinct_case(algorithm: Algorithm) -> RefcountCase {
    let scenario = Scenario::new(algorithm, RefCountProfile::netty_4_1(), distinct())
        .with_initial_raw(algorithm.raw_for_count(4));
    RefcountCase {
        name: format!("refcount/{algorithm}/distinct/4"),
        model: RefcountModel::new(scenario, true),
        expect: expectation(algorithm, true, 4),
    }
}

/// Every refcount case: each algorithm × {misuse-free, misuse} × {2, 3, 4} threads,
/// plus the four distinct programs under the two correct algorithms.
pub fn cases() -> Vec<RefcountCase> {
    let mut all = Vec::new();
    for algorithm in ALGORITHMS {
        for misuse_free_mix in [true, false] {
            for threads in [2, 3, 4] {
                all.push(case(algorithm, misuse_free_mix, threads));
            }
        }
    }
    all.push(distinct_case(Algorithm::EvenOdd));
    all.push(distinct_case(Algorithm::CasLoop));
    all
}
