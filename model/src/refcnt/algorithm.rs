//! Which machine runs: the profile's algorithm, or a mutant's, and the enums that make
//! the per-algorithm machines one type each for retain, release and "any operation".

use super::machine::{Action, OpOutcome, RefOp, StepMachine};
use super::{cas_loop, even_odd, non_atomic_release, racy_get_and_add};
use crate::mutant::Mutant;
use crate::profile::{RefCountAlgorithm, RefCountProfile};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A reference-count algorithm as executed: the three Netty generations plus the
/// #2187 mutant, which no profile selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// 4.1.32+: even/odd raw count ([`even_odd`]).
    EvenOdd,
    /// ≤4.1.16: CAS loop on the real count ([`cas_loop`]).
    CasLoop,
    /// 4.1.17–4.1.31: getAndAdd with undo, racy #8563 ([`racy_get_and_add`]).
    RacyGetAndAdd,
    /// [`Mutant::NonAtomicRelease`] (#2187): CAS-loop retain, read-then-store release
    /// ([`non_atomic_release`]).
    NonAtomicRelease,
}

impl From<RefCountAlgorithm> for Algorithm {
    fn from(algorithm: RefCountAlgorithm) -> Self {
        match algorithm {
            RefCountAlgorithm::EvenOdd => Algorithm::EvenOdd,
            RefCountAlgorithm::CasLoop => Algorithm::CasLoop,
            RefCountAlgorithm::RacyGetAndAdd => Algorithm::RacyGetAndAdd,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::EvenOdd => "even-odd",
            Algorithm::CasLoop => "cas-loop",
            Algorithm::RacyGetAndAdd => "racy-get-and-add",
            Algorithm::NonAtomicRelease => "non-atomic-release",
        })
    }
}

impl Algorithm {
    /// The algorithm a run uses: [`Mutant::RacyRefcount`] ⇒ [`Algorithm::RacyGetAndAdd`],
    /// [`Mutant::NonAtomicRelease`] ⇒ [`Algorithm::NonAtomicRelease`], otherwise the
    /// profile's.
    pub fn select(profile: &RefCountProfile, mutant: Mutant) -> Self {
        match mutant {
            Mutant::RacyRefcount => Algorithm::RacyGetAndAdd,
            Mutant::NonAtomicRelease => Algorithm::NonAtomicRelease,
            _ => profile.algorithm.into(),
        }
    }

    /// The cell value of a fresh (or reset) object: raw 2 for even/odd, count 1 else.
    pub fn initial_raw(self) -> i32 {
        match self {
            Algorithm::EvenOdd => even_odd::INITIAL_RAW,
            Algorithm::CasLoop | Algorithm::NonAtomicRelease => cas_loop::INITIAL_RAW,
            Algorithm::RacyGetAndAdd => racy_get_and_add::INITIAL_RAW,
        }
    }

    /// The count `refCnt()` reports for a cell value (0 for an odd raw value).
    pub fn real_count(self, raw: i32) -> i32 {
        match self {
            Algorithm::EvenOdd => even_odd::real_count(raw),
            _ => raw,
        }
    }

    /// True when the cell value stands for a live object (real count > 0): used to
    /// detect resurrection after a deallocation.
    pub fn is_live(self, raw: i32) -> bool {
        self.real_count(raw) > 0
    }

    /// `ensureAccessible`'s best-effort check on a (possibly stale) value: even raw for
    /// even/odd (`isLiveNonVolatile`), a non-zero count for the older algorithms.
    pub fn is_accessible(self, raw: i32) -> bool {
        match self {
            Algorithm::EvenOdd => even_odd::is_live_raw(raw),
            _ => raw != 0,
        }
    }

    /// The cell value `setRefCnt(n)` stores: `2n` or 1 when `n <= 0` for even/odd, `n`
    /// itself for the older algorithms.
    pub fn raw_for_count(self, n: i32) -> i32 {
        match self {
            Algorithm::EvenOdd => even_odd::raw_for_count(n),
            _ => n,
        }
    }

    /// The machine of `retain(k)`.
    pub fn retain(self, k: i32, profile: &RefCountProfile) -> RetainMachine {
        match self {
            Algorithm::EvenOdd => RetainMachine::EvenOdd(even_odd::Retain::new(k, profile)),
            Algorithm::CasLoop | Algorithm::NonAtomicRelease => {
                RetainMachine::CasLoop(cas_loop::Retain::new(k, profile))
            }
            Algorithm::RacyGetAndAdd => {
                RetainMachine::Racy(racy_get_and_add::Retain::new(k, profile))
            }
        }
    }

