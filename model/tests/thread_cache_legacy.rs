//! 4.1.48's thread caches and tiny metrics: tiny (512), small (256) and normal (64)
//! queues (PoolThreadCache.java:68–120) and `PoolArenaMetric`'s tiny counters
//! (PoolArena.java:416–535).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::profile::Profile;
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

const LOOP: ThreadId = ThreadId(1);

fn setup(
    profile: Profile,
    tweak: impl FnOnce(&mut PooledConfig),
) -> (Arc<Jvm>, Arc<PooledAllocator>) {
    let mut config = JvmConfig::for_profile(profile);
    config.runtime_max_memory = 1 << 30;
    let jvm = Jvm::new(config);
    let mut pooled = PooledConfig::netty_default(jvm.config());
    pooled.direct_arenas = 1;
    pooled.heap_arenas = 1;
    tweak(&mut pooled);
    let alloc = PooledAllocator::new(&jvm, pooled).unwrap();
    jvm.start_thread(LOOP, ThreadKind::EventLoop).unwrap();
    (jvm, alloc)
}

/// (capacity, entries) of every non-empty queue of LOOP's cache.
fn queued(alloc: &PooledAllocator) -> Vec<(usize, usize)> {
    let cache = alloc.cache_of(LOOP).unwrap();
    cache
        .queues()
        .filter(|q| !q.entries().is_empty())
        .map(|q| (q.capacity(), q.entries().len()))
        .collect()
}

#[test]
fn tiny_small_and_normal_queues_have_4_1_48s_sizes() {
    let (_jvm, alloc) = setup(Profile::netty_4_1_48(), |_| {});
    let cache = alloc.thread_cache(LOOP).unwrap();
    let capacities = |cap: usize| cache.queues().filter(|q| q.capacity() == cap).count();
    // Heap and direct: 32 tiny queues of 512, 4 small (512 B … 4 KiB) of 256, and
    // normal ones of 64 for 8, 16, 32 KiB (maxCachedBufferCapacity).
    assert_eq!(capacities(512), 2 * 32);
    assert_eq!(capacities(256), 2 * 4);
    assert_eq!(capacities(64), 2 * 3);
    assert_eq!(cache.queues().count(), 2 * (32 + 4 + 3));
    let m = alloc.metric();
    assert_eq!(m.tiny_cache_size, 512);
    let tiny = m.direct_arenas[0]
        .tiny
        .as_ref()
        .expect("4.1.48 has tiny metrics");
    assert_eq!(
        (
            tiny.num_tiny_subpages,
            m.direct_arenas[0].num_small_subpages
        ),
        (32, 4)
    );
}

#[test]
fn a_released_tiny_buffer_waits_in_a_tiny_queue_and_is_reused() {
    let (_jvm, alloc) = setup(Profile::netty_4_1_48(), |_| {});
    let a = alloc.new_buffer(LOOP, true, 100, 1024).unwrap();
    let offset = a.memory_offset();
    assert!(a.release().unwrap());
    assert_eq!(queued(&alloc), vec![(512, 1)], "the 112-byte tiny queue");
    let b = alloc.new_buffer(LOOP, true, 97, 1024).unwrap();
    assert_eq!(
        b.memory_offset(),
        offset,
        "the tiny cache hands the slot back"
    );
    let small = alloc.new_buffer(LOOP, true, 600, 1024).unwrap();
    small.release().unwrap();
    assert_eq!(
        queued(&alloc),
        vec![(256, 1)],
        "1 KiB goes to a small queue"
    );
    let m = &alloc.metric().direct_arenas[0];
    let tiny = m.tiny.as_ref().unwrap();
    assert_eq!(
        (tiny.num_tiny_allocations, m.num_small_allocations),
        (1, 1),
        "a cache hit is not an allocation; tiny and small count apart"
    );
    assert_eq!(
        (tiny.num_tiny_deallocations, m.num_small_deallocations),
        (0, 0)
    );
    assert_eq!((m.num_allocations, m.num_active_allocations), (2, 2));
    assert_eq!(tiny.tiny_subpages.len(), 1);
    assert_eq!(tiny.tiny_subpages[0].element_size, 112);
    assert_eq!(m.small_subpages.len(), 1);
    assert_eq!(m.small_subpages[0].element_size, 1024);
}

