//! Netty's `Recycler`: buffer objects are reused, which is what lets a stale reference
//! act on a new owner's buffer (ABA, netty.md §6.3, §10).
//!
//! Modelled on 4.1.128: one pool per object class per owner thread (the thread that
//! created the object), LIFO, at most `maxCapacityPerThread` objects; only one in
//! `ratio` (8) newly created objects gets a recycler handle at all. A cross-thread
//! recycle returns the object to its owner's pool; once the owner has terminated its
//! pools are gone and a recycled object is left to the GC (`LocalPool.release`'s
//! `isTerminated(owner)`). The recycler knows which logical threads run (the `Jvm`
//! tells it at start and exit), so a recycle needs no thread-registry lookup.
//!
//! The pools hold the objects themselves, so a reuse needs no registry lookup. The
//! `Jvm` keeps the recycler behind one facade lock: taking and returning an object is
//! the recycler's hand-over, one of Netty's synchronization points.

use crate::buffer::{BufClass, BufObject, ObjectId};
use crate::sync::Arc;
use crate::thread::ThreadId;
use std::collections::{BTreeMap, BTreeSet};

/// `io.netty.recycler.ratio` default.
pub const DEFAULT_RATIO: u32 = 8;

/// Which pool: the object class, the pool family (the pooled allocator's id) and the
/// owner thread.
type PoolKey = (BufClass, u64, ThreadId);

/// The recycler pools of one JVM.
#[derive(Debug)]
pub struct Recycler {
    max_per_thread: usize,
    ratio: u32,
    pools: BTreeMap<PoolKey, Vec<Arc<BufObject>>>,
    ratio_counters: BTreeMap<PoolKey, u32>,
    /// Running threads: only they own pools (an exited thread's pools died with it).
    running: BTreeSet<ThreadId>,
}

impl Recycler {
    /// Pools of at most `max_per_thread` objects (0 disables recycling).
    pub fn new(max_per_thread: u32) -> Self {
        Recycler {
            max_per_thread: max_per_thread as usize,
            ratio: DEFAULT_RATIO,
            pools: BTreeMap::new(),
            ratio_counters: BTreeMap::new(),
            running: BTreeSet::from([ThreadId::MAIN]),
        }
    }

    /// True when recycling is switched off (`maxCapacityPerThread = 0`).
    pub fn is_disabled(&self) -> bool {
        self.max_per_thread == 0
    }

    /// `RECYCLER.get()` on `thread`: the most recently recycled object of `class` from
    /// pool family `pool`, or `Err(recyclable)` when the pool is empty and a new object
    /// must be created — `recyclable` tells whether it gets a recycler handle
    /// (`LocalPool.newHandle`, one in `ratio`).
    pub fn get(
        &mut self,
        class: BufClass,
        pool: u64,
        thread: ThreadId,
    ) -> Result<Arc<BufObject>, bool> {
        let key = (class, pool, thread);
        if let Some(obj) = self.pools.get_mut(&key).and_then(Vec::pop) {
            return Ok(obj);
        }
        Err(self.new_object_recyclable(key))
    }

    /// `LocalPool.newHandle`: whether a newly created object gets a recycler handle.
    /// The counter starts at the ratio, so the first object is recyclable.
    fn new_object_recyclable(&mut self, key: PoolKey) -> bool {
        if self.is_disabled() {
            return false;
        }
        let counter = self.ratio_counters.entry(key).or_insert(self.ratio - 1);
        *counter += 1;
        if *counter >= self.ratio {
            *counter = 0;
            true
        } else {
            false
        }
    }

    /// Thread `thread` started: it may own pools.
    pub fn thread_started(&mut self, thread: ThreadId) {
        self.running.insert(thread);
    }

    /// True when `owner` is running (its pools exist).
    pub fn owner_alive(&self, owner: ThreadId) -> bool {
        self.running.contains(&owner)
    }

    /// Returns `obj` to its owner's pool of `class` in family `family`; false when the
    /// owner is not running or the pool is full (the object is then left to the GC).
    pub fn give_back(&mut self, class: BufClass, family: u64, obj: &Arc<BufObject>) -> bool {
        let owner = obj.owner_thread();
        if !self.owner_alive(owner) {
            return false;
        }
        let pool = self.pools.entry((class, family, owner)).or_default();
        if pool.len() >= self.max_per_thread {
            return false;
        }
        debug_assert!(
            !pool.iter().any(|o| o.id() == obj.id()),
            "object recycled twice"
        );
        pool.push(obj.clone());
        true
    }

    /// True when `id` sits in a pool (so it is reachable from the recycler).
    pub fn holds(&self, id: ObjectId) -> bool {
        self.pooled_ids().any(|o| o == id)
    }

    /// Every pooled object id, in pool order.
    pub fn pooled_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.pools.values().flat_map(|p| p.iter().map(|o| o.id()))
    }

    /// Drops the pools of a thread that exited (its thread-local pools die with it) and
    /// returns the ids of the objects they held.
    pub fn forget_thread(&mut self, thread: ThreadId) -> Vec<ObjectId> {
        self.running.remove(&thread);
        let keys: Vec<_> = self
            .pools
            .keys()
            .filter(|(_, _, t)| *t == thread)
            .copied()
            .collect();
        keys.into_iter()
            .flat_map(|k| self.pools.remove(&k).unwrap_or_default())
            .map(|o| o.id())
            .collect()
    }

    /// Empties every pool (the JVM is disposed: breaks object → allocator → JVM →
    /// recycler cycles).
    pub fn clear(&mut self) {
        self.pools.clear();
    }
}
