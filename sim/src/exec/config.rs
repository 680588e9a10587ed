//! The configuration of one execution: the JVM (profile, mutant, seed included), the
//! program's `PooledByteBufAllocator` and the full-check interval.

use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::jvm::JvmConfig;
use leakproof_model::leak::LeakLevel;
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
}

impl ExecConfig {
    /// A small, cheap configuration: 4 KiB pages, order 3 (32 KiB chunks), one heap and
    /// one direct arena, small caches for every thread, 1 GiB of heap and direct memory.
    pub fn small(profile: Profile, mutant: Mutant, seed: u64) -> Self {
        let mut jvm = JvmConfig::for_profile(profile);
        jvm.mutant = mutant;
        jvm.seed = seed;
        jvm.leak.mutant = mutant;
        jvm.runtime_max_memory = 1 << 30;
        jvm.max_direct_memory_size = Some(1 << 30);
        jvm.memory_mode = MemoryMode::Materialized;
        let mut allocator = PooledConfig::with_geometry(&jvm, 4096, 3);
        allocator.heap_arenas = 1;
        allocator.direct_arenas = 1;
        allocator.small_cache_size = 4;
        allocator.normal_cache_size = 2;
        allocator.max_cached_buffer_capacity = 16 * 1024;
        allocator.cache_trim_interval = 64;
        allocator.use_cache_for_all_threads = true;
        ExecConfig {
            jvm,
            allocator,
            check_every: 16,
        }
    }

    /// A configuration drawn from fuzz input bytes, within cheap bounds: page 4096 or
    /// 8192, max order 3 or 4, the leak level, ≤ 2 arenas of each kind, small caches.
    pub fn from_bytes(profile: Profile, mutant: Mutant, b: [u8; 4]) -> Self {
        let mut c = Self::small(profile, mutant, u64::from(b[3]));
        let page = if b[0] & 1 == 0 { 4096 } else { 8192 };
        // Order ≥ 3: with fewer than 8 pages per chunk the largest small classes need runs
        // longer than the chunk (e.g. 10240 B needs 5 pages of 8 KiB), which Netty cannot
        // serve either (its `assert success` in allocateNormal); the model answers with an
        // AssertionError value, which the checker reports as a model assertion.
        let order = 3 + i32::from((b[0] >> 1) & 1);
        c.jvm.leak.level = [
            LeakLevel::Simple,
            LeakLevel::Paranoid,
            LeakLevel::Advanced,
            LeakLevel::Disabled,
        ][usize::from((b[0] >> 2) & 3)];
        let mut allocator = PooledConfig::with_geometry(&c.jvm, page, order);
        allocator.heap_arenas = i32::from(b[1] % 3);
        allocator.direct_arenas = i32::from((b[1] / 3) % 3).max(1);
        allocator.small_cache_size = [0, 2, 4, 16][usize::from(b[2] & 3)];
        allocator.normal_cache_size = [0, 1, 2, 4][usize::from((b[2] >> 2) & 3)];
        allocator.max_cached_buffer_capacity = 32 * 1024;
        allocator.cache_trim_interval = [0, 8, 64, 8192][usize::from((b[2] >> 4) & 3)];
        allocator.use_cache_for_all_threads = b[2] & 0x40 != 0;
        c.allocator = allocator;
        c
    }
}