#[test]
fn without_tiny_queues_tiny_buffers_go_back_to_the_arena_as_tiny_deallocations() {
    let (_jvm, alloc) = setup(Profile::netty_4_1_48(), |c| c.tiny_cache_size = 0);
    let a = alloc.new_buffer(LOOP, true, 16, 16).unwrap();
    a.release().unwrap();
    assert!(
        queued(&alloc).is_empty(),
        "no tiny queue, and small ones refuse it"
    );
    let m = &alloc.metric().direct_arenas[0];
    let tiny = m.tiny.as_ref().unwrap();
    assert_eq!(
        (tiny.num_tiny_allocations, tiny.num_tiny_deallocations),
        (1, 1)
    );
    assert_eq!(
        (tiny.num_active_tiny_allocations, m.num_deallocations),
        (0, 1)
    );
    assert_eq!(m.num_small_deallocations, 0);
}

#[test]
fn netty_4_1_has_no_tiny_queues_or_metrics() {
    let (_jvm, alloc) = setup(Profile::netty_4_1(), |c| c.tiny_cache_size = 512);
    let cache = alloc.thread_cache(LOOP).unwrap();
    assert_eq!(cache.queues().filter(|q| q.capacity() == 512).count(), 0);
    let a = alloc.new_buffer(LOOP, true, 100, 1024).unwrap();
    a.release().unwrap();
    assert_eq!(
        queued(&alloc),
        vec![(256, 1)],
        "16…3584 B are small classes"
    );
    assert!(alloc.metric().direct_arenas[0].tiny.is_none());
}

#[test]
fn constructor_texts_follow_the_profile() {
    // PooledByteBufAllocator's constructor: 4.1.48 (lines 239–262) checks the
    // alignment's sign with ObjectUtil's unspaced text and never rounds the page up.
    let text = |profile: Profile, align: i32, page: i32| {
        let jvm = Jvm::new(JvmConfig::for_profile(profile));
        let mut c = PooledConfig::netty_default(jvm.config());
        (c.direct_alignment, c.page_size) = (align, page);
        match PooledAllocator::new(&jvm, c) {
            Ok(a) => format!("page {}", a.geometry().page_size),
            Err(e) => e.to_string(),
        }
    };
    let (old, new) = (Profile::netty_4_1_48, Profile::netty_4_1);
    assert_eq!(
        text(old(), -4, 8192),
        "java.lang.IllegalArgumentException: directMemoryCacheAlignment: -4 (expected: >= 0)"
    );
    assert_eq!(
        text(new(), -4, 8192),
        "java.lang.IllegalArgumentException: alignment must be a power of 2:-4"
    );
    assert_eq!(
        text(old(), 48, 8192),
        "java.lang.IllegalArgumentException: directMemoryCacheAlignment: 48 (expected: power of two)"
    );
    assert_eq!(text(old(), 8192, 4096), "page 4096");
    assert_eq!(text(new(), 8192, 4096), "page 8192");
}

#[test]
fn growing_to_a_huge_size_frees_the_old_memory_past_the_cache_in_4_1_48_only() {
    // 4.1.48 PoolArena.reallocate frees the old memory with `buf.cache` read after
    // `allocate(parent.threadCache(), buf, newCapacity)` (PoolArena.java:397, 407),
    // which `initUnpooled` set to null for a huge buffer (PooledByteBuf.java:55): it
    // goes back to the arena. 4.1.128 frees with the cache read before (`oldCache`),
    // so the calling thread's cache keeps it.
    for (profile, cached) in [
        (Profile::netty_4_1_48(), vec![]),
        (Profile::netty_4_1(), vec![1]),
    ] {
        let name = profile.name.clone();
        let (_jvm, alloc) = setup(profile, |c| {
            c.page_size = 8192;
            c.max_order = 3;
        });
        let b = alloc.new_buffer(LOOP, true, 1024, i32::MAX.into()).unwrap();
        b.set_capacity(LOOP, 128 * 1024).unwrap();
        let entries: Vec<usize> = queued(&alloc).into_iter().map(|(_, n)| n).collect();
        assert_eq!(entries, cached, "{name}");
        b.release().unwrap();
    }
}
