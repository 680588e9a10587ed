//! Where a root buffer's bytes live.

use crate::memory::Memory;

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
    /// Deallocated: the memory went back to its owner.
    Freed,
}

impl Region {
    /// The bytes and the offset of index 0 within them.
    pub(crate) fn memory(&self) -> Option<(&Memory, usize)> {
        match self {
            Region::Unpooled(r) => Some((&r.memory, 0)),
            Region::Freed => None,
        }
    }
}
