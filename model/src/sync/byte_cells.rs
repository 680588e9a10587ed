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
//! Under `std` and `shuttle` a region stores only the pages (4 KiB) a write ever
//! touched; every other byte reads as zero. A new chunk thus costs no zeroing, a write
//! far into a large region stores one page, and an inspection sees never-written pages
//! as runs of zeros ([`Piece::Zeros`]) it can compare without reading a byte.

#[cfg(feature = "loom")]
use super::atomic::{AtomicU8, Ordering};
use std::ops::ControlFlow;

/// Bytes per stored page (std and shuttle).
#[cfg(not(feature = "loom"))]
const PAGE: usize = 4096;

/// One stretch of the bytes [`ByteCells::inspect`] lends.
#[derive(Clone, Copy, Debug)]
pub enum Piece<'a> {
    /// These bytes.
    Bytes(&'a [u8]),
    /// This many zero bytes (never written).
    Zeros(usize),
}

impl Piece<'_> {
    /// Number of bytes.
    pub fn len(&self) -> usize {
        match self {
            Piece::Bytes(b) => b.len(),
            Piece::Zeros(n) => *n,
        }
    }

    /// True when the piece holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The stored pages of a region, by page index.
#[cfg(not(feature = "loom"))]
type Pages = std::collections::BTreeMap<usize, Box<[u8]>>;

/// A fixed-length region of bytes shared between threads.
#[derive(Debug)]
pub struct ByteCells {
    /// The pages ever written; the rest are zero.
    #[cfg(not(feature = "loom"))]
    bytes: super::book::SpinLock<Pages>,
    #[cfg(feature = "loom")]
    bytes: Vec<AtomicU8>,
    len: usize,
}

/// The pages `[offset, offset + len)` spans, each as (page index, start within the
/// page, length): in address order.
#[cfg(not(feature = "loom"))]
fn spans(offset: usize, len: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    let end = offset + len;
    let first = offset / PAGE;
    let last = if len == 0 {
        first
    } else {
        (end - 1) / PAGE + 1
    };
    (first..last).map(move |p| {
        let lo = offset.max(p * PAGE);
        let hi = end.min((p + 1) * PAGE);
        (p, lo - p * PAGE, hi - lo)
    })
}

impl ByteCells {
    /// A zero-filled region of `len` bytes.
    pub fn zeroed(len: usize) -> Self {
        #[cfg(not(feature = "loom"))]
        let bytes = super::book::SpinLock::new(Pages::new());
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

    /// The stored pages (a panic elsewhere never leaves them half-copied: the lock has
    /// no poisoning).
    #[cfg(not(feature = "loom"))]
    fn pages(&self) -> super::book::SpinGuard<'_, Pages> {
        self.bytes.lock()
    }

