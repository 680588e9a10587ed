//! [`Op`]: one operation of an allocator program.

use super::bounded::{Amount, Capacity, Pattern, Size};
use crate::thread::ThreadKind;
use arbitrary::Arbitrary;
use serde::{Deserialize, Serialize};

/// The kind of a thread a [`Op::StartThread`] starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Arbitrary, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadKindOp {
    /// An event loop (a real thread cache).
    EventLoop,
    /// A `FastThreadLocalThread` (a real cache, freed by `onRemoval` on a clean exit).
    FastThreadLocal,
    /// A plain thread (a zero-size cache unless `useCacheForAllThreads`).
    Plain,
}

impl From<ThreadKindOp> for ThreadKind {
    fn from(k: ThreadKindOp) -> ThreadKind {
        match k {
            ThreadKindOp::EventLoop => ThreadKind::EventLoop,
            ThreadKindOp::FastThreadLocal => ThreadKind::FastThreadLocal,
            ThreadKindOp::Plain => ThreadKind::Plain,
        }
    }
}

/// One operation. `buf` names a handle and `to` a thread, by index (modulo form) or
/// stable id (resolved form; see [`super::Addressing`]).
/// `arbitrary` draws ops by family weights (`generate.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// `directBuffer`/`heapBuffer(size, max)` from the pooled or an unpooled allocator.
    Alloc {
        /// From the program's `PooledByteBufAllocator` (else `UnpooledByteBufAllocator`).
        pooled: bool,
        /// Direct (else heap).
        direct: bool,
        /// `initialCapacity`.
        size: Size,
        /// `maxCapacity`.
        #[serde(default)]
        max: Capacity,
        /// A pooled allocation from the program's second `PooledByteBufAllocator`,
        /// under a configuration that has one (`ExecConfig::second_allocator`);
        /// otherwise from the first.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        second: bool,
    },
    /// `writeBytes` of `len` pattern bytes (grows the buffer if needed).
    Write {
        /// The handle.
        buf: u32,
        /// Bytes to write.
        len: Size,
        /// The pattern's seed.
        pattern: Pattern,
    },
    /// `readBytes(len)`: reads, advances, and the executor checks the bytes.
    Read {
        /// The handle.
        buf: u32,
        /// Bytes to read.
        len: Size,
    },
    /// `capacity(n)`.
    SetCapacity {
        /// The handle.
        buf: u32,
        /// The new capacity.
        capacity: Size,
    },
    /// `copy()`: an independent buffer with count 1.
    Copy {
        /// The handle.
        buf: u32,
    },
    /// `slice()`: shares the count.
    Slice {
        /// The handle.
        buf: u32,
    },
    /// `duplicate()`: shares the count.
    Duplicate {
        /// The handle.
        buf: u32,
    },
    /// `readSlice(len)`: shares the count, advances the reader index.
    ReadSlice {
        /// The handle.
        buf: u32,
        /// Slice length.
        len: Size,
    },
    /// `retainedSlice()`.
    RetainedSlice {
        /// The handle.
        buf: u32,
    },
    /// `retainedDuplicate()`.
    RetainedDuplicate {
        /// The handle.
        buf: u32,
    },
    /// `readRetainedSlice(len)`.
    ReadRetainedSlice {
        /// The handle.
        buf: u32,
        /// Slice length.
        len: Size,
    },
    /// `asReadOnly()`: a read-only view sharing the count (this buffer when it is one).
    AsReadOnly {
        /// The handle.
        buf: u32,
    },
    /// `Unpooled.unreleasableBuffer(buf)`: the same buffer, through which `retain` and
    /// `release` do nothing and retained derivatives are plain ones.
    Unreleasable {
        /// The handle.
        buf: u32,
    },
    /// `retain(k)`.
    Retain {
        /// The handle.
        buf: u32,
        /// `increment`.
        k: Amount,
    },
    /// `release(k)`.
    Release {
        /// The handle.
        buf: u32,
        /// `decrement`.
        k: Amount,
    },
    /// The program forgets the handle: the object may become unreachable.
    Drop {
        /// The handle.
        buf: u32,
    },
    /// Hands the handle to another logical thread (later ops through it run there).
    HandOff {
        /// The handle.
        buf: u32,
        /// The receiving thread.
        to: u32,
    },
    /// `System.gc()` followed by the finalizers it made runnable.
    Gc,
    /// `trimCurrentThreadCache()` on the step's thread.
    TrimCache,
    /// Frees the step's thread cache now (`FastThreadLocal.onRemoval`).
    FreeCache,
    /// Starts a new logical thread.
    StartThread {
        /// Its kind.
        kind: ThreadKindOp,
    },
    /// The step's thread exits (not `main`): `clean` frees its caches now
    /// (`onRemoval`), otherwise their finalizers do once unreachable.
    ExitThread {
        /// Clean exit.
        clean: bool,
    },
}

