//! What every ported Netty test shares (both binaries: `tests/netty` for 4.1.128 and
//! `tests/netty_4_1_48` for 4.1.48, each naming its profile in `crate::profile()`):
//! the JVM a JUnit run sees, the buffer kinds
//! `AbstractByteBufTest`'s subclasses build (`newBuffer`), JUnit's per-test lifecycle
//! (`init`/`dispose`), `ByteBuf.compareTo`, and the exhaustive schedule explorer for
//! the tests that race real threads.

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::leak::{LeakConfig, LeakLevel};
use leakproof_model::refcnt::{Interpreter, Log, Scenario};
use leakproof_model::{JavaClass, JavaResult, Profile, ThreadId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The JUnit thread (a plain thread: no `FastThreadLocalThread`).
pub const T: ThreadId = ThreadId::MAIN;
/// `Integer.MAX_VALUE`, Netty's `DEFAULT_MAX_CAPACITY`.
pub const MAX: i64 = i32::MAX as i64;
/// `AbstractByteBufTest.CAPACITY`.
pub const CAPACITY: usize = 4096;

/// A JVM like the one Netty's build runs its tests in, with a fixed core count (the
/// arena formula reads it) and enough heap for the default allocator's arenas, on the
/// binary's profile.
pub fn jvm_with(level: LeakLevel, sampling_interval: i32) -> Arc<Jvm> {
    let profile: Profile = crate::profile();
    let mut leak = LeakConfig::from_profile(&profile.leak).with_level(level);
    leak.sampling_interval = sampling_interval;
    Jvm::new(JvmConfig {
        runtime_max_memory: 1 << 30,
        cores: 2,
        leak,
        ..JvmConfig::for_profile(profile)
    })
}

/// A JVM without leak detection: the plain kinds stay unwrapped.
pub fn jvm() -> Arc<Jvm> {
    jvm_with(LeakLevel::Disabled, 1)
}

/// `new PooledByteBufAllocator(preferDirect)`: Netty's defaults for this JVM.
pub fn default_pooled(jvm: &Arc<Jvm>) -> Arc<PooledAllocator> {
    PooledAllocator::new(jvm, PooledConfig::netty_default(jvm.config())).unwrap()
}

/// `new PooledByteBufAllocator(preferDirect, nHeapArena, nDirectArena, pageSize,
/// maxOrder, smallCacheSize, normalCacheSize, useCacheForAllThreads, alignment)`.
#[allow(clippy::too_many_arguments)]
pub fn pooled(
    jvm: &Arc<Jvm>,
    prefer_direct: bool,
    heap_arenas: i32,
    direct_arenas: i32,
    page_size: i32,
    max_order: i32,
    small_cache_size: i32,
    normal_cache_size: i32,
    use_cache_for_all_threads: bool,
    direct_alignment: i32,
) -> Arc<PooledAllocator> {
    let config = pooled_config(
        jvm,
        prefer_direct,
        heap_arenas,
        direct_arenas,
        page_size,
        max_order,
        small_cache_size,
        normal_cache_size,
        use_cache_for_all_threads,
        direct_alignment,
    );
    PooledAllocator::new(jvm, config).unwrap()
}

/// The configuration [`pooled`] builds (the tiny cache size stays the profile's
/// default: 4.1.128 has none; 4.1.48's constructors that take one set it after).
#[allow(clippy::too_many_arguments)]
pub fn pooled_config(
    jvm: &Arc<Jvm>,
    prefer_direct: bool,
    heap_arenas: i32,
    direct_arenas: i32,
    page_size: i32,
    max_order: i32,
    small_cache_size: i32,
    normal_cache_size: i32,
    use_cache_for_all_threads: bool,
    direct_alignment: i32,
) -> PooledConfig {
    let mut config = PooledConfig::with_geometry(jvm.config(), page_size, max_order);
    config.prefer_direct = prefer_direct;
    config.heap_arenas = heap_arenas;
    config.direct_arenas = direct_arenas;
    config.small_cache_size = small_cache_size;
    config.normal_cache_size = normal_cache_size;
    config.use_cache_for_all_threads = use_cache_for_all_threads;
    config.direct_alignment = direct_alignment;
    config
}

/// `new PooledByteBufAllocator(preferDirect, nHeapArena, nDirectArena, pageSize,
/// maxOrder, tinyCacheSize, smallCacheSize, normalCacheSize, useCacheForAllThreads,
/// alignment)`: 4.1.48's constructor, deprecated in 4.1.128, which ignores the tiny size.
#[allow(clippy::too_many_arguments)]
pub fn pooled_tiny(
    jvm: &Arc<Jvm>,
    prefer_direct: bool,
    heap_arenas: i32,
    direct_arenas: i32,
    page_size: i32,
    max_order: i32,
    [tiny, small, normal]: [i32; 3],
    use_cache_for_all_threads: bool,
    direct_alignment: i32,
) -> Arc<PooledAllocator> {
    let mut config = pooled_config(
        jvm,
        prefer_direct,
        heap_arenas,
        direct_arenas,
        page_size,
        max_order,
        small,
        normal,
        use_cache_for_all_threads,
        direct_alignment,
    );
    config.tiny_cache_size = tiny;
    PooledAllocator::new(jvm, config).unwrap()
}

/// `new PooledByteBufAllocator(true, nHeapArena, nDirectArena, pageSize, maxOrder, 0, 0,
/// 0)`: no thread caches (`tinyCacheSize, smallCacheSize, normalCacheSize`; 4.1.128
/// ignores the tiny one).
pub fn pooled_no_cache(
    jvm: &Arc<Jvm>,
    heap_arenas: i32,
    direct_arenas: i32,
    page_size: i32,
    max_order: i32,
) -> Arc<PooledAllocator> {
    let defaults = PooledConfig::netty_default(jvm.config());
    let mut config = pooled_config(
        jvm,
        true,
        heap_arenas,
        direct_arenas,
        page_size,
        max_order,
        0,
        0,
        defaults.use_cache_for_all_threads,
        0,
    );
    config.tiny_cache_size = 0;
    PooledAllocator::new(jvm, config).unwrap()
}

/// Asserts `result` is Java exception `class` (JUnit's `assertThrows`).
#[track_caller]
pub fn assert_throws<V: std::fmt::Debug>(class: JavaClass, result: JavaResult<V>) {
    match result {
        Err(e) => assert_eq!(e.class, class, "threw {e}"),
        Ok(v) => panic!("expected {class:?}, returned {v:?}"),
    }
}

/// `IndexOutOfBoundsException`.
pub const IOOBE: JavaClass = JavaClass::IndexOutOfBounds;
/// `IllegalReferenceCountException`.
pub const IRCE: JavaClass = JavaClass::IllegalReferenceCount;
/// `IllegalArgumentException`.
pub const IAE: JavaClass = JavaClass::IllegalArgument;

/// `a.compareTo(b) == 0`: the readable bytes are equal (`ByteBufUtil.compare`).
pub fn same_content(a: &ByteBuf, b: &ByteBuf) -> bool {
    let read = |x: &ByteBuf| {
        x.get_bytes(x.reader_index() as i64, x.readable_bytes())
            .unwrap()
    };
    read(a) == read(b)
}

/// The buffer kinds of `AbstractByteBufTest`'s subclasses (each its Java class).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `PooledBigEndianHeapByteBufTest`: `PooledByteBufAllocator.DEFAULT.heapBuffer`.
    PooledHeap,
    /// `PooledBigEndianDirectByteBufTest`: `…DEFAULT.directBuffer`.
    PooledDirect,
    /// `BigEndianHeapByteBufTest`: an unpooled heap buffer.
    UnpooledHeap,
    /// `BigEndianUnsafeNoCleanerDirectByteBufTest`: an unpooled direct buffer (the
    /// default platform: Unsafe, no Cleaner).
    UnpooledDirect,
    /// `SlicedByteBufTest`: `Unpooled.buffer(length * 2).slice(offset, length)`.
    Sliced,
    /// `RetainedSlicedByteBufTest`: `retainedSlice(offset, length)`, then the parent
    /// released.
    RetainedSliced,
    /// `DuplicatedByteBufTest`: a duplicate of `Unpooled.buffer(length, maxCapacity)`.
    Duplicated,
    /// `RetainedDuplicatedByteBufTest`: `retainedDuplicate()`, then the parent released.
    RetainedDuplicated,
    /// `SimpleLeakAwareByteBufTest`: a heap buffer in a `SimpleLeakAwareByteBuf`.
    SimpleLeakAware,
    /// `AdvancedLeakAwareByteBufTest`: a heap buffer in an `AdvancedLeakAwareByteBuf`.
    AdvancedLeakAware,
}

