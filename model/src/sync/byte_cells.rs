//! Shared byte storage for buffer memory (chunks and unpooled regions).
//!
//! Under `std` the bytes sit behind one lock per region. Under loom and shuttle every
//! byte is a relaxed atomic, so a reader that lacks a happens-before edge to the writer
//! can observe stale bytes: a missing synchronisation in the refcount hand-off shows up
//! as wrong data, not as silence.

#[cfg(any(feature = "loom", feature = "shuttle"))]
use super::atomic::{AtomicU8, Ordering};
#[cfg(not(any(feature = "loom", feature = "shuttle")))]
use super::Mutex;

/// A fixed-length region of bytes shared between threads.
#[derive(Debug)]
pub struct ByteCells {
    #[cfg(not(any(feature = "loom", feature = "shuttle")))]
    bytes: Mutex<Vec<u8>>,
    #[cfg(any(feature = "loom", feature = "shuttle"))]
    bytes: Vec<AtomicU8>,
    len: usize,
}

impl ByteCells {
    /// A zero-filled region of `len` bytes.
    pub fn zeroed(len: usize) -> Self {
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        let bytes = Mutex::new(vec![0u8; len]);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
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

    /// Copies `out.len()` bytes starting at `offset` into `out`.
    ///
    /// The caller guarantees `offset + out.len() <= len()`; buffers check indexes first.
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        out.copy_from_slice(&self.bytes.lock()[offset..offset + out.len()]);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.bytes[offset + i].load(Ordering::Relaxed);
        }
    }

    /// Copies `data` into the region starting at `offset`.
    ///
    /// The caller guarantees `offset + data.len() <= len()`.
    pub fn write(&self, offset: usize, data: &[u8]) {
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        self.bytes.lock()[offset..offset + data.len()].copy_from_slice(data);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        for (i, b) in data.iter().enumerate() {
            self.bytes[offset + i].store(*b, Ordering::Relaxed);
        }
    }

    /// Fills `len` bytes starting at `offset` with `value`.
    pub fn fill(&self, offset: usize, len: usize, value: u8) {
        #[cfg(not(any(feature = "loom", feature = "shuttle")))]
        self.bytes.lock()[offset..offset + len].fill(value);
        #[cfg(any(feature = "loom", feature = "shuttle"))]
        for b in &self.bytes[offset..offset + len] {
            b.store(value, Ordering::Relaxed);
        }
    }
}