/// The variant of an [`Op`] without its fields (for statistics and reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    /// [`Op::Alloc`].
    Alloc,
    /// Any op acting through a handle.
    OnHandle,
    /// [`Op::Gc`], cache and thread ops.
    Global,
}

impl Op {
    /// The handle number this op acts through, if any.
    pub fn handle(&self) -> Option<u32> {
        match *self {
            Op::Write { buf, .. }
            | Op::Read { buf, .. }
            | Op::SetCapacity { buf, .. }
            | Op::Copy { buf }
            | Op::Slice { buf }
            | Op::Duplicate { buf }
            | Op::ReadSlice { buf, .. }
            | Op::RetainedSlice { buf }
            | Op::RetainedDuplicate { buf }
            | Op::ReadRetainedSlice { buf, .. }
            | Op::AsReadOnly { buf }
            | Op::Unreleasable { buf }
            | Op::Retain { buf, .. }
            | Op::Release { buf, .. }
            | Op::Drop { buf }
            | Op::HandOff { buf, .. } => Some(buf),
            _ => None,
        }
    }

    /// The same op through handle number `buf` (ops without a handle are unchanged).
    pub fn with_handle(&self, new: u32) -> Op {
        let mut op = self.clone();
        match &mut op {
            Op::Write { buf, .. }
            | Op::Read { buf, .. }
            | Op::SetCapacity { buf, .. }
            | Op::Copy { buf }
            | Op::Slice { buf }
            | Op::Duplicate { buf }
            | Op::ReadSlice { buf, .. }
            | Op::RetainedSlice { buf }
            | Op::RetainedDuplicate { buf }
            | Op::ReadRetainedSlice { buf, .. }
            | Op::AsReadOnly { buf }
            | Op::Unreleasable { buf }
            | Op::Retain { buf, .. }
            | Op::Release { buf, .. }
            | Op::Drop { buf }
            | Op::HandOff { buf, .. } => *buf = new,
            _ => {}
        }
        op
    }

    /// True when the op creates a handle (allocation, copy, derivatives).
    pub fn creates_handle(&self) -> bool {
        matches!(
            self,
            Op::Alloc { .. }
                | Op::Copy { .. }
                | Op::Slice { .. }
                | Op::Duplicate { .. }
                | Op::ReadSlice { .. }
                | Op::RetainedSlice { .. }
                | Op::RetainedDuplicate { .. }
                | Op::ReadRetainedSlice { .. }
                | Op::AsReadOnly { .. }
                | Op::Unreleasable { .. }
        )
    }

    /// The op's kind.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Alloc { .. } => OpKind::Alloc,
            _ if self.handle().is_some() => OpKind::OnHandle,
            _ => OpKind::Global,
        }
    }

    /// The snake_case name of the variant, as traces spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Alloc { .. } => "alloc",
            Op::Write { .. } => "write",
            Op::Read { .. } => "read",
            Op::SetCapacity { .. } => "set_capacity",
            Op::Copy { .. } => "copy",
            Op::Slice { .. } => "slice",
            Op::Duplicate { .. } => "duplicate",
            Op::ReadSlice { .. } => "read_slice",
            Op::RetainedSlice { .. } => "retained_slice",
            Op::RetainedDuplicate { .. } => "retained_duplicate",
            Op::ReadRetainedSlice { .. } => "read_retained_slice",
            Op::AsReadOnly { .. } => "as_read_only",
            Op::Unreleasable { .. } => "unreleasable",
            Op::Retain { .. } => "retain",
            Op::Release { .. } => "release",
            Op::Drop { .. } => "drop",
            Op::HandOff { .. } => "hand_off",
            Op::Gc => "gc",
            Op::TrimCache => "trim_cache",
            Op::FreeCache => "free_cache",
            Op::StartThread { .. } => "start_thread",
            Op::ExitThread { .. } => "exit_thread",
        }
    }
}
