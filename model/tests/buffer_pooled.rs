//! Pooled buffers: caches, derivatives, reallocation, thread exit and finalizers.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::coverage::Event;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::{Profile, ThreadId, ThreadKind};
use std::sync::Arc;

const MAIN: ThreadId = ThreadId::MAIN;
const LOOP: ThreadId = ThreadId(1);
const OTHER: ThreadId = ThreadId(2);

fn setup(arenas: i32) -> (Arc<Jvm>, Arc<PooledAllocator>) {
    let jvm = Jvm::new(JvmConfig {
        runtime_max_memory: 1 << 30,
        ..JvmConfig::default()
    });
    let mut pooled = PooledConfig::netty_default(jvm.config());
    pooled.direct_arenas = arenas;
    pooled.heap_arenas = arenas;
    let alloc = PooledAllocator::new(&jvm, pooled).unwrap();
    jvm.start_thread(LOOP, ThreadKind::EventLoop).unwrap();
    jvm.start_thread(OTHER, ThreadKind::Plain).unwrap();
    (jvm, alloc)
}

#[test]
fn event_loop_reuses_its_cached_handle() {
    let (_jvm, alloc) = setup(1);
    let a = alloc.new_buffer(LOOP, true, 256, 1024).unwrap();
    assert_eq!(
        a.to_java_string(),
        "PooledUnsafeDirectByteBuf(ridx: 0, widx: 0, cap: 256/1024)"
    );
    let offset = a.memory_offset();
    assert!(a.release().unwrap());
    let b = alloc.new_buffer(LOOP, true, 250, 1024).unwrap();
    assert_eq!(
        b.memory_offset(),
        offset,
        "the cache hands the same slot back"
    );
    assert_eq!(
        b.object_id(),
        a.object_id(),
        "the recycler hands the same object back"
    );
    assert!(a.is_stale(), "the old handle now reaches a new incarnation");
    assert!(!b.is_stale(), "the new handle is the incarnation's own");
    let m = alloc.metric();
    assert_eq!(
        m.direct_arenas[0].num_small_allocations, 1,
        "a cache hit is not an allocation"
    );
}

#[test]
fn plain_threads_get_a_zero_size_cache_that_still_counts() {
    let (_jvm, alloc) = setup(1);
    let a = alloc.new_buffer(MAIN, true, 256, 1024).unwrap();
    assert_eq!(alloc.metric().num_thread_local_caches, 1);
    a.release().unwrap();
    let m = alloc.metric();
    assert_eq!(
        m.direct_arenas[0].num_small_deallocations, 1,
        "no queue: freed to the arena"
    );
}

#[test]
fn cross_thread_release_goes_to_the_allocating_threads_cache() {
    let (jvm, alloc) = setup(1);
    let a = alloc.new_buffer(LOOP, true, 512, 512).unwrap();
    let moved = a.clone();
    drop(a);
    // OTHER releases LOOP's buffer: the handle is offered to LOOP's cache.
    assert!(moved.release().unwrap());
    let cache = alloc.cache_of(LOOP).unwrap();
    assert_eq!(cache.queues().map(|q| q.entries().len()).sum::<usize>(), 1);
    // A clean exit of LOOP drains it to the arena.
    jvm.exit_thread(LOOP, true).unwrap();
    assert!(cache.is_freed());
    assert_eq!(alloc.metric().direct_arenas[0].num_small_deallocations, 1);
}

#[test]
fn an_unclean_exit_is_cleaned_by_the_finalizer_once_nothing_links_the_cache() {
    let (jvm, alloc) = setup(1);
    let a = alloc.new_buffer(LOOP, true, 512, 512).unwrap();
    let keep = alloc.new_buffer(LOOP, true, 512, 512).unwrap();
    a.release().unwrap();
    jvm.exit_thread(LOOP, false).unwrap();
    assert!(alloc.cache_of(LOOP).is_none(), "the exit unbinds the cache");
    let cache = alloc.all_caches().next().unwrap().clone();
    jvm.gc();
    assert!(!cache.is_freed(), "a live buffer still links the cache");
    keep.release().unwrap();
    drop(keep);
    let report = jvm.gc();
    assert!(cache.is_freed());
    assert_eq!(report.finalizers[0].entries_freed, 2);
    assert_eq!(
        alloc.metric().direct_arenas[0].num_small_deallocations,
        0,
        "finalizer path skips metrics"
    );
}

