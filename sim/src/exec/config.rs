//! The configuration of one execution: the JVM (profile, mutant, seed included), the
//! program's `PooledByteBufAllocator` (and whether it has a second one) and the
//! full-check interval.

use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::jvm::JvmConfig;
use leakproof_model::memory::MemoryMode;
use leakproof_model::{Mutant, Profile};
use serde::{Deserialize, Serialize};

/// One execution's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecConfig {
    /// The JVM, with its profile, mutant and seed.
    pub jvm: JvmConfig,
    /// The program's pooled allocator.
    pub allocator: PooledConfig,
    /// Run the full invariant set every this many ops (and always at the end).
    pub check_every: u32,
    /// The program has a second `PooledByteBufAllocator` of the same configuration,
    /// which `Op::Alloc { second: true, .. }` allocates from. Two allocators share only
    /// the JVM (Netty's direct counter, the Recycler); each buffer answers `alloc()`
    /// with, and keeps alive, the one that made it (`PooledByteBuf.init0`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub second_allocator: bool,
}

impl ExecConfig {
    /// A small, cheap configuration: 4 KiB pages, order 3 (32 KiB chunks), one heap and
    /// one direct arena, small caches for every thread, 1 GiB of heap and direct memory.
    pub fn small(profile: Profile, mutant: Mutant, seed: u64) -> Self {
        let mut jvm = JvmConfig::for_profile(profile);
        jvm.mutant = mutant;
        jvm.seed = seed;
        jvm.runtime_max_memory = 1 << 30;
        jvm.max_direct_memory_size = Some(1 << 30);
        jvm.memory_mode = MemoryMode::Materialized;
        let mut allocator = PooledConfig::with_geometry(&jvm, 4096, 3);
        allocator.heap_arenas = 1;
        allocator.direct_arenas = 1;
        // Tiny queues only where the profile has tiny classes (4.1.48).
        allocator.tiny_cache_size = allocator.tiny_cache_size.min(4);
        allocator.small_cache_size = 4;
        allocator.normal_cache_size = 2;
        allocator.max_cached_buffer_capacity = 16 * 1024;
        allocator.cache_trim_interval = 64;
        allocator.use_cache_for_all_threads = true;
        ExecConfig {
            jvm,
            allocator,
            check_every: 16,
            second_allocator: false,
        }
    }
}
