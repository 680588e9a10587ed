#![cfg(feature = "loom")]
//! Loom: every interleaving (C11 memory model) of Netty's reference-count protocol, run
//! on the model's own step machines through the sync facade.
//!
//! Run with `cargo test --features loom --release --test loom_refcount -- --nocapture
//! --test-threads=1`; each model prints its iteration count and time. Every model uses an
//! explicit [`Builder`] (no `LOOM_*` environment variable changes what CI explores).
//!
//! Each "buffer" has one byte per party in materialized memory
//! ([`ByteCells`], relaxed atomics under loom): a party writes its byte before releasing
//! and the deallocation asserts it can see every byte, so a release that does not
//! happen-after the other parties' releases shows up as a stale byte.

mod loom_support;

use leakproof_model::profile::RefCountProfile;
use leakproof_model::refcnt::{Algorithm, RefCnt};
use leakproof_model::sync::atomic::{AtomicUsize, Ordering};
use leakproof_model::sync::{thread, Arc, ByteCells};
use leakproof_model::JavaResult;
use loom_support::{builder, run_model, Builder};

/// A reference-counted buffer with instrumented deallocation.
struct Buffer {
    refcnt: RefCnt,
    deallocations: AtomicUsize,
    /// One byte per party that must be done with the buffer before it is deallocated.
    used: ByteCells,
}

impl Buffer {
    fn new(algorithm: Algorithm, real_count: i32, parties: usize) -> Arc<Buffer> {
        let refcnt = RefCnt::new(algorithm);
        refcnt.set_ref_cnt(real_count);
        Arc::new(Buffer {
            refcnt,
            deallocations: AtomicUsize::new(0),
            used: ByteCells::zeroed(parties),
        })
    }

    fn profile() -> RefCountProfile {
        RefCountProfile::netty_4_1()
    }

    /// Party `party` is done with the buffer (it writes before letting go).
    fn done_with(&self, party: usize) {
        self.used.write(party, &[1]);
    }

    fn release(&self, k: i32) -> JavaResult<bool> {
        let result = self.refcnt.release(k, &Self::profile());
        if result == Ok(true) {
            self.deallocate();
        }
        result
    }

    fn retain(&self, k: i32) -> JavaResult<()> {
        self.refcnt.retain(k, &Self::profile())
    }

    /// `deallocate()`: at most once, and only after every holder let go.
    fn deallocate(&self) {
        if self.deallocations.fetch_add(1, Ordering::SeqCst) != 0 {
            panic!("deallocated twice");
        }
        let mut seen = vec![0u8; self.used.len()];
        self.used.read(0, &mut seen);
        assert!(
            seen.iter().all(|&b| b == 1),
            "deallocated before every holder let go: {seen:?}"
        );
    }

    fn deallocations(&self) -> usize {
        self.deallocations.load(Ordering::SeqCst)
    }
}

/// The bounds every model runs with, set explicitly for reproducibility: no preemption
/// bound (exhaustive), loom's default branch limit, no permutation or time cut-off.
fn exhaustive() -> Builder {
    builder(None, 1_000)
}

/// `holders` parties each own one reference and release it concurrently.
fn holders_release(algorithm: Algorithm, holders: usize) {
    let buffer = Buffer::new(algorithm, holders as i32, holders);
    let handles: Vec<_> = (0..holders)
        .map(|party| {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || {
                buffer.done_with(party);
                buffer.release(1)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("holder"))
        .collect();
    assert!(
        results.iter().all(|r| r.is_ok()),
        "a holder's release failed: {results:?}"
    );
    assert_eq!(buffer.deallocations(), 1, "leaked: no release deallocated");
    assert_eq!(buffer.refcnt.ref_cnt(), 0);
}

#[test]
fn two_holders_deallocate_once_after_the_last() {
    // Exhaustive, no preemption bound.
    let n = run_model("2 holders (even-odd)", exhaustive(), || {
        holders_release(Algorithm::EvenOdd, 2)
    });
    assert!(n.unwrap() > 1);
    run_model("2 holders (cas-loop)", exhaustive(), || {
        holders_release(Algorithm::CasLoop, 2)
    })
    .unwrap();
}

#[test]
fn three_holders_deallocate_once_after_the_last() {
    // Exhaustive, no preemption bound.
    run_model("3 holders (even-odd)", exhaustive(), || {
        holders_release(Algorithm::EvenOdd, 3)
    })
    .unwrap();
}

/// A holder's final release races a retain through a stale reference: the retain either
/// keeps the buffer alive or fails with exactly `refCnt: 0, increment: 1`.
fn retain_races_final_release(algorithm: Algorithm) {
    let buffer = Buffer::new(algorithm, 1, 1);
    let holder = {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || {
            buffer.done_with(0);
            buffer.release(1)
        })
    };
    let retainer = {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || match buffer.retain(1) {
            Ok(()) => {
                assert_eq!(
                    buffer.deallocations(),
                    0,
                    "resurrected a deallocated buffer"
                );
                assert!(buffer.refcnt.ref_cnt() >= 1);
                (Ok(()), Some(buffer.release(1)))
            }
            Err(e) => {
                assert_eq!(e.message, "refCnt: 0, increment: 1");
                (Err(e), None)
            }
        })
    };
    let held = holder.join().expect("holder");
    let (retained, released) = retainer.join().expect("retainer");
    match retained {
        // The retain made the retainer a holder: exactly one of the two releases is
        // the final one (the retainer may even retain and release before the holder).
        Ok(()) => {
            let mut finals = [held, released.expect("the retainer released")];
            finals.sort_by_key(|r| *r != Ok(true));
            assert_eq!(
                finals,
                [Ok(true), Ok(false)],
                "the retain kept the buffer alive"
            );
        }
        Err(_) => assert_eq!(held, Ok(true)),
    }
    assert_eq!(buffer.deallocations(), 1);
    assert_eq!(buffer.refcnt.raw() & 1, 1, "released stays odd");
}

