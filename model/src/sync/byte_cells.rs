//! Shared byte storage for buffer memory (chunks and unpooled regions).
//!
//! Chunk bytes are plain memory in Netty, not a synchronization point, so under `std`
//! and `shuttle` they sit behind one lock per region that no checker schedules on (a
//! std lock: shuttle runs one task at a time and never switches inside a copy). Under
//! loom every byte is a relaxed atomic, so a reader that lacks a happens-before edge to
//! the writer can observe stale bytes: a missing synchronisation in the refcount
//! hand-off shows up as wrong data, not as silence. Shuttle models every atomic as
//! SeqCst, so per-byte atomics would show it nothing but cost a scheduling point per
//! byte and a tracked atomic per byte of every chunk.

#[cfg(feature = "loom")]
use super::atomic::{AtomicU8, Ordering};

/// A fixed-length region of bytes shared between threads.
#[derive(Debug)]
pub struct ByteCells {
    #[cfg(not(feature = "loom"))]
    bytes: std::sync::Mutex<Vec<u8>>,
    #[cfg(feature = "loom")]
    bytes: Vec<AtomicU8>,
    len: usize,
}

impl ByteCells {
    /// A zero-filled region of `len` bytes.
    pub fn zeroed(len: usize) -> Self {
        #[cfg(not(feature = "loom"))]
        let bytes = std::sync::Mutex::new(vec![0u8; len]);
        #[cfg(feature = "loom")]
        let bytes = (0..len).map(|_| AtomicU8::new(0)).collect();
        ByteCells { bytes, len }
    }

    /// Length of the region in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the region holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The plain bytes (a panic elsewhere never leaves them half-copied: no poisoning).
    #[cfg(not(feature = "loom"))]
    fn plain(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.bytes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Copies `out.len()` bytes starting at `offset` into `out`.
    ///
    /// The caller guarantees `offset + out.len() <= len()`; buffers check indexes first.
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        #[cfg(not(feature = "loom"))]
        out.copy_from_slice(&self.plain()[offset..offset + out.len()]);
        #[cfg(feature = "loom")]
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.bytes[offset + i].load(Ordering::Relaxed);
        }
    }

    /// Copies `data` into the region starting at `offset`.
    ///
    /// The caller guarantees `offset + data.len() <= len()`.
    pub fn write(&self, offset: usize, data: &[u8]) {
        #[cfg(not(feature = "loom"))]
        self.plain()[offset..offset + data.len()].copy_from_slice(data);
        #[cfg(feature = "loom")]
        for (i, b) in data.iter().enumerate() {
            self.bytes[offset + i].store(*b, Ordering::Relaxed);
        }
    }

    /// Fills `len` bytes starting at `offset` with `value`.
    pub fn fill(&self, offset: usize, len: usize, value: u8) {
        #[cfg(not(feature = "loom"))]
        self.plain()[offset..offset + len].fill(value);
        #[cfg(feature = "loom")]
        for b in &self.bytes[offset..offset + len] {
            b.store(value, Ordering::Relaxed);
        }
    }
}
