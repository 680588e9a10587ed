//! The ≤4.1.16 algorithm: a CAS loop on the *real* count.
//!
//! The cell holds the real count (initially 1, 0 = released). Shapes follow
//! `AbstractReferenceCountedByteBuf` at netty-4.1.16.Final: `retain0` reads the count
//! and throws `IRCE(refCnt, k)` when `refCnt + k <= k` (a released object, or an `int`
//! overflow), else CASes `refCnt → refCnt + k`; `release0` throws `IRCE(refCnt, −k)`
//! when `refCnt < k`, else CASes `refCnt → refCnt − k` and deallocates when
//! `refCnt == k`. A failed CAS rereads (no yield).

use super::machine::{check_positive, irce, Action, MicroStep, StepMachine};
use crate::error::JavaResult;
use crate::profile::RefCountProfile;

/// The count of a fresh object.
pub const INITIAL_RAW: i32 = 1;

/// `retain(k)` as a CAS loop.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Retain {
    /// About to read the count (volatile).
    Read {
        /// The increment.
        k: i32,
    },
    /// About to CAS `expected → expected + k`.
    Cas {
        /// The increment.
        k: i32,
        /// The count read.
        expected: i32,
    },
    /// Finished.
    Done(JavaResult<()>),
}

impl Retain {
    /// A retain of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "increment", profile) {
            Ok(k) => Retain::Read { k },
            Err(e) => Retain::Done(Err(e)),
        }
    }
}

impl StepMachine for Retain {
    type Output = ();

    fn action(&self) -> Action<()> {
        match self {
            Retain::Read { .. } => Action::Step(MicroStep::Load { volatile: true }),
            Retain::Cas { k, expected } => Action::Step(MicroStep::CompareExchange {
                expected: *expected,
                new: expected.wrapping_add(*k),
            }),
            Retain::Done(result) => Action::Done(result.clone()),
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            Retain::Read { k } => {
                // "Ensure we not resurrect (which means the refCnt was 0) and also that we
                // encountered an overflow."
                if observed.wrapping_add(k) <= k {
                    Retain::Done(Err(irce(observed, i64::from(k))))
                } else {
                    Retain::Cas {
                        k,
                        expected: observed,
                    }
                }
            }
            Retain::Cas { k, expected } => {
                if observed == expected {
                    Retain::Done(Ok(()))
                } else {
                    Retain::Read { k }
                }
            }
            done @ Retain::Done(_) => done,
        }
    }
}

/// `release(k)` as a CAS loop.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Release {
    /// About to read the count (volatile).
    Read {
        /// The decrement.
        k: i32,
    },
    /// About to CAS `expected → expected − k`.
    Cas {
        /// The decrement.
        k: i32,
        /// The count read.
        expected: i32,
    },
    /// Finished: `Ok(true)` means the caller must deallocate.
    Done(JavaResult<bool>),
}

impl Release {
    /// A release of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "decrement", profile) {
            Ok(k) => Release::Read { k },
            Err(e) => Release::Done(Err(e)),
        }
    }
}

impl StepMachine for Release {
    type Output = bool;

    fn action(&self) -> Action<bool> {
        match self {
            Release::Read { .. } => Action::Step(MicroStep::Load { volatile: true }),
            Release::Cas { k, expected } => Action::Step(MicroStep::CompareExchange {
                expected: *expected,
                new: expected.wrapping_sub(*k),
            }),
            Release::Done(result) => Action::Done(result.clone()),
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            Release::Read { k } => {
                if observed < k {
                    Release::Done(Err(irce(observed, -i64::from(k))))
                } else {
                    Release::Cas {
                        k,
                        expected: observed,
                    }
                }
            }
            Release::Cas { k, expected } => {
                if observed == expected {
                    Release::Done(Ok(expected == k))
                } else {
                    Release::Read { k }
                }
            }
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
    fn sequential_behaviour() {
        assert_eq!(run_solo(1, Retain::new(2, &p())), (3, Ok(())));
        assert_eq!(run_solo(3, Release::new(2, &p())), (1, Ok(false)));
        assert_eq!(run_solo(1, Release::new(1, &p())), (0, Ok(true)));
    }

    #[test]
    fn errors_leave_the_count_alone() {
        let (c, r) = run_solo(0, Retain::new(1, &p()));
        assert_eq!(
            (c, r.unwrap_err().message.as_str()),
            (0, "refCnt: 0, increment: 1")
        );
        let (c, r) = run_solo(0, Release::new(1, &p()));
        assert_eq!(
            (c, r.unwrap_err().message.as_str()),
            (0, "refCnt: 0, decrement: 1")
        );
        let (c, r) = run_solo(1, Release::new(2, &p()));
        assert_eq!(
            (c, r.unwrap_err().message.as_str()),
            (1, "refCnt: 1, decrement: 2")
        );
        let (c, r) = run_solo(i32::MAX, Retain::new(1, &p()));
        assert_eq!(c, i32::MAX);
        assert_eq!(r.unwrap_err().message, "refCnt: 2147483647, increment: 1");
    }

    #[test]
    fn failed_cas_rereads() {
        let m = Retain::new(1, &p()).advance(1);
        assert_eq!(m, Retain::Cas { k: 1, expected: 1 });
        assert_eq!(m.advance(2), Retain::Read { k: 1 });
        let m = Release::new(1, &p()).advance(2);
        assert_eq!(m.advance(1), Release::Read { k: 1 });
    }
}
