//! `PoolArena`: one arena's plain-data core behind Netty's locks.
//!
//! Netty's locks are facade mutexes (scheduling points under loom and shuttle): the
//! arena lock and one head lock per small size index (`smallSubpagePools[i]`), taken
//! where Netty takes them and in its order, arena before head. Java's plain fields
//! (chunks, lists, pools, subpages, counters) are one data cell, [`ArenaCore`] behind
//! its own mutex; each step of Netty's code that touches them is one critical section
//! of that cell, so another thread's step can fall between two steps as it can between
//! two Java statements. Only `runsAvailLock` stays folded into the arena lock
//! (docs/fidelity.md).

use super::source::JvmChunkSource;
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::jvm::Jvm;
use crate::pool::{pooled_handle_layout, SharedSizeClasses};
use crate::pool::{
    Allocation, ArenaCore, ArenaKind, ArenaMetrics, FreeOutcome, HandleLayout, SizeClasses,
    SizeKind,
};
use crate::sync::book::counter::{AtomicU64, Ordering};
use crate::sync::{Arc, Mutex, MutexGuard};

/// One heap or direct arena.
#[derive(Debug)]
pub struct PoolArena {
    index: usize,
    kind: ArenaKind,
    size_classes: SharedSizeClasses,
    /// How the arena's pooled chunks pack handles (`isSubpage(handle)`).
    layout: HandleLayout,
    /// `PoolArena.lock` (a `ReentrantLock` since 4.1.80, `synchronized (this)` before).
    arena_lock: Mutex<()>,
    /// `smallSubpagePools[i]`'s lock, one per small size index (`synchronized (head)`
    /// before 4.1.80).
    heads: Box<[Mutex<()>]>,
    /// The arena's fields; every step holds Netty's locks for what it touches.
    core: Mutex<ArenaCore>,
    /// `Mutant::SubpageListUnlocked` (#4388): `PoolChunk.free` skips the head lock.
    free_skips_head_lock: bool,
    /// Σ `PoolChunk.pinnedBytes` of the pooled (non-huge) chunks, as a two's-complement
    /// `i64` (Netty's `LongCounter`s are plain counters, not the arena lock).
    pinned: AtomicU64,
    /// Thread caches whose constructor counted this arena and then threw (model
    /// bookkeeping: Netty keeps no such count, its `numThreadCaches` stays raised).
    refused_caches: AtomicU64,
}

impl PoolArena {
    /// Wraps a fresh core.
    pub fn new(index: usize, core: ArenaCore) -> Self {
        let size_classes = core.shared_size_classes();
        PoolArena {
            index,
            kind: core.options().kind,
            layout: pooled_handle_layout(&size_classes),
            arena_lock: Mutex::new(()),
            heads: (0..size_classes.n_subpages())
                .map(|_| Mutex::new(()))
                .collect(),
            free_skips_head_lock: core.options().subpage_free_unlocked,
            size_classes,
            core: Mutex::new(core),
            pinned: AtomicU64::new(0),
            refused_caches: AtomicU64::new(0),
        }
    }

    /// Position among the allocator's arenas of its kind.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Heap or direct.
    pub fn kind(&self) -> ArenaKind {
        self.kind
    }

    /// The arena's size classes (immutable; readable without the lock).
    pub fn size_classes(&self) -> &SizeClasses {
        &self.size_classes
    }

