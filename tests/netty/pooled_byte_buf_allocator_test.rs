//! `PooledByteBufAllocatorTest`'s own tests (its inherited ones are in
//! `byte_buf_allocator_test`). Java threads are logical threads here: a
//! `FastThreadLocalThread` is [`ThreadKind::FastThreadLocal`], `Thread.join` after a
//! clean `run` is `exit_thread(id, true)`, and the `System.gc()` loops are `jvm.gc()`.
//!
//! `directBuffer()` / `heapBuffer()` without arguments are spelled out as Netty's
//! defaults (`DEFAULT_INITIAL_CAPACITY` 256, `Integer.MAX_VALUE`) where the test does
//! not assert them.

use crate::support::{default_pooled, jvm, pooled, pooled_no_cache, pooled_tiny, MAX, T};
use crate::MAX_ORDER;
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::ByteBufAllocator;
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::ThreadId;
use std::sync::Arc;

crate::only_4_1_128! {
    use leakproof_model::pool::handle::{run_offset, run_pages};
    use leakproof_model::pool::{invariants, ArenaKind};
    use leakproof_model::ThreadKind;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
}

/// `directBuffer()` / `heapBuffer()`: Netty's default initial and max capacity.
fn default_buffer(allocator: &Arc<PooledAllocator>, t: ThreadId, direct: bool) -> ByteBuf {
    allocator.new_buffer(t, direct, 256, MAX).unwrap()
}

#[test]
fn test_trim() {
    let jvm = jvm();
    let allocator = default_pooled(&jvm);
    // Should return false as we never allocated from this thread yet.
    // assertFalse(allocator.trimCurrentThreadCache());
    assert!(!allocator.trim_thread_cache(T));
    let direct_buffer = default_buffer(&allocator, T, true);
    // assertTrue(directBuffer.release());
    assert!(direct_buffer.release().unwrap());
    // Should return true now a cache exists for the calling thread.
    // assertTrue(allocator.trimCurrentThreadCache());
    assert!(allocator.trim_thread_cache(T));
}

#[test]
fn test_pooled_unsafe_heap_buffer_and_unsafe_direct_buffer() {
    let jvm = jvm();
    let allocator = default_pooled(&jvm);
    let direct_buffer = default_buffer(&allocator, T, true);
    // assertInstanceOf(directBuffer, PooledUnsafeDirectByteBuf.class);
    assert_eq!(direct_buffer.class(), BufClass::PooledUnsafeDirect);
    direct_buffer.release().unwrap();
    let heap_buffer = default_buffer(&allocator, T, false);
    // assertInstanceOf(heapBuffer, PooledUnsafeHeapByteBuf.class);
    assert_eq!(heap_buffer.class(), BufClass::PooledUnsafeHeap);
    heap_buffer.release().unwrap();
}

#[test]
fn test_io_buffers_are_direct_when_unsafe_available_or_direct_buffers_pooled() {
    let jvm = jvm();
    let allocator = default_pooled(&jvm);
    let io_buffer = allocator.io_buffer(T).unwrap();
    // assertTrue(ioBuffer.isDirect());
    assert!(io_buffer.is_direct());
    io_buffer.release().unwrap();
    // newUnpooledAllocator(): new PooledByteBufAllocator(0, 0, 8192, 1)
    let d = leakproof_model::alloc::pooled::PooledConfig::netty_default(jvm.config());
    let (small, normal, all) = (
        d.small_cache_size,
        d.normal_cache_size,
        d.use_cache_for_all_threads,
    );
    let unpooled_allocator = pooled(&jvm, false, 0, 0, 8192, 1, small, normal, all, 0);
    let io_buffer = unpooled_allocator.io_buffer(T).unwrap();
    // if (PlatformDependent.hasUnsafe()) assertTrue(ioBuffer.isDirect());
    assert!(io_buffer.is_direct());
    io_buffer.release().unwrap();
}

