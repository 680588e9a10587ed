//! Recycler fields of a profile (netty.md §10; `io.netty.util.Recycler`). Its capacity,
//! `maxCapacityPerThread`, stays an allocator field (`recycler_max_capacity_per_thread`)
//! so that profiles serialized before this struct existed read back unchanged.

use serde::{Deserialize, Serialize};

/// Where `io.netty.recycler.ratio` thins recycling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecyclerRatio {
    /// When an object is created: one in `ratio` new objects gets a handle at all, the
    /// first one included (4.1.128 `LocalPool.newHandle`, `++ratioCounter >= interval`);
    /// a handle's every recycle is kept.
    AtCreation,
    /// When a handle is recycled for the first time: every new object gets a handle,
    /// and `Stack.dropHandle` keeps the first such recycle, drops the next `ratio`, keeps
    /// the one after, … — one in `ratio + 1` (4.1.48 Recycler.java: `handleRecycleCount`
    /// starts at the interval, `if (handleRecycleCount < interval) { ++; drop }`). A
    /// handle once kept (`hasBeenRecycled`) is kept on every later recycle.
    AtFirstRecycle,
}

/// What a recycle on a thread other than the object's owner does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrossThreadRecycle {
    /// Straight into the owner's pool (4.1.128 `LocalPool.release`, its MPSC queue
    /// drained by the owner's next `claim`, modelled as immediate).
    OwnerPool,
    /// Into a `WeakOrderQueue` per (owner stack, recycling thread), moved into the stack
    /// only when the owner pops from an empty stack (`scavenge`), 4.1.48.
    WeakOrderQueue {
        /// `io.netty.recycler.linkCapacity`: handles per link (16).
        link_capacity: u32,
        /// `io.netty.recycler.maxSharedCapacityFactor`: the queues of one stack hold at
        /// most `max(maxCapacity / factor, linkCapacity)` handles (2).
        max_shared_capacity_factor: u32,
        /// `io.netty.recycler.maxDelayedQueuesPerThread` per available processor: one
        /// recycling thread feeds at most this many stacks; further ones get the DUMMY
        /// queue and their objects are dropped (2 · cores).
        max_delayed_queues_per_core: u32,
    },
}

/// How Netty's Recycler reuses objects in a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecyclerProfile {
    /// `io.netty.recycler.ratio` (8; a power of two).
    pub ratio: u32,
    /// Where the ratio applies.
    pub ratio_at: RecyclerRatio,
    /// Cross-thread recycling.
    pub cross_thread: CrossThreadRecycle,
}

impl Default for RecyclerProfile {
    fn default() -> Self {
        RecyclerProfile::netty_4_1()
    }
}

impl RecyclerProfile {
    /// 4.1.128.Final.
    pub fn netty_4_1() -> Self {
        RecyclerProfile {
            ratio: 8,
            ratio_at: RecyclerRatio::AtCreation,
            cross_thread: CrossThreadRecycle::OwnerPool,
        }
    }

    /// 4.1.48.Final: ratio at the first recycle, `WeakOrderQueue`s across threads.
    pub fn netty_4_1_48() -> Self {
        RecyclerProfile {
            ratio_at: RecyclerRatio::AtFirstRecycle,
            cross_thread: CrossThreadRecycle::WeakOrderQueue {
                link_capacity: 16,
                max_shared_capacity_factor: 2,
                max_delayed_queues_per_core: 2,
            },
            ..Self::netty_4_1()
        }
    }

    /// True when this is 4.1.128's behaviour (then left out of serialized profiles).
    pub fn is_netty_4_1(&self) -> bool {
        *self == Self::netty_4_1()
    }
}
