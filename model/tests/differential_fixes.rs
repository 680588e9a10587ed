//! Regressions for what the differential run against the real Netty 4.1.48
//! (`leakproof diff`, docs/differential.md) found in the model, each pinned to the
//! Java source it restates. The traces that found them are `tests/diff/*.json`.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::error::JavaClass;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::pool::ArenaKind;
use leakproof_model::{Profile, ThreadId};
use std::sync::Arc;

const T: ThreadId = ThreadId::MAIN;

fn jvm(profile: &str, has_unsafe: bool, netty_max: i64) -> Arc<Jvm> {
    let mut c = JvmConfig::for_profile(Profile::by_name(profile).unwrap());
    c.runtime_max_memory = 1 << 30;
    c.max_direct_memory_size = Some(1 << 30);
    c.has_unsafe = has_unsafe;
    c.netty_max_direct_memory = netty_max;
    Jvm::new(c)
}

fn config(jvm: &Arc<Jvm>, page: i32, order: i32, alignment: i32) -> PooledConfig {
    let mut a = PooledConfig::with_geometry(jvm.config(), page, order);
    a.heap_arenas = 1;
    a.direct_arenas = 1;
    a.direct_alignment = alignment;
    a
}

#[test]
fn alignment_without_unsafe_is_rejected_in_both_releases() {
    // PooledByteBufAllocator.java (4.1.48:253, 4.1.128:295): alignment > 0 and
    // !isDirectMemoryCacheAlignmentSupported() (= hasUnsafe()) throws.
    for profile in ["netty-4.1", "netty-4.1.48"] {
        let jvm = jvm(profile, false, -1);
        let e = PooledAllocator::new(&jvm, config(&jvm, 4096, 3, 64)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "java.lang.IllegalArgumentException: directMemoryCacheAlignment is not supported"
        );
        let jvm = self::jvm(profile, true, -1);
        assert!(PooledAllocator::new(&jvm, config(&jvm, 4096, 3, 64)).is_ok());
    }
}

#[test]
fn alignment_keeps_the_page_and_aligns_heap_arenas_in_4_1_48_only() {
    // 4.1.48 passes pageSize unchanged and directMemoryCacheAlignment to every
    // HeapArena (PooledByteBufAllocator.java:247-269); 4.1.128 rounds the page up to
    // the alignment (:286) and builds heap size classes with alignment 0.
    let old = jvm("netty-4.1.48", true, -1);
    let p = PooledAllocator::new(&old, config(&old, 4096, 3, 8192)).unwrap();
    assert_eq!(p.geometry().chunk_size, 4096 << 3);
    let heap = p.new_buffer(T, false, 20, i32::MAX.into()).unwrap();
    let metric = p.arenas(ArenaKind::Heap)[0].metrics();
    // A 20-byte request aligned to 8192 is a page or more: a normal allocation.
    assert_eq!(metric.num_normal_allocations, 1, "{metric:?}");
    drop(heap);
    let new = jvm("netty-4.1", true, -1);
    let p = PooledAllocator::new(&new, config(&new, 4096, 3, 8192)).unwrap();
    assert_eq!(p.geometry().chunk_size, 8192 << 3);
    let _heap = p.new_buffer(T, false, 20, i32::MAX.into()).unwrap();
    assert_eq!(
        p.arenas(ArenaKind::Heap)[0].metrics().num_small_allocations,
        1
    );
}

#[test]
fn a_released_unpooled_heap_buffer_has_capacity_zero() {
    // UnpooledHeapByteBuf.deallocate: array = EMPTY_BYTES; capacity() = array.length.
    for profile in ["netty-4.1", "netty-4.1.48"] {
        let jvm = jvm(profile, true, -1);
        let u = UnpooledAllocator::new(&jvm);
        let heap = u.new_buffer(T, false, 531, i32::MAX.into()).unwrap();
        let direct = u.new_buffer(T, true, 531, i32::MAX.into()).unwrap();
        let dup = heap.duplicate().unwrap();
        assert!(heap.release().unwrap());
        assert!(direct.release().unwrap());
        assert_eq!(heap.capacity(), 0);
        assert_eq!(dup.capacity(), 0);
        // UnpooledDirectByteBuf keeps its `capacity` field.
        assert_eq!(direct.capacity(), 531);
    }
}

