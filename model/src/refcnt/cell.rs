//! [`RefCnt`]: the reference count of one object, executing the step machines on a
//! real atomic from the sync facade (std, loom or shuttle).
//!
//! Orderings mirror the JVM: volatile reads, writes and read-modify-writes are `SeqCst`;
//! Netty's `Unsafe.getInt` plain read is `Relaxed` (loom may hand it a stale value);
//! `resetRefCnt`'s `lazySet` is a `Release` store. `Thread.yield()` is the facade's
//! `yield_now`, which also tells loom that a retry loop is waiting for another thread.

use super::algorithm::Algorithm;
use super::even_odd;
use super::machine::{unbox, Action, Finished, MicroStep, StepMachine};
use crate::error::JavaResult;
use crate::profile::RefCountProfile;
use crate::sync::atomic::{AtomicI32, Ordering};
use crate::sync::thread;

/// The raw reference-count cell of one object plus the algorithm that updates it.
#[derive(Debug)]
pub struct RefCnt {
    raw: AtomicI32,
    algorithm: Algorithm,
}

impl RefCnt {
    /// A fresh count (real count 1) updated by `algorithm`.
    pub fn new(algorithm: Algorithm) -> Self {
        RefCnt::with_raw(algorithm, algorithm.initial_raw())
    }

    /// A count whose cell starts at `raw` (for scenarios that begin mid-life).
    pub fn with_raw(algorithm: Algorithm, raw: i32) -> Self {
        RefCnt {
            raw: AtomicI32::new(raw),
            algorithm,
        }
    }

    /// The algorithm updating this count.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// `retain(k)`.
    #[inline(always)]
    pub fn retain(&self, k: i32, profile: &RefCountProfile) -> JavaResult<()> {
        match self.algorithm {
            // The same machine without the any-algorithm wrapper (the hot path).
            Algorithm::EvenOdd => self.run(even_odd::Retain::new(k, profile)),
            algorithm => self.run(algorithm.retain(k, profile)),
        }
    }

    /// `release(k)`: `Ok(true)` when this was the final release and the caller must
    /// deallocate.
    #[inline(always)]
    pub fn release(&self, k: i32, profile: &RefCountProfile) -> JavaResult<bool> {
        match self.algorithm {
            // The same machine without the any-algorithm wrapper (the hot path).
            Algorithm::EvenOdd => self.run(even_odd::Release::new(k, profile)),
            algorithm => self.run(algorithm.release(k, profile)),
        }
    }

    /// Runs `machine` to completion on this cell, one atomic micro-step at a time.
    #[inline(always)]
    pub fn run<M: StepMachine>(&self, machine: M) -> JavaResult<M::Output> {
        unbox(self.run_finished(machine))
    }

    /// [`RefCnt::run`] with the exception boxed: nothing wider than the machine and a
    /// pointer moves through the loop.
    #[inline(always)]
    fn run_finished<M: StepMachine>(&self, machine: M) -> Finished<M::Output> {
        let mut machine = machine;
        loop {
            machine = match machine.take_outcome() {
                Ok(result) => return result,
                Err(machine) => machine,
            };
            match machine.action() {
                Action::Done(result) => return result.map_err(Box::new),
                Action::Step(step) => {
                    let observed = self.execute(step);
                    machine = machine.advance(observed);
                }
            }
        }
    }

    /// Executes one micro-step on the atomic and returns what it observed (see
    /// [`MicroStep`]).
    #[inline(always)]
    pub fn execute(&self, step: MicroStep) -> i32 {
        match step {
            MicroStep::Load { volatile: true } => self.raw.load(Ordering::SeqCst),
            MicroStep::Load { volatile: false } => self.raw.load(Ordering::Relaxed),
            MicroStep::GetAndAdd(delta) => self.raw.fetch_add(delta, Ordering::SeqCst),
            MicroStep::CompareExchange { expected, new } => {
                match self
                    .raw
                    .compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst)
                {
                    Ok(found) | Err(found) => found,
                }
            }
            MicroStep::Store(value) => {
                self.raw.store(value, Ordering::SeqCst);
                value
            }
            MicroStep::Yield => {
                thread::yield_now();
                0
            }
        }
    }

    /// `refCnt()`: the real count (0 once released), from a volatile read.
    pub fn ref_cnt(&self) -> i32 {
        self.algorithm.real_count(self.raw())
    }

    /// The raw cell value, from a volatile read.
    pub fn raw(&self) -> i32 {
        self.raw.load(Ordering::SeqCst)
    }

    /// `resetRefCnt()`: back to real count 1 (`lazySet`, for a recycled object in a
    /// quiescent state).
    pub fn reset(&self) {
        self.raw
            .store(self.algorithm.initial_raw(), Ordering::Release);
    }

    /// `setRefCnt(n)`: raw `2n`, or 1 (released) when `n <= 0`, for even/odd; `n` for
    /// the older algorithms.
    pub fn set_ref_cnt(&self, n: i32) {
        self.raw
            .store(self.algorithm.raw_for_count(n), Ordering::SeqCst);
    }

    /// `ensureAccessible`'s best-effort check from a plain (relaxed) read: false when the
    /// raw value is odd (or the count is 0 for the older algorithms). Callers throw
    /// `IRCE(0)` (`refCnt: 0`) when it is false and `checkAccessible` is set.
    pub fn is_accessible(&self) -> bool {
        self.algorithm
            .is_accessible(self.raw.load(Ordering::Relaxed))
    }
}

