//! `PoolArenaMetric`: raw counters and a serializable snapshot (4.1.128's, plus the
//! tiny metrics of 4.1.48 under the legacy size classes).

use super::arena_core::ArenaCore;
use super::chunk::ChunkId;
use serde::{Deserialize, Serialize};

/// The arena's raw counters, updated exactly where `PoolArena` updates them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArenaCounters {
    /// `allocationsTiny` (cache misses only; legacy size classes).
    #[serde(default)]
    pub allocations_tiny: u64,
    /// `allocationsSmall` (cache misses only).
    pub allocations_small: u64,
    /// `allocationsNormal` (cache misses only).
    pub allocations_normal: u64,
    /// `allocationsHuge`.
    pub allocations_huge: u64,
    /// `deallocationsTiny` (not counted on the cache-finalizer path; legacy classes).
    #[serde(default)]
    pub deallocations_tiny: u64,
    /// `deallocationsSmall` (not counted on the cache-finalizer path).
    pub deallocations_small: u64,
    /// `deallocationsNormal` (not counted on the cache-finalizer path).
    pub deallocations_normal: u64,
    /// `deallocationsHuge`.
    pub deallocations_huge: u64,
    /// `activeBytesHuge`.
    pub active_bytes_huge: i64,
    /// `numThreadCaches`.
    pub num_thread_caches: i32,
}

/// `PoolChunkMetric` of one chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMetric {
    /// The chunk.
    pub id: ChunkId,
    /// `usage()`.
    pub usage: u32,
    /// `chunkSize()`.
    pub chunk_size: usize,
    /// `freeBytes()`.
    pub free_bytes: usize,
}

/// `PoolChunkListMetric` of one list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkListMetric {
    /// `qInit`, `q000`, …
    pub name: String,
    /// `minUsage()` (at least 1).
    pub min_usage: i32,
    /// `maxUsage()` (at most 100).
    pub max_usage: i32,
    /// The chunks, head first.
    pub chunks: Vec<ChunkMetric>,
}

/// `PoolSubpageMetric` of one linked subpage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubpageMetric {
    /// `maxNumElements()`.
    pub max_num_elements: u32,
    /// `numAvailable()`.
    pub num_available: u32,
    /// `elementSize()`.
    pub element_size: usize,
    /// `pageSize()`.
    pub page_size: usize,
}

/// The tiny metrics of 4.1.48's `PoolArenaMetric` (PoolArena.java:416–419, 431–434,
/// 473–476, 497–500, 532–535); 4.1.128 has no tiny classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TinyMetrics {
    /// `numTinySubpages()` (the number of tiny pools, 32).
    pub num_tiny_subpages: usize,
    /// `tinySubpages()`: the linked tiny subpages, pool by pool, list order.
    pub tiny_subpages: Vec<SubpageMetric>,
    /// `numTinyAllocations()`.
    pub num_tiny_allocations: u64,
    /// `numTinyDeallocations()`.
    pub num_tiny_deallocations: u64,
    /// `numActiveTinyAllocations()`.
    pub num_active_tiny_allocations: i64,
}

/// A snapshot of every `PoolArenaMetric` value. The tiny metrics exist only under the
/// legacy size classes (and are then written out); the others are summed over tiny and
/// small as 4.1.48 sums them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArenaMetrics {
    /// 4.1.48's tiny metrics (`None` under jemalloc-4 size classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiny: Option<TinyMetrics>,
    /// `numThreadCaches()`.
    pub num_thread_caches: i32,
    /// `numSmallSubpages()` (the number of pools).
    pub num_small_subpages: usize,
    /// `numChunkLists()`.
    pub num_chunk_lists: usize,
    /// `smallSubpages()`: the linked subpages, pool by pool, list order.
    pub small_subpages: Vec<SubpageMetric>,
    /// `chunkLists()`.
    pub chunk_lists: Vec<ChunkListMetric>,
    /// `numAllocations()`.
    pub num_allocations: u64,
    /// `numSmallAllocations()`.
    pub num_small_allocations: u64,
    /// `numNormalAllocations()`.
    pub num_normal_allocations: u64,
    /// `numHugeAllocations()`.
    pub num_huge_allocations: u64,
    /// `numDeallocations()`.
    pub num_deallocations: u64,
    /// `numSmallDeallocations()`.
    pub num_small_deallocations: u64,
    /// `numNormalDeallocations()`.
    pub num_normal_deallocations: u64,
    /// `numHugeDeallocations()`.
    pub num_huge_deallocations: u64,
    /// `numActiveAllocations()`.
    pub num_active_allocations: i64,
    /// `numActiveSmallAllocations()`.
    pub num_active_small_allocations: i64,
    /// `numActiveNormalAllocations()`.
    pub num_active_normal_allocations: i64,
    /// `numActiveHugeAllocations()`.
    pub num_active_huge_allocations: i64,
    /// `numActiveBytes()`: huge bytes plus the size of every chunk in the lists.
    pub num_active_bytes: i64,
}

