//! The allocator entry points and buffer fields Netty's own tests call
//! (`AbstractByteBufAllocator`, `PooledByteBufAllocator.pinned*Memory`,
//! `PooledByteBuf.handle/chunk/maxLength`, `unwrap()`), with the 4.1.128 source cited.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::{ByteBufAllocator, UnpooledAllocator};
use leakproof_model::buffer::BufClass;
use leakproof_model::error::JavaClass;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::ThreadKind;
use std::sync::Arc;

mod support;
use support::{jvm, T};

fn pooled(jvm: &Arc<Jvm>, prefer_direct: bool) -> Arc<PooledAllocator> {
    let mut config = PooledConfig::netty_default(jvm.config());
    config.prefer_direct = prefer_direct;
    config.direct_arenas = 1;
    config.heap_arenas = 1;
    PooledAllocator::new(jvm, config).unwrap()
}

#[test]
fn negative_arena_counts_name_their_argument() {
    // PooledByteBufAllocator.java:291–292 of 4.1.128: checkPositiveOrZero(nHeapArena,
    // "nHeapArena"), then nDirectArena.
    let jvm = jvm();
    for (heap, direct, message) in [
        (-1, 1, "nHeapArena : -1 (expected: >= 0)"),
        (1, -2, "nDirectArena : -2 (expected: >= 0)"),
    ] {
        let mut config = PooledConfig::netty_default(jvm.config());
        (config.heap_arenas, config.direct_arenas) = (heap, direct);
        let e = PooledAllocator::new(&jvm, config).unwrap_err();
        assert_eq!(
            (e.class, e.message.as_str()),
            (JavaClass::IllegalArgument, message)
        );
    }
}

#[test]
fn default_capacities_are_256_and_max_value() {
    // AbstractByteBufAllocator.java:31–32: DEFAULT_INITIAL_CAPACITY = 256,
    // DEFAULT_MAX_CAPACITY = Integer.MAX_VALUE; heapBuffer() = heapBuffer(256, MAX).
    let jvm = jvm();
    let unpooled = UnpooledAllocator::new(&jvm);
    for b in [
        unpooled.heap_buffer(T).unwrap(),
        unpooled.direct_buffer(T).unwrap(),
        pooled(&jvm, true).buffer(T).unwrap(),
        pooled(&jvm, true).io_buffer(T).unwrap(),
    ] {
        assert_eq!((b.capacity(), b.max_capacity()), (256, i32::MAX as usize));
    }
    let b = unpooled.heap_buffer_with(T, 10).unwrap();
    assert_eq!(
        (b.capacity(), b.max_capacity(), b.is_direct()),
        (10, i32::MAX as usize, false)
    );
    let b = unpooled.direct_buffer_with_max(T, 10, 20).unwrap();
    assert_eq!(
        (b.capacity(), b.max_capacity(), b.is_direct()),
        (10, 20, true)
    );
}

#[test]
fn buffer_follows_prefer_direct() {
    // AbstractByteBufAllocator.java:100–111: directByDefault = preferDirect &&
    // hasUnsafe(); buffer() is directBuffer() when it is set, else heapBuffer().
    let jvm = jvm();
    assert!(UnpooledAllocator::with_prefer_direct(&jvm, true)
        .buffer(T)
        .unwrap()
        .is_direct());
    assert!(!UnpooledAllocator::with_prefer_direct(&jvm, false)
        .buffer(T)
        .unwrap()
        .is_direct());
    assert!(pooled(&jvm, true).buffer(T).unwrap().is_direct());
    assert!(!pooled(&jvm, false).buffer(T).unwrap().is_direct());
    // ioBuffer() (java:130–135): direct when the platform has Unsafe.
    assert!(UnpooledAllocator::with_prefer_direct(&jvm, false)
        .io_buffer(T)
        .unwrap()
        .is_direct());
}

