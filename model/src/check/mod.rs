//! The invariant checker: every named invariant is one function returning
//! `Result<(), Violation>`, and [`REGISTRY`] lists every name with its meaning (for
//! traces, reports, the mutant table and the docs).
//!
//! The allocator invariants of `pool::invariants` and the leak-detector invariants of
//! `leak::checks` are registered here, not duplicated. Checks that need the program's
//! view (expected bytes, usage) take it as arguments; the executor in `sim` supplies it.

pub mod buddy_tree;
mod bytes;
mod cache;
mod end;
mod ledger;
pub mod netty;
mod objects;
mod places;
mod touched;

pub use bytes::{bytes_as_written, object_root_bytes};
pub use cache::{
    caches_freed_once, stranded_entries, StrandedReport, KNOWN_BUG_ADD_TO_FREED_CACHE,
};
pub use end::{
    direct_counter_zero_after_destroy, leak_free_zero_usage, leaked_bytes_exact, shadow_agreement,
    usage_matches_model,
};
pub use ledger::{LeakedRegion, Ledger};
pub use objects::{derived_keeps_parent_alive, model_raised_no_assertion, refcount_parity};
pub use places::{
    arena_metrics_consistent, direct_counter_consistent, free_subpage_returned_unless_alone,
    handle_in_exactly_one_place, live_handles_match_size_class, pinned_memory_consistent,
};
pub use touched::ArenaWatch;

use crate::alloc::pooled::PooledAllocator;
use crate::pool::ArenaCore;
use crate::violation::Violation;

/// One named invariant (or named finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invariant {
    /// The stable name.
    pub name: &'static str,
    /// One line: what must hold.
    pub meaning: &'static str,
    /// Where netty.md states it (§9 item or §8 row).
    pub source: &'static str,
}

const fn inv(name: &'static str, source: &'static str, meaning: &'static str) -> Invariant {
    Invariant {
        name,
        meaning,
        source,
    }
}

/// The model agrees with the shadow model: the invariant every executor comparison
/// checks, named by value where it is raised.
pub const SHADOW_AGREEMENT: Invariant = inv(
    "shadow_agreement",
    "§6",
    "the model's result, counts and releases agree with the sequential shadow model",
);

impl Invariant {
    /// A violation of this invariant.
    pub fn violated(&self, message: impl Into<String>) -> Violation {
        Violation::new(self.name, message)
    }
}