#[test]
fn test_without_use_cache_for_all_threads() {
    let jvm = jvm();
    // new PooledByteBufAllocator(false, 1, 1, 8192, maxOrder, 0, 0, 0, false); buf = pool.buffer(1)
    let pool = pooled_tiny(&jvm, false, 1, 1, 8192, MAX_ORDER, [0, 0, 0], false, 0);
    let buf = pool.buffer_with(T, 1).unwrap();
    assert!(buf.release().unwrap());
}

/// `testArenaMetrics0(allocator, num, expectedActive, expectedAlloc, expectedDealloc)`
/// and `assertArenaMetrics` on both arena kinds.
fn arena_metrics0(allocator: &Arc<PooledAllocator>, num: usize, expected: [i64; 3]) {
    for _ in 0..num {
        // assertTrue(allocator.directBuffer().release()); assertTrue(allocator.heapBuffer().release());
        assert!(default_buffer(allocator, T, true).release().unwrap());
        assert!(default_buffer(allocator, T, false).release().unwrap());
    }
    let m = allocator.metric();
    for arenas in [&m.direct_arenas, &m.heap_arenas] {
        let sum = |f: fn(&leakproof_model::pool::ArenaMetrics) -> i64| -> i64 {
            arenas.iter().map(f).sum()
        };
        let active = sum(|a| a.num_active_allocations);
        let alloc = sum(|a| a.num_allocations as i64);
        let dealloc = sum(|a| a.num_deallocations as i64);
        // assertEquals(expectedActive, active); assertEquals(expectedAlloc, alloc);
        // assertEquals(expectedDealloc, dealloc);
        assert_eq!([active, alloc, dealloc], expected);
    }
}

#[test]
fn test_arena_metrics_no_cache() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 2, 2, 8192, maxOrder, 0, 0, 0), 100, 0, 100, 100
    let allocator = pooled_no_cache(&jvm, 2, 2, 8192, MAX_ORDER);
    arena_metrics0(&allocator, 100, [0, 100, 100]);
}

#[test]
fn test_arena_metrics_cache() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 2, 2, 8192, maxOrder, 1000, 1000, 1000[, true, 0]), 100, 1, 1, 0
    let allocator = pooled_tiny(&jvm, true, 2, 2, 8192, MAX_ORDER, [1000; 3], true, 0);
    arena_metrics0(&allocator, 100, [1, 1, 0]);
}

#[test]
fn test_arena_metrics_no_cache_align() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 2, 2, 8192, maxOrder, 0, 0, 0, true, 64), 100, 0, 100, 100
    let allocator = pooled_tiny(&jvm, true, 2, 2, 8192, MAX_ORDER, [0; 3], true, 64);
    arena_metrics0(&allocator, 100, [0, 100, 100]);
}

#[test]
fn test_arena_metrics_cache_align() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 2, 2, 8192, maxOrder, 1000, 1000, 1000, true, 64), 100, 1, 1, 0
    let allocator = pooled_tiny(&jvm, true, 2, 2, 8192, MAX_ORDER, [1000; 3], true, 64);
    arena_metrics0(&allocator, 100, [1, 1, 0]);
}

#[test]
fn test_pool_chunk_list_metric() {
    let jvm = jvm();
    let allocator = default_pooled(&jvm);
    let m = allocator.metric();
    assert!(!m.heap_arenas.is_empty());
    for arena in &m.heap_arenas {
        let lists = &arena.chunk_lists;
        // assertEquals(6, lists.size());
        assert_eq!(lists.len(), 6);
        let usage = |i: usize| (lists[i].min_usage, lists[i].max_usage);
        // assertPoolChunkListMetric(lists.get(0), 1, 25); (1, 50); (25, 75); [4]: (75, 100); [5]: (100, 100)
        assert_eq!(usage(0), (1, 25));
        assert_eq!(usage(1), (1, 50));
        assert_eq!(usage(2), (25, 75));
        assert_eq!(usage(4), (75, 100));
        assert_eq!(usage(5), (100, 100));
    }
}

