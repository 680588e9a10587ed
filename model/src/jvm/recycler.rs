//! Netty's `Recycler`: buffer objects are reused, which is what lets a stale reference
//! act on a new owner's buffer (ABA, netty.md §6.3, §10).
//!
//! Modelled on 4.1.128: one pool per object class per owner thread (the thread that
//! created the object), LIFO, at most `maxCapacityPerThread` objects; only one in
//! `ratio` (8) newly created objects gets a recycler handle at all. A cross-thread
//! recycle returns the object to its owner's pool.

use crate::buffer::BufClass;
use crate::buffer::ObjectId;
use crate::thread::ThreadId;
use std::collections::BTreeMap;

/// `io.netty.recycler.ratio` default.
pub const DEFAULT_RATIO: u32 = 8;

/// The recycler pools of one JVM.
#[derive(Debug)]
pub struct Recycler {
    max_per_thread: usize,
    ratio: u32,
    pools: BTreeMap<(BufClass, u64, ThreadId), Vec<ObjectId>>,
    ratio_counters: BTreeMap<(BufClass, u64, ThreadId), u32>,
}

impl Recycler {
    /// Pools of at most `max_per_thread` objects (0 disables recycling).
    pub fn new(max_per_thread: u32) -> Self {
        Recycler {
            max_per_thread: max_per_thread as usize,
            ratio: DEFAULT_RATIO,
            pools: BTreeMap::new(),
            ratio_counters: BTreeMap::new(),
        }
    }

    /// True when recycling is switched off (`maxCapacityPerThread = 0`).
    pub fn is_disabled(&self) -> bool {
        self.max_per_thread == 0
    }

    /// Takes a pooled object of `class` from pool family `pool` owned by `thread`, most
    /// recently recycled first.
    pub fn take(&mut self, class: BufClass, pool: u64, thread: ThreadId) -> Option<ObjectId> {
        self.pools.get_mut(&(class, pool, thread))?.pop()
    }

    /// `LocalPool.newHandle`: whether a newly created object gets a recycler handle.
    /// The counter starts at the ratio, so the first object is recyclable.
    pub fn new_object_recyclable(&mut self, class: BufClass, pool: u64, thread: ThreadId) -> bool {
        if self.is_disabled() {
            return false;
        }
        let counter = self
            .ratio_counters
            .entry((class, pool, thread))
            .or_insert(self.ratio - 1);
        *counter += 1;
        if *counter >= self.ratio {
            *counter = 0;
            true
        } else {
            false
        }
    }

    /// Returns an object to its owner's pool; false when the pool is full (the object
    /// is then dropped and left to the GC).
    pub fn give_back(
        &mut self,
        class: BufClass,
        family: u64,
        owner: ThreadId,
        id: ObjectId,
    ) -> bool {
        let pool = self.pools.entry((class, family, owner)).or_default();
        if pool.len() >= self.max_per_thread {
            return false;
        }
        debug_assert!(!pool.contains(&id), "object recycled twice");
        pool.push(id);
        true
    }

    /// True when `id` sits in a pool (so it is reachable from the recycler).
    pub fn holds(&self, id: ObjectId) -> bool {
        self.pools.values().any(|p| p.contains(&id))
    }

    /// Every pooled object id, in pool order.
    pub fn pooled_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.pools.values().flat_map(|p| p.iter().copied())
    }

    /// Drops the pools of a thread that exited (its thread-local pools die with it).
    pub fn forget_thread(&mut self, thread: ThreadId) -> Vec<ObjectId> {
        let keys: Vec<_> = self
            .pools
            .keys()
            .filter(|(_, _, t)| *t == thread)
            .copied()
            .collect();
        keys.into_iter()
            .flat_map(|k| self.pools.remove(&k).unwrap_or_default())
            .collect()
    }
}
