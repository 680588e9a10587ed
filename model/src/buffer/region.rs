//! Where a root buffer's bytes live.

use crate::alloc::pooled::ArenaAllocation;
use crate::memory::Memory;
use std::num::NonZeroU64;

/// How an unpooled region's bytes are accounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accounting {
    /// Counted by Netty's `DIRECT_MEMORY_COUNTER` (no Cleaner): freed only by release.
    NettyCounter,
    /// Reserved with the JDK (`ByteBuffer.allocateDirect`): freed by release or, once
    /// unreachable, by the Cleaner at a GC.
    JdkCleaner,
    /// A `byte[]` on the Java heap: freed by release or collected at a GC.
    Heap,
}

/// One unpooled allocation.
#[derive(Debug)]
pub struct UnpooledRegion {
    /// The bytes (length = allocated capacity).
    pub memory: Memory,
    /// How the bytes are accounted.
    pub accounting: Accounting,
}

/// A root buffer's memory.
#[derive(Debug)]
pub(crate) enum Region {
    /// An unpooled allocation.
    Unpooled(UnpooledRegion),
    /// A run or subpage slot of a pool chunk (or a huge chunk).
    Pooled(PooledRegion),
    /// Deallocated: the memory went back to its owner.
    Freed,
    /// Never allocated: a recycled pooled object `PoolArena.allocate` claimed
    /// (`newByteBuf(maxCapacity)`: `RECYCLER.get()`, `reuse(maxCapacity)`) before the
    /// memory allocation threw (PoolArena.java:146–147 of 4.1.48, :126–127 of 4.1.128).
    /// Netty leaves it live with `handle` -1 and `memory` null; its release frees
    /// nothing and does not recycle it (`deallocate` runs only `if (handle >= 0)`).
    Unallocated,
    /// None at all: an `EmptyByteBuf` (capacity 0 for good).
    Empty,
}

impl Region {
    /// The bytes and the offset of index 0 within them.
    pub(crate) fn memory(&self) -> Option<(&Memory, usize)> {
        match self {
            Region::Unpooled(r) => Some((&r.memory, 0)),
            Region::Pooled(r) => Some((&r.region.allocation.memory, r.region.allocation.offset)),
            Region::Freed | Region::Unallocated | Region::Empty => None,
        }
    }
}

/// A pooled buffer's memory: the arena allocation and the allocating thread's cache
/// (`PooledByteBuf.cache`), to which the handle is offered on release. The cache is
/// named by its id in the allocator that freed region goes back to (a reference count
/// taken and dropped per buffer would be model bookkeeping Netty does not have).
#[derive(Debug)]
pub struct PooledRegion {
    /// The allocation and its arena.
    pub region: ArenaAllocation,
    /// The allocating thread's cache, by id (`ThreadCache::id`; ids count from 1, so
    /// the option costs no space and a buffer object's state moves inline).
    pub cache: Option<NonZeroU64>,
}

/// Which thread cache a pooled buffer object keeps reachable (`PooledByteBuf.cache`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheLink {
    /// The allocator's id.
    pub allocator: u64,
    /// The cache's id within it.
    pub cache: u64,
}
