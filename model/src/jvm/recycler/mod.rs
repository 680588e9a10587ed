//! Netty's `Recycler`: buffer objects are reused, which is what lets a stale reference
//! act on a new owner's buffer (ABA, netty.md §6.3, §10).
//!
//! One pool per object class per owner thread (the thread that created the object),
//! LIFO, at most `maxCapacityPerThread` objects — 4.1.128's `LocalPool`, 4.1.48's
//! `Stack`. The profile's [`RecyclerProfile`] decides the rest:
//! - the ratio: one in `ratio` newly created objects gets a recycler handle at all
//!   (4.1.128), or every object gets one and `Stack.dropHandle` keeps one in
//!   `ratio + 1` first recycles (4.1.48);
//! - a cross-thread recycle: straight into the owner's pool (4.1.128), or into a
//!   `WeakOrderQueue` that the owner drains only when its stack is empty (4.1.48,
//!   [`queue`]).
//!
//! Once the owner has terminated its pools are gone and a recycled object is left to
//! the GC (4.1.128 `LocalPool.release`'s `isTerminated(owner)`; in 4.1.48 the object
//! would wait in a queue nobody drains). The recycler knows which logical threads run
//! (the `Jvm` tells it at start and exit), so a recycle needs no thread-registry lookup.
//!
//! The pools hold the objects themselves, so a reuse needs no registry lookup. The
//! `Jvm` keeps the recycler behind one facade lock: taking and returning an object is
//! the recycler's hand-over, one of Netty's synchronization points.

mod pools;
mod queue;
#[cfg(test)]
mod tests;

use crate::buffer::{BufClass, BufObject, ObjectId};
use crate::profile::{CrossThreadRecycle, RecyclerProfile, RecyclerRatio};
use crate::sync::book::counter::Ordering;
use crate::sync::Arc;
use crate::thread::ThreadId;
use pools::Pools;
use queue::{Delayed, Queues};
use std::collections::BTreeMap;

/// Which pool: the object class, the pool family (the pooled allocator's id) and the
/// owner thread.
type PoolKey = (BufClass, u64, ThreadId);

/// The recycler pools of one JVM.
#[derive(Debug)]
pub struct Recycler {
    max_per_thread: usize,
    profile: RecyclerProfile,
    /// `maxDelayedQueuesPerThread` (4.1.48: 2 · cores).
    max_delayed_queues: usize,
    pools: Pools,
    /// Running threads, sorted: only they own pools (an exited thread's pools died with
    /// it).
    running: Vec<ThreadId>,
    /// `DELAYED_RECYCLED` (4.1.48): per recycling thread, the queue (or DUMMY) it feeds
    /// for each pool. JVM-wide across classes, as Netty's static thread-local is.
    delayed: BTreeMap<ThreadId, BTreeMap<PoolKey, Delayed>>,
}

/// One owner thread's pool of one class (4.1.128 `LocalPool`, 4.1.48 `Stack`).
#[derive(Debug)]
struct Pool {
    elements: Vec<Arc<BufObject>>,
    /// `ratioCounter` (4.1.128) or `handleRecycleCount` (4.1.48); starts at the ratio
    /// so that the first object counts.
    ratio_counter: u32,
    /// The `WeakOrderQueue`s feeding it (4.1.48; empty otherwise).
    queues: Queues,
}

impl Recycler {
    /// Pools of at most `max_per_thread` objects (0 disables recycling), reusing as
    /// `profile` says, on a JVM with `cores` available processors.
    pub fn new(max_per_thread: u32, profile: &RecyclerProfile, cores: u32) -> Self {
        let max_delayed_queues = match profile.cross_thread {
            CrossThreadRecycle::WeakOrderQueue {
                max_delayed_queues_per_core,
                ..
            } if max_per_thread > 0 => cores.saturating_mul(max_delayed_queues_per_core),
            _ => 0,
        };
        Recycler {
            max_per_thread: max_per_thread as usize,
            profile: profile.clone(),
            max_delayed_queues: max_delayed_queues as usize,
            pools: Pools::default(),
            running: vec![ThreadId::MAIN],
            delayed: BTreeMap::new(),
        }
    }