/// Every invariant and finding name, in a fixed order (`docs/invariants.md`'s table
/// lists them in this order, with these sources: `tests/book.rs` checks it).
pub const REGISTRY: &[Invariant] = &[
    inv("live_ranges_disjoint_in_bounds", "§9.1, §8 #9", "live runs and subpage elements of a chunk are disjoint and inside [0, chunkSize)"),
    inv("chunk_free_bytes_consistent", "§9.2", "a chunk's freeBytes = chunkSize − Σ used runs = Σ free runs"),
    inv("free_runs_coalesced", "§9.3", "no two free runs touch; runsAvailMap names exactly their first and last pages"),
    inv("buddy_tree_consistent", "§2.2 (4.1.48 PoolChunk.java:249–320)", "a buddy-tree chunk's memoryMap is what its used nodes imply: unusable for a used node, its depth for a wholly free subtree, else the smaller child value"),
    inv("subpage_bitmap_consistent", "§9.4, §8 #6 #7", "a subpage's numAvail equals its zero bits, within [0, maxNumElems]"),
    inv("subpage_linked_iff_available", "§9.5, §8 #19", "a subpage is linked in its pool iff numAvail > 0 and doNotDestroy"),
    inv("chunk_in_list_by_usage", "§9.6, §8 #12", "each chunk sits in exactly one list, the one its free bytes select (qInit has no lower bound)"),
    inv("free_all_returns_pages", "§3.2, §3.3", "with no handle live, a chunk's only used runs are entirely free subpages Netty keeps (alone in their pool)"),
    inv("handle_size_class_matches", "§8 #8 #10", "a live handle is a used run or element of exactly its size class"),
    inv("subpage_run_size_matches", "§2.1, §3.3", "a subpage's element size is a small class, its run is calculateRunSize(elemSize) and it holds runSize/elemSize elements"),
    inv("free_subpage_returned_unless_alone", "§8 #11", "a subpage with no element in use is kept only when it is alone in its pool"),
    inv("handle_in_exactly_one_place", "§9.7, §8 #15 #16", "every used run/element is exactly one of: a live or leaked buffer, a cache entry, a stranded entry"),
    inv("direct_counter_consistent", "§9.8, §8 #24", "DIRECT_MEMORY_COUNTER = Σ live direct chunk, huge and no-Cleaner bytes ≤ limit"),
    inv("pinned_memory_consistent", "§3 (PoolArena.numPinnedBytes)", "pinnedHeapMemory()/pinnedDirectMemory() = Σ maxLength of the live and leaked buffers on live chunks of the kind's arenas (−1 without arenas); cached memory is not pinned"),
    inv("offset_matches_handle", "§8 #9 (#11106)", "a live pooled buffer's memory starts where its handle points: runOffset·pageSize (+ bitmapIdx·elemSize), so buffers never overlap"),
    inv("arena_metrics_consistent", "§8 #14", "per class allocations − deallocations = active ≥ 0 and ≥ the handles in use; activeBytesHuge = Σ huge chunks"),
    inv("refcount_parity", "§9.9, §8 #1", "raw counts are even while the memory is held and odd (terminal) once freed"),
    inv("deallocate_at_most_once", "§9.9, §8 #1 (#8563)", "a release returns \"deallocate\" at most once per object (refcount step machines)"),
    inv("no_access_after_deallocate", "§6.1", "in a misuse-free program no micro-step touches an object's count after its deallocation"),
    inv("released_is_terminal", "§9.9, §8 #1", "once deallocated, an object's count never reads live again"),
    inv("protocol_parity", "§6.1, §9.9", "under even/odd a step machine's raw count is even until the final release and odd from then on"),
    inv("every_reference_released", "§6.1, §8 #2 (#2187)", "a finished misuse-free program deallocated every object it created exactly once"),
    inv("derived_keeps_parent_alive", "§9.10, §8 #3", "a live pooled retained derivative keeps its direct parent's count ≥ 1"),
    inv("model_raised_no_assertion", "§8 #6 #7 #8", "no op makes the model raise an internal AssertionError (double free, bad handle)"),
    inv("bytes_as_written", "§8 #9", "every live buffer reads back exactly the bytes last written to it"),
    SHADOW_AGREEMENT,
    inv("released_never_reported", "§9.11, §8 #22", "a buffer closed before it became unreachable is never reported as a leak"),
    inv("every_leak_reported", "§9.12, §8 #20 #21", "every unclosed, collected, tracked buffer is reported at the next tracked allocation"),
    inv("derivatives_tracked", "§7, §8 #20 (#13436)", "a pooled retained derivative of a tracked buffer has its own tracker (trackForcibly), never a sampled one"),
    inv("paranoid_tracks_everything", "§7", "at PARANOID every allocation is tracked"),
    inv("usage_matches_model", "issue §4", "the shadow's usage equals the bytes the model's arenas and counters still hold"),
    inv("leak_free_zero_usage", "issue §4", "a program that released everything ends with usage 0"),
    inv("leaked_bytes_exact", "issue §4", "a program that leaked ends with usage equal to exactly its leaked bytes"),
    inv("direct_counter_zero_after_destroy", "issue §4, §8 #18", "after the allocator is destroyed the direct counter is exactly 0"),
    inv("add_to_freed_cache", "§8 #17 (#12749)", "no entry is added to a cache after it was freed without checking `freed`"),
    inv("caches_freed_once", "§4, §8 #16 (#8108)", "each arena's numThreadCaches counts exactly the live caches bound to it: no cache is freed twice"),
    inv("history_linearizable", "§6, issue 11", "a concurrent history's refcount results and errors, bytes read and deallocations are those of some sequential order of the shadow model that respects real time"),
    inv("stranded_by_add_free_race", "§11", "finding, not a failure: an entry whose add checked `freed` before the owner's free() left it stranded"),
];

/// Looks an invariant up by name.
pub fn by_name(name: &str) -> Option<&'static Invariant> {
    REGISTRY.iter().find(|i| i.name == name)
}

/// Netty's sizing rules for one of `allocator`'s arenas (`netty::NettySizes`), from
/// the profile's scheme and the arena's page size, chunk size and alignment.
pub fn arena_sizes(allocator: &PooledAllocator, core: &ArenaCore) -> netty::NettySizes {
    let sc = core.size_classes();
    netty::NettySizes::of_arena(
        allocator.jvm().profile().allocator.size_classes,
        sc.page_size(),
        sc.chunk_size(),
        sc.alignment(),
    )
}

/// The arena invariants of one allocator (every arena, both kinds), first violation
/// wins: `pool::invariants::check_arena` plus the subpage geometry and retention rules
/// and metrics.
pub fn check_allocator_arenas(allocator: &PooledAllocator) -> Result<(), Violation> {
    use crate::pool::{invariants::ChunkScope, ArenaKind};
    let releases = allocator
        .jvm()
        .profile()
        .allocator
        .release_single_element_subpages;
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in allocator.arenas(kind) {
            let core = arena.lock();
            let sizes = arena_sizes(allocator, &core);
            touched::check_core(&core, &sizes, ChunkScope::All, releases)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::REGISTRY;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut seen = BTreeSet::new();
        for i in REGISTRY {
            assert!(seen.insert(i.name), "duplicate {}", i.name);
            assert!(i.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert!(super::by_name("free_runs_coalesced").is_some());
    }
}
