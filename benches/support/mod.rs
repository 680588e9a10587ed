//! Setup shared by the allocator benchmarks (`alloc`, `alloc_loop`).
#![allow(dead_code)]

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

/// The event-loop thread every pooled benchmark allocates on.
pub const LOOP: ThreadId = ThreadId(1);

/// A JVM with a 1 GiB heap/direct budget, `mode` memory and leak `level`, its thread 1
/// an event loop, and Netty's default pooled allocator in it (4.1.128 profile: 8 KiB
/// pages, max order 9, 4 direct arenas for 2 cores).
pub fn setup(mode: MemoryMode, level: LeakLevel) -> (Arc<Jvm>, Arc<PooledAllocator>) {
    let mut config = JvmConfig {
        runtime_max_memory: 1 << 30,
        memory_mode: mode,
        ..JvmConfig::default()
    };
    config.leak.level = level;
    let jvm = Jvm::new(config);
    jvm.start_thread(LOOP, ThreadKind::EventLoop).unwrap();
    let alloc = PooledAllocator::new(&jvm, PooledConfig::netty_default(jvm.config())).unwrap();
    (jvm, alloc)
}
