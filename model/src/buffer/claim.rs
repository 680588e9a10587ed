//! `PoolArena.allocate(cache, reqCapacity, maxCapacity)` takes the buffer object first
//! and its memory second (PoolArena.java:145–149 of 4.1.48, :125–129 of 4.1.128):
//! `newByteBuf(maxCapacity)` runs `RECYCLER.get()` and `reuse(maxCapacity)` before
//! `allocate(cache, buf, reqCapacity)`. An allocation that throws (out of direct
//! memory) has therefore already taken the object: nothing returns it to the Recycler,
//! and a stale handle of its released generation sees it live, without memory.

use super::{materialize_new, Body, BufClass, BufObject, ByteBuf, CacheLink};
use super::{ObjectKind, Region};
use crate::alloc::pooled::PooledAllocator;
use crate::alloc::AllocRef;
use crate::sync::Arc;
use crate::thread::ThreadId;

/// The object `newByteBuf(maxCapacity)` got before the memory was allocated: dropping
/// it without [`PooledClaim::init`] loses it, as Netty does when `allocate` throws.
#[must_use = "a claim is either initialised or lost"]
pub(crate) struct PooledClaim<'a> {
    allocator: &'a Arc<PooledAllocator>,
    thread: ThreadId,
    kind: ObjectKind,
    max_capacity: usize,
    /// The reused object, already reset, or whether a new one gets a recycler handle.
    claimed: Result<Arc<BufObject>, bool>,
}

impl ByteBuf {
    /// `newByteBuf(maxCapacity)` on thread `t` for a pooled root of `class`: a recycled
    /// object is taken and reset at once — `reuse(maxCapacity)` (PooledByteBuf.java:
    /// 77–82, both releases): the new `maxCapacity`, count 1, indexes and marks 0 —
    /// keeping what `reuse` does not touch (`length`, so `capacity()`, and `cache`).
    pub(crate) fn claim_pooled(
        allocator: &Arc<PooledAllocator>,
        thread: ThreadId,
        class: BufClass,
        max_capacity: usize,
    ) -> PooledClaim<'_> {
        let kind = ObjectKind {
            class,
            instrumented: false,
            own_count: true,
            recycled: true,
            pool: allocator.id(),
        };
        let jvm = allocator.jvm();
        let claimed = jvm.recycler.lock().get(class, kind.pool, thread);
        if let Ok(obj) = &claimed {
            obj.reuse_root(jvm.next_alloc_id(), max_capacity);
        }
        PooledClaim {
            allocator,
            thread,
            kind,
            max_capacity,
            claimed,
        }
    }
}

impl PooledClaim<'_> {
    /// The memory was allocated: `init` gives the claimed object (or a new one) its
    /// region, `length` and `cache`, and the caller the first handle.
    pub(crate) fn init(
        self,
        region: Region,
        capacity: usize,
        cache_link: Option<CacheLink>,
    ) -> ByteBuf {
        match self.claimed {
            Ok(obj) => {
                let alloc_id = {
                    let mut state = obj.state();
                    state.body.set(Body::Root { region, capacity });
                    state.cache_link = cache_link;
                    state.alloc_id
                };
                ByteBuf::first_handle(obj, alloc_id)
            }
            Err(recyclable) => {
                let jvm = self.allocator.jvm();
                let state =
                    ByteBuf::root_state(jvm, region, capacity, self.max_capacity, cache_link);
                let allocator = self.allocator;
                materialize_new(
                    jvm,
                    self.kind,
                    self.thread,
                    recyclable,
                    &|| AllocRef::Pooled(allocator.clone()),
                    state,
                )
            }
        }
    }
}
