//! Every named invariant (and named finding) as a value: [`Invariant`] constants in one
//! table, [`REGISTRY`]. Checks raise violations through these values
//! ([`Invariant::violated`]); traces, reports, the proofs' property names and the
//! table in `docs/invariants.md` (`tests/book.rs` compares them) all take the name from
//! here, so a name is spelled exactly once.

use crate::violation::Violation;

/// One named invariant (or named finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Invariant {
    /// The stable name, as traces and reports print it.
    pub name: &'static str,
    /// One line: what must hold.
    pub meaning: &'static str,
    /// Where netty.md states it (§9 item or §8 row).
    pub source: &'static str,
}

impl Invariant {
    /// A violation of this invariant.
    pub fn violated(self, message: impl Into<String>) -> Violation {
        Violation::new(self, message)
    }
}

/// The table: each row becomes a constant (documented by its meaning) and an entry of
/// [`REGISTRY`], in row order.
macro_rules! invariants {
    ($($id:ident = $name:literal, $source:literal, $meaning:literal;)*) => {
        $(
            #[doc = $meaning]
            pub const $id: Invariant = Invariant {
                name: $name,
                meaning: $meaning,
                source: $source,
            };
        )*

        /// Every invariant and finding, in a fixed order (`docs/invariants.md`'s table
        /// lists them in this order, with these sources: `tests/book.rs` checks it).
        pub const REGISTRY: &[Invariant] = &[$($id),*];
    };
}

