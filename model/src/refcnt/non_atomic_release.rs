//! The release of [`crate::Mutant::NonAtomicRelease`] (#2187).
//!
//! #2187 (fixed in 4.0.16) was a count read non-volatile (`Unsafe.getInt`) and trusted
//! for a decision. The mutant sharpens it into a release that decides from a plain read
//! and then *stores* `count − k` with no CAS, so two releases can both decide from the
//! same stale value: two holders both store 1 (the buffer leaks), or two releases of a
//! count-1 buffer both deallocate. Retain is the 4.0/≤4.1.16 CAS loop
//! ([`super::cas_loop::Retain`]); the cell holds the real count (initially 1).

use super::machine::{check_positive, irce, Action, MicroStep, StepMachine};
use crate::error::JavaResult;
use crate::profile::RefCountProfile;

/// `release(k)`: plain read, then plain store.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Release {
    /// About to read the count (plain, possibly stale).
    Read {
        /// The decrement.
        k: i32,
    },
    /// About to store `count − k` unconditionally.
    Write {
        /// The decrement.
        k: i32,
        /// The count the decision was made from.
        count: i32,
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
            Release::Read { .. } => Action::Step(MicroStep::Load { volatile: false }),
            Release::Write { k, count } => Action::Step(MicroStep::Store(count.wrapping_sub(*k))),
            Release::Done(result) => Action::Done(result.clone()),
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            Release::Read { k } => {
                if observed < k {
                    Release::Done(Err(irce(observed, -i64::from(k))))
                } else {
                    Release::Write { k, count: observed }
                }
            }
            Release::Write { k, count } => Release::Done(Ok(count == k)),
            done @ Release::Done(_) => done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refcnt::machine::run_solo;

    #[test]
    fn sequentially_it_looks_correct() {
        let p = RefCountProfile::netty_4_1();
        assert_eq!(run_solo(2, Release::new(1, &p)), (1, Ok(false)));
        assert_eq!(run_solo(1, Release::new(1, &p)), (0, Ok(true)));
        let (c, r) = run_solo(0, Release::new(1, &p));
        assert_eq!(
            (c, r.unwrap_err().message.as_str()),
            (0, "refCnt: 0, decrement: 1")
        );
    }

    #[test]
    fn two_releases_can_decide_from_the_same_value() {
        let p = RefCountProfile::netty_4_1();
        let a = Release::new(1, &p).advance(1);
        let b = Release::new(1, &p).advance(1);
        assert_eq!(a.action(), Action::Step(MicroStep::Store(0)));
        assert_eq!(a.advance(1).action(), Action::Done(Ok(true)));
        assert_eq!(b.advance(0).action(), Action::Done(Ok(true)));
    }
}