/// A plain thread's zero-size cache (no queues, Netty's `useCacheForAllThreads` off) has
/// no finalizer: after an unclean exit the GC finalizes nothing.
#[test]
fn an_uncached_threads_cache_is_never_finalized() {
    let (jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(OTHER, true, 256, 256).unwrap();
    assert!(buf.release().unwrap());
    drop(buf);
    let cache = alloc.cache_of(OTHER).unwrap();
    jvm.exit_thread(OTHER, false).unwrap();
    let report = jvm.gc();
    assert!(report.finalizers.iter().all(|f| f.caches_freed.is_empty()));
    assert!(!cache.is_freed());
}

#[test]
fn pooled_retained_slice_owns_a_count_and_holds_its_parent() {
    let (_jvm, alloc) = setup(1);
    let root = alloc.new_buffer(LOOP, true, 64, 64).unwrap();
    root.write_bytes(LOOP, &[5; 64]).unwrap();
    let child = root.retained_slice_range(LOOP, 8, 8).unwrap();
    assert_eq!((root.ref_cnt(), child.ref_cnt()), (2, 1));
    let grandchild = child.retained_slice(LOOP).unwrap();
    assert_eq!(
        (root.ref_cnt(), child.ref_cnt(), grandchild.ref_cnt()),
        (2, 2, 1)
    );
    let plain = grandchild.slice().unwrap();
    assert_eq!(
        plain.class().simple_name(false),
        "AbstractPooledDerivedByteBuf$PooledNonRetainedSlicedByteBuf"
    );
    assert!(!root.release().unwrap());
    assert!(
        plain.release().unwrap(),
        "the plain slice shares the grandchild's count"
    );
    assert_eq!(
        child.ref_cnt(),
        1,
        "releasing the grandchild released its direct parent"
    );
    assert!(child.release().unwrap());
    assert_eq!(root.ref_cnt(), 0, "the last derivative released the root");
}

#[test]
fn capacity_grows_in_place_then_reallocates_keeping_bytes() {
    let (_jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(LOOP, true, 100, 100_000).unwrap();
    buf.write_bytes(LOOP, &[9; 100]).unwrap();
    let offset = buf.memory_offset();
    buf.set_capacity(LOOP, 112).unwrap();
    assert_eq!(buf.memory_offset(), offset, "within maxLength: in place");
    buf.set_capacity(LOOP, 5000).unwrap();
    assert_eq!(buf.capacity(), 5000);
    assert_eq!(buf.get_bytes(0, 100).unwrap(), vec![9; 100]);
    assert!(buf.release().unwrap());
}

#[test]
fn leaked_pooled_memory_survives_gc_and_counts_in_the_direct_counter() {
    let (jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(MAIN, true, 1 << 20, 1 << 20).unwrap();
    assert_eq!(jvm.netty_direct().used(), 4 << 20, "one 4 MiB chunk");
    drop(buf);
    let report = jvm.gc();
    assert_eq!(report.leaked.len(), 1);
    assert_eq!(jvm.netty_direct().used(), 4 << 20);
}

#[test]
fn zero_arenas_fall_back_to_unpooled_buffers() {
    let (jvm, alloc) = setup(0);
    let buf = alloc.new_buffer(MAIN, true, 1024, 1024).unwrap();
    assert_eq!(
        buf.class().simple_name(false),
        "UnpooledUnsafeNoCleanerDirectByteBuf"
    );
    assert_eq!(jvm.netty_direct().used(), 1024);
    buf.release().unwrap();
    assert_eq!(jvm.netty_direct().used(), 0);
}

#[test]
fn dropping_the_allocator_destroys_its_chunks() {
    let (jvm, alloc) = setup(1);
    let handle = alloc.handle();
    let buf = alloc.new_buffer(LOOP, true, 64 << 10, 64 << 10).unwrap();
    buf.release().unwrap();
    drop(buf);
    jvm.gc();
    assert_eq!(
        jvm.netty_direct().used(),
        4 << 20,
        "a chunk in qInit is kept"
    );
    drop(handle);
    alloc.free_thread_cache(LOOP);
    jvm.gc();
    assert_eq!(
        jvm.netty_direct().used(),
        4 << 20,
        "the released buffer object waits in the loop's Recycler pool, and its \
         `allocator` field, never cleared (PooledByteBuf.java:42, 71), reaches the arenas"
    );
    jvm.exit_thread(LOOP, true).unwrap();
    drop(alloc);
    let report = jvm.gc();
    assert_eq!(report.finalizers[0].chunks_destroyed, 1);
    assert_eq!(jvm.netty_direct().used(), 0);
}

#[test]
fn a_recycled_buffer_object_keeps_its_allocator_on_both_profiles() {
    for profile in [Profile::netty_4_1(), Profile::netty_4_1_48()] {
        let jvm = Jvm::new(JvmConfig {
            runtime_max_memory: 1 << 30,
            profile,
            ..JvmConfig::default()
        });
        let pooled = PooledConfig::netty_default(jvm.config());
        let alloc = PooledAllocator::new(&jvm, pooled).unwrap();
        let buf = alloc.new_buffer(MAIN, true, 64 << 10, 64 << 10).unwrap();
        buf.release().unwrap();
        drop(buf);
        alloc.free_thread_cache(MAIN);
        drop(alloc);
        jvm.gc();
        assert!(
            !jvm.allocators()[0].is_finalized(),
            "{}: the recycled object's `allocator` (PooledByteBuf.java:41, 66 of 4.1.48; \
             :42, 71 of 4.1.128) keeps the arenas",
            jvm.profile().name
        );
        assert!(jvm.netty_direct().used() > 0, "the chunk stays");
    }
}

#[test]
fn a_quarter_chunk_buffer_churns_its_chunk() {
    let (jvm, alloc) = setup(1);
    for _ in 0..3 {
        let buf = alloc.new_buffer(MAIN, true, 1 << 20, 1 << 20).unwrap();
        assert_eq!(jvm.netty_direct().used(), 4 << 20);
        buf.release().unwrap();
        assert_eq!(
            jvm.netty_direct().used(),
            0,
            "#14257: the chunk went straight to q000"
        );
    }
}

#[test]
fn trim_frees_what_was_not_used_since_the_last_trim() {
    let (jvm, _) = setup(1);
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 1;
    config.cache_trim_interval = 4;
    let alloc = PooledAllocator::new(&jvm, config).unwrap();
    let bufs: Vec<_> = (0..3)
        .map(|_| alloc.new_buffer(LOOP, true, 64, 64).unwrap())
        .collect();
    for b in &bufs {
        b.release().unwrap();
    }
    let cache = alloc.cache_of(LOOP).unwrap();
    let queued = || cache.queues().map(|q| q.entries().len()).sum::<usize>();
    assert_eq!(queued(), 3, "three handles cached");
    // The 4th cache allocation attempt (a hit) reaches the trim interval: the 64 B queue
    // had 1 hit since the last trim, so it frees up to 256 - 1 entries: all that remain.
    let hit = alloc.new_buffer(LOOP, true, 64, 64).unwrap();
    assert_eq!(queued(), 0);
    let trimmed = jvm.coverage().times(Event::CacheTrim);
    assert_eq!(trimmed, 2, "each entry trim frees counts once");
    let metric = alloc.metric();
    assert_eq!(
        metric.direct_arenas[0].num_small_deallocations, 2,
        "trim frees to the arena"
    );
    hit.release().unwrap();
    assert!(alloc.trim_thread_cache(LOOP));
    assert_eq!(queued(), 0, "an explicit trim empties an unused queue");
    assert!(!alloc.trim_thread_cache(ThreadId(99)));
}

#[test]
fn a_thread_gets_a_new_cache_after_its_cache_is_freed() {
    let (_jvm, alloc) = setup(1);
    // Two allocations: the second finds the cache through the binding, not by making it.
    for _ in 0..2 {
        let buf = alloc.new_buffer(LOOP, true, 256, 1024).unwrap();
        assert!(buf.release().unwrap());
    }
    assert_eq!(
        alloc.free_thread_cache(LOOP),
        Some(1),
        "the cached 256 B slot"
    );
    // PoolThreadLocalCache.onRemoval dropped the binding: the next allocation makes a
    // new cache (initialValue), never reaching the freed one.
    let buf = alloc.new_buffer(LOOP, true, 256, 1024).unwrap();
    assert!(buf.release().unwrap());
    assert_eq!(
        alloc.free_thread_cache(LOOP),
        Some(1),
        "the new cache, holding the slot released after the first was freed"
    );
}

/// A pattern fill lands at the writer index of a buffer that does not start its chunk,
/// and `ensureWritable(0, force)` is legal and answers 0 (Netty checks `>= 0`).
#[test]
fn a_fill_after_a_write_lands_at_the_writer_index() {
    let (_jvm, alloc) = setup(1);
    let first = alloc.new_buffer(LOOP, true, 256, 1024).unwrap();
    let buf = alloc.new_buffer(LOOP, true, 256, 1024).unwrap();
    assert!(buf.memory_offset() > first.memory_offset());
    buf.write_bytes(LOOP, &[1, 2, 3]).unwrap();
    buf.write_fill(LOOP, 2, 7).unwrap();
    assert_eq!(buf.get_bytes(0, 6).unwrap(), [1, 2, 3, 7, 7, 0]);
    assert_eq!(buf.writer_index(), 5);
    assert_eq!(buf.ensure_writable_force(LOOP, 0, true).unwrap(), 0);
    assert_eq!(buf.capacity(), 256);
}

/// `ensureWritable(n, force)` within `maxFastWritableBytes()` grows to the end of the
/// pooled slot (`AbstractByteBuf.ensureWritable0`'s `fastWritable >= minWritableBytes`).
#[test]
fn ensure_writable_within_the_pooled_slot_grows_to_its_end() {
    let (_jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(LOOP, true, 100, 1024).unwrap();
    buf.write_bytes(LOOP, &[9; 100]).unwrap();
    let fast = buf.max_fast_writable_bytes();
    assert!(fast >= 5, "{fast}");
    assert_eq!(buf.ensure_writable_force(LOOP, 5, true).unwrap(), 2);
    assert_eq!(buf.capacity() as i64, 100 + fast);
    // Past the slot: calculateNewCapacity(writerIndex + minWritableBytes), 64 doubled.
    assert_eq!(buf.ensure_writable_force(LOOP, 20, true).unwrap(), 2);
    assert_eq!(buf.capacity(), 128);
}

/// Freeing a normal run, or the last element of a pool's only subpage (kept), gives no
/// subpage back: `Event::SubpageReleased` counts only the small frees that release a
/// subpage's run.
#[test]
fn a_normal_free_releases_no_subpage() {
    let (jvm, alloc) = setup(1);
    for size in [64 << 10, 64] {
        let buf = alloc.new_buffer(OTHER, true, size, size).unwrap();
        assert!(buf.release().unwrap());
    }
    let metric = alloc.metric();
    let arena = &metric.direct_arenas[0];
    let frees = (
        arena.num_normal_deallocations,
        arena.num_small_deallocations,
    );
    assert_eq!(frees, (1, 1));
    assert_eq!(jvm.coverage().times(Event::SubpageReleased), 0);
}

/// A normal request of exactly a list's `maxCapacity` still tries that list's chunks
/// (`PoolChunkList.allocate` skips only `normCapacity > maxCapacity`): the second half
/// of a 4 MiB chunk serves the second 2 MiB request.
#[test]
fn a_request_of_exactly_a_lists_max_capacity_is_served_from_it() {
    let (_jvm, alloc) = setup(1);
    let first = alloc.new_buffer(OTHER, true, 2 << 20, 2 << 20).unwrap();
    let quarter = alloc.new_buffer(OTHER, true, 1 << 20, 1 << 20).unwrap();
    assert!(quarter.release().unwrap());
    // Half used, back from 75 %: the chunk sits in q050, whose maxCapacity is 2 MiB.
    let second = alloc.new_buffer(OTHER, true, 2 << 20, 2 << 20).unwrap();
    let offsets = [first.memory_offset(), second.memory_offset()];
    assert_eq!(
        offsets,
        [Some(0), Some(2 << 20)],
        "one chunk serves both halves"
    );
    assert!(first.release().unwrap() && second.release().unwrap());
}

/// A buffer's recycler owner is the thread that allocated it, and a view made without
/// a thread (`slice()`) is made for that owner.
#[test]
fn a_buffer_and_its_plain_slice_belong_to_the_allocating_thread() {
    let (_jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(LOOP, true, 64, 64).unwrap();
    let slice = buf.slice().unwrap();
    assert_eq!((buf.owner_thread(), slice.owner_thread()), (LOOP, LOOP));
    assert!(buf.release().unwrap());
}

/// A cache is freed once: the finalizer after a thread's own free finds it freed
/// (`PoolThreadCache.free`'s `freed` guard, #8108).
#[test]
fn a_cache_is_freed_once() {
    let (jvm, alloc) = setup(1);
    let buf = alloc.new_buffer(LOOP, true, 64, 64).unwrap();
    assert!(buf.release().unwrap());
    let cache = alloc.cache_of(LOOP).unwrap();
    assert_eq!(cache.free(&jvm, false), Some(1));
    assert_eq!(cache.free(&jvm, true), None);
    assert_eq!(jvm.coverage().times(Event::CacheFree), 1);
}

/// A normal allocation or free that leaves its chunk in its list moves nothing
/// (`Event::ListMoveUp`/`ListMoveDown` count real moves), and a buffer prints as Java's
/// `toString()`.
#[test]
fn an_allocation_that_keeps_its_chunk_in_place_moves_no_list() {
    let (jvm, alloc) = setup(1);
    let first = alloc.new_buffer(OTHER, true, 64 << 10, 64 << 10).unwrap();
    let second = alloc.new_buffer(OTHER, true, 64 << 10, 64 << 10).unwrap();
    assert_eq!(jvm.coverage().times(Event::ListMoveUp), 0);
    assert_eq!(format!("{second}"), second.to_java_string());
    assert!(first.release().unwrap() && second.release().unwrap());
    // Nor do the frees: qInit keeps a chunk whatever its usage.
    assert_eq!(jvm.coverage().times(Event::ListMoveDown), 0);
}

/// Thread ids are any `u32`: two event loops far from 0 whose ids share a memo slot of
/// the cache bindings (`t` and `t + 16`) each get and keep their own cache.
#[test]
fn threads_with_large_ids_sharing_a_memo_slot_keep_their_own_caches() {
    let (jvm, alloc) = setup(1);
    let (a, b) = (ThreadId(1_000), ThreadId(1_016));
    for t in [a, b] {
        jvm.start_thread(t, ThreadKind::EventLoop).unwrap();
    }
    for round in 0..2 {
        for t in [a, b] {
            let buf = alloc.new_buffer(t, true, 256, 256).unwrap();
            assert!(buf.release().unwrap(), "round {round}");
            let cache = alloc.cache_of(t).unwrap();
            assert_eq!(cache.owner(), t, "round {round}");
        }
    }
    assert_ne!(
        alloc.cache_of(a).unwrap().id(),
        alloc.cache_of(b).unwrap().id()
    );
}
