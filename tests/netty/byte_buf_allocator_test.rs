//! `ByteBufAllocatorTest` and `AbstractByteBufAllocatorTest`, inherited by
//! `UnpooledByteBufAllocatorTest`, `PooledByteBufAllocatorTest` and
//! `AlignedPooledByteBufAllocatorTest`: each generic test runs once per allocator
//! class (`<test>::{unpooled,pooled,aligned}`).
//!
//! Not ported (docs/fidelity.md): the composite-buffer tests (the model has no
//! `CompositeByteBuf`) and `shouldReuseChunks` (it measures the JVM's per-thread
//! allocated bytes through `ThreadMXBean`).

use crate::support::{assert_throws, jvm, pooled, IAE, T};
use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::{
    ByteBufAllocator, UnpooledAllocator, CALCULATE_THRESHOLD, DEFAULT_MAX_CAPACITY,
};
use leakproof_model::buffer::{BufClass, ByteBuf};
use leakproof_model::jvm::Jvm;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The allocator class under test (`newAllocator(preferDirect)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Unpooled,
    Pooled,
    /// `AlignedPooledByteBufAllocatorTest` (4.1.128 only).
    #[allow(dead_code)]
    Aligned,
}

/// An allocator of one class in its own JVM.
pub enum Allocator {
    Unpooled(Arc<UnpooledAllocator>),
    Pooled(Arc<PooledAllocator>),
}

impl Allocator {
    /// `newAllocator(true)`.
    pub fn new(class: Class, jvm: &Arc<Jvm>) -> Allocator {
        Allocator::prefer(class, jvm, true)
    }

    /// `newAllocator(preferDirect)`.
    pub fn prefer(class: Class, jvm: &Arc<Jvm>, prefer_direct: bool) -> Allocator {
        match class {
            Class::Unpooled => {
                Allocator::Unpooled(UnpooledAllocator::with_prefer_direct(jvm, prefer_direct))
            }
            Class::Pooled => {
                let mut config = PooledConfig::netty_default(jvm.config());
                config.prefer_direct = prefer_direct;
                Allocator::Pooled(PooledAllocator::new(jvm, config).unwrap())
            }
            // AlignedPooledByteBufAllocatorTest.newAllocator: Netty's defaults with
            // maxOrder 11, normalCacheSize 64 and directMemoryCacheAlignment 1.
            Class::Aligned => {
                let d = PooledConfig::netty_default(jvm.config());
                Allocator::Pooled(pooled(
                    jvm,
                    prefer_direct,
                    d.heap_arenas,
                    d.direct_arenas,
                    d.page_size,
                    11,
                    d.small_cache_size,
                    64,
                    d.use_cache_for_all_threads,
                    1,
                ))
            }
        }
    }

    /// The allocator as Netty's `ByteBufAllocator` interface.
    pub fn api(&self) -> &dyn ByteBufAllocator {
        match self {
            Allocator::Unpooled(a) => a,
            Allocator::Pooled(a) => a,
        }
    }

    /// `heapBuffer(initial, max)` / `directBuffer(initial, max)`.
    pub fn buffer(&self, direct: bool, initial: i64, max: i64) -> ByteBuf {
        let (initial, max) = (initial as i32, max as i32);
        if direct {
            self.api().direct_buffer_with_max(T, initial, max).unwrap()
        } else {
            self.api().heap_buffer_with_max(T, initial, max).unwrap()
        }
    }

    /// `metric().usedHeapMemory()` / `usedDirectMemory()`.
    pub fn used_memory(&self, direct: bool) -> i64 {
        match self {
            Allocator::Unpooled(a) => {
                let m = a.metric().snapshot();
                if direct {
                    m.used_direct_memory
                } else {
                    m.used_heap_memory
                }
            }
            Allocator::Pooled(a) => {
                let m = a.metric();
                if direct {
                    m.used_direct_memory
                } else {
                    m.used_heap_memory
                }
            }
        }
    }
}

/// `assertBuffer(buffer, expectedDirect, expectedCapacity, expectedMaxCapacity)`.
#[track_caller]
fn assert_buffer(buffer: &ByteBuf, direct: bool, capacity: usize, max_capacity: usize) {
    // assertEquals(expectedDirect, buffer.isDirect());
    assert_eq!(buffer.is_direct(), direct);
    // assertEquals(expectedCapacity, buffer.capacity());
    assert_eq!(buffer.capacity(), capacity);
    // assertEquals(expectedMaxCapacity, buffer.maxCapacity());
    assert_eq!(buffer.max_capacity(), max_capacity);
}

/// `defaultMaxCapacity()`: `AbstractByteBufAllocator.DEFAULT_MAX_CAPACITY`.
const DEFAULT_MAX: usize = DEFAULT_MAX_CAPACITY as usize;

/// `isDirectExpected(preferDirect)`: `preferDirect && PlatformDependent.hasUnsafe()`
/// (the JVM has Unsafe).
fn is_direct_expected(prefer_direct: bool) -> bool {
    prefer_direct
}

/// Runs `body` on `newAllocator(preferDirect)` for both preferences, in fresh JVMs.
fn for_both_preferences(class: Class, body: impl Fn(&Allocator, bool)) {
    for prefer_direct in [true, false] {
        let jvm = jvm();
        body(
            &Allocator::prefer(class, &jvm, prefer_direct),
            prefer_direct,
        );
    }
}

fn test_buffer(class: Class) {
    for_both_preferences(class, |allocator, prefer_direct| {
        let buffer = allocator.api().buffer_with(T, 1).unwrap();
        // assertBuffer(buffer, isDirectExpected(preferDirect), 1, defaultMaxCapacity());
        assert_buffer(&buffer, is_direct_expected(prefer_direct), 1, DEFAULT_MAX);
        buffer.release().unwrap();
    });
}

fn test_buffer_with_capacity(class: Class) {
    for_both_preferences(class, |allocator, prefer_direct| {
        let buffer = allocator.api().buffer_with_max(T, 1, 8).unwrap();
        // assertBuffer(buffer, isDirectExpected(preferDirect), 1, maxCapacity);
        assert_buffer(&buffer, is_direct_expected(prefer_direct), 1, 8);
        buffer.release().unwrap();
    });
}

fn test_heap_buffer(class: Class) {
    for_both_preferences(class, |allocator, _| {
        let buffer = allocator.api().heap_buffer_with(T, 1).unwrap();
        // assertBuffer(buffer, false, 1, defaultMaxCapacity());
        assert_buffer(&buffer, false, 1, DEFAULT_MAX);
        buffer.release().unwrap();
    });
}

fn test_direct_buffer(class: Class) {
    for_both_preferences(class, |allocator, _| {
        let buffer = allocator.api().direct_buffer_with(T, 1).unwrap();
        // assertBuffer(buffer, true, 1, defaultMaxCapacity());
        assert_buffer(&buffer, true, 1, DEFAULT_MAX);
        buffer.release().unwrap();
    });
}

/// `testHeapBuffer(preferDirect, 8)` / `testDirectBuffer(preferDirect, 8)`: the kind
/// asked for, whatever the preference.
fn buffer_max_capacity(class: Class, direct: bool) {
    for_both_preferences(class, |allocator, _| {
        let buffer = allocator.buffer(direct, 1, 8);
        // assertBuffer(buffer, direct, 1, maxCapacity);
        assert_buffer(&buffer, direct, 1, 8);
        buffer.release().unwrap();
    });
}

fn test_calculate_new_capacity(class: Class) {
    let threshold = CALCULATE_THRESHOLD as i32;
    for_both_preferences(class, |allocator, _| {
        let calc = |min, max| allocator.api().calculate_new_capacity(min, max);
        // assertEquals(8, allocator.calculateNewCapacity(1, 8));
        assert_eq!(calc(1, 8).unwrap(), 8);
        // assertEquals(7, allocator.calculateNewCapacity(1, 7));
        assert_eq!(calc(1, 7).unwrap(), 7);
        // assertEquals(64, allocator.calculateNewCapacity(1, 129));
        assert_eq!(calc(1, 129).unwrap(), 64);
        // assertEquals(CALCULATE_THRESHOLD, calculateNewCapacity(CALCULATE_THRESHOLD, CALCULATE_THRESHOLD + 1));
        assert_eq!(calc(threshold, threshold + 1).unwrap(), threshold);
        // assertEquals(CALCULATE_THRESHOLD * 2, calculateNewCapacity(CALCULATE_THRESHOLD + 1, CALCULATE_THRESHOLD * 4));
        assert_eq!(calc(threshold + 1, threshold * 4).unwrap(), threshold * 2);
        // allocator.calculateNewCapacity(8, 7); fail(); catch (IllegalArgumentException e)
        assert_throws(IAE, calc(8, 7));
        // allocator.calculateNewCapacity(-1, 8); fail(); catch (IllegalArgumentException e)
        assert_throws(IAE, calc(-1, 8));
    });
}

/// `testUnsafeHeapBufferAndUnsafeDirectBuffer`: `newUnpooledAllocator()` — the unpooled
/// allocator, or for the pooled classes a pooled one without arenas
/// (`new PooledByteBufAllocator(0, 0, 8192, 1)`), which hands out unpooled buffers.
fn test_unsafe_heap_buffer_and_unsafe_direct_buffer(class: Class) {
    let jvm = jvm();
    let allocator = match class {
        Class::Unpooled => Allocator::Unpooled(UnpooledAllocator::with_prefer_direct(&jvm, false)),
        Class::Pooled | Class::Aligned => {
            let d = PooledConfig::netty_default(jvm.config());
            let (small, normal) = (d.small_cache_size, d.normal_cache_size);
            let all = d.use_cache_for_all_threads;
            Allocator::Pooled(pooled(&jvm, false, 0, 0, 8192, 1, small, normal, all, 0))
        }
    };
    let unwrapped = |b: &ByteBuf| b.class();
    let direct_buffer = allocator.api().direct_buffer(T).unwrap();
    // assertInstanceOf(directBuffer, UnpooledUnsafeDirectByteBuf.class): the no-Cleaner
    // subclass on this platform.
    assert!(matches!(
        unwrapped(&direct_buffer),
        BufClass::UnpooledUnsafeDirect | BufClass::UnpooledUnsafeNoCleanerDirect
    ));
    direct_buffer.release().unwrap();
    let heap_buffer = allocator.api().heap_buffer(T).unwrap();
    // assertInstanceOf(heapBuffer, UnpooledUnsafeHeapByteBuf.class);
    assert_eq!(unwrapped(&heap_buffer), BufClass::UnpooledUnsafeHeap);
    heap_buffer.release().unwrap();
}

fn test_heap_buffer_max_capacity(class: Class) {
    buffer_max_capacity(class, false);
}

fn test_direct_buffer_max_capacity(class: Class) {
    buffer_max_capacity(class, true);
}

/// `expectedUsedMemory`: pooled allocators count whole chunks (and keep the chunk in
/// `qInit` after release), the unpooled one the capacity.
fn expected_used(allocator: &Allocator, capacity: usize, after_release: bool) -> i64 {
    match allocator {
        Allocator::Unpooled(_) if after_release => 0,
        Allocator::Unpooled(_) => capacity as i64,
        Allocator::Pooled(a) => a.metric().chunk_size as i64,
    }
}

/// `AbstractByteBufAllocatorTest.testUsedDirectMemory` / `testUsedHeapMemory` (the
/// unpooled allocator's; `PooledByteBufAllocatorTest` overrides them with pinned
/// memory: [`pooled_used_memory`]).
fn used_memory(class: Class, direct: bool) {
    let jvm = jvm();
    let allocator = Allocator::new(class, &jvm);
    // assertEquals(0, metric.usedDirectMemory());
    assert_eq!(allocator.used_memory(direct), 0);
    let buffer = allocator.buffer(direct, 1024, 4096);
    let capacity = buffer.capacity();
    // assertEquals(expectedUsedMemory(allocator, capacity), metric.usedDirectMemory());
    assert_eq!(
        allocator.used_memory(direct),
        expected_used(&allocator, capacity, false)
    );
    // Double the size of the buffer
    buffer.set_capacity(T, (capacity << 1) as i64).unwrap();
    let capacity = buffer.capacity();
    // assertEquals(expectedUsedMemory(allocator, capacity), metric.usedDirectMemory(), buffer.toString());
    assert_eq!(
        allocator.used_memory(direct),
        expected_used(&allocator, capacity, false),
        "{buffer}"
    );
    buffer.release().unwrap();
    // assertEquals(expectedUsedMemoryAfterRelease(allocator, capacity), metric.usedDirectMemory());
    assert_eq!(
        allocator.used_memory(direct),
        expected_used(&allocator, capacity, true)
    );
}

/// `PooledByteBufAllocatorTest.testUsedDirectMemory(initialCapacity)` /
/// `testUsedHeapMemory(initialCapacity)`: the pooled override, with pinned memory.
/// Java's `new Random()` is a seeded ChaCha8 stream.
fn pooled_used_memory(class: Class, direct: bool, initial_capacity: i64) {
    let jvm = jvm();
    let Allocator::Pooled(a) = Allocator::new(class, &jvm) else {
        unreachable!("a pooled class")
    };
    let allocator = Allocator::Pooled(a.clone());
    let pinned = |direct: bool| {
        if direct {
            a.pinned_direct_memory()
        } else {
            a.pinned_heap_memory()
        }
    };
    // assertEquals(0, metric.usedDirectMemory()); assertEquals(0, allocator.pinnedDirectMemory());
    assert_eq!(allocator.used_memory(direct), 0);
    assert_eq!(a.pinned_direct_memory(), 0);
    let buffer = allocator.buffer(direct, initial_capacity, 4 * initial_capacity);
    let capacity = buffer.capacity() as i64;
    // assertEquals(expectedUsedMemory(allocator, capacity), metric.usedDirectMemory());
    assert_eq!(allocator.used_memory(direct), a.metric().chunk_size as i64);
    // assertThat(pinned).isGreaterThanOrEqualTo(capacity).isLessThanOrEqualTo(metric.usedDirectMemory());
    assert!((capacity..=allocator.used_memory(direct)).contains(&pinned(direct)));
    // Double the size of the buffer
    buffer.set_capacity(T, capacity << 1).unwrap();
    let capacity = buffer.capacity() as i64;
    // assertEquals(expectedUsedMemory(allocator, capacity), metric.usedDirectMemory(), buffer.toString());
    assert_eq!(
        allocator.used_memory(direct),
        a.metric().chunk_size as i64,
        "{buffer}"
    );
    // assertThat(pinned).isGreaterThanOrEqualTo(capacity).isLessThanOrEqualTo(metric.usedDirectMemory());
    assert!((capacity..=allocator.used_memory(direct)).contains(&pinned(direct)));
    buffer.release().unwrap();
    // assertEquals(expectedUsedMemoryAfterRelease(allocator, capacity), metric.usedDirectMemory());
    assert_eq!(allocator.used_memory(direct), a.metric().chunk_size as i64);
    // assertThat(pinned).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(metric.usedDirectMemory());
    assert!((0..=allocator.used_memory(direct)).contains(&pinned(direct)));
    a.trim_thread_cache(T);
    // assertEquals(0, allocator.pinnedDirectMemory()); (pinnedHeapMemory for heap)
    assert_eq!(pinned(direct), 0);
    let mut rng = ChaCha8Rng::seed_from_u64(initial_capacity as u64);
    let capacities: Vec<i64> = (0..30)
        .map(|_| initial_capacity / 4 + rng.random_range(0..8 * initial_capacity))
        .collect();
    let alloc = |i: usize| allocator.buffer(direct, capacities[i], 2 * capacities[i]);
    let mut bufs: Vec<ByteBuf> = (0..20).map(alloc).collect();
    for b in &bufs[..10] {
        b.release().unwrap();
    }
    bufs.extend((20..30).map(alloc));
    for (i, slot) in bufs.iter_mut().enumerate().take(10) {
        *slot = alloc(i);
    }
    for b in &bufs {
        b.release().unwrap();
    }
    a.trim_thread_cache(T);
    // assertEquals(0, allocator.pinnedDirectMemory()); (the heap test checks direct too)
    assert_eq!(a.pinned_direct_memory(), 0);
}

/// `testUsedDirectMemory`: the inherited test for the unpooled allocator, the pooled
/// override (initial capacities 1024 << 0..8) for the pooled classes.
fn test_used_direct_memory(class: Class) {
    match class {
        Class::Unpooled => used_memory(class, true),
        _ => (0..8).for_each(|power| pooled_used_memory(class, true, 1024 << power)),
    }
}

/// `testUsedHeapMemory`, as [`test_used_direct_memory`].
fn test_used_heap_memory(class: Class) {
    match class {
        Class::Unpooled => used_memory(class, false),
        _ => (0..8).for_each(|power| pooled_used_memory(class, false, 1024 << power)),
    }
}

crate::only_4_1_128! {
    /// `testUsedDirectMemoryHuge` / `testUsedHeapMemoryHuge`: 32 MiB is huge for every
    /// class here, counted exactly.
    fn used_memory_huge(class: Class, direct: bool) {
        let jvm = jvm();
        let allocator = Allocator::new(class, &jvm);
        // assertEquals(0, metric.usedHeapMemory());
        assert_eq!(allocator.used_memory(false), 0);
        let size = 32 * 1024 * 1024;
        let buffer = allocator.buffer(direct, size, size);
        // assertEquals(size, metric.usedDirectMemory());
        assert_eq!(allocator.used_memory(direct), size);
        buffer.release().unwrap();
    }
}

crate::only_4_1_128! {
    fn test_used_direct_memory_huge(class: Class) {
        used_memory_huge(class, true);
    }
}

crate::only_4_1_128! {
    fn test_used_heap_memory_huge(class: Class) {
        used_memory_huge(class, false);
    }
}

/// Instantiates a generic allocator test per allocator class: `<test>::<class>`.
macro_rules! allocators_test {
    ($($test:ident: [$($name:ident = $class:ident),*];)*) => {
        $(
            mod $test {
                $(allocator_fn!($test, $name, $class);)*
            }
        )*
    };
}

/// One allocator class's test function (`AlignedPooledByteBufAllocatorTest` is not in
/// 4.1.48).
macro_rules! allocator_fn {
    ($test:ident, $name:ident, Aligned) => {
        crate::only_4_1_128! {
            allocator_fn!(@fn $test, $name, Aligned);
        }
    };
    ($test:ident, $name:ident, $class:ident) => {
        allocator_fn!(@fn $test, $name, $class);
    };
    (@fn $test:ident, $name:ident, $class:ident) => {
        #[test]
        fn $name() {
            super::$test(super::Class::$class);
        }
    };
}

allocators_test! {
    test_buffer: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_buffer_with_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_heap_buffer: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_direct_buffer: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_calculate_new_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_unsafe_heap_buffer_and_unsafe_direct_buffer: [unpooled = Unpooled, pooled = Pooled,
        aligned = Aligned];
    test_heap_buffer_max_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_direct_buffer_max_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_used_direct_memory: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_used_heap_memory: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
}

crate::only_4_1_128! {
    allocators_test! {
        test_used_direct_memory_huge: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
        test_used_heap_memory_huge: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    }
}
