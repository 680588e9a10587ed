//! `PoolArena`: one arena's plain-data core behind the arena lock.
//!
//! Netty's finer locks (per-size subpage heads, `runsAvailLock`) are folded into the
//! arena lock: a coarser lock allows fewer interleavings but the same sequential
//! behaviour (docs/fidelity.md).

use super::source::JvmChunkSource;
use crate::error::JavaResult;
use crate::jvm::Jvm;
use crate::pool::SharedSizeClasses;
use crate::pool::{
    Allocation, ArenaCore, ArenaKind, ArenaMetrics, ChunkId, FreeOutcome, SizeClasses, SizeKind,
};
use crate::sync::book::counter::{AtomicU64, Ordering};
use crate::sync::{Arc, Mutex, MutexGuard};

/// One heap or direct arena.
#[derive(Debug)]
pub struct PoolArena {
    index: usize,
    kind: ArenaKind,
    size_classes: SharedSizeClasses,
    core: Mutex<ArenaCore>,
    /// Σ `PoolChunk.pinnedBytes` of the pooled (non-huge) chunks, as a two's-complement
    /// `i64` (Netty's `LongCounter`s are plain counters, not the arena lock).
    pinned: AtomicU64,
}

impl PoolArena {
    /// Wraps a fresh core.
    pub fn new(index: usize, core: ArenaCore) -> Self {
        PoolArena {
            index,
            kind: core.options().kind,
            size_classes: core.shared_size_classes(),
            core: Mutex::new(core),
            pinned: AtomicU64::new(0),
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

    /// Locks the arena (for checkers and metrics).
    pub fn lock(&self) -> MutexGuard<'_, ArenaCore> {
        self.core.lock()
    }

    fn source<'a>(&self, jvm: &'a Arc<Jvm>) -> JvmChunkSource<'a> {
        JvmChunkSource::new(jvm, self.kind, self.size_classes.alignment())
    }

    /// Allocates on a cache miss (counted as an allocation by the core).
    pub fn allocate(&self, jvm: &Arc<Jvm>, req_capacity: usize) -> JavaResult<Allocation> {
        let mut source = self.source(jvm);
        self.core.lock().allocate(req_capacity, &mut source)
    }

    /// [`PoolArena::allocate`] with `size_idx = size2SizeIdx(req_capacity)` already
    /// computed from [`PoolArena::size_classes`].
    pub(crate) fn allocate_sized(
        &self,
        jvm: &Arc<Jvm>,
        req_capacity: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        let mut source = self.source(jvm);
        self.core
            .lock()
            .allocate_sized(req_capacity, size_idx, &mut source)
    }

    /// `freeChunk` (or a huge chunk's destruction); `finalizer` skips the metrics.
    pub fn free(
        &self,
        jvm: &Arc<Jvm>,
        chunk: ChunkId,
        handle: u64,
        norm_capacity: usize,
        finalizer: bool,
    ) -> JavaResult<FreeOutcome> {
        let mut source = self.source(jvm);
        self.core
            .lock()
            .free(chunk, handle, norm_capacity, finalizer, &mut source)
    }

    /// Arena finalization (#5833): destroys every pooled chunk.
    pub fn destroy_all(&self, jvm: &Arc<Jvm>) -> usize {
        let mut source = self.source(jvm);
        self.core.lock().destroy_all(&mut source)
    }

    /// `numThreadCaches` changes.
    pub fn thread_cache_bound(&self, bound: bool) {
        let mut core = self.core.lock();
        if bound {
            core.inc_thread_caches();
        } else {
            core.dec_thread_caches();
        }
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
        let a = &self.allocation;
        self.arena
            .free(jvm, a.chunk, a.handle, a.max_length, finalizer)
    }
}
