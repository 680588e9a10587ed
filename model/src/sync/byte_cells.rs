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
//!
//! Under `std` and `shuttle` the stored bytes end at the highest byte ever written (or
//! inspected); everything past them reads as zero. A new chunk thus costs no zeroing,
//! and a chunk of which a program uses the first pages stores only those.

#[cfg(feature = "loom")]
use super::atomic::{AtomicU8, Ordering};

/// A fixed-length region of bytes shared between threads.
#[derive(Debug)]
pub struct ByteCells {
    /// The first bytes of the region; the rest are zero.
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
        let bytes = std::sync::Mutex::new(Vec::new());
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

    /// The plain bytes, stored at least up to `end`.
    #[cfg(not(feature = "loom"))]
    fn plain_to(&self, end: usize) -> std::sync::MutexGuard<'_, Vec<u8>> {
        let mut bytes = self.plain();
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes
    }

    /// Copies `out.len()` bytes starting at `offset` into `out`.
    ///
    /// The caller guarantees `offset + out.len() <= len()`; buffers check indexes first.
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        #[cfg(not(feature = "loom"))]
        {
            let bytes = self.plain();
            let stored = bytes.len().clamp(offset, offset + out.len()) - offset;
            let (kept, zeros) = out.split_at_mut(stored);
            kept.copy_from_slice(bytes.get(offset..offset + stored).unwrap_or_default());
            zeros.fill(0);
        }
        #[cfg(feature = "loom")]
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.bytes[offset + i].load(Ordering::Relaxed);
        }
    }

    /// Runs `f` on `len` bytes starting at `offset`: in place under `std` and `shuttle`
    /// (the region's lock held, so `f` must not touch this region), a copy under loom.
    ///
    /// The caller guarantees `offset + len <= len()`.
    pub fn inspect<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        #[cfg(not(feature = "loom"))]
        return f(&self.plain_to(offset + len)[offset..offset + len]);
        #[cfg(feature = "loom")]
        {
            let mut copy = vec![0; len];
            self.read(offset, &mut copy);
            f(&copy)
        }
    }

    /// Copies `data` into the region starting at `offset`.
    ///
    /// The caller guarantees `offset + data.len() <= len()`.
    pub fn write(&self, offset: usize, data: &[u8]) {
        #[cfg(not(feature = "loom"))]
        self.plain_to(offset + data.len())[offset..offset + data.len()].copy_from_slice(data);
        #[cfg(feature = "loom")]
        for (i, b) in data.iter().enumerate() {
            self.bytes[offset + i].store(*b, Ordering::Relaxed);
        }
    }

    /// Fills `len` bytes starting at `offset` with `value`.
    pub fn fill(&self, offset: usize, len: usize, value: u8) {
        #[cfg(not(feature = "loom"))]
        {
            // Zeros past the stored bytes are already there.
            let mut bytes = if value == 0 {
                self.plain()
            } else {
                self.plain_to(offset + len)
            };
            let end = bytes.len().min(offset + len);
            if offset < end {
                bytes[offset..end].fill(value);
            }
        }
        #[cfg(feature = "loom")]
        for b in &self.bytes[offset..offset + len] {
            b.store(value, Ordering::Relaxed);
        }
    }
}

#[cfg(all(test, not(feature = "loom")))]
mod tests {
    use super::ByteCells;

    #[test]
    fn bytes_past_the_stored_ones_read_as_zero_and_writes_anywhere_stick() {
        let cells = ByteCells::zeroed(64);
        let mut out = [9u8; 8];
        cells.read(56, &mut out);
        assert_eq!(out, [0; 8]);
        cells.write(10, &[1, 2, 3]);
        cells.fill(40, 4, 7);
        cells.fill(60, 4, 0);
        let mut out = [9u8; 8];
        cells.read(8, &mut out);
        assert_eq!(out, [0, 0, 1, 2, 3, 0, 0, 0]);
        assert_eq!(
            cells.inspect(38, 8, |b| b.to_vec()),
            [0, 0, 7, 7, 7, 7, 0, 0]
        );
        cells.fill(11, 30, 0);
        cells.read(8, &mut out);
        assert_eq!(out, [0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(cells.inspect(60, 4, |b| b.to_vec()), [0; 4]);
    }
}