#[test]
fn a_buffers_alloc_answers_as_its_allocator() {
    // ByteBuf.alloc() returns the allocator that made the buffer, so its answers are
    // the allocator's: UnpooledByteBufAllocator.isDirectBufferPooled() is false
    // (java:112–114), PooledByteBufAllocator's is `directArenas != null` (java:495–497);
    // buffer() on it follows preferDirect (AbstractByteBufAllocator.java:100–111).
    let jvm = jvm();
    for prefer_direct in [true, false] {
        let unpooled = UnpooledAllocator::with_prefer_direct(&jvm, prefer_direct);
        let b = unpooled.heap_buffer(T).unwrap();
        assert!(!b.alloc().is_direct_buffer_pooled());
        assert_eq!(
            ByteBufAllocator::buffer(b.alloc(), T).unwrap().is_direct(),
            prefer_direct
        );
        let b = pooled(&jvm, prefer_direct).heap_buffer(T).unwrap();
        assert!(b.alloc().is_direct_buffer_pooled());
        assert_eq!(
            ByteBufAllocator::buffer(b.alloc(), T).unwrap().is_direct(),
            prefer_direct
        );
    }
    let mut config = PooledConfig::netty_default(jvm.config());
    config.direct_arenas = 0;
    let no_direct_arenas = PooledAllocator::new(&jvm, config).unwrap();
    let b = no_direct_arenas.heap_buffer(T).unwrap();
    assert!(!b.alloc().is_direct_buffer_pooled());
}

#[test]
fn io_buffer_through_a_buffers_alloc_is_direct_with_unsafe_or_pooled_direct() {
    // AbstractByteBufAllocator.ioBuffer (java:130–135): direct when
    // `PlatformDependent.hasUnsafe() || isDirectBufferPooled()`, else heap; asked of the
    // allocator a buffer's alloc() returns, on a JVM with and without Unsafe.
    for has_unsafe in [true, false] {
        let jvm = Jvm::new(JvmConfig {
            runtime_max_memory: 1 << 30,
            has_unsafe,
            ..JvmConfig::default()
        });
        jvm.start_thread(T, ThreadKind::EventLoop).unwrap();
        let unpooled = UnpooledAllocator::new(&jvm);
        let b = unpooled.heap_buffer(T).unwrap();
        assert_eq!(b.alloc().has_unsafe(), has_unsafe);
        assert_eq!(b.alloc().io_buffer(T).unwrap().is_direct(), has_unsafe);
        let p = pooled(&jvm, true);
        assert_eq!(
            p.has_unsafe(),
            has_unsafe,
            "asked of the pooled allocator itself"
        );
        assert_eq!(
            p.direct_by_default(),
            has_unsafe,
            "preferDirect && hasUnsafe"
        );
        let b = p.heap_buffer(T).unwrap();
        assert_eq!(b.alloc().has_unsafe(), has_unsafe);
        assert!(b.alloc().io_buffer(T).unwrap().is_direct());
        // ioBuffer(initialCapacity) and ioBuffer(initialCapacity, maxCapacity).
        let io = unpooled.io_buffer_with(T, 10).unwrap();
        assert_eq!((io.capacity(), io.max_capacity()), (10, i32::MAX as usize));
        assert_eq!(io.is_direct(), has_unsafe);
        let io = unpooled.io_buffer_with_max(T, 10, 20).unwrap();
        assert_eq!((io.capacity(), io.max_capacity()), (10, 20));
    }
}

#[test]
fn negative_arguments_get_nettys_texts() {
    // ObjectUtil.java:142–147 `name + " : " + i + " (expected: >= 0)"`, via
    // AbstractByteBufAllocator.validate (java:227–233) and calculateNewCapacity (252–258).
    let jvm = jvm();
    let alloc = UnpooledAllocator::new(&jvm);
    let e = alloc.heap_buffer_with(T, -1).unwrap_err();
    assert_eq!(
        (e.class, e.message.as_str()),
        (
            JavaClass::IllegalArgument,
            "initialCapacity : -1 (expected: >= 0)"
        )
    );
    let e = alloc.direct_buffer_with_max(T, 9, 8).unwrap_err();
    assert_eq!(
        e.message,
        "initialCapacity: 9 (expected: not greater than maxCapacity(8)"
    );
    let e = alloc.calculate_new_capacity(-1, 10).unwrap_err();
    assert_eq!(e.message, "minNewCapacity : -1 (expected: >= 0)");
    let e = alloc.calculate_new_capacity(11, 10).unwrap_err();
    assert_eq!(
        e.message,
        "minNewCapacity: 11 (expected: not greater than maxCapacity(10)"
    );
    assert_eq!(alloc.calculate_new_capacity(65, 1000).unwrap(), 128);
    assert_eq!(alloc.calculate_new_capacity(0, 0).unwrap(), 0);
}

