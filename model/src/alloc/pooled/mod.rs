//! `PooledByteBufAllocator`: arenas, thread caches and pooled buffers (netty.md §1–§5).

mod arena;
mod bindings;
mod config;
mod lifecycle;
mod metric;
mod raw;
mod region_cache;
mod resize;
mod source;
mod thread_cache;

pub use arena::{least_used, ArenaAllocation, PoolArena};
pub use config::{default_arenas, PooledConfig};
pub use lifecycle::{FinalizerReport, PooledByteBufAllocator};
pub use metric::PooledAllocatorMetric;
pub use raw::{RawBuffer, RawThread};
pub use region_cache::{CacheEntry, RegionCache};
pub(crate) use resize::resize_pooled;
pub use source::{ChunkAccounting, JvmChunkSource};
pub use thread_cache::{CacheSizes, CacheState, ThreadCache};

use super::{validate_capacities, AllocRef};
use crate::buffer::{BufClass, ByteBuf, CacheLink, EmptySlot, NewRoot, PooledRegion, Region};
use crate::error::{Argument, BoxedResult, JavaException, JavaResult};
use crate::jvm::Jvm;
use crate::pool::SizeTables;
use crate::pool::{ArenaCore, ArenaKind, ArenaOptions, PoolGeometry, SizeKind};
use crate::sync::book::counter::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Arc, BookLock, Mutex};
use crate::thread::ThreadId;
use bindings::CacheBindings;
use std::num::NonZeroU64;

/// Where [`PooledAllocator::serve`] found the memory.
enum Served {
    /// A thread-cache entry (it names its arena).
    Cached(ArenaAllocation),
    /// A fresh allocation from the arena the caller passed.
    Arena(crate::pool::Allocation),
}

/// One `PooledByteBufAllocator` (shared by its handles and its buffers).
///
/// The arenas' locks and the caches' queues are Netty's synchronization points, and so
/// is `cache_init` (`PoolThreadLocalCache.initialValue` is `synchronized`). The caches and
/// their bindings (Netty's `FastThreadLocal`, `bindings.rs`), the finalizer queue, the
/// ids and the handle count are bookkeeping.
#[derive(Debug)]
pub struct PooledAllocator {
    id: u64,
    jvm: Arc<Jvm>,
    config: PooledConfig,
    geometry: PoolGeometry,
    heap_arenas: Vec<Arc<PoolArena>>,
    direct_arenas: Vec<Arc<PoolArena>>,
    pub(crate) caches: CacheBindings,
    cache_init: Mutex<()>,
    pub(crate) handles: AtomicUsize,
    pub(crate) pending_caches: BookLock<Vec<Arc<ThreadCache>>>,
    pub(crate) finalize_pending: AtomicBool,
    finalized: AtomicBool,
    /// `emptyBuf` (AbstractByteBufAllocator.java:84, 101 of 4.1.48).
    empty: EmptySlot,
}

fn check_positive_or_zero(jvm: &Jvm, value: i32, argument: Argument) -> JavaResult<()> {
    if value >= 0 {
        return Ok(());
    }
    let style = jvm.profile().refcount.argument_error_style;
    let sep = match style {
        crate::profile::ArgumentErrorStyle::NoSpace => ":",
        crate::profile::ArgumentErrorStyle::SpaceBeforeColon => " :",
    };
    let name = match argument {
        Argument::HeapArenas => "nHeapArena",
        Argument::DirectArenas => "nDirectArena",
        _ => "directMemoryCacheAlignment",
    };
    Err(JavaException::bad_argument(
        argument,
        format!("{name}{sep} {value} (expected: >= 0)"),
    ))
}

impl PooledAllocator {
    /// `new PooledByteBufAllocator(...)` inside `jvm`, validated as Netty's constructor
    /// validates (zero arenas is legal: buffers are then unpooled).
    pub fn new(jvm: &Arc<Jvm>, config: PooledConfig) -> JavaResult<Arc<Self>> {
        Self::with_tables(jvm, config, &SizeTables::new())
    }