#[test]
fn no_cleaner_reallocation_counts_only_the_difference() {
    // PlatformDependent.reallocateDirectNoCleaner: incrementMemoryCounter(capacity -
    // buffer.capacity()), so growing to exactly the limit fits, and a growth past it
    // names the difference.
    let jvm = jvm("netty-4.1.48", true, 1 << 20);
    let u = UnpooledAllocator::new(&jvm);
    let b = u.new_buffer(T, true, 79, i32::MAX.into()).unwrap();
    b.set_capacity(T, 1 << 20).unwrap();
    assert_eq!(jvm.netty_direct().used(), 1 << 20);
    assert_eq!(u.metric().snapshot().used_direct_memory, 1 << 20);
    b.set_capacity(T, 100).unwrap();
    assert_eq!(jvm.netty_direct().used(), 100);
    assert_eq!(u.metric().snapshot().used_direct_memory, 100);
    let other = u.new_buffer(T, true, 1000, i32::MAX.into()).unwrap();
    let e = b.set_capacity(T, (1 << 20) - 999).unwrap_err();
    assert_eq!(e.class, JavaClass::OutOfDirectMemory);
    assert!(
        e.message
            .starts_with(&format!("failed to allocate {} byte(s)", (1 << 20) - 1099)),
        "{e}"
    );
    assert_eq!(jvm.netty_direct().used(), 1100);
    drop(other);
}

#[test]
fn a_no_cleaner_regrowth_leaves_exactly_the_grown_tail_uninitialized() {
    // Unsafe.reallocateMemory keeps the old bytes and leaves the grown tail
    // uninitialized; a shrink or a same-size resize leaves nothing uninitialized.
    let jvm = jvm("netty-4.1.48", true, 1 << 20);
    jvm.fill_uninitialized(0xa5);
    let u = UnpooledAllocator::new(&jvm);
    let b = u.new_buffer(T, true, 4, i32::MAX.into()).unwrap();
    b.set_bytes(0, &[1, 2, 3, 4]).unwrap();
    b.set_capacity(T, 10).unwrap();
    assert_eq!(jvm.uninitialized_bytes(), 6);
    assert_eq!(
        b.get_bytes(0, 10).unwrap(),
        [1, 2, 3, 4, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5]
    );
    b.set_capacity(T, 3).unwrap();
    b.set_capacity(T, 3).unwrap();
    assert_eq!(jvm.uninitialized_bytes(), 6);
    assert_eq!(b.get_bytes(0, 3).unwrap(), [1, 2, 3]);
}

