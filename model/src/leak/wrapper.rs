//! The leak-aware wrapper policy the buffer layer follows (4.1.128
//! `AbstractByteBufAllocator.toLeakAwareBuffer`, `SimpleLeakAwareByteBuf`,
//! `AdvancedLeakAwareByteBuf`): which wrapper a tracked buffer gets, which operations
//! record an access, and how derivatives are tracked.
//!
//! Order of effects the buffer layer must keep: an advanced wrapper records *before*
//! performing the operation (so a `release()` that closes the tracker is itself
//! recorded, and a failing access is recorded too); `release()` closes the tracker
//! (via `LeakDetector::close_on_release`) only when it drops the count to 0.

use super::level::LeakLevel;
use crate::mutant::Mutant;
use crate::profile::LeakProfile;
use serde::{Deserialize, Serialize};

/// Which leak-aware wrapper a tracked buffer wears; fixed when it is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WrapperKind {
    /// `SimpleLeakAwareByteBuf`: records nothing after creation.
    Simple,
    /// `AdvancedLeakAwareByteBuf`: records ref-count operations and most accessors.
    Advanced,
}

impl WrapperKind {
    /// `toLeakAwareBuffer`'s choice for a newly tracked allocation at `level`.
    /// Derivatives inherit their parent's kind instead.
    pub fn for_level(level: LeakLevel) -> Option<WrapperKind> {
        match level {
            LeakLevel::Disabled => None,
            LeakLevel::Simple => Some(WrapperKind::Simple),
            LeakLevel::Advanced | LeakLevel::Paranoid => Some(WrapperKind::Advanced),
        }
    }
}

/// A buffer operation as the wrappers classify it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessKind {
    /// `retain()` / `retain(n)`.
    Retain,
    /// `release()` / `release(n)`.
    Release,
    /// `touch()` / `touch(hint)` (the hint goes into the record).
    Touch,
    /// `get*`, `read*`, `readBytes`, `skipBytes`, `indexOf`, `bytesBefore`,
    /// `forEachByte*`, `toString(charset)`, `nioBuffer*`, `internalNioBuffer`.
    Read,
    /// `set*`, `write*`, `setZero`, `writeZero`, `ensureWritable`, `discard*ReadBytes`.
    Write,
    /// `slice()`, `slice(i, n)`, `readSlice(n)`.
    Slice,
    /// `duplicate()`.
    Duplicate,
    /// `retainedSlice()`, `retainedSlice(i, n)`, `readRetainedSlice(n)`.
    RetainedSlice,
    /// `retainedDuplicate()`.
    RetainedDuplicate,
    /// `asReadOnly()`.
    ReadOnly,
    /// `order(endianness)`.
    Order,
    /// `copy()`, `copy(i, n)`.
    Copy,
    /// `capacity(newCapacity)`.
    CapacityChange,
    /// Not overridden, never recorded: `capacity()`, `maxCapacity()`, `refCnt()`,
    /// reader/writer indexes, `readableBytes()`, `isReadable()`, `toString()`, …
    Metadata,
}

impl AccessKind {
    /// Retain, release and touch record even with `acquireAndReleaseOnly`.
    pub fn is_acquire_or_release(self) -> bool {
        matches!(
            self,
            AccessKind::Retain | AccessKind::Release | AccessKind::Touch
        )
    }
}

/// Whether a buffer wearing `wrapper` records `op` on its tracker.
pub fn wrapper_records(
    wrapper: WrapperKind,
    op: AccessKind,
    acquire_and_release_only: bool,
) -> bool {
    match wrapper {
        WrapperKind::Simple => false,
        WrapperKind::Advanced => match op {
            AccessKind::Metadata => false,
            op if op.is_acquire_or_release() => true,
            _ => !acquire_and_release_only,
        },
    }
}

/// Whether a tracked buffer allocated at `level` records `op` (its wrapper is
/// [`WrapperKind::for_level`]`(level)`; untracked buffers never record).
pub fn records_access(level: LeakLevel, op: AccessKind, acquire_and_release_only: bool) -> bool {
    WrapperKind::for_level(level).is_some_and(|w| wrapper_records(w, op, acquire_and_release_only))
}

/// How a derivative's leak tracking is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DerivativeTracking {
    /// The parent is not tracked: the derivative is a plain buffer.
    Untracked,
    /// Wrapped with the parent's tracker and tracked object (same wrapper kind).
    ShareParent,
    /// `trackForcibly(derived)`: its own tracker, wrapped like the parent; the
    /// derivative's `parent` field is pointed at the parent's wrapper.
    ForceOwn,
    /// `track(derived)` (≤ 4.1.93): its own tracker if sampled, else a plain buffer.
    SampleOwn,
}