#[test]
fn test_small_subpage_metric() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 1, 1, 8192, maxOrder, 0, 0, 0)
    let allocator = pooled_no_cache(&jvm, 1, 1, 8192, MAX_ORDER);
    let buffer = allocator.new_buffer(T, false, 500, MAX).unwrap();
    let metric = &allocator.metric().heap_arenas[0];
    let subpage = &metric.small_subpages[0];
    // assertEquals(1, subpageMetric.maxNumElements() - subpageMetric.numAvailable());
    assert_eq!(subpage.max_num_elements - subpage.num_available, 1);
    buffer.release().unwrap();
}

#[test]
fn test_alloc_not_null() {
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 1, 1, 8192, maxOrder, 0, 0, 0)
    let allocator = pooled_no_cache(&jvm, 1, 1, 8192, MAX_ORDER);
    let chunk_size = allocator.metric().chunk_size as i64;
    // Huge, normal, small, small (4.1.48: huge, normal, small, tiny).
    for capacity in [chunk_size + 1, 1024, 512, 1] {
        let buffer = allocator.new_buffer(T, false, capacity, MAX).unwrap();
        // assertNotNull(buffer.alloc());
        assert_eq!(buffer.alloc().pooled_id(), Some(allocator.id()));
        // assertTrue(buffer.release());
        assert!(buffer.release().unwrap());
        // assertNotNull(buffer.alloc());
        assert_eq!(buffer.alloc().pooled_id(), Some(allocator.id()));
    }
}

#[test]
fn test_free_pool_chunk() {
    let chunk_size = 16 * 1024 * 1024;
    let jvm = jvm();
    // new PooledByteBufAllocator(true, 1, 0, 8192, 11, 0, 0, 0)
    let allocator = pooled_no_cache(&jvm, 1, 0, 8192, 11);
    let buffer = allocator.new_buffer(T, false, chunk_size, MAX).unwrap();
    let occupied = || -> Vec<bool> {
        let m = allocator.metric();
        // assertEquals(1, arenas.size()); assertEquals(6, lists.size());
        assert_eq!(m.heap_arenas.len(), 1);
        assert_eq!(m.heap_arenas[0].chunk_lists.len(), 6);
        m.heap_arenas[0]
            .chunk_lists
            .iter()
            .map(|l| !l.chunks.is_empty())
            .collect()
    };
    // assertFalse(lists.get(0..5).iterator().hasNext()); Must end up in the 6th PoolChunkList:
    // assertTrue(lists.get(5).iterator().hasNext());
    assert_eq!(occupied(), [false, false, false, false, false, true]);
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
    // Should be completely removed and so all PoolChunkLists must be empty
    assert_eq!(occupied(), [false; 6]);
}

crate::only_4_1_128! {
    #[test]
    fn test_allocate_small_offset() {
        let page_size = 8192;
        let jvm = jvm();
        let allocator = pooled_no_cache(&jvm, 1, 1, 8192, 9);
        let size = page_size * 5;
        // buffer(size) with preferDirect: a direct buffer.
        let alloc = || allocator.new_buffer(T, true, size, MAX).unwrap();
        let run_offset = |b: &ByteBuf| run_offset(b.pooled_fields().unwrap().handle) as usize;
        let mut bufs: Vec<ByteBuf> = (0..10).map(|_| alloc()).collect();
        for b in &bufs[..5] {
            b.release().unwrap();
        }
        // make sure we always allocate runs with small offset
        for (i, slot) in bufs.iter_mut().enumerate().take(5) {
            let buf = alloc();
            // assertEquals(runOffset(unwrapedBuf.handle), i * 5);
            assert_eq!(run_offset(&buf), i * 5);
            *slot = buf;
        }
        // release at reverse order
        for b in bufs[5..].iter().rev() {
            b.release().unwrap();
        }
        for (i, slot) in bufs.iter_mut().enumerate().skip(5) {
            let buf = alloc();
            // assertEquals(runOffset(unwrapedBuf.handle), i * 5);
            assert_eq!(run_offset(&buf), i * 5);
            *slot = buf;
        }
        for b in &bufs {
            b.release().unwrap();
        }
    }
}