    /// [`PooledAllocator::new`] taking its size-class tables from `tables` (built
    /// there on first use): a harness that builds many allocators computes each
    /// table once.
    pub fn with_tables(
        jvm: &Arc<Jvm>,
        config: PooledConfig,
        tables: &SizeTables,
    ) -> JavaResult<Arc<Self>> {
        let geometry = PoolGeometry::validate_with(
            config.page_size,
            config.max_order,
            config.direct_alignment,
            jvm.profile().allocator.page_size_aligned,
            || {
                check_positive_or_zero(jvm, config.heap_arenas, Argument::HeapArenas)?;
                check_positive_or_zero(jvm, config.direct_arenas, Argument::DirectArenas)?;
                check_positive_or_zero(jvm, config.direct_alignment, Argument::Alignment)?;
                // isDirectMemoryCacheAlignmentSupported() is hasUnsafe() (4.1.48:253,
                // 4.1.128:295).
                if config.direct_alignment > 0 && !jvm.config().has_unsafe {
                    return Err(JavaException::bad_argument(
                        Argument::Alignment,
                        "directMemoryCacheAlignment is not supported",
                    ));
                }
                Ok(())
            },
        )?;
        let profile = &jvm.profile().allocator;
        let make = |kind: ArenaKind, n: i32| -> Vec<Arc<PoolArena>> {
            if n <= 0 {
                return Vec::new();
            }
            // One table per kind, shared by its arenas (they have the same geometry).
            let sc = tables.get(
                &geometry,
                profile.size_classes,
                kind,
                profile.heap_arenas_aligned,
            );
            (0..n as usize)
                .map(|i| {
                    let opts = ArenaOptions::new(kind, i as u16, profile, jvm.mutant());
                    Arc::new(PoolArena::new(i, ArenaCore::new(sc.clone(), opts)))
                })
                .collect()
        };
        let allocator = Arc::new(PooledAllocator {
            id: jvm.next_alloc_id().0,
            heap_arenas: make(ArenaKind::Heap, config.heap_arenas),
            direct_arenas: make(ArenaKind::Direct, config.direct_arenas),
            jvm: jvm.clone(),
            config,
            geometry,
            caches: CacheBindings::default(),
            cache_init: Mutex::new(()),
            handles: AtomicUsize::new(0),
            pending_caches: BookLock::new(Vec::new()),
            finalize_pending: AtomicBool::new(false),
            finalized: AtomicBool::new(false),
            empty: EmptySlot::default(),
        });
        jvm.register_allocator(allocator.clone());
        Ok(allocator)
    }

    /// Identity within its JVM.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The JVM this allocator lives in.
    pub fn jvm(&self) -> &Arc<Jvm> {
        &self.jvm
    }

    /// The constructor arguments.
    pub fn config(&self) -> &PooledConfig {
        &self.config
    }

    /// Page size, chunk size and alignment.
    pub fn geometry(&self) -> &PoolGeometry {
        &self.geometry
    }

    /// The arenas of `kind`.
    pub fn arenas(&self, kind: ArenaKind) -> &[Arc<PoolArena>] {
        match kind {
            ArenaKind::Heap => &self.heap_arenas,
            ArenaKind::Direct => &self.direct_arenas,
        }
    }

    fn mark_finalized(&self) {
        self.finalized.store(true, Ordering::SeqCst);
    }

    /// True once the allocator's finalization destroyed its arenas.
    pub fn is_finalized(&self) -> bool {
        self.finalized.load(Ordering::SeqCst)
    }