impl ArenaCore {
    /// `numActiveBytes()`: `activeBytesHuge` + Σ chunkSize over the six lists.
    pub fn num_active_bytes(&self) -> i64 {
        let pooled: i64 = self
            .lists
            .iter()
            .flat_map(|l| l.chunks())
            .filter_map(|id| self.chunks.get(id))
            .map(|c| c.chunk_size() as i64)
            .sum();
        (self.counters.active_bytes_huge + pooled).max(0)
    }

    /// Every `PoolArenaMetric` value, computed as Netty computes it.
    pub fn metrics(&self) -> ArenaMetrics {
        let c = &self.counters;
        let d = |a: u64, b: u64| (a as i64 - b as i64).max(0);
        let chunk_lists = self
            .lists
            .iter()
            .map(|l| ChunkListMetric {
                name: l.id().name().to_string(),
                min_usage: l.min_usage(),
                max_usage: l.max_usage(),
                chunks: l
                    .chunks()
                    .iter()
                    .filter_map(|id| self.chunks.get(id))
                    .map(|ch| ChunkMetric {
                        id: ch.id(),
                        usage: ch.usage(),
                        chunk_size: ch.chunk_size(),
                        free_bytes: ch.free_bytes(),
                    })
                    .collect(),
            })
            .collect();
        let n_tiny = self.sc.n_tiny();
        let subpages = |tiny: bool| -> Vec<SubpageMetric> {
            self.pools
                .iter()
                .filter(|(size_idx, _)| (*size_idx < n_tiny) == tiny)
                .filter_map(|(_, key)| self.chunks.get(&key.chunk)?.subpage_at(key.run_offset))
                .map(|s| SubpageMetric {
                    max_num_elements: s.max_num_elems(),
                    num_available: s.num_avail(),
                    element_size: s.elem_size(),
                    page_size: self.sc.page_size(),
                })
                .collect()
        };
        // numActiveAllocations (4.1.48 PoolArena.java:522–530; 4.1.128 has no tiny terms).
        let active = (c.allocations_tiny + c.allocations_small) as i64 + c.allocations_huge as i64
            - c.deallocations_huge as i64
            + c.allocations_normal as i64
            - (c.deallocations_tiny + c.deallocations_small + c.deallocations_normal) as i64;
        let tiny = (n_tiny > 0).then(|| TinyMetrics {
            num_tiny_subpages: n_tiny,
            tiny_subpages: subpages(true),
            num_tiny_allocations: c.allocations_tiny,
            num_tiny_deallocations: c.deallocations_tiny,
            num_active_tiny_allocations: d(c.allocations_tiny, c.deallocations_tiny),
        });
        ArenaMetrics {
            tiny,
            num_thread_caches: c.num_thread_caches,
            num_small_subpages: self.pools.num_pools() - n_tiny,
            num_chunk_lists: 6,
            small_subpages: subpages(false),
            chunk_lists,
            num_allocations: c.allocations_tiny
                + c.allocations_small
                + c.allocations_normal
                + c.allocations_huge,
            num_small_allocations: c.allocations_small,
            num_normal_allocations: c.allocations_normal,
            num_huge_allocations: c.allocations_huge,
            num_deallocations: c.deallocations_tiny
                + c.deallocations_small
                + c.deallocations_normal
                + c.deallocations_huge,
            num_small_deallocations: c.deallocations_small,
            num_normal_deallocations: c.deallocations_normal,
            num_huge_deallocations: c.deallocations_huge,
            num_active_allocations: active.max(0),
            num_active_small_allocations: d(c.allocations_small, c.deallocations_small),
            num_active_normal_allocations: d(c.allocations_normal, c.deallocations_normal),
            num_active_huge_allocations: d(c.allocations_huge, c.deallocations_huge),
            num_active_bytes: self.num_active_bytes(),
        }
    }
}
