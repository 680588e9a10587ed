//! `PoolThreadCache`: per-thread, per-size-class bounded queues of freed handles.
//!
//! Any thread that releases a buffer offers its handle to the *allocating* thread's
//! cache (many producers); only the owner polls (allocate, trim). A cache is freed
//! once, by a clean thread exit (`onRemoval`) or its finalizer. Netty's `add` reads
//! `freed` and then offers, so an add racing `free` can strand an entry; the model
//! keeps that race and classifies what it leaves behind (netty.md §4, §11).
//!
//! Netty's synchronization points here are the queues (MPSC) and `freed` (an
//! `AtomicBoolean`): facade operations. The allocation counters are plain `int`s that
//! only the owner touches, so they are bookkeeping; so are the queue's event counts
//! (`Event::CachePoll`, `Event::CacheAdd`), plain data changed only under the queue's
//! lock and merged into the JVM's counts on read (`Jvm::coverage`), which spares the
//! cache hit a shared read-modify-write per poll and per add.

use super::arena::{ArenaAllocation, PoolArena};
use super::region_cache::{bump, CacheEntry, RegionCache};
use crate::coverage::Event;
use crate::error::{BoxedResult, JavaClass, JavaException, JavaResult};
use crate::jvm::Jvm;
use crate::mutant::Mutant;
use crate::pool::{ArenaKind, FreeOutcome, Handle, SizeKind};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::book::counter::{AtomicUsize as OwnerCounter, Ordering as Plain};
use crate::sync::Arc;
use crate::thread::ThreadId;

/// Where a thread cache stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheState {
    /// In use by its owner.
    Live,
    /// `free()` ran.
    Freed,
}

/// One thread's cache in one allocator.
#[derive(Debug)]
pub struct ThreadCache {
    id: u64,
    owner: ThreadId,
    heap_arena: Option<Arc<PoolArena>>,
    direct_arena: Option<Arc<PoolArena>>,
    /// The tiny queues of the legacy size classes (empty under jemalloc-4).
    tiny: [Vec<RegionCache>; 2],
    small: [Vec<RegionCache>; 2],
    normal: [Vec<RegionCache>; 2],
    trim_interval: usize,
    /// `PoolThreadCache.allocations` (owner only).
    allocations: OwnerCounter,
    freed: AtomicBool,
    has_finalizer: bool,
    /// `Mutant::CacheOffByOne`, read once at construction.
    cache_off_by_one: bool,
}

/// Sizes of one cache's queues (`0` means no queue).
#[derive(Clone, Copy, Debug)]
pub struct CacheSizes {
    /// `tinyCacheSize` (4.1.48; no tiny classes, hence no queues, under jemalloc-4).
    pub tiny: usize,
    /// `smallCacheSize`.
    pub small: usize,
    /// `normalCacheSize`.
    pub normal: usize,
    /// `maxCachedBufferCapacity`.
    pub max_cached: usize,
    /// `freeSweepAllocationThreshold` (`cacheTrimInterval`; below 1 refused where the
    /// cache gets a queue).
    pub trim_interval: i32,
    /// At least one normal queue, for the page-size class, even when
    /// `maxCachedBufferCapacity` is below a page
    /// (`AllocatorProfile::normal_cache_covers_a_page`).
    pub normal_covers_a_page: bool,
}

impl CacheSizes {
    /// The zero-size cache of a thread that gets no caching.
    pub const NONE: CacheSizes = CacheSizes {
        tiny: 0,
        small: 0,
        normal: 0,
        max_cached: 0,
        trim_interval: 0,
        normal_covers_a_page: false,
    };
}

fn idx(kind: ArenaKind) -> usize {
    match kind {
        ArenaKind::Heap => 0,
        ArenaKind::Direct => 1,
    }
}

/// `createSubPageCaches` for the tiny classes (`tiny`) or the small ones: one queue of
/// `size` (rounded up to a power of two) per class, none when `size` is 0 (4.1.48
/// PoolThreadCache.java:122–135).
fn subpage_caches(size: usize, tiny: bool, arena: Option<&Arc<PoolArena>>) -> Vec<RegionCache> {
    match arena {
        Some(a) if size > 0 => {
            let sc = a.size_classes();
            let classes = if tiny {
                0..sc.n_tiny()
            } else {
                sc.n_tiny()..sc.n_subpages()
            };
            let capacity = size.next_power_of_two();
            classes.map(|_| RegionCache::new(capacity)).collect()
        }
        _ => Vec::new(),
    }
}