#[test]
fn a_duplicate_keeps_its_own_max_capacity_when_its_root_object_is_reused() {
    // new UnpooledDuplicatedByteBuf(this) / new PooledNonRetainedDuplicateByteBuf(
    // delegate, this): DuplicatedByteBuf's constructor takes super(buffer.maxCapacity())
    // of the view it is given (DuplicatedByteBuf.java:46, 4.1.48 and 4.1.128), not of
    // the root it unwraps to. The two differ once the Recycler hands the released root's
    // PooledByteBuf to a new allocation with another maxCapacity (`reuse(maxCapacity)`,
    // PooledByteBuf.java:77–78): `diff --recycler` program s14-9127.
    let jvm = jvm("netty-4.1.48", true, -1);
    assert!(
        jvm.config()
            .profile
            .allocator
            .recycler_max_capacity_per_thread
            > 0
    );
    let p = PooledAllocator::new(&jvm, config(&jvm, 8192, 4, 0)).unwrap();
    let root = p.new_buffer(T, true, 36, 2618).unwrap();
    let dup = root.duplicate().unwrap();
    let retained = root.retained_duplicate(T).unwrap();
    let non_retained = retained.duplicate().unwrap();
    assert_eq!(non_retained.max_capacity(), 2618);
    assert!(retained.release().unwrap());
    assert!(root.release().unwrap());
    let next = p.new_buffer(T, true, 13971, i32::MAX.into()).unwrap();
    assert_eq!(
        next.object_id(),
        root.object_id(),
        "the root's object is reused"
    );
    assert_eq!(dup.max_capacity(), 2618);
    assert_eq!(dup.capacity(), 13971);
    // AbstractByteBuf.retainedDuplicate: duplicate().retain().
    for d in [dup.duplicate().unwrap(), dup.retained_duplicate(T).unwrap()] {
        assert_eq!(d.max_capacity(), 2618);
    }
    // The pooled duplicate's object is the next retained duplicate of the new root.
    let next_retained = next.retained_duplicate(T).unwrap();
    assert_eq!(next_retained.object_id(), retained.object_id());
    assert_eq!(next_retained.max_capacity(), i32::MAX as usize);
    assert_eq!(non_retained.duplicate().unwrap().max_capacity(), 2618);
    // duplicate0() of a pooled duplicate is of the root: the root's maxCapacity.
    assert_eq!(
        next_retained.duplicate().unwrap().max_capacity(),
        i32::MAX as usize
    );
}

#[test]
fn a_failed_pooled_allocation_loses_the_recycled_object_it_claimed() {
    // PoolArena.allocate(cache, reqCapacity, maxCapacity) runs newByteBuf(maxCapacity)
    // -- RECYCLER.get(), then reuse(maxCapacity): count 1, the new maxCapacity, indexes
    // 0 (PooledByteBuf.java:77-82) -- before allocate(cache, buf, reqCapacity)
    // (PoolArena.java:145-149 of 4.1.48, :125-129 of 4.1.128). When the memory
    // allocation throws, nothing recycles the object: `diff --recycler` program s7-1739.
    let jvm = jvm("netty-4.1.48", true, 1 << 20);
    let p = PooledAllocator::new(&jvm, config(&jvm, 65536, 3, 0)).unwrap();
    let old = p.new_buffer(T, true, 6827, 19466).unwrap();
    old.write_fill(T, 100, 7).unwrap();
    assert!(old.release().unwrap());
    let used = jvm.netty_direct().used();
    let e = p.new_buffer(T, true, 2 << 20, i32::MAX.into()).unwrap_err();
    assert_eq!(e.class, JavaClass::OutOfDirectMemory, "{e}");
    assert_eq!(jvm.netty_direct().used(), used);
    // The stale handle reaches the claimed object: live, reset, without memory.
    assert!(old.is_stale());
    assert_eq!(old.ref_cnt(), 1);
    assert_eq!(old.max_capacity(), i32::MAX as usize);
    assert_eq!((old.reader_index(), old.writer_index()), (0, 0));
    // `length` is not reset: capacity() is the released generation's.
    assert_eq!(old.capacity(), 6827);
    // capacity(n) reads `chunk.unpooled` (PooledByteBuf.java:101) of a null chunk.
    let npe = old.set_capacity(T, 10).unwrap_err();
    assert_eq!(
        npe.to_string(),
        "java.lang.NullPointerException: Cannot read field \"unpooled\" because \"this.chunk\" is null"
    );
    // The next allocation gets a new object: the claimed one is not in the Recycler.
    let next = p.new_buffer(T, true, 6827, 19466).unwrap();
    assert_ne!(next.object_id(), old.object_id());
    // Its release frees nothing and recycles nothing (`deallocate` runs only
    // `if (handle >= 0)`, PooledByteBuf.java:166-176).
    let used = jvm.netty_direct().used();
    assert!(old.release().unwrap());
    assert_eq!(old.ref_cnt(), 0);
    assert_eq!(jvm.netty_direct().used(), used);
    let after = p.new_buffer(T, true, 6827, 19466).unwrap();
    assert_ne!(after.object_id(), old.object_id());
    drop((next, after));
}
