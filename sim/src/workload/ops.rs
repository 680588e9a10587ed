//! The operations a simulation performs, as a trace records them: what `leakproof
//! replay` prints around a failure and what `leakproof minimize` turns into an explicit
//! op list.

use serde::{Deserialize, Serialize};

/// One buffer operation of the simulation. `id` names a buffer (or retained slice)
/// for the whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WorkloadOp {
    /// `directBuffer`/`heapBuffer(size)` (a copy is one) on event loop `thread`.
    Alloc {
        /// The new buffer.
        id: u64,
        /// The logical thread (event loop `n` is thread `n`).
        thread: u32,
        /// Direct (else heap).
        direct: bool,
        /// Capacity.
        size: usize,
    },
    /// `retainedSlice()` of buffer `parent`.
    RetainedSlice {
        /// The new slice.
        id: u64,
        /// The buffer it slices.
        parent: u64,
        /// The thread.
        thread: u32,
    },
    /// `release()` of `id` by `thread`.
    Release {
        /// The buffer or slice.
        id: u64,
        /// The thread.
        thread: u32,
    },
    /// The program forgets `id` (it becomes unreachable).
    Drop {
        /// The buffer or slice.
        id: u64,
    },
    /// A garbage collection.
    Gc,
}

impl WorkloadOp {
    /// True when the op counts as a step (everything but `Drop`, which only says what
    /// became unreachable).
    pub fn is_step(&self) -> bool {
        !matches!(self, WorkloadOp::Drop { .. })
    }
}