crate::only_4_1_128! {
    #[test]
    fn test_collapse() {
        let page_size = 8192;
        // no cache
        let jvm = jvm();
        let allocator = pooled_no_cache(&jvm, 1, 1, 8192, 9);
        let buffer = |pages: i32| allocator.buffer_with(T, page_size * pages).unwrap();
        let handle = |b: &ByteBuf| b.pooled_fields().unwrap().handle;
        let b1 = buffer(4);
        let b2 = buffer(5);
        let b3 = buffer(6);
        b2.release().unwrap();
        b3.release().unwrap();
        let b4 = buffer(10);
        // b2 and b3 are collapsed, b4 should start at offset 4
        // assertEquals(4, runOffset(b.handle)); assertEquals(10, runPages(b.handle));
        assert_eq!((run_offset(handle(&b4)), run_pages(handle(&b4))), (4, 10));
        b1.release().unwrap();
        b4.release().unwrap();
        // all ByteBuf are collapsed, b5 should start at offset 0
        let b5 = buffer(20);
        // assertEquals(0, runOffset(b.handle)); assertEquals(20, runPages(b.handle));
        assert_eq!((run_offset(handle(&b5)), run_pages(handle(&b5))), (0, 20));
        b5.release().unwrap();
    }
}

crate::only_4_1_128! {
    #[test]
    fn test_cache_works_for_normal_allocations() {
        let jvm = jvm();
        let max_cached = jvm.profile().allocator.max_cached_buffer_capacity as i64;
        // new PooledByteBufAllocator(true, 0, 1, defaultPageSize, defaultMaxOrder, 128, 128, true)
        let allocator = pooled(&jvm, true, 0, 1, 8192, 9, 128, 128, true, 0);
        let normal = || allocator.metric().direct_arenas[0].num_normal_allocations;
        let buffer = allocator.new_buffer(T, true, max_cached, MAX).unwrap();
        // assertEquals(1, …numNormalAllocations());
        assert_eq!(normal(), 1);
        buffer.release().unwrap();
        let buffer = allocator.new_buffer(T, true, max_cached, MAX).unwrap();
        // Should come out of the cache so the count should not be incremented
        assert_eq!(normal(), 1);
        buffer.release().unwrap();
        // Should be allocated without cache and also not put back in a cache.
        let buffer = allocator.new_buffer(T, true, max_cached + 1, MAX).unwrap();
        // assertEquals(2, …numNormalAllocations());
        assert_eq!(normal(), 2);
        buffer.release().unwrap();
        let buffer = allocator.new_buffer(T, true, max_cached + 1, MAX).unwrap();
        // assertEquals(3, …numNormalAllocations());
        assert_eq!(normal(), 3);
        buffer.release().unwrap();
    }
}

crate::only_4_1_128! {
    #[test]
    fn test_normal_pool_subpage_release() {
        // 16 < elemSize <= 7168 or 8192 < elemSize <= 28672, 1 < subpage.maxNumElems <= 256
        // 7168 <= elemSize <= 8192, subpage.maxNumElems == 1
        let elem_size = 8192;
        let length = 1024;
        let jvm = jvm();
        // new PooledByteBufAllocator(false, 32, 32, 8192, 11, 256, 64, false, 0)
        let allocator = pooled(&jvm, false, 32, 32, 8192, 11, 256, 64, false, 0);
        let bufs: Vec<ByteBuf> = (0..length)
            .map(|_| {
                allocator
                    .new_buffer(T, false, elem_size, elem_size)
                    .unwrap()
            })
            .collect();
        let fields = bufs[0].pooled_fields().unwrap();
        let chunk_free_bytes = || {
            fields
                .arena
                .lock()
                .chunk(fields.chunk)
                .unwrap()
                .free_bytes()
        };
        let before_free_bytes = chunk_free_bytes();
        for b in &bufs {
            b.release().unwrap();
        }
        let after_free_bytes = chunk_free_bytes();
        // assertTrue(beforeFreeBytes < afterFreeBytes);
        assert!(before_free_bytes < after_free_bytes);
    }
}

