//! `PooledByteBufAllocatorMetric`.

use super::PooledAllocator;
use crate::pool::{ArenaKind, ArenaMetrics};
use serde::Serialize;

/// A snapshot of `PooledByteBufAllocator.metric()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PooledAllocatorMetric {
    /// `numHeapArenas()`.
    pub num_heap_arenas: usize,
    /// `numDirectArenas()`.
    pub num_direct_arenas: usize,
    /// `heapArenas()`.
    pub heap_arenas: Vec<ArenaMetrics>,
    /// `directArenas()`.
    pub direct_arenas: Vec<ArenaMetrics>,
    /// `numThreadLocalCaches()`: the heap arenas' thread-cache counts summed (the
    /// direct arenas' when there are no heap arenas).
    pub num_thread_local_caches: i64,
    /// `tinyCacheSize()` (4.1.48; left out when 0, as 4.1.128 has no such metric).
    #[serde(skip_serializing_if = "is_zero")]
    pub tiny_cache_size: i32,
    /// `smallCacheSize()`.
    pub small_cache_size: i32,
    /// `normalCacheSize()`.
    pub normal_cache_size: i32,
    /// `chunkSize()`.
    pub chunk_size: usize,
    /// `usedHeapMemory()`: Σ heap arenas' `numActiveBytes`.
    pub used_heap_memory: i64,
    /// `usedDirectMemory()`: Σ direct arenas' `numActiveBytes`.
    pub used_direct_memory: i64,
}

impl PooledAllocator {
    /// `metric()`.
    pub fn metric(&self) -> PooledAllocatorMetric {
        let heap: Vec<ArenaMetrics> = self
            .arenas(ArenaKind::Heap)
            .iter()
            .map(|a| a.metrics())
            .collect();
        let direct: Vec<ArenaMetrics> = self
            .arenas(ArenaKind::Direct)
            .iter()
            .map(|a| a.metrics())
            .collect();
        let counted = if heap.is_empty() { &direct } else { &heap };
        let used = |arenas: &[ArenaMetrics]| arenas.iter().map(|a| a.num_active_bytes).sum();
        PooledAllocatorMetric {
            num_heap_arenas: heap.len(),
            num_direct_arenas: direct.len(),
            num_thread_local_caches: counted.iter().map(|a| a.num_thread_caches as i64).sum(),
            tiny_cache_size: self.config().tiny_cache_size,
            small_cache_size: self.config().small_cache_size,
            normal_cache_size: self.config().normal_cache_size,
            chunk_size: self.geometry().chunk_size,
            used_heap_memory: used(&heap),
            used_direct_memory: used(&direct),
            heap_arenas: heap,
            direct_arenas: direct,
        }
    }
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}