/// Constructors named as the generated test modules are (see [`kinds_test`]).
#[allow(non_upper_case_globals, dead_code)]
pub mod kinds {
    use super::Kind;
    pub const pooled_heap: Kind = Kind::PooledHeap;
    pub const pooled_direct: Kind = Kind::PooledDirect;
    pub const unpooled_heap: Kind = Kind::UnpooledHeap;
    pub const unpooled_direct: Kind = Kind::UnpooledDirect;
    pub const sliced: Kind = Kind::Sliced;
    pub const retained_sliced: Kind = Kind::RetainedSliced;
    pub const duplicated: Kind = Kind::Duplicated;
    pub const retained_duplicated: Kind = Kind::RetainedDuplicated;
    pub const simple_leak_aware: Kind = Kind::SimpleLeakAware;
    pub const advanced_leak_aware: Kind = Kind::AdvancedLeakAware;
}

/// One JUnit test instance of an `AbstractByteBufTest` subclass: its JVM, allocators,
/// `newBuffer` and seeded random source.
pub struct Fixture {
    /// The JVM.
    pub jvm: Arc<Jvm>,
    /// Which subclass.
    pub kind: Kind,
    pooled: Arc<PooledAllocator>,
    unpooled: Arc<UnpooledAllocator>,
    rng: std::cell::RefCell<ChaCha8Rng>,
}

