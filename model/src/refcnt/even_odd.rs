//! The current algorithm (4.1.32+, #8583; `ReferenceCountUpdater` since 4.1.35, #8614).
//!
//! The cell holds a *raw* count: even raw → real count `raw >>> 1`, odd raw → released.
//! The initial raw value is 2 and every change is ±2k, so parity is invariant; only the
//! final release writes an odd value (a CAS to 1), which makes release permanent.
//! Shapes follow `ReferenceCountUpdater` at netty-4.1.128.Final (identical in 4.1.48):
//! `retain0`, `release(instance, decrement)`, `tryFinalRelease0`, `nonFinalRelease0` and
//! `retryRelease0`.

use super::machine::{check_positive, irce, unbox, Action, Finished, MicroStep, StepMachine};
use crate::profile::RefCountProfile;

/// The raw value of a fresh (or reset) object: real count 1.
pub const INITIAL_RAW: i32 = 2;

/// The largest real count a retain can reach: 2^30 − 1.
pub const MAX_REF_CNT: i32 = (1 << 30) - 1;

/// `realRefCnt(raw)`: the real count a raw value stands for (0 when odd).
pub fn real_count(raw: i32) -> i32 {
    if raw & 1 != 0 {
        0
    } else {
        ((raw as u32) >> 1) as i32
    }
}

/// The raw value `setRefCnt(n)` stores: `2n`, or 1 (released) when `n <= 0`.
pub fn raw_for_count(n: i32) -> i32 {
    if n > 0 {
        n.wrapping_shl(1) // Netty: "overflow OK here"
    } else {
        1
    }
}

/// `isLiveNonVolatile`: live when the raw value is even.
pub fn is_live_raw(raw: i32) -> bool {
    raw & 1 == 0
}

/// `retain(k)`: `getAndAdd(2k)`; an odd old value throws without undo, an overflow is
/// undone and throws.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Retain {
    /// About to `getAndAdd(2k)`.
    Add {
        /// The real increment.
        k: i32,
    },
    /// The addition overflowed; about to undo it with `getAndAdd(-2k)`.
    Undo {
        /// The real increment.
        k: i32,
        /// The raw value before the addition.
        old: i32,
    },
    /// Finished.
    Done(Finished<()>),
}

impl Retain {
    /// A retain of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "increment", profile) {
            Ok(k) => Retain::Add { k },
            Err(e) => Retain::Done(Err(Box::new(e))),
        }
    }
}

/// `k << 1` with Java `int` semantics ("overflow is OK").
fn raw_delta(k: i32) -> i32 {
    k.wrapping_shl(1)
}

impl StepMachine for Retain {
    type Output = ();

    #[inline(always)]
    fn action(&self) -> Action<()> {
        match self {
            Retain::Add { k } => Action::Step(MicroStep::GetAndAdd(raw_delta(*k))),
            Retain::Undo { k, .. } => {
                Action::Step(MicroStep::GetAndAdd(raw_delta(*k).wrapping_neg()))
            }
            Retain::Done(result) => Action::Done(unbox(result.clone())),
        }
    }

    #[inline(always)]
    fn take_outcome(self) -> Result<Finished<()>, Self> {
        match self {
            Retain::Done(result) => Ok(result),
            machine => Err(machine),
        }
    }

    #[inline(always)]
    fn advance(self, observed: i32) -> Self {
        match self {
            Retain::Add { k } => {
                let old = observed;
                let delta = raw_delta(k);
                let new = old.wrapping_add(delta);
                if old & 1 != 0 {
                    // Released: the value stays odd, no undo.
                    Retain::Done(Err(Box::new(irce(0, i64::from(k)))))
                } else if (old <= 0 && new >= 0) || (old >= 0 && new < old) {
                    Retain::Undo { k, old }
                } else {
                    Retain::Done(Ok(()))
                }
            }
            Retain::Undo { k, old } => {
                Retain::Done(Err(Box::new(irce(real_count(old), i64::from(k)))))
            }
            done @ Retain::Done(_) => done,
        }
    }
}

