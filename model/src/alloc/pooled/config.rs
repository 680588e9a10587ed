//! `PooledByteBufAllocator`'s settings and Netty's defaults for them (netty.md §1).

use crate::jvm::JvmConfig;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};

/// The constructor arguments of one `PooledByteBufAllocator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PooledConfig {
    /// `preferDirect` (`buffer()` gives direct buffers).
    pub prefer_direct: bool,
    /// `nHeapArena`.
    pub heap_arenas: i32,
    /// `nDirectArena`.
    pub direct_arenas: i32,
    /// `pageSize`.
    pub page_size: i32,
    /// `maxOrder`.
    pub max_order: i32,
    /// `tinyCacheSize` (4.1.48; 4.1.128 has no tiny classes and ignores it). Written
    /// only when non-zero, so configurations recorded before it existed read back alike.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tiny_cache_size: i32,
    /// `smallCacheSize`.
    pub small_cache_size: i32,
    /// `normalCacheSize`.
    pub normal_cache_size: i32,
    /// `maxCachedBufferCapacity` (a static default in Netty).
    pub max_cached_buffer_capacity: i32,
    /// `cacheTrimInterval` (a static default in Netty).
    pub cache_trim_interval: i32,
    /// `useCacheForAllThreads`.
    pub use_cache_for_all_threads: bool,
    /// `directMemoryCacheAlignment`.
    pub direct_alignment: i32,
}

impl PooledConfig {
    /// `PooledByteBufAllocator.DEFAULT` as Netty computes it for `jvm` (the arena
    /// formula uses the cores, `Runtime.maxMemory()` and `maxDirectMemory()`).
    pub fn netty_default(jvm: &JvmConfig) -> Self {
        Self::with_geometry(
            jvm,
            jvm.profile.allocator.default_page_size as i32,
            jvm.profile.allocator.default_max_order as i32,
        )
    }

    /// Netty's defaults with `pageSize`/`maxOrder` overridden (as the
    /// `io.netty.allocator.pageSize`/`maxOrder` properties do, which also feed the
    /// arena formula's chunk size).
    pub fn with_geometry(jvm: &JvmConfig, page_size: i32, max_order: i32) -> Self {
        let profile: &Profile = &jvm.profile;
        let chunk = (page_size as i64) << max_order.clamp(0, 30);
        PooledConfig {
            prefer_direct: true,
            heap_arenas: default_arenas(jvm.cores, jvm.runtime_max_memory, chunk),
            direct_arenas: default_arenas(jvm.cores, jvm.netty_max_direct_estimate(), chunk),
            page_size,
            max_order,
            tiny_cache_size: profile.allocator.tiny_cache_size as i32,
            small_cache_size: profile.allocator.small_cache_size as i32,
            normal_cache_size: profile.allocator.normal_cache_size as i32,
            max_cached_buffer_capacity: profile.allocator.max_cached_buffer_capacity as i32,
            cache_trim_interval: profile.allocator.cache_trim_interval as i32,
            use_cache_for_all_threads: profile.allocator.use_cache_for_all_threads,
            direct_alignment: 0,
        }
    }
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `max(0, min(2·cores, memory / chunkSize / 2 / 3))`: at most half the memory in
/// arenas of three chunks each, one arena per event loop (#3888).
pub fn default_arenas(cores: u32, memory: u64, chunk_size: i64) -> i32 {
    if chunk_size <= 0 {
        return 0;
    }
    let by_memory = memory as i64 / chunk_size / 2 / 3;
    (2 * cores as i64).min(by_memory).max(0) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jvm::INCIDENT_RUNTIME_MAX_MEMORY;

    #[test]
    fn incident_memory_gives_one_arena_with_4mib_chunks_and_none_with_16mib() {
        assert_eq!(default_arenas(8, INCIDENT_RUNTIME_MAX_MEMORY, 4 << 20), 1);
        assert_eq!(default_arenas(8, INCIDENT_RUNTIME_MAX_MEMORY, 16 << 20), 0);
    }

    #[test]
    fn plentiful_memory_gives_two_arenas_per_core() {
        // 1 and 4 cores tell `2·cores` from `2 + cores`.
        assert_eq!(default_arenas(1, 8 << 30, 4 << 20), 2);
        assert_eq!(default_arenas(2, 8 << 30, 4 << 20), 4);
        assert_eq!(default_arenas(4, 8 << 30, 4 << 20), 8);
    }
}