#[test]
fn pinned_memory_is_per_buffer_and_released_at_deallocate() {
    // PooledByteBuf.java:67 `chunk.incrementPinnedMemory(maxLength)` at init;
    // PoolArena.java:231 `chunk.decrementPinnedMemory(normCapacity)` in free, before
    // the thread-cache add; PooledByteBufAllocator.java:740–752 sums the arenas.
    let jvm = jvm();
    let alloc = pooled(&jvm, true);
    assert_eq!(
        (alloc.pinned_direct_memory(), alloc.pinned_heap_memory()),
        (0, 0)
    );
    let a = alloc.direct_buffer_with(T, 100).unwrap();
    let b = alloc.direct_buffer_with(T, 100).unwrap();
    let max_length = a.pooled_fields().unwrap().max_length;
    assert_eq!(max_length, 112, "the size class of 100");
    assert_eq!(alloc.pinned_direct_memory(), 2 * max_length as i64);
    assert_eq!(alloc.pinned_heap_memory(), 0);
    assert!(a.release().unwrap());
    assert_eq!(
        alloc.pinned_direct_memory(),
        max_length as i64,
        "cached memory is not pinned"
    );
    // A reallocation pins the new size class and unpins the old one.
    b.set_capacity(T, 1000).unwrap();
    assert_eq!(
        alloc.pinned_direct_memory(),
        b.pooled_fields().unwrap().max_length as i64
    );
    assert!(b.release().unwrap());
    assert_eq!(alloc.pinned_direct_memory(), 0);
    // A huge buffer counts by its chunk's size (numPinnedBytes: activeBytesHuge).
    let huge = alloc.direct_buffer_with(T, 32 << 20).unwrap();
    assert_eq!(alloc.pinned_direct_memory(), 32 << 20);
    assert!(huge.release().unwrap());
    assert_eq!(alloc.pinned_direct_memory(), 0);
    // `arenas == null` (no arena of the kind): -1.
    let mut config = PooledConfig::netty_default(jvm.config());
    config.heap_arenas = 0;
    let none = PooledAllocator::new(&jvm, config).unwrap();
    assert_eq!(none.pinned_heap_memory(), -1);
    assert!(!none.heap_buffer(T).unwrap().class().is_pooled_root());
}

#[test]
fn pooled_fields_and_unwrap() {
    // PooledByteBuf.java:34–39 (chunk, handle, maxLength); deallocate (java:171–181)
    // clears them; AbstractUnpooledSlicedByteBuf/DuplicatedByteBuf.unwrap() is the root.
    let jvm = jvm();
    let alloc = pooled(&jvm, true);
    let a = alloc.direct_buffer_with(T, 8192).unwrap();
    let fields = a.pooled_fields().unwrap();
    assert_eq!((fields.length, fields.max_length), (8192, 8192));
    assert!(a.unwrap().unwrap().is_none(), "a root unwraps to null");
    let slice = a.slice_range(0, 4).unwrap();
    assert_eq!(slice.unwrap().unwrap().unwrap().object_id(), a.object_id());
    let rs = a.retained_slice(T).unwrap();
    assert_eq!(rs.class(), BufClass::PooledSliced);
    assert_eq!(rs.unwrap().unwrap().unwrap().object_id(), a.object_id());
    assert!(rs.pooled_fields().is_none());
    rs.release().unwrap();
    assert!(a.release().unwrap());
    assert!(a.pooled_fields().is_none());
}

#[test]
fn computed_size_classes_match_the_tables() {
    // PoolArenaTest.java:95–111: sizeIdx2sizeCompute(i) == sizeIdx2size(i) for every
    // i < nSizes, pageIdx2sizeCompute(i) == pageIdx2size(i) for every i < nPSizes.
    let jvm = jvm();
    let alloc = pooled(&jvm, true);
    let sc = alloc.arenas(leakproof_model::pool::ArenaKind::Direct)[0]
        .size_classes()
        .clone();
    for i in 0..sc.n_sizes() {
        assert_eq!(
            sc.size_idx2size_compute(i),
            sc.size_idx2size(i).map(|s| s as u64),
            "{i}"
        );
    }
    for i in 0..sc.n_p_sizes() {
        assert_eq!(
            sc.page_idx2size_compute(i),
            sc.page_idx2size(i).map(|s| s as u64),
            "{i}"
        );
    }
    assert_eq!(sc.size_idx2size_compute(0), Some(16));
}
