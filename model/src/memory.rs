//! Buffer memory: materialized bytes or virtual bookkeeping.
//!
//! Materialized memory holds real bytes, so an overlap bug corrupts data visibly.
//! Virtual memory keeps only the length, so a simulation can hold gigabytes of leaked
//! pool cheaply; reads of virtual memory return zeros and writes are dropped.

use crate::sync::{Arc, ByteCells, Piece};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Whether new chunks and unpooled regions hold real bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemoryMode {
    /// Real bytes: reads see what was written.
    #[default]
    Materialized,
    /// Bookkeeping only: reads return zeros, writes are dropped.
    Virtual,
}

/// One contiguous region (a chunk, a huge allocation or an unpooled buffer).
#[derive(Clone, Debug)]
pub enum Memory {
    /// Real bytes shared between every buffer that points into the region.
    Materialized(Arc<ByteCells>),
    /// A region of this many bytes with no storage behind it.
    Virtual(usize),
}

impl Memory {
    /// A zeroed region of `len` bytes in `mode`.
    pub fn new(mode: MemoryMode, len: usize) -> Self {
        match mode {
            MemoryMode::Materialized => Memory::Materialized(Arc::new(ByteCells::zeroed(len))),
            MemoryMode::Virtual => Memory::Virtual(len),
        }
    }

    /// Length of the region in bytes.
    pub fn len(&self) -> usize {
        match self {
            Memory::Materialized(cells) => cells.len(),
            Memory::Virtual(len) => *len,
        }
    }

    /// True when the region has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when reads return what was written.
    pub fn is_materialized(&self) -> bool {
        matches!(self, Memory::Materialized(_))
    }

    /// Reads `out.len()` bytes at `offset` (zeros for virtual memory).
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        match self {
            Memory::Materialized(cells) => cells.read(offset, out),
            Memory::Virtual(_) => out.fill(0),
        }
    }

    /// Runs `f` on the `len` bytes at `offset` piece by piece, in place, until it breaks
    /// ([`ByteCells::inspect`]); `None` for virtual memory, which holds none, and
    /// `Some(None)` when `f` never broke. `f` must not touch this memory.
    pub fn inspect<B>(
        &self,
        offset: usize,
        len: usize,
        f: impl FnMut(usize, Piece<'_>) -> ControlFlow<B>,
    ) -> Option<Option<B>> {
        match self {
            Memory::Materialized(cells) => Some(cells.inspect(offset, len, f)),
            Memory::Virtual(_) => None,
        }
    }

    /// Writes `data` at `offset` (dropped for virtual memory).
    pub fn write(&self, offset: usize, data: &[u8]) {
        if let Memory::Materialized(cells) = self {
            cells.write(offset, data);
        }
    }

    /// Fills `len` bytes at `offset` with `value` (dropped for virtual memory).
    pub fn fill(&self, offset: usize, len: usize, value: u8) {
        if let Memory::Materialized(cells) = self {
            cells.fill(offset, len, value);
        }
    }
}