    /// Copies `out.len()` bytes starting at `offset` into `out`.
    ///
    /// The caller guarantees `offset + out.len() <= len()`; buffers check indexes first.
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        #[cfg(not(feature = "loom"))]
        {
            let pages = self.pages();
            let mut at = 0;
            for (p, start, n) in spans(offset, out.len()) {
                let dst = &mut out[at..at + n];
                match pages.get(&p) {
                    Some(page) => dst.copy_from_slice(&page[start..start + n]),
                    None => dst.fill(0),
                }
                at += n;
            }
        }
        #[cfg(feature = "loom")]
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.bytes[offset + i].load(Ordering::Relaxed);
        }
    }

    /// Runs `f` on the `len` bytes starting at `offset`, in order, piece by piece (with
    /// each piece's position from `offset`) until `f` breaks: in place under `std` and
    /// `shuttle` (the region's lock held, so `f` must not touch this region), one copy
    /// under loom. Adjacent never-written pages come as one [`Piece::Zeros`].
    ///
    /// The caller guarantees `offset + len <= len()`.
    pub fn inspect<B>(
        &self,
        offset: usize,
        len: usize,
        mut f: impl FnMut(usize, Piece<'_>) -> ControlFlow<B>,
    ) -> Option<B> {
        #[cfg(not(feature = "loom"))]
        {
            let pages = self.pages();
            let (mut at, mut zeros) = (0, 0);
            for (p, start, n) in spans(offset, len) {
                match pages.get(&p) {
                    None => zeros += n,
                    Some(page) => {
                        if zeros > 0 {
                            if let ControlFlow::Break(b) = f(at, Piece::Zeros(zeros)) {
                                return Some(b);
                            }
                            at += zeros;
                            zeros = 0;
                        }
                        if let ControlFlow::Break(b) = f(at, Piece::Bytes(&page[start..start + n]))
                        {
                            return Some(b);
                        }
                        at += n;
                    }
                }
            }
            if zeros > 0 {
                if let ControlFlow::Break(b) = f(at, Piece::Zeros(zeros)) {
                    return Some(b);
                }
            }
            None
        }
        #[cfg(feature = "loom")]
        {
            let mut copy = vec![0; len];
            self.read(offset, &mut copy);
            match f(0, Piece::Bytes(&copy)) {
                ControlFlow::Break(b) => Some(b),
                ControlFlow::Continue(()) => None,
            }
        }
    }

    /// Copies `data` into the region starting at `offset`.
    ///
    /// The caller guarantees `offset + data.len() <= len()`.
    pub fn write(&self, offset: usize, data: &[u8]) {
        #[cfg(not(feature = "loom"))]
        {
            let mut pages = self.pages();
            let mut at = 0;
            for (p, start, n) in spans(offset, data.len()) {
                let page = pages
                    .entry(p)
                    .or_insert_with(|| vec![0; PAGE].into_boxed_slice());
                page[start..start + n].copy_from_slice(&data[at..at + n]);
                at += n;
            }
        }
        #[cfg(feature = "loom")]
        for (i, b) in data.iter().enumerate() {
            self.bytes[offset + i].store(*b, Ordering::Relaxed);
        }
    }

    /// Fills `len` bytes starting at `offset` with `value`.
    pub fn fill(&self, offset: usize, len: usize, value: u8) {
        #[cfg(not(feature = "loom"))]
        {
            let mut pages = self.pages();
            for (p, start, n) in spans(offset, len) {
                if value == 0 && n == PAGE {
                    // A whole page of zeros needs no storage.
                    pages.remove(&p);
                    continue;
                }
                let page = match pages.get_mut(&p) {
                    Some(page) => page,
                    // Zeros on a never-written page are already there.
                    None if value == 0 => continue,
                    None => pages
                        .entry(p)
                        .or_insert_with(|| vec![0; PAGE].into_boxed_slice()),
                };
                page[start..start + n].fill(value);
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
    use super::{ByteCells, Piece, PAGE};
    use std::ops::ControlFlow;

    /// Every byte of `[offset, offset + len)` as `inspect` lends it, with the pieces'
    /// kinds (`true`: zeros) and positions.
    fn inspected(cells: &ByteCells, offset: usize, len: usize) -> (Vec<u8>, Vec<(usize, bool)>) {
        let (mut bytes, mut pieces) = (Vec::new(), Vec::new());
        let none: Option<()> = cells.inspect(offset, len, |at, piece| {
            assert_eq!(at, bytes.len());
            pieces.push((at, matches!(piece, Piece::Zeros(_))));
            match piece {
                Piece::Bytes(b) => bytes.extend_from_slice(b),
                Piece::Zeros(n) => bytes.resize(bytes.len() + n, 0),
            }
            ControlFlow::Continue(())
        });
        assert!(none.is_none());
        (bytes, pieces)
    }

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
        assert_eq!(inspected(&cells, 38, 8).0, [0, 0, 7, 7, 7, 7, 0, 0]);
        cells.fill(11, 30, 0);
        cells.read(8, &mut out);
        assert_eq!(out, [0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(inspected(&cells, 60, 4).0, [0; 4]);
    }

    #[test]
    fn only_written_pages_are_lent_as_bytes_across_page_ends() {
        let cells = ByteCells::zeroed(5 * PAGE);
        cells.write(2 * PAGE - 2, &[1, 2, 3, 4]);
        cells.fill(4 * PAGE + 1, 2, 9);
        let (bytes, pieces) = inspected(&cells, 1, 5 * PAGE - 1);
        let mut want = vec![0u8; 5 * PAGE];
        want[2 * PAGE - 2..2 * PAGE + 2].copy_from_slice(&[1, 2, 3, 4]);
        want[4 * PAGE + 1..4 * PAGE + 3].fill(9);
        assert_eq!(bytes, want[1..]);
        // Page 0 zeros, pages 1 and 2 bytes, page 3 zeros, page 4 bytes.
        let at = |p: usize| p * PAGE - 1;
        assert_eq!(
            pieces,
            [
                (0, true),
                (at(1), false),
                (at(2), false),
                (at(3), true),
                (at(4), false)
            ]
        );
        let mut out = vec![7u8; 6];
        cells.read(2 * PAGE - 3, &mut out);
        assert_eq!(out, [0, 1, 2, 3, 4, 0]);
        // A zero fill of a whole page drops it; `inspect` stops at the first break.
        cells.fill(PAGE, 2 * PAGE, 0);
        assert_eq!(inspected(&cells, 0, 4 * PAGE).1, [(0, true)]);
        let first = cells.inspect(0, 5 * PAGE, |at, piece| match piece {
            Piece::Bytes(b) => ControlFlow::Break((at, b[1])),
            Piece::Zeros(_) => ControlFlow::Continue(()),
        });
        assert_eq!(first, Some((4 * PAGE, 9)));
    }
}