#[cfg(all(test, not(any(feature = "loom", feature = "shuttle"))))]
mod tests {
    use super::*;
    use crate::error::JavaException;
    use crate::refcnt::even_odd::MAX_REF_CNT;

    fn p() -> RefCountProfile {
        RefCountProfile::netty_4_1()
    }

    #[test]
    fn even_odd_lifecycle_on_the_atomic() {
        let c = RefCnt::new(Algorithm::EvenOdd);
        assert_eq!((c.raw(), c.ref_cnt()), (2, 1));
        c.retain(1, &p()).unwrap();
        assert_eq!((c.raw(), c.ref_cnt()), (4, 2));
        assert_eq!(c.release(1, &p()), Ok(false));
        assert_eq!(c.release(1, &p()), Ok(true));
        assert_eq!((c.raw(), c.ref_cnt()), (1, 0));
        assert!(!c.is_accessible());
        assert_eq!(
            c.retain(1, &p()).unwrap_err().message,
            "refCnt: 0, increment: 1"
        );
        assert_eq!(c.raw() & 1, 1, "released stays odd");
        assert_eq!(
            c.release(1, &p()).unwrap_err().message,
            "refCnt: 0, decrement: 1"
        );
        assert_eq!(
            JavaException::ref_cnt(i64::from(c.ref_cnt())).message,
            "refCnt: 0"
        );
    }

    #[test]
    fn raw_parity_is_invariant_until_the_final_release() {
        let c = RefCnt::new(Algorithm::EvenOdd);
        for k in 1..=5 {
            c.retain(k, &p()).unwrap();
            assert_eq!(c.raw() & 1, 0);
        }
        assert_eq!(c.ref_cnt(), 16);
        for k in [5, 4, 3, 2, 1] {
            assert_eq!(c.release(k, &p()), Ok(false));
            assert_eq!(c.raw() & 1, 0);
        }
        assert_eq!(c.release(1, &p()), Ok(true));
        assert_eq!(c.raw(), 1, "only the final release writes an odd value");
    }

    #[test]
    fn reset_and_set_ref_cnt() {
        let c = RefCnt::new(Algorithm::EvenOdd);
        assert_eq!(c.release(1, &p()), Ok(true));
        c.reset();
        assert_eq!((c.raw(), c.ref_cnt()), (2, 1));
        assert!(c.is_accessible());
        c.set_ref_cnt(3);
        assert_eq!((c.raw(), c.ref_cnt()), (6, 3));
        c.set_ref_cnt(0);
        assert_eq!((c.raw(), c.ref_cnt()), (1, 0));
        c.set_ref_cnt(-4);
        assert_eq!(c.raw(), 1);
        let old = RefCnt::new(Algorithm::CasLoop);
        old.set_ref_cnt(0);
        assert!(!old.is_accessible());
        old.reset();
        assert_eq!(old.ref_cnt(), 1);
    }

    #[test]
    fn overflow_at_the_maximum_count() {
        let c = RefCnt::new(Algorithm::EvenOdd);
        c.set_ref_cnt(MAX_REF_CNT);
        assert_eq!(c.ref_cnt(), MAX_REF_CNT);
        let e = c.retain(1, &p()).unwrap_err();
        assert_eq!(e.message, "refCnt: 1073741823, increment: 1");
        assert_eq!(c.ref_cnt(), MAX_REF_CNT, "undone");
        assert_eq!(c.release(MAX_REF_CNT, &p()), Ok(true));
    }

    #[test]
    fn over_release_message() {
        let c = RefCnt::new(Algorithm::EvenOdd);
        let e = c.release(2, &p()).unwrap_err();
        assert_eq!(e.message, "refCnt: 1, decrement: 2");
        assert_eq!(c.ref_cnt(), 1, "a failed release changes nothing");
    }

    #[test]
    fn std_threads_release_exactly_once() {
        use crate::sync::Arc;
        let c = Arc::new(RefCnt::new(Algorithm::EvenOdd));
        c.retain(7, &p()).unwrap();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = Arc::clone(&c);
                thread::spawn(move || c.release(1, &RefCountProfile::netty_4_1()))
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        let deallocs = results.iter().filter(|r| matches!(r, Ok(Ok(true)))).count();
        assert!(results.iter().all(|r| matches!(r, Ok(Ok(_)))));
        assert_eq!(deallocs, 1);
        assert_eq!(c.raw(), 1);
    }
}
