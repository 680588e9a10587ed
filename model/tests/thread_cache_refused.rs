//! A `cacheTrimInterval` (`freeSweepAllocationThreshold`) below 1 with any cache array:
//! the `PoolThreadCache` constructor counts its arenas, then throws
//! `IllegalArgumentException` (PoolThreadCache.java:113–119 of 4.1.48, :96–102 of
//! 4.1.128), so every allocation of a cached thread fails, and so does a reallocation
//! it makes (`parent.threadCache()` in `PoolArena.reallocate`).

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::check::caches_freed_once;
use leakproof_model::error::JavaClass;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::profile::Profile;
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

const LOOP: ThreadId = ThreadId(1);

fn setup(profile: Profile, tweak: impl FnOnce(&mut PooledConfig)) -> Arc<PooledAllocator> {
    let mut config = JvmConfig::for_profile(profile);
    config.runtime_max_memory = 1 << 30;
    let jvm = Jvm::new(config);
    let mut pooled = PooledConfig::netty_default(jvm.config());
    (pooled.direct_arenas, pooled.heap_arenas) = (1, 1);
    pooled.cache_trim_interval = 0;
    pooled.use_cache_for_all_threads = false;
    tweak(&mut pooled);
    let alloc = PooledAllocator::new(&jvm, pooled).unwrap();
    jvm.start_thread(LOOP, ThreadKind::EventLoop).unwrap();
    alloc
}

fn profiles() -> [Profile; 2] {
    [Profile::netty_4_1(), Profile::netty_4_1_48()]
}

/// The exception a cached thread's allocation raises, if any.
fn refusal(alloc: &Arc<PooledAllocator>, t: ThreadId) -> Option<(JavaClass, String)> {
    match alloc.new_buffer(t, true, 256, 1024) {
        Ok(b) => {
            assert!(b.release().unwrap());
            None
        }
        Err(e) => Some((e.class, e.message)),
    }
}

#[test]
fn every_allocation_of_a_cached_thread_throws_and_leaves_the_arenas_counted() {
    for profile in profiles() {
        let alloc = setup(profile.clone(), |_| {});
        for attempt in 1..=3 {
            let refused = refusal(&alloc, LOOP);
            assert_eq!(
                refused,
                Some((
                    JavaClass::IllegalArgument,
                    "freeSweepAllocationThreshold: 0 (expected: > 0)".into()
                )),
                "attempt {attempt}"
            );
            // Each attempt constructs anew and counts both arenas before throwing.
            assert_eq!(alloc.metric().num_thread_local_caches, attempt);
            assert!(alloc.cache_of(LOOP).is_none());
            caches_freed_once(&alloc).unwrap();
        }
        // 1 is the smallest threshold the constructor accepts.
        let one = setup(profile, |c| c.cache_trim_interval = 1);
        assert_eq!(refusal(&one, LOOP), None);
        // A plain thread gets the zero-size cache, which has no array to check.
        assert_eq!(refusal(&alloc, ThreadId::MAIN), None);
        assert_eq!(alloc.metric().num_thread_local_caches, 4);
        caches_freed_once(&alloc).unwrap();
    }
}

#[test]
fn the_message_names_the_threshold_and_plain_threads_are_refused_when_all_are_cached() {
    let alloc = setup(Profile::netty_4_1(), |c| {
        c.cache_trim_interval = -3;
        c.use_cache_for_all_threads = true;
    });
    let (class, message) = refusal(&alloc, ThreadId::MAIN).unwrap();
    assert_eq!(class, JavaClass::IllegalArgument);
    assert_eq!(message, "freeSweepAllocationThreshold: -3 (expected: > 0)");
}

#[test]
fn a_cache_without_arrays_accepts_any_threshold() {
    for profile in profiles() {
        let alloc = setup(profile, |c| {
            (c.tiny_cache_size, c.small_cache_size, c.normal_cache_size) = (0, 0, 0);
        });
        assert_eq!(refusal(&alloc, LOOP), None);
        let alloc = setup(Profile::netty_4_1(), |c| {
            (c.heap_arenas, c.direct_arenas) = (0, 0);
        });
        assert_eq!(refusal(&alloc, LOOP), None, "no arena, no array");
    }
}

#[test]
fn any_one_array_refuses_the_threshold() {
    // (tiny, small, normal, maxCachedBufferCapacity): one array kind alone. 4.1.128's
    // createNormalCaches returns an empty, non-null array when no normal size fits
    // under maxCachedBufferCapacity (here 1 byte); 4.1.48 makes at least one queue.
    for profile in profiles() {
        let legacy = profile.allocator.tiny_cache_size > 0;
        let mut alone = vec![(0, 4, 0, 0), (0, 0, 1, 1)];
        if legacy {
            alone.push((4, 0, 0, 0));
        }
        for (tiny, small, normal, max) in alone {
            let alloc = setup(profile.clone(), |c| {
                (c.tiny_cache_size, c.small_cache_size) = (tiny, small);
                (c.normal_cache_size, c.max_cached_buffer_capacity) = (normal, max);
            });
            assert!(
                refusal(&alloc, LOOP).is_some(),
                "{tiny} {small} {normal} {max}"
            );
        }
        let alloc = setup(profile, |c| {
            (c.tiny_cache_size, c.small_cache_size) = (0, 0);
            (c.normal_cache_size, c.max_cached_buffer_capacity) = (1, 0);
        });
        assert_eq!(
            refusal(&alloc, LOOP),
            None,
            "a normal size without a capacity"
        );
    }
}

#[test]
fn a_cached_thread_cannot_reallocate_a_buffer_a_plain_thread_made() {
    for profile in profiles() {
        let alloc = setup(profile, |_| {});
        let buf = alloc
            .new_buffer(ThreadId::MAIN, true, 256, 1 << 20)
            .unwrap();
        buf.write_bytes(ThreadId::MAIN, &[7; 16]).unwrap();
        let e = buf.set_capacity(LOOP, 100_000).unwrap_err();
        assert_eq!(e.class, JavaClass::IllegalArgument);
        assert_eq!((buf.capacity(), buf.writer_index()), (256, 16));
        // A small shrink stays in place (PooledByteBuf.capacity), without the cache.
        buf.set_capacity(LOOP, 250).unwrap();
        buf.set_capacity(ThreadId::MAIN, 100_000).unwrap();
        assert!(buf.release().unwrap());
        caches_freed_once(&alloc).unwrap();
    }
}
