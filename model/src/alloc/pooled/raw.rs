//! Pooled memory without buffer objects, for long workload simulations.
//!
//! A simulation of days of traffic cannot keep one `ByteBuf` object per leaked buffer:
//! there, a leaked buffer is only its bit in a subpage bitmap (or its run) and the
//! caller's counters. [`PooledAllocator::allocate_raw`] and
//! [`PooledAllocator::release_raw`] run the memory paths of `newDirectBuffer` /
//! `newHeapBuffer` and of `PooledByteBuf.deallocate` exactly as the buffer layer does —
//! the allocating thread's cache first, then the arena, chunk memory through the JVM's
//! counters, the unpooled fallback of an allocator without arenas — but make no buffer
//! object, refcount or leak wrapper: the caller tracks leaks itself.

use super::{ArenaAllocation, PooledAllocator, Served, ThreadCache};
use crate::alloc::{release_accounting, validate_capacities, UnpooledAllocator};
use crate::buffer::{PooledRegion, UnpooledRegion};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::pool::{Allocation, ArenaKind, SizeKind};
use crate::sync::Arc;
use crate::thread::ThreadId;
use std::num::NonZeroU64;

/// The memory of one buffer made by [`PooledAllocator::allocate_raw`]. Dropping it
/// without [`PooledAllocator::release_raw`] leaks it, as an unreleased `ByteBuf` does.
#[derive(Debug)]
pub struct RawBuffer {
    memory: RawMemory,
}

#[derive(Debug)]
enum RawMemory {
    /// A pool allocation from the allocating thread's arena of `kind` (the one its
    /// cache is bound to), by index, and that cache (`PooledByteBuf.cache`), by id:
    /// a buffer costs no reference count, and a leaked one keeps nothing reachable.
    Pooled {
        allocation: Allocation,
        kind: ArenaKind,
        arena: u32,
        cache: u64,
    },
    /// The unpooled buffer an allocator without arenas of the kind hands out.
    Unpooled(UnpooledRegion),
}

impl RawBuffer {
    /// The requested capacity.
    pub fn capacity(&self) -> usize {
        match &self.memory {
            RawMemory::Pooled { allocation, .. } => allocation.length,
            RawMemory::Unpooled(u) => u.memory.len(),
        }
    }

    /// The bytes the buffer holds in its pool: the size class (`maxLength`), which for
    /// a huge buffer is its capacity (`initUnpooled`), or an unpooled buffer's capacity.
    pub fn footprint(&self) -> usize {
        match &self.memory {
            RawMemory::Pooled { allocation, .. } => allocation.max_length,
            RawMemory::Unpooled(u) => u.memory.len(),
        }
    }

    /// Small, normal or huge; `None` for an unpooled fallback buffer.
    pub fn size_kind(&self) -> Option<SizeKind> {
        match &self.memory {
            RawMemory::Pooled { allocation, .. } => Some(allocation.kind),
            RawMemory::Unpooled(_) => None,
        }
    }

    /// The index of the arena (of its kind) the memory came from, if pooled.
    pub fn arena_index(&self) -> Option<usize> {
        match &self.memory {
            RawMemory::Pooled { arena, .. } => Some(*arena as usize),
            RawMemory::Unpooled(_) => None,
        }
    }

    /// The chunk and Netty handle of a pooled allocation (`(chunk id, handle)`).
    pub fn handle(&self) -> Option<(u64, u64)> {
        match &self.memory {
            RawMemory::Pooled { allocation, .. } => Some((allocation.chunk.0, allocation.handle)),
            RawMemory::Unpooled(_) => None,
        }
    }
}

/// A running thread's cache, looked up once (`threadCache.get()`): Netty reads it from
/// a `FastThreadLocal`, the model from its bindings, which a simulation of millions of
/// allocations on a few long-lived event loops need not repeat. Valid while the
/// thread runs (its exit frees or orphans the cache).
#[derive(Clone, Debug)]
pub struct RawThread {
    thread: ThreadId,
    cache: Arc<ThreadCache>,
}

impl RawThread {
    /// The thread.
    pub fn id(&self) -> ThreadId {
        self.thread
    }
}

fn model_error(message: String) -> JavaException {
    JavaException::new(JavaClass::Assertion, message)
}

impl PooledAllocator {
    /// Thread `t`'s cache in this allocator, created (and bound to the least-used
    /// arenas) on first use, as `threadCache.get()` does.
    pub fn raw_thread(&self, t: ThreadId) -> JavaResult<RawThread> {
        Ok(RawThread {
            thread: t,
            cache: self.thread_cache(t)?.clone(),
        })
    }

    /// The memory of `directBuffer(capacity, capacity)` / `heapBuffer(…)` on `thread`
    /// without a buffer object: validation, the finalizer safe point, the thread's
    /// cache, then its arena (or the unpooled fallback when there is no arena of the
    /// kind). Errors are Netty's (`OutOfDirectMemoryError`, …) and change nothing.
    pub fn allocate_raw(
        &self,
        thread: &RawThread,
        direct: bool,
        capacity: usize,
    ) -> JavaResult<RawBuffer> {
        validate_capacities(
            &self.jvm().profile().refcount,
            capacity as i64,
            capacity as i64,
        )?;
        self.jvm().run_finalizers();
        let kind = if direct {
            ArenaKind::Direct
        } else {
            ArenaKind::Heap
        };
        let cache = &thread.cache;
        let memory = match cache.arena(kind) {
            Some(arena) => {
                let allocation = match self.serve(arena, cache, capacity)? {
                    Served::Cached(hit) => hit.allocation,
                    Served::Arena(allocation) => allocation,
                };
                RawMemory::Pooled {
                    allocation,
                    kind,
                    arena: arena.index() as u32,
                    cache: cache.id(),
                }
            }
            None => {
                let unpooled = UnpooledAllocator::new(self.jvm());
                let class = unpooled.class_for(direct);
                RawMemory::Unpooled(unpooled.allocate_region(class, capacity)?)
            }
        };
        Ok(RawBuffer { memory })
    }

    /// `release()` reaching 0 on a buffer made by [`PooledAllocator::allocate_raw`]:
    /// the handle is offered to the allocating thread's cache, else freed to the arena
    /// (huge chunks are destroyed); unpooled memory goes back to its counter. The cache
    /// is found by its id without a lock, whichever thread releases.
    pub fn release_raw(&self, buffer: RawBuffer) -> JavaResult<()> {
        match buffer.memory {
            RawMemory::Pooled {
                allocation,
                kind,
                arena,
                cache,
            } => {
                let Some(arena) = self.arenas(kind).get(arena as usize) else {
                    return Err(model_error(format!("model: no {kind:?} arena {arena}")));
                };
                if self.caches.by_id(cache).is_none() {
                    return Err(model_error(format!("model: no thread cache #{cache}")));
                }
                self.free_region(PooledRegion {
                    region: ArenaAllocation {
                        arena: arena.clone(),
                        allocation,
                    },
                    cache: NonZeroU64::new(cache),
                })
            }
            RawMemory::Unpooled(region) => {
                let len = region.memory.len() as u64;
                release_accounting(self.jvm(), region.accounting, len);
                Ok(())
            }
        }
    }
}