    /// True when recycling is switched off (`maxCapacityPerThread = 0`).
    pub fn is_disabled(&self) -> bool {
        self.max_per_thread == 0
    }

    fn pool(&mut self, key: PoolKey) -> &mut Pool {
        let (ratio, max) = (self.profile.ratio, self.max_per_thread as u32);
        let cross = self.profile.cross_thread;
        self.pools.get_or_insert_with(key, || Pool {
            elements: Vec::new(),
            ratio_counter: ratio,
            queues: Queues::new(cross, max),
        })
    }

    /// `RECYCLER.get()` on `thread`: the most recently recycled object of `class` from
    /// pool family `pool` — after moving queued cross-thread recycles into an empty
    /// pool (4.1.48 `Stack.pop`'s `scavenge`) — or `Err(recyclable)` when there is none
    /// and a new object must be created; `recyclable` tells whether it gets a recycler
    /// handle (4.1.128 `LocalPool.newHandle`, one in `ratio`; 4.1.48 always).
    pub fn get(
        &mut self,
        class: BufClass,
        pool: u64,
        thread: ThreadId,
    ) -> Result<Arc<BufObject>, bool> {
        if self.is_disabled() {
            return Err(false);
        }
        let (ratio, ratio_at, max) = (
            self.profile.ratio,
            self.profile.ratio_at,
            self.max_per_thread,
        );
        let p = self.pool((class, pool, thread));
        if p.elements.is_empty() {
            let Pool {
                elements,
                ratio_counter,
                queues,
            } = p;
            queues.scavenge(max, &mut |obj| {
                let kept = !drop_handle(ratio_at, ratio, ratio_counter, &obj);
                if kept {
                    elements.push(obj);
                }
                kept
            });
        }
        if let Some(obj) = p.elements.pop() {
            return Ok(obj);
        }
        Err(match ratio_at {
            RecyclerRatio::AtCreation => {
                p.ratio_counter += 1;
                let admitted = p.ratio_counter >= ratio;
                if admitted {
                    p.ratio_counter = 0;
                }
                admitted
            }
            RecyclerRatio::AtFirstRecycle => true,
        })
    }

    /// Thread `thread` started: it may own pools.
    pub fn thread_started(&mut self, thread: ThreadId) {
        if let Err(i) = self.running.binary_search(&thread) {
            self.running.insert(i, thread);
        }
    }

    /// True when `owner` is running (its pools exist).
    pub fn owner_alive(&self, owner: ThreadId) -> bool {
        self.running.binary_search(&owner).is_ok()
    }

    /// `handle.recycle()` of `obj` (class `class`, pool family `family`) on thread
    /// `thread`. True when the recycler keeps it (then it is reachable from the
    /// recycler); false when it is left to the GC: its owner is not running, its pool
    /// is full, the ratio drops it, or — across threads in 4.1.48 — its queue is the
    /// DUMMY, full, or drops it by the ratio.
    pub fn give_back(
        &mut self,
        class: BufClass,
        family: u64,
        obj: &Arc<BufObject>,
        thread: ThreadId,
    ) -> bool {
        let owner = obj.owner_thread();
        if !self.owner_alive(owner) {
            return false;
        }
        let key = (class, family, owner);
        match self.profile.cross_thread {
            CrossThreadRecycle::WeakOrderQueue { .. } if thread != owner => {
                self.push_later(key, obj, thread)
            }
            _ => self.push_now(key, obj),
        }
    }

    /// `Stack.pushNow` / `LocalPool.release`: into the owner's pool.
    fn push_now(&mut self, key: PoolKey, obj: &Arc<BufObject>) -> bool {
        let (ratio_at, ratio, max) = (
            self.profile.ratio_at,
            self.profile.ratio,
            self.max_per_thread,
        );
        let pool = self.pool(key);
        if pool.elements.len() >= max || drop_handle(ratio_at, ratio, &mut pool.ratio_counter, obj)
        {
            return false;
        }
        debug_assert!(
            !pool.elements.iter().any(|o| o.id() == obj.id()),
            "object recycled twice"
        );
        pool.elements.push(obj.clone());
        true
    }