    /// The machine of `release(k)`.
    pub fn release(self, k: i32, profile: &RefCountProfile) -> ReleaseMachine {
        match self {
            Algorithm::EvenOdd => ReleaseMachine::EvenOdd(even_odd::Release::new(k, profile)),
            Algorithm::CasLoop => ReleaseMachine::CasLoop(cas_loop::Release::new(k, profile)),
            Algorithm::RacyGetAndAdd => {
                ReleaseMachine::Racy(racy_get_and_add::Release::new(k, profile))
            }
            Algorithm::NonAtomicRelease => {
                ReleaseMachine::NonAtomic(non_atomic_release::Release::new(k, profile))
            }
        }
    }

    /// The machine of any [`RefOp`].
    pub fn machine(self, op: RefOp, profile: &RefCountProfile) -> OpMachine {
        match op {
            RefOp::Retain(k) => OpMachine::Retain(self.retain(k, profile)),
            RefOp::Release(k) => OpMachine::Release(self.release(k, profile)),
        }
    }
}

/// A retain machine of any algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RetainMachine {
    /// Even/odd retain.
    EvenOdd(even_odd::Retain),
    /// CAS-loop retain (also the #2187 mutant's).
    CasLoop(cas_loop::Retain),
    /// Racy getAndAdd retain.
    Racy(racy_get_and_add::Retain),
}

impl StepMachine for RetainMachine {
    type Output = ();

    #[inline]
    fn action(&self) -> Action<()> {
        match self {
            RetainMachine::EvenOdd(m) => m.action(),
            RetainMachine::CasLoop(m) => m.action(),
            RetainMachine::Racy(m) => m.action(),
        }
    }

    #[inline]
    fn advance(self, observed: i32) -> Self {
        match self {
            RetainMachine::EvenOdd(m) => RetainMachine::EvenOdd(m.advance(observed)),
            RetainMachine::CasLoop(m) => RetainMachine::CasLoop(m.advance(observed)),
            RetainMachine::Racy(m) => RetainMachine::Racy(m.advance(observed)),
        }
    }
}

/// A release machine of any algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReleaseMachine {
    /// Even/odd release.
    EvenOdd(even_odd::Release),
    /// CAS-loop release.
    CasLoop(cas_loop::Release),
    /// Racy getAndAdd release.
    Racy(racy_get_and_add::Release),
    /// The #2187 mutant's read-then-store release.
    NonAtomic(non_atomic_release::Release),
}

impl StepMachine for ReleaseMachine {
    type Output = bool;

    #[inline]
    fn action(&self) -> Action<bool> {
        match self {
            ReleaseMachine::EvenOdd(m) => m.action(),
            ReleaseMachine::CasLoop(m) => m.action(),
            ReleaseMachine::Racy(m) => m.action(),
            ReleaseMachine::NonAtomic(m) => m.action(),
        }
    }

    #[inline]
    fn advance(self, observed: i32) -> Self {
        match self {
            ReleaseMachine::EvenOdd(m) => ReleaseMachine::EvenOdd(m.advance(observed)),
            ReleaseMachine::CasLoop(m) => ReleaseMachine::CasLoop(m.advance(observed)),
            ReleaseMachine::Racy(m) => ReleaseMachine::Racy(m.advance(observed)),
            ReleaseMachine::NonAtomic(m) => ReleaseMachine::NonAtomic(m.advance(observed)),
        }
    }
}

/// A machine of any [`RefOp`], with the outcome as an [`OpOutcome`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OpMachine {
    /// A retain.
    Retain(RetainMachine),
    /// A release.
    Release(ReleaseMachine),
}

impl StepMachine for OpMachine {
    type Output = OpOutcome;

    fn action(&self) -> Action<OpOutcome> {
        match self {
            OpMachine::Retain(m) => match m.action() {
                Action::Step(step) => Action::Step(step),
                Action::Done(result) => Action::Done(result.map(|()| OpOutcome::Retained)),
            },
            OpMachine::Release(m) => match m.action() {
                Action::Step(step) => Action::Step(step),
                Action::Done(result) => {
                    Action::Done(result.map(|deallocate| OpOutcome::Released { deallocate }))
                }
            },
        }
    }

