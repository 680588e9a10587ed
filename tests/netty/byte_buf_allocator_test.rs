//! `ByteBufAllocatorTest` and `AbstractByteBufAllocatorTest`, inherited by
//! `UnpooledByteBufAllocatorTest`, `PooledByteBufAllocatorTest` and
//! `AlignedPooledByteBufAllocatorTest`: each generic test runs once per allocator
//! class (`<test>::{unpooled,pooled,aligned}`).
//!
//! Not ported (docs/fidelity.md): the composite-buffer tests (the model has no
//! `CompositeByteBuf`) and `shouldReuseChunks` (it measures the JVM's per-thread
//! allocated bytes through `ThreadMXBean`).

use crate::support::{jvm, pooled, T};
use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::Jvm;
use std::sync::Arc;

/// The allocator class under test (`newAllocator(preferDirect)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Unpooled,
    Pooled,
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
        match class {
            Class::Unpooled => Allocator::Unpooled(UnpooledAllocator::new(jvm)),
            Class::Pooled => Allocator::Pooled(crate::support::default_pooled(jvm)),
            // AlignedPooledByteBufAllocatorTest.newAllocator: Netty's defaults with
            // maxOrder 11, normalCacheSize 64 and directMemoryCacheAlignment 1.
            Class::Aligned => {
                let d = PooledConfig::netty_default(jvm.config());
                Allocator::Pooled(pooled(
                    jvm,
                    true,
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

    /// `heapBuffer(initial, max)` / `directBuffer(initial, max)`.
    pub fn buffer(&self, direct: bool, initial: i64, max: i64) -> ByteBuf {
        match self {
            Allocator::Unpooled(a) => a.new_buffer(T, direct, initial, max).unwrap(),
            Allocator::Pooled(a) => a.new_buffer(T, direct, initial, max).unwrap(),
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

/// `testHeapBuffer(preferDirect, 8)` / `testDirectBuffer(preferDirect, 8)`: the kind
/// asked for, whatever the preference.
fn buffer_max_capacity(class: Class, direct: bool) {
    for _prefer_direct in [true, false] {
        let jvm = jvm();
        let allocator = Allocator::new(class, &jvm);
        let buffer = allocator.buffer(direct, 1, 8);
        assert_buffer(&buffer, direct, 1, 8);
        buffer.release().unwrap();
    }
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
/// memory, NEEDS.md).
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

fn test_used_direct_memory(class: Class) {
    used_memory(class, true);
}

fn test_used_heap_memory(class: Class) {
    used_memory(class, false);
}

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

fn test_used_direct_memory_huge(class: Class) {
    used_memory_huge(class, true);
}

fn test_used_heap_memory_huge(class: Class) {
    used_memory_huge(class, false);
}

/// Instantiates a generic allocator test per allocator class: `<test>::<class>`.
macro_rules! allocators_test {
    ($($test:ident: [$($name:ident = $class:ident),*];)*) => {
        $(
            mod $test {
                $(
                    #[test]
                    fn $name() {
                        super::$test(super::Class::$class);
                    }
                )*
            }
        )*
    };
}

allocators_test! {
    test_heap_buffer_max_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_direct_buffer_max_capacity: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_used_direct_memory: [unpooled = Unpooled];
    test_used_heap_memory: [unpooled = Unpooled];
    test_used_direct_memory_huge: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
    test_used_heap_memory_huge: [unpooled = Unpooled, pooled = Pooled, aligned = Aligned];
}