    /// `Stack.pushLater` (4.1.48): into the queue `thread` feeds for the owner's stack,
    /// made on first use unless `thread` already feeds `maxDelayedQueuesPerThread`
    /// stacks (then the DUMMY queue, which drops) or the stack's shared capacity is
    /// spent.
    fn push_later(&mut self, key: PoolKey, obj: &Arc<BufObject>, thread: ThreadId) -> bool {
        if self.max_delayed_queues == 0 {
            return false;
        }
        let ratio = self.profile.ratio;
        let max_delayed = self.max_delayed_queues;
        let known = self.delayed.get(&thread).and_then(|m| m.get(&key)).copied();
        let queue = match known {
            Some(Delayed::Dummy) => return false,
            Some(Delayed::Queue(id)) => id,
            None => {
                let feeds = self.delayed.get(&thread).map_or(0, BTreeMap::len);
                if feeds >= max_delayed {
                    self.delayed
                        .entry(thread)
                        .or_default()
                        .insert(key, Delayed::Dummy);
                    return false;
                }
                let Some(id) = self.pool(key).queues.new_queue(thread, ratio) else {
                    return false;
                };
                self.delayed
                    .entry(thread)
                    .or_default()
                    .insert(key, Delayed::Queue(id));
                id
            }
        };
        self.pool(key).queues.add(queue, obj, ratio)
    }

    /// True when `id` sits in a pool or a queue (so it is reachable from the recycler).
    pub fn holds(&self, id: ObjectId) -> bool {
        self.pooled_ids().any(|o| o == id)
    }

    /// Every pooled object id, in pool order (each pool's stack, then its queues).
    pub fn pooled_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.pools.in_key_order().flat_map(|p| {
            p.elements
                .iter()
                .map(|o| o.id())
                .chain(p.queues.object_ids())
        })
    }

    /// Thread `thread` exited: its own pools die with it (returns the ids of the
    /// objects they held, queued ones included), its `DELAYED_RECYCLED` map goes, and
    /// the queues it fed become a dead thread's queues (drained, then unlinked, by the
    /// owners' next scavenges). Other threads' DUMMY or queue entries for its pools go
    /// too: Netty's `WeakHashMap` drops them once the stack is collected.
    pub fn forget_thread(&mut self, thread: ThreadId) -> Vec<ObjectId> {
        self.running.retain(|t| *t != thread);
        self.delayed.remove(&thread);
        for feeds in self.delayed.values_mut() {
            feeds.retain(|(_, _, owner), _| *owner != thread);
        }
        for pool in self.pools.in_key_order_mut() {
            pool.queues.thread_exited(thread);
        }
        self.pools
            .remove_owned_by(thread)
            .into_iter()
            .flat_map(|p| {
                let queued: Vec<_> = p.queues.object_ids().collect();
                p.elements.into_iter().map(|o| o.id()).chain(queued)
            })
            .collect()
    }

    /// Empties every pool (the JVM is disposed: breaks object → allocator → JVM →
    /// recycler cycles).
    pub fn clear(&mut self) {
        self.pools.clear();
        self.delayed.clear();
    }
}

/// `Stack.dropHandle` (4.1.48 Recycler.java): a handle recycled for the first time is
/// kept when the pool's counter has reached the ratio (the counter restarts at 0 and
/// the handle is marked `hasBeenRecycled`), else the counter advances and it is
/// dropped; a handle kept once is always kept. Never drops under
/// [`RecyclerRatio::AtCreation`] (the ratio was applied when the object was made).
fn drop_handle(at: RecyclerRatio, ratio: u32, counter: &mut u32, obj: &BufObject) -> bool {
    if at == RecyclerRatio::AtCreation || obj.has_been_recycled.load(Ordering::SeqCst) {
        return false;
    }
    if *counter < ratio {
        *counter += 1;
        return true;
    }
    *counter = 0;
    obj.has_been_recycled.store(true, Ordering::SeqCst);
    false
}