    /// Locks the arena's data (for checkers and metrics): a consistent state, between
    /// two steps of Netty's code.
    pub fn lock(&self) -> MutexGuard<'_, ArenaCore> {
        self.core.lock()
    }

    fn source<'a>(&self, jvm: &'a Arc<Jvm>) -> JvmChunkSource<'a> {
        JvmChunkSource::new(jvm, self.kind, self.size_classes.alignment())
    }

    /// The head lock of small size index `size_idx`.
    fn head(&self, size_idx: usize) -> JavaResult<&Mutex<()>> {
        self.heads.get(size_idx).ok_or_else(|| {
            JavaException::new(
                JavaClass::Assertion,
                format!("model: no subpage pool for size index {size_idx}"),
            )
        })
    }

    /// Allocates on a cache miss (counted as an allocation by the core).
    pub fn allocate(&self, jvm: &Arc<Jvm>, req_capacity: usize) -> JavaResult<Allocation> {
        let size_idx = self.size_classes.size2size_idx(req_capacity);
        self.allocate_sized(jvm, req_capacity, size_idx)
    }

    /// [`PoolArena::allocate`] with `size_idx = size2SizeIdx(req_capacity)` already
    /// computed from [`PoolArena::size_classes`].
    pub(crate) fn allocate_sized(
        &self,
        jvm: &Arc<Jvm>,
        req_capacity: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        let kind = self.size_classes.kind_of_idx(size_idx);
        if kind == SizeKind::Small {
            return self.allocate_small(jvm, req_capacity, size_idx);
        }
        // `tcacheAllocateNormal` holds the arena lock around `allocateNormal`;
        // `allocateHuge` takes no lock (its counters are `LongCounter`s).
        let _arena = (kind == SizeKind::Normal).then(|| self.arena_lock.lock());
        let mut source = self.source(jvm);
        let mut core = self.core.lock();
        core.allocate_sized(req_capacity, size_idx, &mut source)
    }

    /// `tcacheAllocateSmall` after a cache miss (4.1.128 PoolArena.java:146–188, 4.1.48
    /// PoolArena.java:197–219): under the head lock only, read `head.next` and, in a
    /// second step, allocate from it; on an empty pool drop the head lock, take the
    /// arena lock and `allocateNormal`, whose `PoolChunk.allocate` takes the head lock
    /// again (PoolChunk.java:324–345).
    fn allocate_small(
        &self,
        jvm: &Arc<Jvm>,
        req_capacity: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        let head = self.head(size_idx)?;
        {
            let _head = head.lock();
            let first = self.core.lock().pool_first(size_idx);
            if let Some(key) = first {
                let mut core = self.core.lock();
                return core.allocate_from_subpage(key, req_capacity, size_idx);
            }
        }
        let _arena = self.arena_lock.lock();
        let _head = head.lock();
        let mut source = self.source(jvm);
        let mut core = self.core.lock();
        core.allocate_small_in_chunks(req_capacity, size_idx, &mut source)
    }

    /// `PoolArena.free` of what the arena handed out: a huge chunk is destroyed without
    /// a lock; otherwise `freeChunk` under the arena lock, whose `PoolChunk.free` takes
    /// the subpage pool's head lock for a subpage handle (PoolChunk.java:492–512);
    /// `finalizer` skips the metrics.
    pub fn free(
        &self,
        jvm: &Arc<Jvm>,
        allocation: &Allocation,
        finalizer: bool,
    ) -> JavaResult<FreeOutcome> {
        let a = allocation;
        let mut source = self.source(jvm);
        let free = |source: &mut JvmChunkSource<'_>| {
            let mut core = self.core.lock();
            core.free(a.chunk, a.handle, a.max_length, finalizer, source)
        };
        if a.kind == SizeKind::Huge {
            return free(&mut source);
        }
        let _arena = self.arena_lock.lock();
        let subpage = self.layout.decode(a.handle).is_subpage;
        let head = match subpage && !self.free_skips_head_lock {
            true => Some(self.head(a.size_idx)?),
            false => None,
        };
        let _head = head.map(Mutex::lock);
        free(&mut source)
    }

    /// Arena finalization (#5833): destroys every pooled chunk (`PoolArena.finalize`
    /// takes no lock).
    pub fn destroy_all(&self, jvm: &Arc<Jvm>) -> usize {
        let mut source = self.source(jvm);
        self.core.lock().destroy_all(&mut source)
    }

    /// `numThreadCaches` changes (an `AtomicInteger` in Netty).
    pub fn thread_cache_bound(&self, bound: bool) {
        let mut core = self.core.lock();
        if bound {
            core.inc_thread_caches();
        } else {
            core.dec_thread_caches();
        }
    }

    /// A thread cache's constructor threw after counting this arena.
    pub(crate) fn thread_cache_refused(&self) {
        self.refused_caches.fetch_add(1, Ordering::SeqCst);
    }

    /// How many thread caches' constructors counted this arena and then threw.
    pub fn refused_thread_caches(&self) -> u64 {
        self.refused_caches.load(Ordering::SeqCst)
    }

    /// `numThreadCaches()`.
    pub fn num_thread_caches(&self) -> i32 {
        self.core.lock().counters().num_thread_caches
    }

    /// `chunk.incrementPinnedMemory(maxLength)` (`PooledByteBuf.init0`) or, with
    /// `pin = false`, `decrementPinnedMemory` (`PoolArena.free`, before the cache
    /// offer). Huge chunks are left out: `numPinnedBytes` counts them by size.
    pub(crate) fn pin(&self, allocation: &Allocation, pin: bool) {
        if allocation.kind == SizeKind::Huge {
            return;
        }
        let delta = allocation.max_length as u64;
        if pin {
            self.pinned.fetch_add(delta, Ordering::SeqCst);
        } else {
            self.pinned.fetch_sub(delta, Ordering::SeqCst);
        }
    }

    /// `numPinnedBytes()`: active huge bytes plus every pooled chunk's pinned bytes —
    /// the `maxLength` of each buffer holding memory, released at deallocate (so
    /// memory parked in a thread cache is not pinned), never below 0.
    pub fn num_pinned_bytes(&self) -> i64 {
        let huge = self.core.lock().counters().active_bytes_huge;
        (huge + self.pinned.load(Ordering::SeqCst) as i64).max(0)
    }

    /// `PoolArenaMetric` snapshot.
    pub fn metrics(&self) -> ArenaMetrics {
        self.core.lock().metrics()
    }
}

/// `leastUsedArena`: the arena with the fewest thread caches, the first on ties.
pub fn least_used(arenas: &[Arc<PoolArena>]) -> Option<Arc<PoolArena>> {
    let mut best: Option<(&Arc<PoolArena>, i32)> = None;
    for arena in arenas {
        let n = arena.num_thread_caches();
        if best.is_none_or(|(_, m)| n < m) {
            best = Some((arena, n));
        }
    }
    best.map(|(a, _)| a.clone())
}

/// A cache entry or buffer region: an allocation and the arena it came from.
#[derive(Clone, Debug)]
pub struct ArenaAllocation {
    /// The arena that owns the chunk.
    pub arena: Arc<PoolArena>,
    /// What the arena handed out.
    pub allocation: Allocation,
}

impl ArenaAllocation {
    /// Frees into the arena (`freeChunk`).
    pub fn free_to_arena(&self, jvm: &Arc<Jvm>, finalizer: bool) -> JavaResult<FreeOutcome> {
        self.arena.free(jvm, &self.allocation, finalizer)
    }
}
