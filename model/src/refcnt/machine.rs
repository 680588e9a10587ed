//! The micro-step vocabulary shared by every reference-count algorithm.
//!
//! A retain or release is a *pure* state machine. [`StepMachine::action`] names the next
//! atomic micro-step on the shared raw `i32` cell (or the finished outcome), and
//! [`StepMachine::advance`] is the transition given the value that micro-step observed.
//! The atomic wrapper ([`super::RefCnt`]), the deterministic interpreter
//! ([`super::interpreter`]) and the exhaustive proofs all execute the same machines, so
//! they cannot drift apart.

use crate::error::{JavaException, JavaResult};
use crate::profile::RefCountProfile;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One atomic micro-step on the raw reference-count cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MicroStep {
    /// Read the cell. `volatile: false` is Netty's `Unsafe.getInt` plain read (a relaxed
    /// load: it may see a stale value); `true` is a volatile read.
    Load {
        /// Whether the read is volatile (sequentially consistent).
        volatile: bool,
    },
    /// `getAndAdd(delta)` with Java `int` wraparound; observes the old value.
    GetAndAdd(i32),
    /// `compareAndSet(expected, new)`; observes the value found (success iff it equals
    /// `expected`).
    CompareExchange {
        /// The value the cell must hold for the exchange to happen.
        expected: i32,
        /// The value written on success.
        new: i32,
    },
    /// A plain volatile store (no read-modify-write); the observed value is ignored.
    Store(i32),
    /// `Thread.yield()`: no effect on the cell; the observed value is ignored.
    Yield,
}

impl MicroStep {
    /// Executes the step sequentially consistently on a plain cell value: returns
    /// `(observed, new cell value)`. The interpreter and the proofs use this; the
    /// atomic wrapper executes the same step on a real atomic instead.
    pub fn apply(self, cell: i32) -> (i32, i32) {
        match self {
            MicroStep::Load { .. } | MicroStep::Yield => (cell, cell),
            MicroStep::GetAndAdd(delta) => (cell, cell.wrapping_add(delta)),
            MicroStep::CompareExchange { expected, new } => {
                (cell, if cell == expected { new } else { cell })
            }
            MicroStep::Store(value) => (cell, value),
        }
    }

    /// True when the step can change the cell.
    pub fn writes(self) -> bool {
        matches!(
            self,
            MicroStep::GetAndAdd(_) | MicroStep::CompareExchange { .. } | MicroStep::Store(_)
        )
    }
}

impl fmt::Display for MicroStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MicroStep::Load { volatile: true } => f.write_str("load(volatile)"),
            MicroStep::Load { volatile: false } => f.write_str("load(plain)"),
            MicroStep::GetAndAdd(delta) => write!(f, "getAndAdd({delta})"),
            MicroStep::CompareExchange { expected, new } => write!(f, "cas({expected} -> {new})"),
            MicroStep::Store(value) => write!(f, "store({value})"),
            MicroStep::Yield => f.write_str("yield"),
        }
    }
}

/// What a machine does next: one micro-step, or it has finished with an outcome.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action<T> {
    /// Execute this micro-step, then call [`StepMachine::advance`] with what it observed.
    Step(MicroStep),
    /// The operation is over: its result, errors carrying Netty's exact texts.
    Done(JavaResult<T>),
}

/// A retain or release as a pure state machine over micro-steps.
pub trait StepMachine: Sized {
    /// The successful result (`()` for retain, `bool` "deallocate" for release).
    type Output;

    /// The next micro-step, or the finished outcome.
    fn action(&self) -> Action<Self::Output>;

    /// The pure transition after the micro-step named by [`StepMachine::action`] observed
    /// `observed` (see [`MicroStep`] for what each step observes). A finished machine is
    /// returned unchanged.
    fn advance(self, observed: i32) -> Self;

    /// The outcome of a finished machine moved out of it (its exception boxed, so the
    /// executing loop stays narrow), or the machine back. The default moves nothing
    /// (the executor then clones it out of `action`); the hot machines move it.
    #[inline(always)]
    fn take_outcome(self) -> Result<Finished<Self::Output>, Self> {
        Err(self)
    }
}