    fn advance(self, observed: i32) -> Self {
        match self {
            OpMachine::Retain(m) => OpMachine::Retain(m.advance(observed)),
            OpMachine::Release(m) => OpMachine::Release(m.advance(observed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ArgumentErrorStyle;
    use crate::refcnt::machine::run_solo;
    use crate::JavaClass;

    const ALL: [Algorithm; 4] = [
        Algorithm::EvenOdd,
        Algorithm::CasLoop,
        Algorithm::RacyGetAndAdd,
        Algorithm::NonAtomicRelease,
    ];

    #[test]
    fn selection_prefers_the_refcount_mutants() {
        let mut p = RefCountProfile::netty_4_1();
        assert_eq!(Algorithm::select(&p, Mutant::None), Algorithm::EvenOdd);
        assert_eq!(
            Algorithm::select(&p, Mutant::SubpageDoubleFree),
            Algorithm::EvenOdd
        );
        assert_eq!(
            Algorithm::select(&p, Mutant::RacyRefcount),
            Algorithm::RacyGetAndAdd
        );
        assert_eq!(
            Algorithm::select(&p, Mutant::NonAtomicRelease),
            Algorithm::NonAtomicRelease
        );
        p.algorithm = RefCountAlgorithm::CasLoop;
        assert_eq!(Algorithm::select(&p, Mutant::None), Algorithm::CasLoop);
    }

    #[test]
    fn non_positive_amounts_are_rejected_before_any_step_in_both_styles() {
        let mut p = RefCountProfile::netty_4_1();
        for algorithm in ALL {
            p.argument_error_style = ArgumentErrorStyle::SpaceBeforeColon;
            let m = algorithm.machine(RefOp::Retain(0), &p);
            let Action::Done(Err(e)) = m.action() else {
                panic!("{algorithm}: not rejected")
            };
            assert_eq!(e.class, JavaClass::IllegalArgument);
            assert_eq!(e.message, "increment : 0 (expected: > 0)");
            let m = algorithm.machine(RefOp::Release(-3), &p);
            let Action::Done(Err(e)) = m.action() else {
                panic!("{algorithm}: not rejected")
            };
            assert_eq!(e.message, "decrement : -3 (expected: > 0)");

            p.argument_error_style = ArgumentErrorStyle::NoSpace;
            let (raw, r) = run_solo(7, algorithm.machine(RefOp::Retain(0), &p));
            assert_eq!(raw, 7, "{algorithm}: the cell must not be touched");
            assert_eq!(r.unwrap_err().message, "increment: 0 (expected: > 0)");
            let (_, r) = run_solo(7, algorithm.machine(RefOp::Release(0), &p));
            assert_eq!(r.unwrap_err().message, "decrement: 0 (expected: > 0)");
        }
    }

    #[test]
    fn every_algorithm_counts_the_same_way_sequentially() {
        let p = RefCountProfile::netty_4_1();
        for algorithm in ALL {
            let raw = algorithm.initial_raw();
            assert_eq!(algorithm.real_count(raw), 1);
            let run = |raw: i32, op| run_solo(raw, algorithm.machine(op, &p));
            let (raw, r) = run(raw, RefOp::Retain(3));
            assert_eq!(r, Ok(OpOutcome::Retained));
            let (raw, r) = run(raw, RefOp::Release(2));
            assert_eq!(r, Ok(OpOutcome::Released { deallocate: false }));
            assert_eq!(algorithm.real_count(raw), 2);
            let (raw, r) = run(raw, RefOp::Release(3));
            assert_eq!(
                r.unwrap_err().message,
                "refCnt: 2, decrement: 3",
                "{algorithm}"
            );
            let (raw, r) = run(raw, RefOp::Release(2));
            assert_eq!(r, Ok(OpOutcome::Released { deallocate: true }));
            assert_eq!(algorithm.real_count(raw), 0);
            assert!(!algorithm.is_live(raw) && !algorithm.is_accessible(raw));
            let (raw, r) = run(raw, RefOp::Retain(1));
            assert_eq!(
                r.unwrap_err().message,
                "refCnt: 0, increment: 1",
                "{algorithm}"
            );
            let (_, r) = run(raw, RefOp::Release(1));
            assert_eq!(
                r.unwrap_err().message,
                "refCnt: 0, decrement: 1",
                "{algorithm}"
            );
        }
    }

    #[test]
    fn set_ref_cnt_encoding() {
        assert_eq!(Algorithm::EvenOdd.raw_for_count(5), 10);
        assert_eq!(Algorithm::EvenOdd.raw_for_count(0), 1);
        assert_eq!(Algorithm::CasLoop.raw_for_count(5), 5);
        assert_eq!(Algorithm::EvenOdd.real_count(3), 0);
        assert!(Algorithm::EvenOdd.is_accessible(4) && !Algorithm::EvenOdd.is_accessible(3));
        assert!(
            Algorithm::RacyGetAndAdd.is_accessible(-1),
            "Netty only checks != 0"
        );
    }
}