/// `release(k)`: a plain read decides between the final CAS to 1 and a non-final CAS to
/// `raw − 2k`; any failure falls into the volatile retry loop, which yields between
/// attempts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Release {
    /// About to read the raw value non-volatile (`nonVolatileRawCnt`).
    ReadPlain {
        /// The real decrement.
        k: i32,
    },
    /// About to CAS `expected → 1` (the final release).
    FinalCas {
        /// The real decrement.
        k: i32,
        /// The raw value read.
        expected: i32,
        /// True inside `retryRelease0` (a failure yields), false on the first attempt.
        retry: bool,
    },
    /// About to CAS `expected → expected − 2k`.
    NonFinalCas {
        /// The real decrement.
        k: i32,
        /// The raw value read.
        expected: i32,
        /// True inside `retryRelease0` (a failure yields), false on the first attempt.
        retry: bool,
    },
    /// `retryRelease0`: about to read the raw value volatile.
    ReadVolatile {
        /// The real decrement.
        k: i32,
    },
    /// About to `Thread.yield()` before retrying.
    Yield {
        /// The real decrement.
        k: i32,
    },
    /// Finished: `Ok(true)` means the caller must deallocate.
    Done(Finished<bool>),
}

impl Release {
    /// A release of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "decrement", profile) {
            Ok(k) => Release::ReadPlain { k },
            Err(e) => Release::Done(Err(Box::new(e))),
        }
    }

    /// `toLiveRealRefCnt` plus the branch shared by the first attempt and the retry loop.
    #[inline(always)]
    fn decide(k: i32, raw: i32, retry: bool) -> Self {
        if raw & 1 != 0 {
            return Release::Done(Err(Box::new(irce(0, -i64::from(k)))));
        }
        let real = real_count(raw);
        if k == real {
            Release::FinalCas {
                k,
                expected: raw,
                retry,
            }
        } else if k < real {
            Release::NonFinalCas {
                k,
                expected: raw,
                retry,
            }
        } else if retry {
            Release::Done(Err(Box::new(irce(real, -i64::from(k)))))
        } else {
            // nonFinalRelease0 with decrement > realCnt goes straight to the retry loop.
            Release::ReadVolatile { k }
        }
    }
}

impl StepMachine for Release {
    type Output = bool;

    #[inline(always)]
    fn action(&self) -> Action<bool> {
        match self {
            Release::ReadPlain { .. } => Action::Step(MicroStep::Load { volatile: false }),
            Release::ReadVolatile { .. } => Action::Step(MicroStep::Load { volatile: true }),
            Release::FinalCas { expected, .. } => Action::Step(MicroStep::CompareExchange {
                expected: *expected,
                new: 1,
            }),
            Release::NonFinalCas { k, expected, .. } => Action::Step(MicroStep::CompareExchange {
                expected: *expected,
                new: expected.wrapping_sub(raw_delta(*k)),
            }),
            Release::Yield { .. } => Action::Step(MicroStep::Yield),
            Release::Done(result) => Action::Done(unbox(result.clone())),
        }
    }

    #[inline(always)]
    fn take_outcome(self) -> Result<Finished<bool>, Self> {
        match self {
            Release::Done(result) => Ok(result),
            machine => Err(machine),
        }
    }

