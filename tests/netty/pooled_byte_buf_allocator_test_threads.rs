//! `PooledByteBufAllocatorTest`: thread caches across thread lifetimes, and the
//! concurrent-usage stress test, on logical threads.

use crate::support::{jvm, pooled, pooled_no_cache, MAX};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::Jvm;
use leakproof_model::{ThreadId, ThreadKind};
use std::sync::Arc;

/// `new PooledByteBufAllocator(nHeapArena, nDirectArena, pageSize, maxOrder)`:
/// `preferDirect` false and Netty's default cache sizes.
fn four_arg(
    jvm: &Arc<Jvm>,
    heap: i32,
    direct: i32,
    page_size: i32,
    max_order: i32,
) -> Arc<PooledAllocator> {
    let d = leakproof_model::alloc::pooled::PooledConfig::netty_default(jvm.config());
    pooled(
        jvm,
        false,
        heap,
        direct,
        page_size,
        max_order,
        d.small_cache_size,
        d.normal_cache_size,
        d.use_cache_for_all_threads,
        0,
    )
}

/// `testThreadCacheDestroyed(useRunnable)`: eleven `FastThreadLocalThread`s each
/// allocate, fill and release a heap buffer, then end — cleaning their thread locals
/// (`useRunnable`) or not, in which case the cache's finalizer frees it after a GC.
fn thread_cache_destroyed(use_runnable: bool) {
    let num_arenas = 11;
    let jvm = jvm();
    let allocator = four_arg(&jvm, num_arenas, num_arenas, 8192, 1);
    let mut thread_caches_created = true;
    for i in 0..num_arenas {
        let t = ThreadId(1 + i as u32);
        jvm.start_thread(t, ThreadKind::FastThreadLocal).unwrap();
        let buf = allocator.new_buffer(t, false, 1024, 1024).unwrap();
        buf.write_fill(t, buf.capacity(), 0).unwrap();
        if allocator.metric().num_thread_local_caches == 0 {
            thread_caches_created = false;
        }
        buf.release().unwrap();
        // assertTrue(thread.willCleanupFastThreadLocals()) / assertFalse(…)
        jvm.exit_thread(t, use_runnable).unwrap();
    }
    // Wait for the ThreadDeathWatcher to have destroyed all thread caches:
    // while (numThreadLocalCaches() > 0) { System.gc(); System.runFinalization(); … }
    for _ in 0..10 {
        if allocator.metric().num_thread_local_caches == 0 {
            break;
        }
        jvm.gc();
    }
    assert_eq!(allocator.metric().num_thread_local_caches, 0);
    // assertTrue(threadCachesCreated.get());
    assert!(thread_caches_created);
}

#[test]
fn test_thread_cache_destroyed_by_thread_cleaner() {
    thread_cache_destroyed(false);
}

#[test]
fn test_thread_cache_destroyed_after_exit_run() {
    thread_cache_destroyed(true);
}

/// `createNewThreadCache(allocator, direct)`: a `FastThreadLocalThread` that allocated
/// a 1024-byte buffer and waits; `destroy()` lets it release the buffer, call
/// `FastThreadLocal.removeAll()` and end.
struct ThreadCache {
    jvm: Arc<Jvm>,
    thread: ThreadId,
    buf: ByteBuf,
}

fn create_new_thread_cache(
    jvm: &Arc<Jvm>,
    allocator: &Arc<PooledAllocator>,
    thread: u32,
    direct: bool,
) -> ThreadCache {
    let thread = ThreadId(thread);
    jvm.start_thread(thread, ThreadKind::FastThreadLocal)
        .unwrap();
    let buf = allocator.new_buffer(thread, direct, 1024, 1024).unwrap();
    buf.write_fill(thread, buf.capacity(), 0).unwrap();
    ThreadCache {
        jvm: jvm.clone(),
        thread,
        buf,
    }
}

impl ThreadCache {
    fn destroy(self) {
        self.buf.release().unwrap();
        self.jvm.exit_thread(self.thread, true).unwrap();
    }
}

/// `allocator.metric().numThreadLocalCaches()`.
fn caches(allocator: &PooledAllocator) -> i64 {
    allocator.metric().num_thread_local_caches
}

#[test]
fn test_num_thread_caches_with_no_direct_arenas() {
    let jvm = jvm();
    let allocator = four_arg(&jvm, 1, 0, 8192, 1);
    let tcache0 = create_new_thread_cache(&jvm, &allocator, 1, false);
    // assertEquals(1, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 1);
    let tcache1 = create_new_thread_cache(&jvm, &allocator, 2, false);
    // assertEquals(2, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 2);
    tcache0.destroy();
    // assertEquals(1, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 1);
    tcache1.destroy();
    // assertEquals(0, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 0);
}

