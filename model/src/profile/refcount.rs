//! Reference-count protocol fields of a profile (netty.md §6).

use crate::error::{JavaClass, JavaException};
use serde::{Deserialize, Serialize};

/// Which reference-count algorithm a release uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefCountAlgorithm {
    /// 4.1.32+: raw even/odd count, `getAndAdd` retain, CAS release (#8583).
    EvenOdd,
    /// ≤4.1.16: a plain CAS loop on the real count.
    CasLoop,
    /// 4.1.17–4.1.31: optimistic `getAndAdd` with undo, racy (#8563).
    RacyGetAndAdd,
}

/// How `ObjectUtil.checkPositive` spaces its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArgumentErrorStyle {
    /// `increment: 0 (expected: > 0)` (4.1.48).
    NoSpace,
    /// `increment : 0 (expected: > 0)` (4.1.128).
    SpaceBeforeColon,
}

/// Reference-count behaviour of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefCountProfile {
    /// The retain/release algorithm.
    pub algorithm: RefCountAlgorithm,
    /// Spacing of the non-positive-amount `IllegalArgumentException`.
    pub argument_error_style: ArgumentErrorStyle,
    /// `io.netty.buffer.checkAccessible` (default true).
    pub check_accessible: bool,
}

impl RefCountProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        RefCountProfile {
            algorithm: RefCountAlgorithm::EvenOdd,
            argument_error_style: ArgumentErrorStyle::SpaceBeforeColon,
            check_accessible: true,
        }
    }

    /// 4.1.48.Final: the same even/odd algorithm, `checkPositive` without the space.
    pub fn netty_4_1_48() -> Self {
        RefCountProfile {
            argument_error_style: ArgumentErrorStyle::NoSpace,
            ..Self::netty_4_1()
        }
    }

    /// What `ObjectUtil`'s argument checks put between the name and the value.
    fn colon(&self) -> &'static str {
        match self.argument_error_style {
            ArgumentErrorStyle::NoSpace => ":",
            ArgumentErrorStyle::SpaceBeforeColon => " :",
        }
    }

    /// Netty's `IllegalArgumentException` for a non-positive `increment`/`decrement`
    /// (`ObjectUtil.checkPositive`), spaced per [`RefCountProfile::argument_error_style`]:
    /// `increment: 0 (expected: > 0)` (4.1.48) or `increment : 0 (expected: > 0)` (4.1.128).
    pub fn non_positive_amount(&self, what: &str, amount: i32) -> JavaException {
        let message = format!("{what}{} {amount} (expected: > 0)", self.colon());
        JavaException::new(JavaClass::IllegalArgument, message)
    }

    /// Netty's `IllegalArgumentException` for a negative argument
    /// (`ObjectUtil.checkPositiveOrZero`): `initialCapacity : -1 (expected: >= 0)`
    /// (4.1.128), without the space in 4.1.48.
    pub fn negative_amount(&self, what: &str, amount: i64) -> JavaException {
        let message = format!("{what}{} {amount} (expected: >= 0)", self.colon());
        JavaException::new(JavaClass::IllegalArgument, message)
    }
}