    #[inline(always)]
    fn advance(self, observed: i32) -> Self {
        match self {
            Release::ReadPlain { k } => Release::decide(k, observed, false),
            Release::ReadVolatile { k } => Release::decide(k, observed, true),
            Release::FinalCas { k, expected, retry } => {
                if observed == expected {
                    Release::Done(Ok(true))
                } else if retry {
                    Release::Yield { k }
                } else {
                    Release::ReadVolatile { k }
                }
            }
            Release::NonFinalCas { k, expected, retry } => {
                if observed == expected {
                    Release::Done(Ok(false))
                } else if retry {
                    Release::Yield { k }
                } else {
                    Release::ReadVolatile { k }
                }
            }
            Release::Yield { k } => Release::ReadVolatile { k },
            done @ Release::Done(_) => done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refcnt::machine::run_solo;

    fn p() -> RefCountProfile {
        RefCountProfile::netty_4_1()
    }

    #[test]
    fn encoding_helpers() {
        assert_eq!(real_count(2), 1);
        assert_eq!(real_count(1), 0);
        assert_eq!(real_count(3), 0);
        assert_eq!(real_count(2 * MAX_REF_CNT), MAX_REF_CNT);
        assert_eq!(raw_for_count(3), 6);
        assert_eq!(raw_for_count(0), 1);
        assert_eq!(raw_for_count(-5), 1);
        assert!(is_live_raw(2) && !is_live_raw(1));
    }

    #[test]
    fn retain_and_release_sequentially() {
        let (raw, r) = run_solo(INITIAL_RAW, Retain::new(2, &p()));
        assert_eq!((raw, r), (6, Ok(())));
        let (raw, r) = run_solo(raw, Release::new(1, &p()));
        assert_eq!((raw, r), (4, Ok(false)));
        let (raw, r) = run_solo(raw, Release::new(2, &p()));
        assert_eq!((raw, r), (1, Ok(true)));
    }

    #[test]
    fn released_is_terminal_and_odd() {
        let (raw, r) = run_solo(1, Retain::new(1, &p()));
        assert_eq!(raw, 3, "no undo on a released object");
        assert_eq!(r.unwrap_err().message, "refCnt: 0, increment: 1");
        let (raw, r) = run_solo(raw, Release::new(1, &p()));
        assert_eq!(raw, 3);
        assert_eq!(r.unwrap_err().message, "refCnt: 0, decrement: 1");
    }

    #[test]
    fn over_release_goes_through_the_volatile_retry() {
        let m = Release::new(2, &p());
        let m = m.advance(2);
        assert_eq!(m, Release::ReadVolatile { k: 2 });
        let m = m.advance(2);
        assert_eq!(m.action(), Action::Done(Err(irce(1, -2))));
        assert_eq!(irce(1, -2).message, "refCnt: 1, decrement: 2");
    }

    #[test]
    fn failed_retry_cas_yields_then_rereads() {
        let m = Release::new(1, &p()).advance(4);
        assert_eq!(
            m,
            Release::NonFinalCas {
                k: 1,
                expected: 4,
                retry: false
            }
        );
        let m = m.advance(2); // someone else released in between
        assert_eq!(m, Release::ReadVolatile { k: 1 });
        let m = m.advance(2);
        assert_eq!(
            m,
            Release::FinalCas {
                k: 1,
                expected: 2,
                retry: true
            }
        );
        let m = m.advance(4); // someone retained in between
        assert_eq!(m.action(), Action::Step(MicroStep::Yield));
        let m = m.advance(0);
        assert_eq!(m, Release::ReadVolatile { k: 1 });
    }

    #[test]
    fn overflow_at_max_is_undone() {
        let raw = 2 * MAX_REF_CNT;
        let (after, r) = run_solo(raw, Retain::new(1, &p()));
        assert_eq!(after, raw, "the overflow is undone");
        assert_eq!(r.unwrap_err().message, "refCnt: 1073741823, increment: 1");
        let (after, r) = run_solo(raw - 2, Retain::new(1, &p()));
        assert_eq!((after, r), (raw, Ok(())));
    }

    #[test]
    fn huge_increment_wraps_like_java() {
        // 2^30 << 1 is Integer.MIN_VALUE in Java: an overflow from raw 2.
        let (after, r) = run_solo(2, Retain::new(1 << 30, &p()));
        assert_eq!(after, 2);
        assert_eq!(r.unwrap_err().message, "refCnt: 1, increment: 1073741824");
    }
}
