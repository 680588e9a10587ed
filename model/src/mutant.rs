//! Mutants: known real Netty bugs that can be switched on one at a time.
//!
//! A `Mutant` is a runtime value (default [`Mutant::None`]) threaded through the
//! configuration. Every checker must catch the mutants it is meant for; a surviving
//! mutant is a hole in the checkers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One deliberately re-introduced bug, or none.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mutant {
    /// No bug switched on.
    #[default]
    None,
    /// #8563: the 4.1.17–4.1.31 optimistic getAndAdd-with-undo refcount.
    RacyRefcount,
    /// #2187: the release decision reads a stale, non-atomic count (load then store).
    NonAtomicRelease,
    /// #5999: a retained derivative releases the root instead of its direct parent.
    DerivedReleasesRoot,
    /// #5347: a derived buffer recycles itself before releasing its parent.
    RecycleBeforeParentRelease,
    /// Free runs are not coalesced with their neighbours after a free.
    UncoalescedFreeRuns,
    /// #13467 → #12564: a reallocating `capacity()` frees the old handle twice (the
    /// effect of two racing `capacity()` calls, #13478) and the subpage's XOR free does
    /// not notice the slot is already free.
    SubpageDoubleFree,
    /// 88b093c481: a freed chunk moves down only one chunk list.
    ChunkMovesOneList,
    /// #10896: fully free single-element subpages are never released to the chunk.
    SingleElementSubpageKept,
    /// #12749: releases are queued into an already freed thread cache.
    AddToFreedCache,
    /// #8108: a thread cache is freed both by `onRemoval` and by its finalizer.
    CacheFreedTwice,
    /// #13414: derivatives are sampled by the leak detector independently.
    DerivativesSampledIndependently,
    /// #6087/#8410: a buffer can be collected before `close()` finishes (false LEAK).
    CollectBeforeClose,
}

impl Mutant {
    /// Every mutant, `None` first.
    pub const ALL: &'static [Mutant] = &[
        Mutant::None,
        Mutant::RacyRefcount,
        Mutant::NonAtomicRelease,
        Mutant::DerivedReleasesRoot,
        Mutant::RecycleBeforeParentRelease,
        Mutant::UncoalescedFreeRuns,
        Mutant::SubpageDoubleFree,
        Mutant::ChunkMovesOneList,
        Mutant::SingleElementSubpageKept,
        Mutant::AddToFreedCache,
        Mutant::CacheFreedTwice,
        Mutant::DerivativesSampledIndependently,
        Mutant::CollectBeforeClose,
    ];

    /// Stable kebab-case name, as used in traces and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::None => "none",
            Mutant::RacyRefcount => "racy-refcount",
            Mutant::NonAtomicRelease => "non-atomic-release",
            Mutant::DerivedReleasesRoot => "derived-releases-root",
            Mutant::RecycleBeforeParentRelease => "recycle-before-parent-release",
            Mutant::UncoalescedFreeRuns => "uncoalesced-free-runs",
            Mutant::SubpageDoubleFree => "subpage-double-free",
            Mutant::ChunkMovesOneList => "chunk-moves-one-list",
            Mutant::SingleElementSubpageKept => "single-element-subpage-kept",
            Mutant::AddToFreedCache => "add-to-freed-cache",
            Mutant::CacheFreedTwice => "cache-freed-twice",
            Mutant::DerivativesSampledIndependently => "derivatives-sampled-independently",
            Mutant::CollectBeforeClose => "collect-before-close",
        }
    }

    /// The Netty issue or commit the mutant re-introduces.
    pub fn netty_reference(self) -> &'static str {
        match self {
            Mutant::None => "-",
            Mutant::RacyRefcount => "#8563",
            Mutant::NonAtomicRelease => "#2187",
            Mutant::DerivedReleasesRoot => "#5999",
            Mutant::RecycleBeforeParentRelease => "#5347",
            Mutant::UncoalescedFreeRuns => "PoolChunk coalescing",
            Mutant::SubpageDoubleFree => "#13467/#12564",
            Mutant::ChunkMovesOneList => "88b093c481",
            Mutant::SingleElementSubpageKept => "#10896",
            Mutant::AddToFreedCache => "#12749",
            Mutant::CacheFreedTwice => "#8108",
            Mutant::DerivativesSampledIndependently => "#13414",
            Mutant::CollectBeforeClose => "#6087",
        }
    }

    /// Parses a mutant name (see [`Mutant::name`]).
    pub fn by_name(name: &str) -> Option<Mutant> {
        Mutant::ALL.iter().copied().find(|m| m.name() == name)
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