impl Fixture {
    /// A fresh JVM for `kind` (the leak-aware kinds track every buffer: Netty's test
    /// wraps each one itself with a `NoopResourceLeakTracker`).
    pub fn new(kind: Kind) -> Fixture {
        let jvm = match kind {
            Kind::SimpleLeakAware => jvm_with(LeakLevel::Simple, 1),
            Kind::AdvancedLeakAware => jvm_with(LeakLevel::Paranoid, 1),
            _ => jvm(),
        };
        Fixture {
            pooled: default_pooled(&jvm),
            unpooled: UnpooledAllocator::new(&jvm),
            jvm,
            kind,
            rng: std::cell::RefCell::new(ChaCha8Rng::seed_from_u64(0x006e_6574_7479)),
        }
    }

    /// `Unpooled.buffer(initial, max)`: an unpooled heap buffer.
    pub fn unpooled_buffer(&self, initial: i64, max: i64) -> ByteBuf {
        self.unpooled.new_buffer(T, false, initial, max).unwrap()
    }

    /// `newBuffer(capacity)`: `newBuffer(capacity, Integer.MAX_VALUE)`.
    pub fn new_buffer(&self, capacity: usize) -> ByteBuf {
        self.new_buffer_max(capacity, MAX)
    }

    /// `newBuffer(length, maxCapacity)` of this kind.
    pub fn new_buffer_max(&self, length: usize, max: i64) -> ByteBuf {
        let len = length as i64;
        let buf = match self.kind {
            Kind::PooledHeap => self.pooled.new_buffer(T, false, len, max).unwrap(),
            Kind::PooledDirect => self.pooled.new_buffer(T, true, len, max).unwrap(),
            Kind::UnpooledHeap => self.unpooled_buffer(len, max),
            Kind::UnpooledDirect => self.unpooled.new_buffer(T, true, len, max).unwrap(),
            Kind::Sliced | Kind::RetainedSliced => {
                // Assumptions.assumeTrue(maxCapacity == Integer.MAX_VALUE);
                assert_eq!(max, MAX, "SlicedByteBufTest assumes maxCapacity == MAX");
                let offset = if length == 0 {
                    0
                } else {
                    self.rng.borrow_mut().random_range(0..length)
                };
                let buffer = self.unpooled_buffer(len * 2, MAX);
                let slice = if self.kind == Kind::Sliced {
                    buffer.slice_range(offset as i64, len).unwrap()
                } else {
                    let slice = buffer.retained_slice_range(T, offset as i64, len).unwrap();
                    buffer.release().unwrap();
                    // assertEquals(buffer.refCnt(), slice.refCnt());
                    assert_eq!(buffer.ref_cnt(), slice.ref_cnt());
                    slice
                };
                // assertEquals(0, slice.readerIndex());
                assert_eq!(slice.reader_index(), 0);
                // assertEquals(length, slice.writerIndex());
                assert_eq!(slice.writer_index(), length);
                slice
            }
            Kind::Duplicated | Kind::RetainedDuplicated => {
                let wrapped = self.unpooled_buffer(len, max);
                let buffer = if self.kind == Kind::Duplicated {
                    wrapped.duplicate().unwrap()
                } else {
                    let dup = wrapped.retained_duplicate(T).unwrap();
                    wrapped.release().unwrap();
                    dup
                };
                // assertEquals(wrapped.writerIndex(), buffer.writerIndex());
                assert_eq!(wrapped.writer_index(), buffer.writer_index());
                // assertEquals(wrapped.readerIndex(), buffer.readerIndex());
                assert_eq!(wrapped.reader_index(), buffer.reader_index());
                buffer
            }
            // `toLeakAwareBuffer` of an unpooled heap buffer at SIMPLE (interval 1) or
            // PARANOID; the Java test wraps it with a `NoopResourceLeakTracker` itself.
            Kind::SimpleLeakAware | Kind::AdvancedLeakAware => {
                let heap = self.unpooled_buffer(len, max);
                self.jvm.to_leak_aware_buffer(&heap).unwrap()
            }
        };
        if self.kind.is_pooled() {
            // AbstractPooledByteBufTest.newBuffer:
            // assertEquals(0, buffer.writerIndex()); assertEquals(0, buffer.readerIndex());
            assert_eq!((buf.writer_index(), buf.reader_index()), (0, 0));
        }
        buf
    }