    /// Every thread cache ever created (live, freed or awaiting finalization), in
    /// creation order. Borrowed from the allocator's append-only list: no lock, no copy.
    #[inline]
    pub fn all_caches(&self) -> impl Iterator<Item = &Arc<ThreadCache>> + '_ {
        self.caches.all()
    }

    /// The cache bound to thread `t`, if it was created and not removed.
    pub fn cache_of(&self, t: ThreadId) -> Option<Arc<ThreadCache>> {
        self.caches.bound(t).cloned()
    }

    /// `threadCache.get()` on thread `t`: creates the cache on first use, bound to the
    /// least-used arenas; real queues for event-loop / FastThreadLocal threads or with
    /// `useCacheForAllThreads`, a zero-size cache (without finalizer) otherwise.
    /// The cache is borrowed from the allocator (no reference count on the hit).
    pub fn thread_cache(&self, t: ThreadId) -> JavaResult<&Arc<ThreadCache>> {
        // A bound cache implies a running thread (exit removes the binding), so the
        // thread registry is consulted only when the cache is created.
        if let Some(cache) = self.caches.bound(t) {
            return Ok(cache);
        }
        let kind = self.jvm.thread_kind(t)?;
        // `initialValue` is synchronized; the arena reads and binding below are facade
        // operations, so no bookkeeping lock is held across them.
        let _init = self.cache_init.lock();
        if let Some(cache) = self.caches.bound(t) {
            return Ok(cache);
        }
        let heap = least_used(&self.heap_arenas);
        let direct = least_used(&self.direct_arenas);
        let cached = self.config.use_cache_for_all_threads || kind.always_cached();
        let sizes = if cached {
            CacheSizes {
                tiny: self.config.tiny_cache_size.max(0) as usize,
                small: self.config.small_cache_size.max(0) as usize,
                normal: self.config.normal_cache_size.max(0) as usize,
                max_cached: self.config.max_cached_buffer_capacity.max(0) as usize,
                trim_interval: self.config.cache_trim_interval,
                normal_covers_a_page: self.jvm.profile().allocator.normal_cache_covers_a_page,
            }
        } else {
            CacheSizes::NONE
        };
        let cache = Arc::new(ThreadCache::new(
            self.caches.next_id(),
            t,
            heap,
            direct,
            sizes,
            cached,
            self.jvm().mutant(),
        )?);
        Ok(self.caches.bind(cache))
    }

    /// The class of a pooled buffer from an arena of `kind` under this JVM's platform.
    fn pooled_class(&self, kind: ArenaKind) -> BufClass {
        match (kind, self.jvm.config().has_unsafe) {
            (ArenaKind::Direct, true) => BufClass::PooledUnsafeDirect,
            (ArenaKind::Direct, false) => BufClass::PooledDirect,
            (ArenaKind::Heap, true) => BufClass::PooledUnsafeHeap,
            (ArenaKind::Heap, false) => BufClass::PooledHeap,
        }
    }

    /// `newDirectBuffer`/`newHeapBuffer(initialCapacity, maxCapacity)` on thread `t`.
    pub fn new_buffer(
        self: &Arc<Self>,
        t: ThreadId,
        direct: bool,
        initial: i64,
        max: i64,
    ) -> JavaResult<ByteBuf> {
        // `return emptyBuf` for (0, 0), before validation, finalizers, thread caches,
        // arenas and leak detection (AbstractByteBufAllocator.java:164–165, 183–184 of
        // 4.1.48; :165–166, 184–185 of 4.1.128).
        if initial == 0 && max == 0 {
            let alloc = || AllocRef::Pooled(self.clone());
            return Ok(ByteBuf::shared_empty(&self.empty, &alloc, t));
        }
        validate_capacities(&self.jvm.profile().refcount, initial, max)?;
        self.jvm.run_finalizers();
        let (initial, max) = (initial as usize, max as usize);
        let kind = if direct {
            ArenaKind::Direct
        } else {
            ArenaKind::Heap
        };
        let cache = self.thread_cache(t)?;
        let method = if direct {
            "newDirectBuffer"
        } else {
            "newHeapBuffer"
        };
        let Some(arena) = cache.arena(kind) else {
            let buf = self.new_unpooled_fallback(t, direct, initial, max)?;
            self.jvm
                .leak_track_root(&buf, "PooledByteBufAllocator", method)?;
            return Ok(buf);
        };
        // `newByteBuf(maxCapacity)` takes the object before `allocate(cache, buf,
        // reqCapacity)` takes the memory; if that throws, the object is lost.
        let claim = ByteBuf::claim_pooled(self, t, self.pooled_class(kind), max);
        let region = self.allocate_region(arena, cache, initial)?;
        // `PooledByteBuf.length`: the request, except a huge buffer of an aligned
        // arena, whose length is the normalized size (PoolArena.java:139–142, 226).
        let capacity = region.allocation.length;
        let link = self.cache_link(cache, &region);
        let region = Region::Pooled(PooledRegion {
            region,
            cache: NonZeroU64::new(cache.id()),
        });
        let buf = claim.init(region, capacity, link);
        self.jvm
            .leak_track_root(&buf, "PooledByteBufAllocator", method)?;
        Ok(buf)
    }

    /// The thread cache a buffer on `region` links to (`PooledByteBuf.cache`): the
    /// allocating thread's, except for a huge region, which `initUnpooled` links to
    /// none (PoolArena.java `allocateHuge`, 4.1.48 and 4.1.128 alike).
    pub(crate) fn cache_link(
        &self,
        cache: &ThreadCache,
        region: &ArenaAllocation,
    ) -> Option<CacheLink> {
        (region.allocation.kind != SizeKind::Huge).then(|| CacheLink {
            allocator: self.id,
            cache: cache.id(),
        })
    }

    /// `PoolArena.allocate(cache, buf, reqCapacity)`: the thread cache first for small
    /// and normal sizes, then the arena (huge sizes always go to the arena).
    #[inline]
    pub(crate) fn allocate_region(
        &self,
        arena: &Arc<PoolArena>,
        cache: &ThreadCache,
        req: usize,
    ) -> BoxedResult<ArenaAllocation> {
        Ok(match self.serve(arena, cache, req)? {
            Served::Cached(hit) => hit,
            Served::Arena(allocation) => ArenaAllocation {
                arena: arena.clone(),
                allocation,
            },
        })
    }

    /// [`PooledAllocator::allocate_region`] without wrapping an arena allocation in a
    /// reference to its arena (the caller knows it), all memory pinned.
    #[inline]
    fn serve(&self, arena: &PoolArena, cache: &ThreadCache, req: usize) -> BoxedResult<Served> {
        let sc = arena.size_classes();
        let size_idx = sc.size2size_idx(req);
        let size_kind = sc.kind_of_idx(size_idx);
        if size_kind != SizeKind::Huge {
            if let Some(hit) = cache.allocate(&self.jvm, arena.kind(), size_idx, size_kind, req)? {
                hit.arena.pin(&hit.allocation, true);
                return Ok(Served::Cached(hit));
            }
        }
        let allocation = arena.allocate_sized(&self.jvm, req, size_idx)?;
        arena.pin(&allocation, true);
        Ok(Served::Arena(allocation))
    }

    /// With no arena of the kind, Netty hands out unpooled buffers
    /// (`UnsafeByteBufUtil.newUnsafeDirectByteBuf`, `UnpooledUnsafeHeapByteBuf`, …).
    fn new_unpooled_fallback(
        self: &Arc<Self>,
        t: ThreadId,
        direct: bool,
        initial: usize,
        max: usize,
    ) -> JavaResult<ByteBuf> {
        // A throwaway allocator makes the memory: Netty's fallback buffers are not
        // instrumented, and nothing reads that allocator's metric.
        let unpooled = super::UnpooledAllocator::new(&self.jvm);
        let class = unpooled.class_for(direct);
        let region = unpooled.allocate_region(class, initial)?;
        Ok(ByteBuf::new_root(NewRoot {
            alloc: AllocRef::Pooled(self.clone()),
            thread: t,
            class,
            instrumented: false,
            region: Region::Unpooled(region),
            capacity: initial,
            max_capacity: max,
        }))
    }

    /// Returns a released pooled buffer's memory: huge chunks are destroyed, other
    /// handles are offered to the allocating thread's cache, else freed to the arena.
    #[inline]
    pub(crate) fn free_region(&self, region: PooledRegion) -> JavaResult<()> {
        let PooledRegion { region, cache } = region;
        region.arena.pin(&region.allocation, false);
        let huge = region.allocation.kind == SizeKind::Huge;
        let region = match cache.and_then(|id| self.caches.by_id(id.get())) {
            Some(cache) if !huge => match cache.offer(&self.jvm, region) {
                Ok(()) => return Ok(()),
                Err(refused) => refused,
            },
            _ => region,
        };
        region.free_to_arena(&self.jvm, false).map(|_| ())
    }

    /// `pinnedHeapMemory()`: bytes pinned by heap buffers, −1 without heap arenas.
    pub fn pinned_heap_memory(&self) -> i64 {
        pinned_memory(&self.heap_arenas)
    }

    /// `pinnedDirectMemory()`: bytes pinned by direct buffers, −1 without direct arenas.
    pub fn pinned_direct_memory(&self) -> i64 {
        pinned_memory(&self.direct_arenas)
    }

    /// `trimCurrentThreadCache()` on thread `t`: true when `t` had a cache.
    pub fn trim_thread_cache(&self, t: ThreadId) -> bool {
        match self.caches.bound(t) {
            Some(cache) => {
                cache.trim(&self.jvm);
                true
            }
            None => false,
        }
    }
}

/// `PooledByteBufAllocator.pinnedMemory(arenas)`: −1 without arenas, saturating at
/// `Long.MAX_VALUE`.
fn pinned_memory(arenas: &[Arc<PoolArena>]) -> i64 {
    if arenas.is_empty() {
        return -1;
    }
    let mut used: i64 = 0;
    for arena in arenas {
        used = used.wrapping_add(arena.num_pinned_bytes());
        if used < 0 {
            return i64::MAX;
        }
    }
    used
}
