//! An append-only list whose entries are read without a lock: model bookkeeping (never
//! a scheduling point), for registries that the hot path only reads.
//!
//! Entries live in segments of doubling size that are never moved or freed, so a
//! reader borrows an entry for as long as it borrows the list: a read is two acquire
//! loads (`OnceLock::get`), no read-modify-write. Appends take a bookkeeping lock.

use super::BookLock;
use std::sync::OnceLock;

/// Entries in the first segment; segment `k` holds `FIRST << k`.
const FIRST: usize = 16;
/// Enough segments for every index a 64-bit `usize` can name.
const SEGMENTS: usize = 61;

/// An append-only list with lock-free reads by index.
#[derive(Debug)]
pub struct Slots<T> {
    segments: [OnceLock<Box<[OnceLock<T>]>>; SEGMENTS],
    len: BookLock<usize>,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots {
            segments: std::array::from_fn(|_| OnceLock::new()),
            len: BookLock::new(0),
        }
    }
}

/// The segment and the offset in it of entry `index`.
fn locate(index: usize) -> (usize, usize) {
    let n = index / FIRST + 1;
    let segment = (usize::BITS - 1 - n.leading_zeros()) as usize;
    (segment, index - FIRST * ((1 << segment) - 1))
}

impl<T> Slots<T> {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `value`; returns its index.
    pub fn publish(&self, value: T) -> usize {
        let mut len = self.len.lock();
        let index = *len;
        let (segment, offset) = locate(index);
        let entries = self.segments[segment]
            .get_or_init(|| (0..FIRST << segment).map(|_| OnceLock::new()).collect());
        if entries[offset].set(value).is_err() {
            unreachable!("slot {index} is written once, under the length lock");
        }
        *len = index + 1;
        index
    }

    /// Entry `index`, if it was appended.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&T> {
        let (segment, offset) = locate(index);
        self.segments.get(segment)?.get()?.get(offset)?.get()
    }

    /// How many entries were appended.
    pub fn len(&self) -> usize {
        *self.len.lock()
    }

    /// True when nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries appended so far, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        (0..self.len()).map_while(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_tile_the_indexes() {
        let mut expected = (0, 0);
        for index in 0..10_000 {
            assert_eq!(locate(index), expected, "index {index}");
            expected.1 += 1;
            if expected.1 == FIRST << expected.0 {
                expected = (expected.0 + 1, 0);
            }
        }
        assert!(locate(usize::MAX).0 < SEGMENTS);
    }

    #[test]
    fn appended_entries_read_back_in_order() {
        let slots = Slots::new();
        assert!(slots.is_empty());
        assert_eq!(slots.get(0), None);
        for i in 0..200u32 {
            assert_eq!(slots.publish(i * 3), i as usize);
        }
        assert_eq!(slots.len(), 200);
        assert_eq!(slots.get(17), Some(&51));
        assert_eq!(slots.get(199), Some(&597));
        assert_eq!(slots.get(200), None);
        assert!(slots.iter().copied().eq((0..200).map(|i| i * 3)));
    }
}
