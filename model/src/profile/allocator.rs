//! Pooled allocator fields of a profile (netty.md §1–§5, §10–§11).

use serde::{Deserialize, Serialize};

/// Size-class scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SizeClassScheme {
    /// jemalloc-4 size classes and the run allocator (4.1.52+).
    Jemalloc4,
    /// tiny/small/normal classes and the buddy tree (≤4.1.51).
    Legacy,
}

/// How chunk-list move thresholds are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChunkListThresholds {
    /// Free-byte thresholds (4.1.49+, #10141).
    Bytes,
    /// Usage percentages (≤4.1.48).
    Percent,
}

/// Pooled allocator behaviour of a release (fields added after traces were first
/// committed default to 4.1.128's value when a trace lacks them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocatorProfile {
    /// Size-class scheme.
    pub size_classes: SizeClassScheme,
    /// Default `io.netty.allocator.pageSize`.
    pub default_page_size: u32,
    /// Default `io.netty.allocator.maxOrder`.
    pub default_max_order: u32,
    /// The constructor rounds `pageSize` up to `directMemoryCacheAlignment` and rejects
    /// an alignment above the page (4.1.61+, #11106). Written only when false (4.1.48),
    /// so profiles recorded before the field existed read back as 4.1.128's.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub page_size_aligned: bool,
    /// `maxOrder` used when the configured one is invalid.
    pub fallback_max_order: u32,
    /// Chunk-list threshold arithmetic.
    pub chunk_list_thresholds: ChunkListThresholds,
    /// q050's next list is q100 (4.1.115+, #13622) instead of q075.
    pub q050_next_is_q100: bool,
    /// Default `smallCacheSize`.
    pub small_cache_size: u32,
    /// Default `tinyCacheSize` (0 once tiny classes are gone).
    pub tiny_cache_size: u32,
    /// Default `normalCacheSize`.
    pub normal_cache_size: u32,
    /// Default `maxCachedBufferCapacity`.
    pub max_cached_buffer_capacity: u32,
    /// Default `cacheTrimInterval` (cache allocations between trims).
    pub cache_trim_interval: u32,
    /// Default `useCacheForAllThreads`.
    pub use_cache_for_all_threads: bool,
    /// `PoolThreadCache.add` refuses once the cache is freed (4.1.85+, #12897).
    pub cache_add_checks_freed: bool,
    /// `add` re-checks `freed` after offering and frees the entry itself if the cache
    /// was freed meanwhile. Netty does not (false = Netty as it is); a what-if field.
    pub cache_add_rechecks_after_offer: bool,
    /// `PooledByteBuf.cache` is cleared on deallocate (true in 4.1.128, false in 4.1.48).
    pub clear_cache_link_on_deallocate: bool,
    /// Heap arenas keep one destroyed chunk for reuse (4.1.114+, #14291).
    pub heap_arena_reuses_last_destroyed_chunk: bool,
    /// Fully free single-element subpages are released (#10988, 4.1.59).
    pub release_single_element_subpages: bool,
    /// `capacity(n)` reallocates under `synchronized(buf)` (4.1.95+, #13478).
    pub reallocate_synchronized: bool,
    /// Heap arenas get `directMemoryCacheAlignment` too (4.1.48 passes it to every
    /// `HeapArena`, whose `normalizeCapacity` then aligns tiny and huge requests);
    /// 4.1.128 builds heap size classes with alignment 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heap_arenas_aligned: bool,
    /// `PoolArena.reallocate` frees the old memory to the buffer's cache as `allocate`
    /// just re-set it: the calling thread's (none for a huge new region), 4.1.48
    /// `PoolArena.java:397-407`. 4.1.128 saves the old cache first (`oldCache`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reallocate_frees_to_new_cache: bool,
    /// `createNormalCaches` makes `max(1, log2(min(chunk, maxCachedBufferCapacity) /
    /// pageSize) + 1)` queues (4.1.48 `PoolThreadCache.java`): the page-size class is
    /// cached (and counts toward the trim interval) even when `maxCachedBufferCapacity`
    /// is below a page. 4.1.128 makes queues only for classes up to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub normal_cache_covers_a_page: bool,
    /// `PoolChunk.allocate` takes the subpage pool's head lock and allocates from
    /// `head.next` when a subpage appeared after the arena's fast path found the pool
    /// empty (4.1.128 PoolChunk.java:324–337); 4.1.48's `allocateSubpage` makes a new
    /// subpage regardless (PoolChunk.java:339–365). Written only when false.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub chunk_allocate_rechecks_subpage_pool: bool,
    /// Recycler `maxCapacityPerThread` default (0 disables recycling).
    pub recycler_max_capacity_per_thread: u32,
}

impl AllocatorProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        AllocatorProfile {
            size_classes: SizeClassScheme::Jemalloc4,
            default_page_size: 8192,
            default_max_order: 9,
            page_size_aligned: true,
            fallback_max_order: 9,
            chunk_list_thresholds: ChunkListThresholds::Bytes,
            q050_next_is_q100: true,
            small_cache_size: 256,
            tiny_cache_size: 0,
            normal_cache_size: 64,
            max_cached_buffer_capacity: 32 * 1024,
            cache_trim_interval: 8192,
            use_cache_for_all_threads: false,
            cache_add_checks_freed: true,
            cache_add_rechecks_after_offer: false,
            clear_cache_link_on_deallocate: true,
            heap_arena_reuses_last_destroyed_chunk: true,
            release_single_element_subpages: true,
            reallocate_synchronized: true,
            heap_arenas_aligned: false,
            reallocate_frees_to_new_cache: false,
            normal_cache_covers_a_page: false,
            chunk_allocate_rechecks_subpage_pool: true,
            recycler_max_capacity_per_thread: 4096,
        }
    }

    /// 4.1.48.Final (Debian `libnetty-java`): tiny/small/normal classes, the buddy
    /// tree, 16 MiB chunks, percent thresholds, tiny caches, no `freed` check in `add`.
    pub fn netty_4_1_48() -> Self {
        AllocatorProfile {
            size_classes: SizeClassScheme::Legacy,
            default_max_order: 11,
            page_size_aligned: false,
            fallback_max_order: 11,
            chunk_list_thresholds: ChunkListThresholds::Percent,
            q050_next_is_q100: false,
            tiny_cache_size: 512,
            use_cache_for_all_threads: true,
            cache_add_checks_freed: false,
            clear_cache_link_on_deallocate: false,
            heap_arena_reuses_last_destroyed_chunk: false,
            release_single_element_subpages: false,
            reallocate_synchronized: false,
            heap_arenas_aligned: true,
            reallocate_frees_to_new_cache: true,
            normal_cache_covers_a_page: true,
            chunk_allocate_rechecks_subpage_pool: false,
            ..Self::netty_4_1()
        }
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}
