//! `MemoryRegionCache`: one size class's bounded MPSC queue of freed handles in a
//! thread cache (`thread_cache`), with its owner-only trim counter and its event counts.

use super::arena::ArenaAllocation;
use crate::sync::book::counter::{AtomicU64, AtomicUsize as OwnerCounter, Ordering as Plain};
use crate::sync::Mutex;
use std::collections::VecDeque;

/// One queued handle.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    /// The freed allocation and its arena.
    pub region: ArenaAllocation,
    /// True when `add` checked `freed` (and saw false) before offering: an entry that
    /// nevertheless ends up in a freed cache was stranded by the add/free race.
    pub checked_freed: bool,
}

/// `MemoryRegionCache`: a bounded MPSC queue for one size class.
#[derive(Debug)]
pub struct RegionCache {
    pub(super) capacity: usize,
    pub(super) queue: Mutex<VecDeque<CacheEntry>>,
    /// `MemoryRegionCache.allocations` (owner only).
    pub(super) hits_since_trim: OwnerCounter,
    /// Entries polled (`Event::CachePoll`), changed under the queue's lock.
    pub(super) polls: AtomicU64,
    /// Entries added and kept (`Event::CacheAdd`), changed under the queue's lock.
    pub(super) adds: AtomicU64,
}

/// `counter += delta` by a load and a store: the caller holds the lock that
/// serializes every change of `counter`.
pub(super) fn bump(counter: &AtomicU64, delta: i64) {
    let now = counter.load(Plain::Relaxed);
    counter.store(now.wrapping_add_signed(delta), Plain::Relaxed);
}

impl RegionCache {
    pub(super) fn new(capacity: usize) -> Self {
        RegionCache {
            capacity,
            queue: Mutex::new(VecDeque::new()),
            hits_since_trim: OwnerCounter::new(0),
            polls: AtomicU64::new(0),
            adds: AtomicU64::new(0),
        }
    }

    /// Queue capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries polled and entries added (and kept) so far: `(CachePoll, CacheAdd)`
    /// (a snapshot; reading takes no lock, so it is no scheduling point).
    pub fn event_counts(&self) -> (u64, u64) {
        (
            self.polls.load(Plain::Relaxed),
            self.adds.load(Plain::Relaxed),
        )
    }

    /// The entry the next poll takes (a snapshot).
    pub fn front(&self) -> Option<CacheEntry> {
        self.queue.lock().front().cloned()
    }

    /// Entries currently queued (a snapshot).
    pub fn entries(&self) -> Vec<CacheEntry> {
        self.queue.lock().iter().cloned().collect()
    }

    /// Calls `f` on every queued entry, in queue order, under the queue's lock (one
    /// lock, as [`entries`](Self::entries) takes, without cloning the entries: the
    /// checkers read them at every full check). `f` must not touch this cache.
    pub fn for_each_entry(&self, mut f: impl FnMut(&CacheEntry)) {
        for e in self.queue.lock().iter() {
            f(e);
        }
    }
}