/// A reference-count operation as a value: what a logical thread does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefOp {
    /// `retain(k)`.
    Retain(i32),
    /// `release(k)`.
    Release(i32),
}

impl fmt::Display for RefOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefOp::Retain(k) => write!(f, "retain({k})"),
            RefOp::Release(k) => write!(f, "release({k})"),
        }
    }
}

/// The successful outcome of a [`RefOp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpOutcome {
    /// The retain succeeded.
    Retained,
    /// The release succeeded; `deallocate` is true for the final release (the caller
    /// must call `deallocate()`).
    Released {
        /// True when this release dropped the count to zero.
        deallocate: bool,
    },
    /// `ensureAccessible()` read a live count.
    Accessed,
}

impl fmt::Display for OpOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpOutcome::Retained => f.write_str("retained"),
            OpOutcome::Released { deallocate: true } => f.write_str("released, deallocate"),
            OpOutcome::Released { deallocate: false } => f.write_str("released"),
            OpOutcome::Accessed => f.write_str("accessible"),
        }
    }
}

/// Runs `machine` alone on a plain cell holding `raw` until it finishes; returns the
/// final cell value and the outcome. A machine running alone always finishes (its CAS
/// cannot fail), so this is the sequential semantics of an operation.
pub fn run_solo<M: StepMachine>(raw: i32, machine: M) -> (i32, JavaResult<M::Output>) {
    let mut cell = raw;
    let mut machine = machine;
    loop {
        match machine.action() {
            Action::Done(result) => return (cell, result),
            Action::Step(step) => {
                let (observed, next) = step.apply(cell);
                cell = next;
                machine = machine.advance(observed);
            }
        }
    }
}

/// A finished machine's outcome as the machine holds it: the exception boxed, so a
/// machine is a few registers wide while it steps (with a `JavaException` inline the
/// even/odd release was spilled and reloaded around every micro-step, and the reload
/// stalled on store forwarding). [`unbox`] gives the [`JavaResult`] back.
pub type Finished<T> = crate::error::BoxedResult<T>;

/// A [`Finished`] outcome as a [`JavaResult`].
#[inline(always)]
pub fn unbox<T>(outcome: Finished<T>) -> JavaResult<T> {
    outcome.map_err(|e| *e)
}

/// `ObjectUtil.checkPositive(amount, what)`: every algorithm rejects `k <= 0` before any
/// micro-step with the profile's `IllegalArgumentException` text.
pub(crate) fn check_positive(
    amount: i32,
    what: &str,
    profile: &RefCountProfile,
) -> Result<i32, JavaException> {
    if amount > 0 {
        Ok(amount)
    } else {
        Err(profile.non_positive_amount(what, amount))
    }
}

/// `IllegalReferenceCountException(refCnt, increment)` (a negative `delta` is printed
/// as a decrement).
pub(crate) fn irce(ref_cnt: i32, delta: i64) -> JavaException {
    JavaException::ref_cnt_change(i64::from(ref_cnt), delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_follows_java_int_semantics() {
        assert_eq!(
            MicroStep::GetAndAdd(2).apply(i32::MAX - 1),
            (i32::MAX - 1, i32::MIN)
        );
        assert_eq!(MicroStep::Load { volatile: false }.apply(7), (7, 7));
        let cas = MicroStep::CompareExchange {
            expected: 2,
            new: 1,
        };
        assert_eq!(cas.apply(2), (2, 1));
        assert_eq!(cas.apply(4), (4, 4));
        assert_eq!(MicroStep::Store(5).apply(3), (3, 5));
        assert_eq!(MicroStep::Yield.apply(9), (9, 9));
        assert!(cas.writes() && !MicroStep::Yield.writes());
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(
            MicroStep::CompareExchange {
                expected: 2,
                new: 1
            }
            .to_string(),
            "cas(2 -> 1)"
        );
        assert_eq!(RefOp::Release(2).to_string(), "release(2)");
        assert_eq!(
            OpOutcome::Released { deallocate: true }.to_string(),
            "released, deallocate"
        );
    }
}
