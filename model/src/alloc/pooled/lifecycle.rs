//! Thread exit, cache and arena finalization, and the allocator handle.
//!
//! A cache is freed once: by `FastThreadLocal.onRemoval` on a clean thread exit, or by
//! its finalizer once nothing reaches it (its thread is gone and no buffer links to
//! it). An allocator nobody reaches any more has its arenas finalized (#5833), which
//! destroys every pooled chunk. Finalizers run at safe points, never under a lock.

use super::{PooledAllocator, ThreadCache};
use crate::buffer::CacheLink;
use crate::mutant::Mutant;
use crate::sync::book::counter::Ordering;
use crate::sync::Arc;
use crate::thread::ThreadId;
use serde::Serialize;
use std::collections::BTreeSet;
use std::ops::Deref;

/// What the finalizers of one allocator did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FinalizerReport {
    /// Thread caches freed by their finalizer (owner thread ids).
    pub caches_freed: Vec<ThreadId>,
    /// Entries those caches returned to their arenas.
    pub entries_freed: usize,
    /// Pooled chunks destroyed by arena finalization.
    pub chunks_destroyed: usize,
}

impl PooledAllocator {
    /// `onRemoval` for thread `t`: frees `t`'s cache now (entries to the arenas,
    /// metrics counted). Returns the entries freed, `None` if `t` had no live cache.
    pub fn free_thread_cache(&self, t: ThreadId) -> Option<usize> {
        let cache = self.caches.unbind(t)?;
        cache.free(self.jvm(), false)
    }

    /// Thread `t` exited without cleaning up its thread-locals: its cache stays until
    /// its finalizer runs.
    pub fn forget_thread(&self, t: ThreadId) {
        self.caches.unbind(t);
    }

    fn reachable_cache(&self, cache: &ThreadCache, linked: &BTreeSet<CacheLink>) -> bool {
        self.jvm().is_alive(cache.owner())
            || linked.contains(&CacheLink {
                allocator: self.id(),
                cache: cache.id(),
            })
    }

    /// GC hook: with the cache links of every reachable buffer, enqueue the finalizers
    /// of caches nothing reaches and, if nothing reaches the allocator, of its arenas.
    pub(crate) fn after_mark(&self, linked: &BTreeSet<CacheLink>, referenced: bool) {
        let caches: Vec<&Arc<ThreadCache>> = self.all_caches().collect();
        // `freed` is a facade read: taken for every cache before the finalizer queue's
        // bookkeeping lock.
        let freed: Vec<bool> = caches.iter().map(|c| c.is_freed()).collect();
        let unreachable: Vec<&Arc<ThreadCache>> = caches
            .iter()
            .zip(&freed)
            .filter(|(c, freed)| !**freed && c.has_finalizer() && !self.reachable_cache(c, linked))
            .map(|(c, _)| *c)
            .collect();
        {
            let mut pending = self.pending_caches.lock();
            for cache in unreachable {
                if !pending.iter().any(|c| c.id() == cache.id()) {
                    self.jvm().finalizers_pending.store(true, Ordering::SeqCst);
                    pending.push(cache.clone());
                }
            }
        }
        let live_thread_cache = caches
            .iter()
            .zip(&freed)
            .any(|(c, freed)| !freed && self.jvm().is_alive(c.owner()));
        let handles = self.handles.load(Ordering::SeqCst);
        if !referenced && handles == 0 && !live_thread_cache && !self.is_finalized() {
            self.jvm().finalizers_pending.store(true, Ordering::SeqCst);
            self.finalize_pending.store(true, Ordering::SeqCst);
        }
    }

    /// Runs the pending finalizers: caches first (`free(true)`: no metrics), then, if
    /// the allocator is unreachable, its arenas' (destroying every pooled chunk).
    pub fn run_finalizers(&self) -> FinalizerReport {
        let mut report = FinalizerReport::default();
        let pending: Vec<Arc<ThreadCache>> = self.pending_caches.lock().drain(..).collect();
        for cache in pending {
            if let Some(n) = cache.free(self.jvm(), true) {
                report.caches_freed.push(cache.owner());
                report.entries_freed += n;
            }
        }
        if self.finalize_pending.swap(false, Ordering::SeqCst) {
            // `Mutant::ArenaChunksKeptOnFinalize` (#5833): the arenas' finalizers do not
            // destroy their chunks.
            let keep = self.jvm().mutant() == Mutant::ArenaChunksKeptOnFinalize;
            for arena in self
                .arenas(crate::pool::ArenaKind::Heap)
                .iter()
                .chain(self.arenas(crate::pool::ArenaKind::Direct))
                .filter(|_| !keep)
            {
                report.chunks_destroyed += arena.destroy_all(self.jvm());
            }
            self.mark_finalized();
        }
        report
    }

    /// A handle the program holds (keeps the allocator reachable).
    pub fn handle(self: &Arc<Self>) -> PooledByteBufAllocator {
        self.handles.fetch_add(1, Ordering::SeqCst);
        PooledByteBufAllocator(self.clone())
    }
}

/// The program's reference to a `PooledByteBufAllocator`: while one exists the
/// allocator is reachable; dropping the last one lets the GC finalize its arenas once
/// no buffer or live thread reaches them.
#[derive(Debug)]
pub struct PooledByteBufAllocator(Arc<PooledAllocator>);

impl PooledByteBufAllocator {
    /// The shared allocator.
    pub fn inner(&self) -> &Arc<PooledAllocator> {
        &self.0
    }
}

impl Clone for PooledByteBufAllocator {
    fn clone(&self) -> Self {
        self.0.handle()
    }
}

impl Drop for PooledByteBufAllocator {
    fn drop(&mut self) {
        self.0.handles.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Deref for PooledByteBufAllocator {
    type Target = PooledAllocator;
    fn deref(&self) -> &PooledAllocator {
        &self.0
    }
}
