//! The Java classes a buffer object can be, with Netty's simple class names.

use serde::{Deserialize, Serialize};

/// A buffer object's Java class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BufClass {
    /// Pooled direct memory accessed through Unsafe.
    PooledUnsafeDirect,
    /// Pooled direct memory through `ByteBuffer` (no Unsafe).
    PooledDirect,
    /// Pooled heap memory accessed through Unsafe.
    PooledUnsafeHeap,
    /// Pooled heap memory.
    PooledHeap,
    /// Unpooled direct memory through `ByteBuffer` with a Cleaner.
    UnpooledDirect,
    /// Unpooled direct memory through Unsafe, with a Cleaner.
    UnpooledUnsafeDirect,
    /// Unpooled direct memory through Unsafe, no Cleaner, counted by Netty.
    UnpooledUnsafeNoCleanerDirect,
    /// Unpooled heap `byte[]`.
    UnpooledHeap,
    /// Unpooled heap `byte[]` accessed through Unsafe.
    UnpooledUnsafeHeap,
    /// `slice()` of any buffer that is not a pooled derivative.
    UnpooledSliced,
    /// `duplicate()` of any buffer that is not a pooled derivative.
    UnpooledDuplicated,
    /// `retainedSlice()` of a pooled buffer: own count, recycled.
    PooledSliced,
    /// `retainedDuplicate()` of a pooled buffer: own count, recycled.
    PooledDuplicated,
    /// `slice()` of a pooled retained derivative: shares the derivative's count.
    PooledNonRetainedSliced,
    /// `duplicate()` of a pooled retained derivative: shares the derivative's count.
    PooledNonRetainedDuplicated,
    /// `asReadOnly()` (`Unpooled.unmodifiableBuffer`): shares the wrapped buffer's count
    /// and rejects writes.
    ReadOnly,
    /// `EmptyByteBuf`: an allocator's one shared buffer of capacity and maximum
    /// capacity 0, returned by `directBuffer(0, 0)`/`heapBuffer(0, 0)`
    /// (AbstractByteBufAllocator.java:164–165, 183–184 of 4.1.48; :165–166, 184–185 of
    /// 4.1.128). No count, no memory, never tracked; see `buffer/empty.rs`.
    Empty,
}

impl BufClass {
    /// `StringUtil.simpleClassName`, as `toString()` prints it (nested classes keep
    /// their `Outer$` prefix, as the oracle shows).
    /// `instrumented` adds the `Instrumented` prefix of `UnpooledByteBufAllocator`'s
    /// metric-keeping subclasses.
    pub fn simple_name(self, instrumented: bool) -> &'static str {
        match (self, instrumented) {
            (BufClass::PooledUnsafeDirect, _) => "PooledUnsafeDirectByteBuf",
            (BufClass::PooledDirect, _) => "PooledDirectByteBuf",
            (BufClass::PooledUnsafeHeap, _) => "PooledUnsafeHeapByteBuf",
            (BufClass::PooledHeap, _) => "PooledHeapByteBuf",
            (BufClass::UnpooledDirect, false) => "UnpooledDirectByteBuf",
            (BufClass::UnpooledDirect, true) => {
                "UnpooledByteBufAllocator$InstrumentedUnpooledDirectByteBuf"
            }
            (BufClass::UnpooledUnsafeDirect, false) => "UnpooledUnsafeDirectByteBuf",
            (BufClass::UnpooledUnsafeDirect, true) => {
                "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeDirectByteBuf"
            }
            (BufClass::UnpooledUnsafeNoCleanerDirect, false) => {
                "UnpooledUnsafeNoCleanerDirectByteBuf"
            }
            (BufClass::UnpooledUnsafeNoCleanerDirect, true) => {
                "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeNoCleanerDirectByteBuf"
            }
            (BufClass::UnpooledHeap, false) => "UnpooledHeapByteBuf",
            (BufClass::UnpooledHeap, true) => {
                "UnpooledByteBufAllocator$InstrumentedUnpooledHeapByteBuf"
            }
            (BufClass::UnpooledUnsafeHeap, false) => "UnpooledUnsafeHeapByteBuf",
            (BufClass::UnpooledUnsafeHeap, true) => {
                "UnpooledByteBufAllocator$InstrumentedUnpooledUnsafeHeapByteBuf"
            }
            (BufClass::UnpooledSliced, _) => "UnpooledSlicedByteBuf",
            (BufClass::UnpooledDuplicated, _) => "UnpooledDuplicatedByteBuf",
            (BufClass::PooledSliced, _) => "PooledSlicedByteBuf",
            (BufClass::PooledDuplicated, _) => "PooledDuplicatedByteBuf",
            (BufClass::PooledNonRetainedSliced, _) => {
                "AbstractPooledDerivedByteBuf$PooledNonRetainedSlicedByteBuf"
            }
            (BufClass::PooledNonRetainedDuplicated, _) => {
                "AbstractPooledDerivedByteBuf$PooledNonRetainedDuplicateByteBuf"
            }
            (BufClass::ReadOnly, _) => "ReadOnlyByteBuf",
            (BufClass::Empty, _) => "EmptyByteBuf",
        }
    }

    /// True for buffers whose memory comes from a pool arena.
    pub fn is_pooled_root(self) -> bool {
        matches!(
            self,
            BufClass::PooledUnsafeDirect
                | BufClass::PooledDirect
                | BufClass::PooledUnsafeHeap
                | BufClass::PooledHeap
        )
    }

    /// True for objects that own memory (roots), false for derived views.
    pub fn is_root(self) -> bool {
        !self.is_derived()
    }

    /// True for slices and duplicates of every kind.
    pub fn is_derived(self) -> bool {
        matches!(
            self,
            BufClass::UnpooledSliced
                | BufClass::UnpooledDuplicated
                | BufClass::PooledSliced
                | BufClass::PooledDuplicated
                | BufClass::PooledNonRetainedSliced
                | BufClass::PooledNonRetainedDuplicated
                | BufClass::ReadOnly
        )
    }

    /// True for pooled retained derivatives (own count, one reference on the parent).
    pub fn is_pooled_derivative(self) -> bool {
        matches!(self, BufClass::PooledSliced | BufClass::PooledDuplicated)
    }

    /// True for slices (fixed capacity), false for duplicates and roots.
    pub fn is_slice(self) -> bool {
        matches!(
            self,
            BufClass::UnpooledSliced | BufClass::PooledSliced | BufClass::PooledNonRetainedSliced
        )
    }

    /// True for duplicates (`DuplicatedByteBuf` and its subclasses, the pooled one).
    pub fn is_duplicate(self) -> bool {
        matches!(
            self,
            BufClass::UnpooledDuplicated
                | BufClass::PooledDuplicated
                | BufClass::PooledNonRetainedDuplicated
        )
    }

    /// True for direct-memory roots.
    pub fn is_direct_root(self) -> bool {
        matches!(
            self,
            BufClass::PooledUnsafeDirect
                | BufClass::PooledDirect
                | BufClass::UnpooledDirect
                | BufClass::UnpooledUnsafeDirect
                | BufClass::UnpooledUnsafeNoCleanerDirect
        )
    }
}