fn normal_caches(sizes: &CacheSizes, arena: Option<&Arc<PoolArena>>) -> Vec<RegionCache> {
    match arena {
        Some(a) if sizes.normal > 0 && sizes.max_cached > 0 => {
            let sc = a.size_classes();
            let max = sc.chunk_size().min(sizes.max_cached);
            let capacity = sizes.normal.next_power_of_two();
            // 4.1.48 sizes the array `max(1, log2(max / pageSize) + 1)`: the page-size
            // class gets a queue even when `max` is below a page.
            let at_least = usize::from(sizes.normal_covers_a_page);
            (sc.n_subpages()..sc.n_sizes())
                .enumerate()
                .take_while(|&(k, i)| k < at_least || sc.size_idx2size(i).is_some_and(|s| s <= max))
                .map(|_| RegionCache::new(capacity))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// True where Netty's constructor made any cache array (a null array is no queue; a
/// 4.1.128 normal array may be empty yet non-null): a tiny or small array when the
/// size and the class count are positive, a normal one when `normalCacheSize` and
/// `maxCachedBufferCapacity` are (PoolThreadCache.java:122–150 of 4.1.48, :105–134 of
/// 4.1.128).
fn makes_cache_arrays(sizes: &CacheSizes, subpage_queues: usize, arena: bool) -> bool {
    arena && (subpage_queues > 0 || (sizes.normal > 0 && sizes.max_cached > 0))
}

impl ThreadCache {
    /// A cache for `owner` bound to the given arenas (each arena's `numThreadCaches`
    /// is incremented, zero-size caches included). Then, as the constructor's last
    /// check (PoolThreadCache.java:113–119 of 4.1.48, :96–102 of 4.1.128), a
    /// `freeSweepAllocationThreshold` below 1 with any cache array throws
    /// `IllegalArgumentException`: the arenas stay counted (each records the refusal).
    pub fn new(
        id: u64,
        owner: ThreadId,
        heap_arena: Option<Arc<PoolArena>>,
        direct_arena: Option<Arc<PoolArena>>,
        sizes: CacheSizes,
        has_finalizer: bool,
        mutant: Mutant,
    ) -> JavaResult<Self> {
        let tiny = [
            subpage_caches(sizes.tiny, true, heap_arena.as_ref()),
            subpage_caches(sizes.tiny, true, direct_arena.as_ref()),
        ];
        let small = [
            subpage_caches(sizes.small, false, heap_arena.as_ref()),
            subpage_caches(sizes.small, false, direct_arena.as_ref()),
        ];
        let normal = [
            normal_caches(&sizes, heap_arena.as_ref()),
            normal_caches(&sizes, direct_arena.as_ref()),
        ];
        for arena in heap_arena.iter().chain(direct_arena.iter()) {
            arena.thread_cache_bound(true);
        }
        let arrays = (0..2).any(|k| {
            let arena = [&heap_arena, &direct_arena][k].is_some();
            makes_cache_arrays(&sizes, tiny[k].len() + small[k].len(), arena)
        });
        if arrays && sizes.trim_interval < 1 {
            for arena in heap_arena.iter().chain(direct_arena.iter()) {
                arena.thread_cache_refused();
            }
            return Err(JavaException::new(
                JavaClass::IllegalArgument,
                format!(
                    "freeSweepAllocationThreshold: {} (expected: > 0)",
                    sizes.trim_interval
                ),
            ));
        }
        Ok(ThreadCache {
            id,
            owner,
            heap_arena,
            direct_arena,
            tiny,
            small,
            normal,
            trim_interval: sizes.trim_interval.max(0) as usize,
            allocations: OwnerCounter::new(0),
            freed: AtomicBool::new(false),
            has_finalizer,
            cache_off_by_one: mutant == Mutant::CacheOffByOne,
        })
    }

    /// Unique id within its allocator.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The owning logical thread.
    pub fn owner(&self) -> ThreadId {
        self.owner
    }

    /// The bound arena of `kind`.
    pub fn arena(&self, kind: ArenaKind) -> Option<&Arc<PoolArena>> {
        match kind {
            ArenaKind::Heap => self.heap_arena.as_ref(),
            ArenaKind::Direct => self.direct_arena.as_ref(),
        }
    }

    /// True once `free()` ran.
    #[inline]
    pub fn is_freed(&self) -> bool {
        self.freed.load(Ordering::SeqCst)
    }

    /// Live or freed.
    pub fn state(&self) -> CacheState {
        if self.is_freed() {
            CacheState::Freed
        } else {
            CacheState::Live
        }
    }

    /// Whether a finalizer frees this cache once unreachable (zero-size caches of
    /// uncached threads have none).
    pub fn has_finalizer(&self) -> bool {
        self.has_finalizer
    }

    /// The normal-size queues for the arena of `kind`, smallest class first.
    pub fn normal_queues(&self, kind: ArenaKind) -> &[RegionCache] {
        &self.normal[idx(kind)]
    }

    /// Every queue of the cache (tiny, small, normal; heap before direct in each), so
    /// each arena sees tiny, small, normal in Netty's `trim`/`free` order.
    pub fn queues(&self) -> impl Iterator<Item = &RegionCache> {
        let subpage = self.tiny.iter().chain(self.small.iter());
        subpage.chain(self.normal.iter()).flatten()
    }

    #[inline]
    /// The queue of tiny class `tiny_idx` (`tinyIdx`, 4.1.48 PoolArena.java:151) for
    /// `kind`, if this cache has one (4.1.48 with `tinyCacheSize` > 0 only).
    pub fn tiny_queue(&self, kind: ArenaKind, tiny_idx: usize) -> Option<&RegionCache> {
        self.tiny[idx(kind)].get(tiny_idx)
    }

    fn cache_for(
        &self,
        kind: ArenaKind,
        size_idx: usize,
        size_kind: SizeKind,
    ) -> Option<&RegionCache> {
        let sc = self.arena(kind)?.size_classes();
        let (n_tiny, n_subpages) = (sc.n_tiny(), sc.n_subpages());
        match size_kind {
            // cacheForTiny / cacheForSmall (4.1.48 PoolThreadCache.java:308–322).
            SizeKind::Small if size_idx < n_tiny => self.tiny[idx(kind)].get(size_idx),
            SizeKind::Small => self.small[idx(kind)].get(size_idx - n_tiny),
            SizeKind::Normal => self.normal[idx(kind)].get(size_idx.checked_sub(n_subpages)?),
            SizeKind::Huge => None,
        }
    }

    /// `allocateSmall`/`allocateNormal` (owner only): polls a cached handle. Every
    /// attempt on an existing queue counts toward the trim interval.
    ///
    /// A subpage entry smaller than the request fails `initBufWithSubpage`'s `assert
    /// reqCapacity <= subpage.elemSize` (4.1.48 PoolChunk.java:427) before the count:
    /// only 4.1.48 with an alignment below 16 queues such entries (#11955). Netty has
    /// polled the entry and loses it; the model leaves it queued (`docs/fidelity.md`).
    #[inline]
    pub fn allocate(
        &self,
        jvm: &Arc<Jvm>,
        kind: ArenaKind,
        size_idx: usize,
        size_kind: SizeKind,
        req_capacity: usize,
    ) -> BoxedResult<Option<ArenaAllocation>> {
        // `Mutant::CacheOffByOne`: polls the queue of the next larger class.
        let polled = size_idx + usize::from(self.cache_off_by_one);
        let Some(cache) = self.cache_for(kind, polled, size_kind) else {
            return Ok(None);
        };
        let entry = {
            let mut queue = cache.queue.lock();
            if let Some(front) = queue.front() {
                let a = &front.region.allocation;
                if a.kind == SizeKind::Small && req_capacity > a.max_length {
                    return Err(Box::new(JavaException::new(
                        JavaClass::Assertion,
                        format!(
                            "reqCapacity {req_capacity} > cached elemSize {}",
                            a.max_length
                        ),
                    )));
                }
            }
            let entry = queue.pop_front();
            if entry.is_some() {
                bump(&cache.polls, 1);
            }
            entry
        };
        // `++allocations` on plain fields: only the owner allocates from its cache.
        if entry.is_some() {
            let hits = cache.hits_since_trim.load(Plain::Relaxed);
            cache.hits_since_trim.store(hits + 1, Plain::Relaxed);
        }
        let n = self.allocations.load(Plain::Relaxed) + 1;
        self.allocations.store(n, Plain::Relaxed);
        // A cache with queues has `freeSweepAllocationThreshold >= 1` (the constructor
        // throws otherwise), and one without returned above.
        if n >= self.trim_interval {
            self.allocations.store(0, Plain::Relaxed);
            self.trim(jvm);
        }
        Ok(entry.map(|e| {
            let mut region = e.region;
            region.allocation.length = req_capacity;
            region
        }))
    }

    /// `add`: offers a freed handle (any thread). `Err` gives it back when there is no
    /// queue for the size, the cache was freed (when the profile checks), or the queue is
    /// full; the caller then frees it to the arena.
    #[inline]
    pub fn offer(&self, jvm: &Jvm, region: ArenaAllocation) -> Result<(), ArenaAllocation> {
        let offered = self.enqueue(jvm, region);
        if offered.is_err() {
            jvm.events().record(Event::CacheAddRefused);
        }
        offered
    }

    #[inline]
    fn enqueue(&self, jvm: &Jvm, region: ArenaAllocation) -> Result<(), ArenaAllocation> {
        let a = &region.allocation;
        let Some(cache) = self.cache_for(region.arena.kind(), a.size_idx, a.kind) else {
            return Err(region);
        };
        let profile = &jvm.profile().allocator;
        let checks = profile.cache_add_checks_freed && jvm.mutant() != Mutant::AddToFreedCache;
        if checks && self.is_freed() {
            return Err(region);
        }
        let (chunk, handle) = (a.chunk, a.handle);
        {
            let mut queue = cache.queue.lock();
            if queue.len() >= cache.capacity {
                return Err(region);
            }
            queue.push_back(CacheEntry {
                region,
                checked_freed: checks,
            });
            bump(&cache.adds, 1);
        }
        if profile.cache_add_rechecks_after_offer && self.is_freed() {
            let mut queue = cache.queue.lock();
            let ours = queue.iter().rposition(|e| {
                e.region.allocation.chunk == chunk && e.region.allocation.handle == handle
            });
            if let Some(entry) = ours.and_then(|pos| queue.remove(pos)) {
                bump(&cache.adds, -1);
                return Err(entry.region);
            }
        }
        Ok(())
    }

    /// `trim()` (owner only): each queue frees `capacity − hits since the last trim`
    /// entries to their arenas.
    pub fn trim(&self, jvm: &Arc<Jvm>) -> usize {
        let mut freed = 0;
        for cache in self.queues() {
            let hits = cache.hits_since_trim.swap(0, Plain::Relaxed);
            let budget = cache.capacity.saturating_sub(hits);
            // `Mutant::TrimKeepsEntries` (#2924): free the head entries but leave them
            // queued.
            let entries: Vec<CacheEntry> = if jvm.mutant() == Mutant::TrimKeepsEntries {
                cache.queue.lock().iter().take(budget).cloned().collect()
            } else {
                let mut queue = cache.queue.lock();
                let n = budget.min(queue.len());
                queue.drain(..n).collect()
            };
            for entry in entries {
                // A handle that is not live is reported by the arena; trim carries on.
                let _ = free_entry(jvm, &entry, false);
                freed += 1;
            }
        }
        jvm.events().record_n(Event::CacheTrim, freed as u64);
        freed
    }

    /// `free(finalizer)`: drains every queue to the arenas and unbinds the arenas, once
    /// (guarded by `freed`, #8108; `Mutant::CacheFreedTwice` drops the guard). Returns
    /// the number of entries freed, or `None` when the cache was already freed.
    pub fn free(&self, jvm: &Arc<Jvm>, finalizer: bool) -> Option<usize> {
        let first = !self.freed.swap(true, Ordering::SeqCst);
        if !first && jvm.mutant() != Mutant::CacheFreedTwice {
            return None;
        }
        jvm.events().record(Event::CacheFree);
        let mut n = 0;
        for cache in self.queues() {
            let drained: Vec<CacheEntry> = cache.queue.lock().drain(..).collect();
            for entry in drained {
                let _ = free_entry(jvm, &entry, finalizer);
                n += 1;
            }
        }
        for arena in self.heap_arena.iter().chain(self.direct_arena.iter()) {
            arena.thread_cache_bound(false);
        }
        Some(n)
    }

    /// Entries left in a freed cache: nobody will ever drain them.
    pub fn stranded(&self) -> Vec<CacheEntry> {
        if !self.is_freed() {
            return Vec::new();
        }
        self.queues().flat_map(|q| q.entries()).collect()
    }
}

/// `MemoryRegionCache.freeEntry`: returns a queued handle to its arena. Netty captures
/// the entry's fields before recycling it (#11939); `Mutant::SmallFreedAsNormal` reads
/// the class afterwards, so a subpage handle is freed as the normal run holding it.
fn free_entry(
    jvm: &Arc<Jvm>,
    entry: &CacheEntry,
    finalizer: bool,
) -> crate::error::JavaResult<FreeOutcome> {
    if jvm.mutant() == Mutant::SmallFreedAsNormal && entry.region.allocation.kind == SizeKind::Small
    {
        let mut region = entry.region.clone();
        let h = Handle::decode(region.allocation.handle);
        region.allocation.handle = Handle::run(h.run_offset, h.pages, true).encode();
        return region.free_to_arena(jvm, finalizer);
    }
    entry.region.free_to_arena(jvm, finalizer)
}
