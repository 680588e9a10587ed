//! Mutants: known real Netty bugs and plausible slips, switched on one at a time, each
//! a single point of deviation in the model's code.
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
    /// Free runs are not coalesced with their neighbours after a free (the buddy tree
    /// of ≤4.1.51: `updateParentsFree` never merges two wholly free buddies).
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
    /// #14247 → #14250: a recycled pooled derivative keeps its `parent` field, so a leaked
    /// parent stays reachable from the recycler and is never reported.
    RecycledDerivativeKeepsParent,
    /// #11939 (reports #10821): `freeEntry` read the size class after recycling the cache
    /// entry, so a small handle trimmed or freed from a thread cache is freed as a normal run.
    SmallFreedAsNormal,
    /// #2924: `MemoryRegionCache.trim` frees entries to the arena but leaves them queued
    /// (a stale head), so the cache later hands out a freed handle.
    TrimKeepsEntries,
    /// #5833: a finalized (collected) arena never destroys its chunks: native memory and
    /// Netty's direct counter leak.
    ArenaChunksKeptOnFinalize,
    /// #5216 (and #4829, #6282): freeing a huge buffer decrements `deallocationsHuge`
    /// instead of incrementing it, so the metrics show it still active.
    HugeDeallocationDecremented,
    /// A plausible slip: the thread cache polls the queue one size class off, so a
    /// cached element or run of the next larger class is handed out.
    CacheOffByOne,
    /// A plausible slip: `readSlice(n)` returns the slice but does not advance the
    /// reader index.
    ReadSliceKeepsReaderIndex,
    /// A plausible slip: `copy()` through `UnsafeByteBufUtil.copy` copies the memory but
    /// skips `setIndex(0, length)`, so the copy reads as empty.
    CopyWithoutWriterIndex,
    /// #11101 → #11106: with `directMemoryCacheAlignment`, subpage elements are placed
    /// by the unaligned size but span the aligned one: two live buffers overlap.
    OverlappingAlignedElements,
    /// #11955 → #11987: alignment ignored for the element size: `maxLength` is the
    /// unaligned class size, below the request (`AssertionError` req > elemSize).
    UnalignedElementLength,
    /// #14093 undone: a `duplicate()` / `retainedDuplicate()` of a slice duplicates the
    /// root (the root's capacity and window) where the profile says it is a slice of
    /// the same range.
    DuplicateOfSliceWidened,
    /// #4198 → #4388: `PoolChunk.free` changes a subpage (and its pool list) under the
    /// arena lock only, without the pool's head lock, racing the arena's small fast path
    /// that holds only that head lock: it allocates from a subpage just destroyed.
    SubpageListUnlocked,
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
        Mutant::RecycledDerivativeKeepsParent,
        Mutant::SmallFreedAsNormal,
        Mutant::TrimKeepsEntries,
        Mutant::ArenaChunksKeptOnFinalize,
        Mutant::HugeDeallocationDecremented,
        Mutant::CacheOffByOne,
        Mutant::ReadSliceKeepsReaderIndex,
        Mutant::CopyWithoutWriterIndex,
        Mutant::OverlappingAlignedElements,
        Mutant::UnalignedElementLength,
        Mutant::DuplicateOfSliceWidened,
        Mutant::SubpageListUnlocked,
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
            Mutant::RecycledDerivativeKeepsParent => "recycled-derivative-keeps-parent",
            Mutant::SmallFreedAsNormal => "small-freed-as-normal",
            Mutant::TrimKeepsEntries => "trim-keeps-entries",
            Mutant::ArenaChunksKeptOnFinalize => "arena-chunks-kept-on-finalize",
            Mutant::HugeDeallocationDecremented => "huge-deallocation-decremented",
            Mutant::CacheOffByOne => "cache-off-by-one",
            Mutant::ReadSliceKeepsReaderIndex => "read-slice-keeps-reader-index",
            Mutant::CopyWithoutWriterIndex => "copy-without-writer-index",
            Mutant::OverlappingAlignedElements => "overlapping-aligned-elements",
            Mutant::UnalignedElementLength => "unaligned-element-length",
            Mutant::DuplicateOfSliceWidened => "duplicate-of-slice-widened",
            Mutant::SubpageListUnlocked => "subpage-list-unlocked",
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
            Mutant::CollectBeforeClose => "#6087/#8410",
            Mutant::RecycledDerivativeKeepsParent => "#14250",
            Mutant::SmallFreedAsNormal => "#11939",
            Mutant::TrimKeepsEntries => "#2924",
            Mutant::ArenaChunksKeptOnFinalize => "#5833",
            Mutant::HugeDeallocationDecremented => "#5216",
            Mutant::CacheOffByOne => "slip",
            Mutant::ReadSliceKeepsReaderIndex => "slip",
            Mutant::CopyWithoutWriterIndex => "slip",
            Mutant::OverlappingAlignedElements => "#11106",
            Mutant::UnalignedElementLength => "#11987",
            Mutant::DuplicateOfSliceWidened => "#14093",
            Mutant::SubpageListUnlocked => "#4388",
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
