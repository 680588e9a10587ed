//! The event counters behind `leakproof coverage` (docs/coverage.md) count what the
//! allocator did: a cache add and poll, a normal chunk freed when its last run goes
//! back from `q025`, a huge chunk destroyed on release (4.1.128 geometry, small
//! chunks so that a normal allocation fills half of one).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::ByteBufAllocator;
use leakproof_model::coverage::Event;
use leakproof_model::leak::LeakLevel;
use leakproof_model::Profile;

mod support;
use support::{jvm, jvm_at, T};

#[test]
fn allocator_paths_are_counted_once_each() {
    let jvm = jvm();
    // pageSize 8 KiB, maxOrder 3: 64 KiB chunks; 32 KiB is a normal size the cache
    // keeps (maxCachedBufferCapacity 32 KiB), 48 KiB is one it does not.
    let mut config = PooledConfig::with_geometry(jvm.config(), 8192, 3);
    config.direct_arenas = 1;
    config.heap_arenas = 1;
    let alloc = PooledAllocator::new(&jvm, config).unwrap();
    let before = jvm.coverage();
    let times = |e: Event| jvm.coverage().times(e) - before.times(e);

    // 256 B: released into the thread cache, then polled from it.
    let b = alloc.direct_buffer_with(T, 256).unwrap();
    assert!(b.release().unwrap());
    assert_eq!((times(Event::CacheAdd), times(Event::CachePoll)), (1, 0));
    let b = alloc.direct_buffer_with(T, 256).unwrap();
    assert_eq!((times(Event::CacheAdd), times(Event::CachePoll)), (1, 1));
    assert!(b.release().unwrap());

    // 48 KiB of a fresh 64 KiB chunk (the heap arena's first; the direct chunk still
    // holds the cached 256 B): `qInit.add` passes it up to q050, and freeing it leaves
    // it empty in a list with a lower bound, which destroys it (PoolChunkList.free →
    // move0 → prevList == null).
    let chunks_destroyed = times(Event::ChunkDestroyed);
    let big = alloc.heap_buffer_with(T, 48 * 1024).unwrap();
    assert!(big.release().unwrap());
    assert_eq!(times(Event::ChunkDestroyed), chunks_destroyed + 1);

    // Larger than a chunk: a huge allocation, destroyed on release.
    let huge = alloc.direct_buffer_with(T, 128 * 1024).unwrap();
    assert_eq!(times(Event::HugeChunkDestroyed), 0);
    assert!(huge.release().unwrap());
    assert_eq!(times(Event::HugeChunkDestroyed), 1);
}

/// The what-if re-check after an offer (`cache_add_rechecks_after_offer`, off in both
/// profiles) takes back an entry it offered to a cache freed meanwhile, and the add
/// with it. Sequentially, with an add that does not check `freed` first (4.1.48's), a
/// release into an exited thread's cache is offered and taken back at once.
#[test]
fn a_rechecked_add_to_a_freed_cache_is_taken_back_uncounted() {
    let jvm = jvm_at(Profile::netty_4_1(), LeakLevel::Disabled, |c| {
        c.profile.allocator.cache_add_checks_freed = false;
        c.profile.allocator.cache_add_rechecks_after_offer = true;
    });
    let alloc = PooledAllocator::new(&jvm, PooledConfig::netty_default(jvm.config())).unwrap();
    let buf = alloc.direct_buffer_with(T, 256).unwrap();
    let cache = alloc.cache_of(T).unwrap();
    jvm.exit_thread(T, true).unwrap();
    assert!(cache.is_freed());
    let adds = || jvm.coverage().times(Event::CacheAdd);
    let before = adds();
    assert!(buf.release().unwrap());
    assert!(
        cache.stranded().is_empty(),
        "the re-check took the entry back"
    );
    assert_eq!(adds(), before, "an add taken back is not counted");
}