/// The derivative tracking rule of `SimpleLeakAwareByteBuf` (inherited by the advanced
/// wrapper). `op` is the deriving operation; `pooled_derived` is true when the result
/// is a recycled `PooledSlicedByteBuf`/`PooledDuplicatedByteBuf` (a retained derivative
/// of a pooled buffer or of such a derivative); unpooled retained derivatives are
/// `slice().retain()` and share the tracker. Non-deriving `op`s give `ShareParent`.
pub fn derivative_tracking(
    parent_tracked: bool,
    op: AccessKind,
    pooled_derived: bool,
    profile: &LeakProfile,
    mutant: Mutant,
) -> DerivativeTracking {
    if !parent_tracked {
        return DerivativeTracking::Untracked;
    }
    let retained = matches!(
        op,
        AccessKind::RetainedSlice | AccessKind::RetainedDuplicate
    );
    if !retained || !pooled_derived {
        return DerivativeTracking::ShareParent;
    }
    if profile.retained_derivatives_tracked && mutant != Mutant::DerivativesSampledIndependently {
        DerivativeTracking::ForceOwn
    } else {
        DerivativeTracking::SampleOwn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessKind::*;

    const ALL_OPS: [AccessKind; 14] = [
        Retain,
        Release,
        Touch,
        Read,
        Write,
        Slice,
        Duplicate,
        RetainedSlice,
        RetainedDuplicate,
        ReadOnly,
        Order,
        Copy,
        CapacityChange,
        Metadata,
    ];

    #[test]
    fn simple_wrappers_record_nothing_and_disabled_has_no_wrapper() {
        for op in ALL_OPS {
            for aro in [false, true] {
                assert!(!records_access(LeakLevel::Simple, op, aro), "{op:?}");
                assert!(!records_access(LeakLevel::Disabled, op, aro), "{op:?}");
            }
        }
        assert_eq!(WrapperKind::for_level(LeakLevel::Disabled), None);
        assert_eq!(
            WrapperKind::for_level(LeakLevel::Paranoid),
            Some(WrapperKind::Advanced)
        );
    }

    #[test]
    fn advanced_and_paranoid_record_all_but_metadata() {
        for level in [LeakLevel::Advanced, LeakLevel::Paranoid] {
            for op in ALL_OPS {
                assert_eq!(
                    records_access(level, op, false),
                    op != Metadata,
                    "{level} {op:?}"
                );
            }
        }
    }

    #[test]
    fn acquire_and_release_only_keeps_retain_release_touch() {
        let kept: Vec<_> = ALL_OPS
            .into_iter()
            .filter(|op| records_access(LeakLevel::Advanced, *op, true))
            .collect();
        assert_eq!(kept, [Retain, Release, Touch]);
    }

    #[test]
    fn derivative_rules_follow_the_profile_and_mutant() {
        let p = LeakProfile::netty_4_1();
        let mut old = p.clone();
        old.retained_derivatives_tracked = false;
        let rule = |tracked, op, pooled, p: &LeakProfile, m| {
            derivative_tracking(tracked, op, pooled, p, m)
        };
        for op in [Slice, Duplicate, ReadOnly, Order] {
            assert_eq!(
                rule(true, op, true, &p, Mutant::None),
                DerivativeTracking::ShareParent
            );
        }
        assert_eq!(
            rule(false, RetainedSlice, true, &p, Mutant::None),
            DerivativeTracking::Untracked
        );
        assert_eq!(
            rule(true, RetainedSlice, false, &p, Mutant::None),
            DerivativeTracking::ShareParent
        );
        assert_eq!(
            rule(true, RetainedSlice, true, &p, Mutant::None),
            DerivativeTracking::ForceOwn
        );
        assert_eq!(
            rule(true, RetainedDuplicate, true, &p, Mutant::None),
            DerivativeTracking::ForceOwn
        );
        assert_eq!(
            rule(
                true,
                RetainedDuplicate,
                true,
                &p,
                Mutant::DerivativesSampledIndependently
            ),
            DerivativeTracking::SampleOwn
        );
        assert_eq!(
            rule(true, RetainedSlice, true, &old, Mutant::None),
            DerivativeTracking::SampleOwn
        );
    }
}