    /// `random.nextBytes(new byte[n])` from the fixture's seeded source.
    pub fn random_bytes(&self, n: usize) -> Vec<u8> {
        let mut out = vec![0; n];
        self.rng.borrow_mut().fill(&mut out[..]);
        out
    }

    /// `releasedBuffer()`: `newBuffer(8)`, cleared, released.
    pub fn released_buffer(&self) -> ByteBuf {
        let buffer = self.new_buffer(8);
        buffer.clear();
        // assertTrue(buffer.release());
        assert!(buffer.release().unwrap());
        buffer
    }

    /// The leak-aware wrapper class this kind's buffers wear, if any.
    pub fn leak_class(&self) -> Option<&'static str> {
        match self.kind {
            Kind::SimpleLeakAware => Some("SimpleLeakAwareByteBuf"),
            Kind::AdvancedLeakAware => Some("AdvancedLeakAwareByteBuf"),
            _ => None,
        }
    }
}

impl Kind {
    /// A subclass of `AbstractPooledByteBufTest`.
    pub fn is_pooled(self) -> bool {
        matches!(self, Kind::PooledHeap | Kind::PooledDirect)
    }
}

/// Runs one JUnit test of an `AbstractByteBufTest` subclass: `init()` makes the
/// `buffer` field (`newBuffer(CAPACITY)`), the body runs, `dispose()` releases it
/// (`assertTrue(buffer.release()); assertEquals(0, buffer.refCnt())`). The leak-aware
/// subclasses also assert every tracker was closed (`assertTrue(tracker.get())`).
pub fn run(kind: Kind, body: fn(&Fixture, &ByteBuf)) {
    let fx = Fixture::new(kind);
    let buffer = fx.new_buffer(CAPACITY);
    body(&fx, &buffer);
    // assertTrue(buffer.release());
    assert!(buffer.release().unwrap());
    // assertEquals(0, buffer.refCnt());
    assert_eq!(buffer.ref_cnt(), 0);
    if fx.leak_class().is_some() {
        let stats = fx.jvm.leak_detector().stats();
        assert_eq!(
            stats.closed,
            stats.tracked + stats.forced,
            "every leak tracker closed"
        );
    }
}

/// Instantiates a generic test body once per kind: `mod <test> { fn <kind>() }`, so
/// cargo names it `<file>::<test>::<kind>`. Kind lists: `plain` (the four plain
/// kinds), `all` (every `AbstractByteBufTest` subclass here), or an explicit list.
#[macro_export]
macro_rules! kinds_test {
    ($($test:ident: $kinds:tt;)*) => {
        $(
            mod $test {
                $crate::kinds_test!(@fns $test $kinds);
            }
        )*
    };
    (@fns $test:ident plain) => {
        $crate::kinds_test!(@fns $test [pooled_heap, pooled_direct, unpooled_heap, unpooled_direct]);
    };
    (@fns $test:ident all) => {
        $crate::kinds_test!(@fns $test [
            pooled_heap, pooled_direct, unpooled_heap, unpooled_direct, sliced,
            retained_sliced, duplicated, retained_duplicated, simple_leak_aware,
            advanced_leak_aware
        ]);
    };
    (@fns $test:ident [$($kind:ident),* $(,)?]) => {
        $(
            #[test]
            fn $kind() {
                $crate::support::run($crate::support::kinds::$kind, super::$test);
            }
        )*
    };
}

/// Every complete interleaving of `scenario`'s logical threads, micro-step by
/// micro-step (depth-first; the scenarios ported here are small).
pub fn all_schedules(scenario: &Scenario) -> Vec<Log> {
    let mut out = Vec::new();
    let mut stack = vec![Interpreter::new(scenario)];
    while let Some(state) = stack.pop() {
        let runnable = state.runnable();
        if runnable.is_empty() {
            out.push(state.into_log());
            continue;
        }
        for thread in runnable {
            let mut next = state.clone();
            next.step(thread).unwrap();
            stack.push(next);
        }
    }
    out
}