invariants! {
    LIVE_RANGES_DISJOINT_IN_BOUNDS = "live_ranges_disjoint_in_bounds", "§9.1, §8 #9",
        "live runs and subpage elements of a chunk are disjoint and inside [0, chunkSize)";
    CHUNK_FREE_BYTES_CONSISTENT = "chunk_free_bytes_consistent", "§9.2",
        "a chunk's freeBytes = chunkSize − Σ used runs = Σ free runs";
    FREE_RUNS_COALESCED = "free_runs_coalesced", "§9.3",
        "no two free runs touch; runsAvailMap names exactly their first and last pages";
    BUDDY_TREE_CONSISTENT = "buddy_tree_consistent", "§2.2 (4.1.48 PoolChunk.java:249–320)",
        "a buddy-tree chunk's memoryMap is what its used nodes imply: unusable for a used node, its depth for a wholly free subtree, else the smaller child value";
    SUBPAGE_BITMAP_CONSISTENT = "subpage_bitmap_consistent", "§9.4, §8 #6 #7",
        "a subpage's numAvail equals its zero bits, within [0, maxNumElems]";
    SUBPAGE_LINKED_IFF_AVAILABLE = "subpage_linked_iff_available", "§9.5, §8 #19",
        "a subpage is linked in its pool iff numAvail > 0 and doNotDestroy";
    CHUNK_IN_LIST_BY_USAGE = "chunk_in_list_by_usage", "§9.6, §8 #12",
        "each chunk sits in exactly one list, the one its free bytes select (qInit has no lower bound)";
    FREE_ALL_RETURNS_PAGES = "free_all_returns_pages", "§3.2, §3.3",
        "with no handle live, a chunk's only used runs are entirely free subpages Netty keeps (alone in their pool)";
    HANDLE_SIZE_CLASS_MATCHES = "handle_size_class_matches", "§8 #8 #10",
        "a live handle is a used run or element of exactly its size class";
    SUBPAGE_RUN_SIZE_MATCHES = "subpage_run_size_matches", "§2.1, §3.3",
        "a subpage's element size is a small class, its run is calculateRunSize(elemSize) and it holds runSize/elemSize elements";
    FREE_SUBPAGE_RETURNED_UNLESS_ALONE = "free_subpage_returned_unless_alone", "§8 #11",
        "a subpage with no element in use is kept only when it is alone in its pool";
    HANDLE_IN_EXACTLY_ONE_PLACE = "handle_in_exactly_one_place", "§9.7, §8 #15 #16",
        "every used run/element is exactly one of: a live or leaked buffer, a cache entry, a stranded entry";
    DIRECT_COUNTER_CONSISTENT = "direct_counter_consistent", "§9.8, §8 #24",
        "DIRECT_MEMORY_COUNTER = Σ live direct chunk, huge and no-Cleaner bytes ≤ limit";
    PINNED_MEMORY_CONSISTENT = "pinned_memory_consistent", "§3 (PoolArena.numPinnedBytes)",
        "pinnedHeapMemory()/pinnedDirectMemory() = Σ maxLength of the live and leaked buffers on live chunks of the kind's arenas (−1 without arenas); cached memory is not pinned";
    OFFSET_MATCHES_HANDLE = "offset_matches_handle", "§8 #9 (#11106)",
        "a live pooled buffer's memory starts where its handle points: runOffset·pageSize (+ bitmapIdx·elemSize), so buffers never overlap";
    ARENA_METRICS_CONSISTENT = "arena_metrics_consistent", "§8 #14",
        "per class allocations − deallocations = active ≥ 0 and ≥ the handles in use; activeBytesHuge = Σ huge chunks";
    REFCOUNT_PARITY = "refcount_parity", "§9.9, §8 #1",
        "raw counts are even while the memory is held and odd (terminal) once freed";
    DEALLOCATE_AT_MOST_ONCE = "deallocate_at_most_once", "§9.9, §8 #1 (#8563)",
        "a release returns \"deallocate\" at most once per object (refcount step machines)";
    NO_ACCESS_AFTER_DEALLOCATE = "no_access_after_deallocate", "§6.1",
        "in a misuse-free program no micro-step touches an object's count after its deallocation";
    RELEASED_IS_TERMINAL = "released_is_terminal", "§9.9, §8 #1",
        "once deallocated, an object's count never reads live again";
    PROTOCOL_PARITY = "protocol_parity", "§6.1, §9.9",
        "under even/odd a step machine's raw count is even until the final release and odd from then on";
    EVERY_REFERENCE_RELEASED = "every_reference_released", "§6.1, §8 #2 (#2187)",
        "a finished misuse-free program deallocated every object it created exactly once";
    DERIVED_KEEPS_PARENT_ALIVE = "derived_keeps_parent_alive", "§9.10, §8 #3",
        "a live pooled retained derivative keeps its direct parent's count ≥ 1";
    MODEL_RAISED_NO_ASSERTION = "model_raised_no_assertion", "§8 #6 #7 #8",
        "no op makes the model raise an internal AssertionError (double free, bad handle)";
    BYTES_AS_WRITTEN = "bytes_as_written", "§8 #9",
        "every live buffer reads back exactly the bytes last written to it";
    SHADOW_AGREEMENT = "shadow_agreement", "§6",
        "the model's result, counts and releases agree with the sequential shadow model";
    RELEASED_NEVER_REPORTED = "released_never_reported", "§9.11, §8 #22",
        "a buffer closed before it became unreachable is never reported as a leak";
    EVERY_LEAK_REPORTED = "every_leak_reported", "§9.12, §8 #20 #21",
        "every unclosed, collected, tracked buffer is reported at the next tracked allocation";
    DERIVATIVES_TRACKED = "derivatives_tracked", "§7, §8 #20 (#13436)",
        "a pooled retained derivative of a tracked buffer has its own tracker (trackForcibly), never a sampled one";
    PARANOID_TRACKS_EVERYTHING = "paranoid_tracks_everything", "§7",
        "at PARANOID every allocation is tracked";
    USAGE_MATCHES_MODEL = "usage_matches_model", "issue §4",
        "the shadow's usage equals the bytes the model's arenas and counters still hold";
    LEAK_FREE_ZERO_USAGE = "leak_free_zero_usage", "issue §4",
        "a program that released everything ends with usage 0";
    LEAKED_BYTES_EXACT = "leaked_bytes_exact", "issue §4",
        "a program that leaked ends with usage equal to exactly its leaked bytes";
    DIRECT_COUNTER_ZERO_AFTER_DESTROY = "direct_counter_zero_after_destroy", "issue §4, §8 #18",
        "after the allocator is destroyed the direct counter is exactly 0";
    ADD_TO_FREED_CACHE = "add_to_freed_cache", "§8 #17 (#12749)",
        "no entry is added to a cache after it was freed without checking `freed`";
    CACHES_FREED_ONCE = "caches_freed_once", "§4, §8 #16 (#8108)",
        "each arena's numThreadCaches counts exactly the live caches bound to it and the constructions that threw after counting it: no cache is freed twice";
    NORMAL_CACHES_AS_CREATED = "normal_caches_as_created", "§4 (PoolThreadCache.createNormalCaches)",
        "a cached thread's cache has one normal queue per size class up to min(chunkSize, maxCachedBufferCapacity) (4.1.48: max(1, log2(max/pageSize)+1)), each of normalCacheSize rounded up to a power of two; an uncached thread's has none";
    HISTORY_LINEARIZABLE = "history_linearizable", "§6, issue 11",
        "a concurrent history's refcount results and errors, bytes read and deallocations are those of some sequential order of the shadow model that respects real time";
    STRANDED_BY_ADD_FREE_RACE = "stranded_by_add_free_race", "§11",
        "finding, not a failure: an entry whose add checked `freed` before the owner's free() left it stranded";
    WORKLOAD_POOL_BYTES_ACCOUNTED = "workload_pool_bytes_accounted", "§9.7",
        "in a long simulation, every used byte of every pooled chunk is a leaked buffer's size class or a thread-cache entry";
    WORKLOAD_DIRECT_COUNTER_MATCHES_CHUNKS = "workload_direct_counter_matches_chunks", "§9.8",
        "in a long simulation, Netty's direct counter equals the live direct chunks (pooled and huge) plus leaked no-Cleaner bytes";
}

/// Looks an invariant up by name (a name read from a trace or typed on the command line).
pub fn by_name(name: &str) -> Option<&'static Invariant> {
    REGISTRY.iter().find(|i| i.name == name)
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
        assert_eq!(
            super::by_name("free_runs_coalesced"),
            Some(&super::FREE_RUNS_COALESCED)
        );
    }
}