#[test]
fn retain_racing_the_final_release_never_resurrects() {
    // Exhaustive, no preemption bound.
    run_model("retain vs final release (even-odd)", exhaustive(), || {
        retain_races_final_release(Algorithm::EvenOdd)
    })
    .unwrap();
}

#[test]
fn two_threads_over_releasing_one_reference() {
    // Exhaustive, no preemption bound.
    run_model("over-release (even-odd)", exhaustive(), || {
        // One reference, so whichever release wins is the only holder.
        let buffer = Buffer::new(Algorithm::EvenOdd, 1, 0);
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || buffer.release(1))
            })
            .collect();
        let mut results: Vec<_> = handles.into_iter().map(|h| h.join().expect("t")).collect();
        results.sort_by_key(|r| r.is_err());
        assert_eq!(results[0], Ok(true));
        assert_eq!(
            results[1].clone().unwrap_err().message,
            "refCnt: 0, decrement: 1"
        );
        assert_eq!(buffer.deallocations(), 1);
    })
    .unwrap();
}

/// #8563/#8574: the holder's final release, a misuse retain and a misuse release.
fn three_party_8563(algorithm: Algorithm) {
    let buffer = Buffer::new(algorithm, 1, 0);
    let spawn = |f: fn(&Buffer)| {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || f(&buffer))
    };
    let parties = [
        spawn(|b| {
            let _ = b.release(1);
        }),
        spawn(|b| {
            let _ = b.retain(1);
        }),
        spawn(|b| {
            let _ = b.release(1);
        }),
    ];
    for party in parties {
        party.join().expect("party");
    }
    assert!(buffer.deallocations() <= 1);
}

#[test]
fn bug_8563_three_parties_double_deallocate_on_the_racy_algorithm() {
    // Exhaustive, no preemption bound; loom stops at the first failing interleaving.
    let failure = run_model(
        "#8563 three parties (racy-get-and-add)",
        exhaustive(),
        || three_party_8563(Algorithm::RacyGetAndAdd),
    )
    .expect_err("loom must find the double deallocation of #8563");
    assert!(
        failure.contains("deallocated twice"),
        "unexpected failure: {failure}"
    );
}

#[test]
fn control_8563_three_parties_are_safe_on_even_odd() {
    // Exhaustive, no preemption bound.
    run_model("#8563 three parties (even-odd)", exhaustive(), || {
        three_party_8563(Algorithm::EvenOdd)
    })
    .unwrap();
}

#[test]
fn control_8563_two_parties_do_not_expose_the_racy_algorithm() {
    // Exhaustive, no preemption bound. The retain's add is transiently visible, but with
    // nobody else releasing, nothing deallocates twice.
    run_model("#8563 two parties (racy-get-and-add)", exhaustive(), || {
        let buffer = Buffer::new(Algorithm::RacyGetAndAdd, 1, 0);
        let holder = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || buffer.release(1))
        };
        let retainer = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || buffer.retain(1))
        };
        let held = holder.join().expect("holder");
        let retained = retainer.join().expect("retainer");
        assert!(buffer.deallocations() <= 1);
        match retained {
            Ok(()) => assert_eq!(held, Ok(false)),
            Err(e) => {
                assert_eq!(e.message, "refCnt: 0, increment: 1");
                assert_eq!(held, Ok(true));
            }
        }
    })
    .unwrap();
}

#[test]
fn bug_2187_non_atomic_release_loses_a_holder() {
    // Exhaustive, no preemption bound: both holders decide from count 2 and store 1.
    let failure = run_model("#2187 2 holders (non-atomic-release)", exhaustive(), || {
        holders_release(Algorithm::NonAtomicRelease, 2)
    })
    .expect_err("loom must find the lost release of the #2187 mutant");
    assert!(
        failure.contains("leaked: no release deallocated"),
        "unexpected failure: {failure}"
    );
}