crate::only_4_1_128! {
    #[test]
    fn test_num_thread_caches_account_for_direct_and_heap_arenas() {
        let jvm = jvm();
        let allocator = four_arg(&jvm, 1, 0, 8192, 1);
        let tcache0 = create_new_thread_cache(&jvm, &allocator, 1, false);
        // assertEquals(1, allocator.metric().numThreadLocalCaches());
        assert_eq!(caches(&allocator), 1);
        let tcache1 = create_new_thread_cache(&jvm, &allocator, 2, true);
        // assertEquals(2, allocator.metric().numThreadLocalCaches());
        assert_eq!(caches(&allocator), 2);
        tcache0.destroy();
        // assertEquals(1, allocator.metric().numThreadLocalCaches());
        assert_eq!(caches(&allocator), 1);
        tcache1.destroy();
        // assertEquals(0, allocator.metric().numThreadLocalCaches());
        assert_eq!(caches(&allocator), 0);
    }
}

#[test]
fn test_thread_cache_to_arena_mappings() {
    let jvm = jvm();
    let allocator = four_arg(&jvm, 2, 2, 8192, 1);
    // [heap0, heap1, direct0, direct1] numThreadCaches()
    let per_arena = || {
        let m = allocator.metric();
        let h = |i: usize| m.heap_arenas[i].num_thread_caches;
        let d = |i: usize| m.direct_arenas[i].num_thread_caches;
        [h(0), h(1), d(0), d(1)]
    };
    let tcache0 = create_new_thread_cache(&jvm, &allocator, 1, false);
    let tcache1 = create_new_thread_cache(&jvm, &allocator, 2, false);
    // assertEquals(2, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 2);
    // assertEquals(1, heapArenas().get(0).numThreadCaches()); … (1), directArenas 1, 1
    assert_eq!(per_arena(), [1, 1, 1, 1]);
    tcache1.destroy();
    // assertEquals(1, numThreadLocalCaches()); heap 1, 0; direct 1, 0
    assert_eq!(caches(&allocator), 1);
    assert_eq!(per_arena(), [1, 0, 1, 0]);
    let tcache2 = create_new_thread_cache(&jvm, &allocator, 3, false);
    // assertEquals(2, numThreadLocalCaches()); heap 1, 1; direct 1, 1
    assert_eq!(caches(&allocator), 2);
    assert_eq!(per_arena(), [1, 1, 1, 1]);
    tcache0.destroy();
    // assertEquals(1, allocator.metric().numThreadLocalCaches());
    assert_eq!(caches(&allocator), 1);
    tcache2.destroy();
    // assertEquals(0, numThreadLocalCaches()); every arena 0
    assert_eq!(caches(&allocator), 0);
    assert_eq!(per_arena(), [0, 0, 0, 0]);
}

/// `testConcurrentUsage`: 64 `AllocationThread`s share one direct arena without
/// caches, each allocating ten buffers of growing sizes, filling buffer `i` with byte
/// `i`, then reading every byte back and releasing. Java races them for 15 s; here
/// the logical threads take turns, one batch each per round, for 10 rounds, thread `n`
/// starting at size `256 n` so that together they cover the sizes a 15 s run reaches
/// (the allocator's interleavings are shuttle's job, `tests/shuttle_allocator.rs`).
#[test]
fn test_concurrent_usage() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 0, 1, 8192, maxOrder, 0, 0, 0) (4.1.48: 1 heap arena,
    // which this direct-only test never touches)
    let allocator = pooled_no_cache(&jvm, 0, 1, 8192, crate::MAX_ORDER);
    let threads: Vec<ThreadId> = (1..=64).map(ThreadId).collect();
    for &t in &threads {
        jvm.start_thread(t, ThreadKind::Plain).unwrap();
    }
    // ALLOCATION_SIZES[i] = i for 16 * 1024 sizes; each thread walks them with `idx`.
    let mut idx: Vec<usize> = (0..threads.len()).map(|n| 256 * n).collect();
    for _round in 0..10 {
        for (n, &t) in threads.iter().enumerate() {
            let mut buffers = Vec::new();
            for i in 0..10u8 {
                let len = idx[n] % (16 * 1024);
                idx[n] += 1;
                let buf = allocator.new_buffer(t, true, len as i64, MAX).unwrap();
                // assertEquals(len, buf.writableBytes());
                assert_eq!(buf.writable_bytes(), len);
                buf.write_fill(t, len, i).unwrap();
                buffers.push(buf);
            }
            // releaseBuffersAndCheckContent()
            for (i, buf) in buffers.iter().enumerate() {
                // assertEquals(i, buf.readByte()) for every readable byte
                let bytes = buf.read_bytes(buf.readable_bytes()).unwrap();
                assert!(bytes.iter().all(|&b| b as usize == i));
                buf.release().unwrap();
            }
        }
    }
    let m = allocator.metric();
    assert_eq!(m.direct_arenas[0].num_active_allocations, 0);
}
