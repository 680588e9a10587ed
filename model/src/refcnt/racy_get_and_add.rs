//! The 4.1.17–4.1.31 algorithm (83a19d5650): optimistic `getAndAdd` with undo. Racy:
//! #8563, fixed by #8583 in 4.1.32.
//!
//! The cell holds the real count (initially 1). Shapes follow
//! `AbstractReferenceCountedByteBuf` at netty-4.1.31.Final:
//! - `retain0`: `old = getAndAdd(k)`; when `old <= 0` or `old + k < old` (overflow),
//!   undo with `getAndAdd(−k)` and throw `IRCE(old, k)`;
//! - `release0`: `old = getAndAdd(−k)`; `old == k` deallocates; when `old < k` or
//!   `old − k > old` (underflow), undo with `getAndAdd(k)` and throw `IRCE(old, −k)`.
//!
//! The undo window is the bug: a retain on a released object makes the count 1 for a
//! moment, and a concurrent release then sees `old == 1` and deallocates a second time
//! (the three-party sequence of #8574).

use super::machine::{check_positive, irce, Action, MicroStep, StepMachine};
use crate::error::JavaResult;
use crate::profile::RefCountProfile;

/// The count of a fresh object.
pub const INITIAL_RAW: i32 = 1;

/// `retain(k)`: optimistic add, undo on failure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Retain {
    /// About to `getAndAdd(k)`.
    Add {
        /// The increment.
        k: i32,
    },
    /// About to undo with `getAndAdd(−k)`.
    Undo {
        /// The increment.
        k: i32,
        /// The count before the add.
        old: i32,
    },
    /// Finished.
    Done(JavaResult<()>),
}

impl Retain {
    /// A retain of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "increment", profile) {
            Ok(k) => Retain::Add { k },
            Err(e) => Retain::Done(Err(e)),
        }
    }
}

impl StepMachine for Retain {
    type Output = ();

    fn action(&self) -> Action<()> {
        match self {
            Retain::Add { k } => Action::Step(MicroStep::GetAndAdd(*k)),
            Retain::Undo { k, .. } => Action::Step(MicroStep::GetAndAdd(k.wrapping_neg())),
            Retain::Done(result) => Action::Done(result.clone()),
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            Retain::Add { k } => {
                let old = observed;
                if old <= 0 || old.wrapping_add(k) < old {
                    Retain::Undo { k, old }
                } else {
                    Retain::Done(Ok(()))
                }
            }
            Retain::Undo { k, old } => Retain::Done(Err(irce(old, i64::from(k)))),
            done @ Retain::Done(_) => done,
        }
    }
}

/// `release(k)`: optimistic subtract, undo on failure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Release {
    /// About to `getAndAdd(−k)`.
    Sub {
        /// The decrement.
        k: i32,
    },
    /// About to undo with `getAndAdd(k)`.
    Undo {
        /// The decrement.
        k: i32,
        /// The count before the subtraction.
        old: i32,
    },
    /// Finished: `Ok(true)` means the caller must deallocate.
    Done(JavaResult<bool>),
}

impl Release {
    /// A release of `k`; `k <= 0` finishes at once with the profile's
    /// `IllegalArgumentException`.
    pub fn new(k: i32, profile: &RefCountProfile) -> Self {
        match check_positive(k, "decrement", profile) {
            Ok(k) => Release::Sub { k },
            Err(e) => Release::Done(Err(e)),
        }
    }
}

impl StepMachine for Release {
    type Output = bool;

    fn action(&self) -> Action<bool> {
        match self {
            Release::Sub { k } => Action::Step(MicroStep::GetAndAdd(k.wrapping_neg())),
            Release::Undo { k, .. } => Action::Step(MicroStep::GetAndAdd(*k)),
            Release::Done(result) => Action::Done(result.clone()),
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            Release::Sub { k } => {
                let old = observed;
                if old == k {
                    Release::Done(Ok(true))
                } else if old < k || old.wrapping_sub(k) > old {
                    Release::Undo { k, old }
                } else {
                    Release::Done(Ok(false))
                }
            }
            Release::Undo { k, old } => Release::Done(Err(irce(old, -i64::from(k)))),
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
        assert_eq!(run_solo(1, Retain::new(1, &p())), (2, Ok(())));
        assert_eq!(run_solo(2, Release::new(1, &p())), (1, Ok(false)));
        assert_eq!(run_solo(1, Release::new(1, &p())), (0, Ok(true)));
    }

    #[test]
    fn errors_are_undone() {
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
    fn the_undo_window_is_visible() {
        // The add happens first; only the undo step restores the count.
        let m = Retain::new(1, &p());
        assert_eq!(m.action(), Action::Step(MicroStep::GetAndAdd(1)));
        let m = m.advance(0);
        assert_eq!(m, Retain::Undo { k: 1, old: 0 });
        assert_eq!(m.action(), Action::Step(MicroStep::GetAndAdd(-1)));
    }
}