crate::only_4_1_128! {
    /// Two Java threads call `buf.capacity(512)` at once; the test fails on any
    /// `AssertionError` from Netty's `-ea` asserts. On logical threads the two calls run
    /// one after the other, and the arena's invariants stand in for the asserts.
    #[test]
    fn test_capacity_change_doesnt_throw_assertion_error() {
        let jvm = jvm();
        let allocator = default_pooled(&jvm);
        let mut buffers: Vec<ByteBuf> = (0..31)
            .map(|_| default_buffer(&allocator, T, false))
            .collect();
        let buf = default_buffer(&allocator, T, false);
        buffers.push(buf.clone());
        for t in [ThreadId(1), ThreadId(2)] {
            jvm.start_thread(t, ThreadKind::Plain).unwrap();
            buf.set_capacity(t, 512).unwrap();
        }
        buffers.push(default_buffer(&allocator, T, false));
        buffers.push(default_buffer(&allocator, T, false));
        for arena in allocator.arenas(ArenaKind::Heap) {
            // if (error != null) throw error;
            invariants::check_arena(&arena.lock()).unwrap();
        }
        for buffer in &buffers {
            buffer.release().unwrap();
        }
    }
}

crate::only_4_1_128! {
    /// `pinnedMemoryMustReflectBuffersInUse(useThreadLocalCaching)`: with one arena of each
    /// kind, rounds of 1–99 small (8–127 bytes) or larger (1 KiB–100 KiB) direct buffers;
    /// while they are live their capacities fit in the pinned bytes, which fit in the used
    /// bytes of the chunks; once they are released nothing is pinned. Java's
    /// `ThreadLocalRandom` is a seeded ChaCha8 stream.
    fn pinned_memory_must_reflect_buffers_in_use(use_thread_local_caching: bool) {
        let jvm = jvm();
        let d = leakproof_model::alloc::pooled::PooledConfig::netty_default(jvm.config());
        let (small, normal) = if use_thread_local_caching {
            (d.small_cache_size, d.normal_cache_size)
        } else {
            (0, 0)
        };
        let alloc = pooled(
            &jvm,
            d.prefer_direct,
            1,
            1,
            d.page_size,
            d.max_order,
            small,
            normal,
            use_thread_local_caching,
            0,
        );
        let mut rnd = ChaCha8Rng::seed_from_u64(u64::from(use_thread_local_caching));
        for index in 0..10000 {
            let buf_count = rnd.random_range(1..100);
            // index % 2 == 0: small buffers, else larger ones.
            let sizes = if index % 2 == 0 {
                8..128
            } else {
                1024..1024 * 100
            };
            let buffers: Vec<ByteBuf> = (0..buf_count)
                .map(|_| {
                    alloc
                        .direct_buffer_with(T, rnd.random_range(sizes.clone()))
                        .unwrap()
                })
                .collect();
            let cap_sum: i64 = buffers.iter().map(|b| b.capacity() as i64).sum();
            if index % 100 == 0 {
                // usedMemory(metric.directArenas()): Σ chunkSize − freeBytes over the lists' chunks
                let used: i64 = alloc.metric().direct_arenas[0]
                    .chunk_lists
                    .iter()
                    .flat_map(|l| &l.chunks)
                    .map(|c| (c.chunk_size - c.free_bytes) as i64)
                    .sum();
                let pinned = alloc.pinned_direct_memory();
                // assertThat(capSum.get()).isLessThanOrEqualTo(pinned);
                assert!(cap_sum <= pinned, "{cap_sum} > {pinned}");
                // assertThat(pinned).isLessThanOrEqualTo(used);
                assert!(pinned <= used, "{pinned} > {used}");
            }
            for buffer in &buffers {
                buffer.release().unwrap();
            }
            // After releasing all buffers, pinned memory must be zero
            // assertThat(alloc.pinnedDirectMemory()).isZero();
            assert_eq!(alloc.pinned_direct_memory(), 0);
        }
    }
}

crate::only_4_1_128! {
    #[test]
    fn pinned_memory_must_reflect_buffers_in_use_with_thread_local_caching() {
        pinned_memory_must_reflect_buffers_in_use(true);
    }
}

crate::only_4_1_128! {
    #[test]
    fn pinned_memory_must_reflect_buffers_in_use_without_thread_local_caching() {
        pinned_memory_must_reflect_buffers_in_use(false);
    }
}
