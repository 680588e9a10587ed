//! What the program last wrote to a buffer, byte by byte: the expectation
//! [`bytes_as_written`](super::bytes_as_written) compares memory with.
//!
//! The first bytes are stored as two parallel arrays, the values and a mask (`0xff`
//! where a value is expected, `0` where any value is acceptable, the value then kept
//! at 0), so comparing them with memory is `(value ^ actual) & mask` over plain bytes:
//! one pass the compiler vectorizes. Every byte past the stored ones has one
//! expectation, the tail (`None` for a pooled buffer's unwritten bytes, `Some(0)` for
//! an unpooled buffer's zeros), so a large buffer costs what was written to it.

use crate::sync::Piece;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// Expected bytes of a buffer (`None` where any value is acceptable).
#[derive(Clone, Debug, Default)]
pub struct ExpectedBytes {
    values: Vec<u8>,
    mask: Vec<u8>,
    /// What every byte from `values.len()` to `len` is expected to be.
    tail: Option<u8>,
    len: usize,
}

/// The OR of `f` over `items`: branch-free, so the compiler vectorizes it and coverage
/// instrumentation sees no per-byte comparison.
#[inline]
fn fold_or<T>(items: impl Iterator<Item = T>, f: impl Fn(T) -> u8) -> u8 {
    items.fold(0, |acc, x| acc | f(x))
}

/// The first `i < n` with `flag(i) != 0`, searched only in the 256-byte block whose
/// `block` (the OR of `flag` over the block) is nonzero.
#[inline]
fn first_flagged(
    n: usize,
    block: impl Fn(Range<usize>) -> u8,
    flag: impl Fn(usize) -> u8,
) -> Option<usize> {
    const BLOCK: usize = 256;
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        if block(start..end) != 0 {
            return (start..end).find(|&i| flag(i) != 0);
        }
        start = end;
    }
    None
}

/// The mask byte of an expectation.
#[inline]
fn mask_of(b: Option<u8>) -> u8 {
    if b.is_some() {
        0xff
    } else {
        0
    }
}

/// Sets `v[at..at + src.len()]` to `src`, growing `v` where it ends (`at <= v.len()`):
/// bytes past the old end are written once, not zero-filled first.
#[inline]
fn put(v: &mut Vec<u8>, at: usize, src: &[u8]) {
    let inside = v.len().saturating_sub(at).min(src.len());
    v[at..at + inside].copy_from_slice(&src[..inside]);
    v.extend_from_slice(&src[inside..]);
}

/// Sets `v[at..at + n]` to `b`, growing `v` where it ends (`at <= v.len()`).
#[inline]
fn put_fill(v: &mut Vec<u8>, at: usize, n: usize, b: u8) {
    let inside = v.len().saturating_sub(at).min(n);
    v[at..at + inside].fill(b);
    v.resize(v.len().max(at + n), b);
}

impl ExpectedBytes {
    /// `len` bytes, each expected to be `fill` (`None`: anything).
    #[inline]
    pub fn filled(len: usize, fill: Option<u8>) -> Self {
        ExpectedBytes {
            values: Vec::new(),
            mask: Vec::new(),
            tail: fill,
            len,
        }
    }

    /// Number of bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many of the first bytes a comparison has to read: past them any value is
    /// acceptable.
    #[inline]
    pub fn checked_len(&self) -> usize {
        match self.tail {
            Some(_) => self.len,
            None => self.values.len(),
        }
    }

    /// The expectation for byte `i` (`None`: anything, or `i` past the end).
    #[inline]
    pub fn get(&self, i: usize) -> Option<u8> {
        if i >= self.len {
            return None;
        }
        match self.mask.get(i) {
            Some(&m) => (m != 0).then(|| self.values[i]),
            None => self.tail,
        }
    }

    /// Stores the first `end` bytes (at most `len`) explicitly.
    #[inline]
    fn store_to(&mut self, end: usize) {
        let end = end.min(self.len);
        if self.values.len() < end {
            self.values.resize(end, self.tail.unwrap_or(0));
            self.mask.resize(end, mask_of(self.tail));
        }
    }

    /// Sets the expectation for byte `i`; past the end nothing happens.
    #[inline]
    pub fn set(&mut self, i: usize, b: Option<u8>) {
        if i < self.len {
            self.store_to(i + 1);
            self.values[i] = b.unwrap_or(0);
            self.mask[i] = mask_of(b);
        }
    }

    /// Expects `data` from `at` on (`kept`), or anything there (`!kept`: the memory does
    /// not keep what is written); what lies past the end is ignored.
    #[inline]
    pub fn write(&mut self, at: usize, data: &[u8], kept: bool) {
        let end = (at + data.len()).min(self.len);
        if at >= end || (!kept && self.tail.is_none() && at >= self.values.len()) {
            return;
        }
        self.store_to(at);
        if kept {
            put(&mut self.values, at, &data[..end - at]);
        } else {
            put_fill(&mut self.values, at, end - at, 0);
        }
        put_fill(&mut self.mask, at, end - at, mask_of(kept.then_some(0)));
    }

    /// Shortens to `len` bytes (no effect when already shorter).
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        self.values.truncate(len);
        self.mask.truncate(len);
    }

    /// Grows (with `fill`) or shortens to `len` bytes.
    #[inline]
    pub fn resize(&mut self, len: usize, fill: Option<u8>) {
        if len <= self.len {
            return self.truncate(len);
        }
        if fill != self.tail {
            self.store_to(self.len);
            self.tail = fill;
        }
        self.len = len;
    }

    /// `len` bytes from `start`; bytes past the end are `None`.
    #[inline]
    pub fn window(&self, start: usize, len: usize) -> Self {
        let mut out = Self::filled(len, None);
        let stored = self.values.len();
        let (lo, hi) = (start.min(stored), (start + len).min(stored));
        out.values.extend_from_slice(&self.values[lo..hi]);
        out.mask.extend_from_slice(&self.mask[lo..hi]);
        let (covered, end) = (start + (hi - lo), (start + len).min(self.len));
        if covered < end && self.tail.is_some() {
            // Bytes of this tail, then (past this end) anything.
            if end == start + len {
                out.tail = self.tail;
            } else {
                out.values.resize(end - start, self.tail.unwrap_or(0));
                out.mask.resize(end - start, mask_of(self.tail));
            }
        }
        out
    }

    /// Overwrites bytes from `at` with `from`'s expectations (what fits).
    #[inline]
    pub fn overwrite(&mut self, at: usize, from: &ExpectedBytes) {
        let n = from.len.min(self.len.saturating_sub(at));
        if n == 0 {
            return;
        }
        self.store_to(at);
        let stored = from.values.len().min(n);
        put(&mut self.values, at, &from.values[..stored]);
        put(&mut self.mask, at, &from.mask[..stored]);
        put_fill(
            &mut self.values,
            at + stored,
            n - stored,
            from.tail.unwrap_or(0),
        );
        put_fill(&mut self.mask, at + stored, n - stored, mask_of(from.tail));
    }

    /// The index of the first byte of `actual` that differs from an expected value
    /// (compared over the shorter of the two).
    #[inline]
    pub fn first_difference(&self, actual: &[u8]) -> Option<usize> {
        self.first_difference_at(0, Piece::Bytes(actual))
    }

    /// [`first_difference`](Self::first_difference) for the bytes from `at` on that
    /// `piece` holds (what lies past the end is not compared): the difference's index
    /// counted from 0.
    #[inline]
    pub fn first_difference_at(&self, at: usize, piece: Piece<'_>) -> Option<usize> {
        let end = (at + piece.len()).min(self.len);
        if at >= end {
            return None;
        }
        let stored = self.values.len().clamp(at, end);
        // Empty when `at` lies past the stored bytes.
        let values = self.values.get(at..stored).unwrap_or_default();
        let mask = self.mask.get(at..stored).unwrap_or_default();
        let found = match piece {
            Piece::Bytes(actual) => {
                let actual = &actual[..stored - at];
                // Bytes equal to the stored values differ from no expectation, whatever
                // the mask: one `memcmp` clears most blocks without reading the mask.
                first_flagged(
                    values.len(),
                    |r| {
                        if values[r.clone()] == actual[r.clone()] {
                            return 0;
                        }
                        fold_or(
                            values[r.clone()]
                                .iter()
                                .zip(&mask[r.clone()])
                                .zip(&actual[r]),
                            |((v, m), a)| (v ^ a) & m,
                        )
                    },
                    |i| (values[i] ^ actual[i]) & mask[i],
                )
            }
            // Zero bytes differ where a nonzero value is expected.
            Piece::Zeros(_) => first_flagged(
                values.len(),
                |r| fold_or(values[r.clone()].iter().zip(&mask[r]), |(v, m)| v & m),
                |i| values[i] & mask[i],
            ),
        };
        if let Some(i) = found {
            return Some(at + i);
        }
        let t = self.tail?;
        match piece {
            Piece::Bytes(actual) => {
                let rest = &actual[stored - at..end - at];
                first_flagged(
                    rest.len(),
                    |r| fold_or(rest[r].iter(), |a| a ^ t),
                    |i| rest[i] ^ t,
                )
                .map(|i| stored + i)
            }
            Piece::Zeros(_) => (t != 0 && stored < end).then_some(stored),
        }
    }

    /// The expectation of every byte past the stored ones (that of the last byte) and
    /// the stored bytes without those at the end that only repeat it: equal
    /// expectations have equal canonical forms.
    #[inline]
    fn canonical(&self) -> (usize, Option<u8>, &[u8], &[u8]) {
        let tail = self.len.checked_sub(1).and_then(|last| self.get(last));
        let (tv, tm) = (tail.unwrap_or(0), mask_of(tail));
        let mut n = self.values.len();
        while n > 0 && self.values[n - 1] == tv && self.mask[n - 1] == tm {
            n -= 1;
        }
        (self.len, tail, &self.values[..n], &self.mask[..n])
    }
}

impl PartialEq for ExpectedBytes {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for ExpectedBytes {}

impl Hash for ExpectedBytes {
    #[inline]
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.canonical().hash(h);
    }
}

impl From<&[Option<u8>]> for ExpectedBytes {
    #[inline]
    fn from(bytes: &[Option<u8>]) -> Self {
        ExpectedBytes {
            values: bytes.iter().map(|b| b.unwrap_or(0)).collect(),
            mask: bytes.iter().map(|b| mask_of(*b)).collect(),
            tail: None,
            len: bytes.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExpectedBytes;

    #[test]
    fn unknown_bytes_match_anything_known_ones_only_their_value() {
        let e = ExpectedBytes::from(&[Some(1), None, Some(3)][..]);
        assert_eq!(e.first_difference(&[1, 200, 3]), None);
        assert_eq!(e.first_difference(&[1, 200, 4]), Some(2));
        assert_eq!(e.get(1), None);
        assert_eq!(e.get(2), Some(3));
        assert_eq!(e.get(9), None);
    }

    #[test]
    fn the_first_difference_is_found_past_the_first_block() {
        let mut e = ExpectedBytes::filled(1000, Some(7));
        let mut actual = vec![7u8; 1000];
        assert_eq!(e.first_difference(&actual), None);
        actual[700] = 8;
        actual[900] = 9;
        assert_eq!(e.first_difference(&actual), Some(700));
        e.set(700, None);
        assert_eq!(e.first_difference(&actual), Some(900));
    }

    #[test]
    fn setting_a_byte_unknown_equals_an_unknown_byte() {
        // Equality (and hashing, for fingerprints) sees expectations, not stale values.
        let mut a = ExpectedBytes::filled(2, Some(5));
        a.set(0, None);
        let b = ExpectedBytes::from(&[None, Some(5)][..]);
        assert_eq!(a, b);
    }

    #[test]
    fn windows_overwrites_and_resizes_keep_positions() {
        let mut e = ExpectedBytes::from(&[Some(1), Some(2), Some(3)][..]);
        let w = e.window(1, 4);
        assert_eq!(
            (0..4).map(|i| w.get(i)).collect::<Vec<_>>(),
            [Some(2), Some(3), None, None]
        );
        e.resize(5, Some(0));
        e.overwrite(3, &w);
        assert_eq!(
            (0..5).map(|i| e.get(i)).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3), Some(2), Some(3)]
        );
        e.write(4, &[9, 9], true);
        assert_eq!(e.get(4), Some(9));
        e.write(0, &[8], false);
        assert_eq!(e.get(0), None);
        e.truncate(1);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn pieces_of_zeros_compare_like_the_zero_bytes_they_stand_for() {
        use crate::sync::Piece;
        // Stored expectations 0, 5, anything, then a tail of zeros, 600 bytes in all.
        let mut e = ExpectedBytes::filled(600, Some(0));
        e.write(300, &[0, 5], true);
        e.set(302, None);
        for (at, n) in [
            (0, 600),
            (250, 50),
            (250, 51),
            (301, 10),
            (303, 400),
            (0, 9),
        ] {
            let bytes = vec![0u8; n];
            assert_eq!(
                e.first_difference_at(at, Piece::Zeros(n)),
                e.first_difference_at(at, Piece::Bytes(&bytes)),
                "{at} {n}"
            );
        }
        assert_eq!(e.first_difference_at(0, Piece::Zeros(600)), Some(301));
        assert_eq!(e.first_difference_at(302, Piece::Zeros(9)), None);
        assert_eq!(e.first_difference_at(700, Piece::Zeros(9)), None);
        // A tail of sevens differs from zeros at its first byte, even past the stored ones.
        let mut sevens = ExpectedBytes::filled(1000, Some(7));
        sevens.set(0, None);
        assert_eq!(sevens.first_difference_at(0, Piece::Zeros(1000)), Some(1));
        assert_eq!(sevens.first_difference_at(500, Piece::Zeros(3)), Some(500));
        let mut actual = vec![7u8; 400];
        actual[399] = 0;
        assert_eq!(
            sevens.first_difference_at(600, Piece::Bytes(&actual)),
            Some(999)
        );
    }

    #[test]
    fn the_tail_stands_for_every_byte_past_the_stored_ones() {
        let mut zeros = ExpectedBytes::filled(8, Some(0));
        assert_eq!(zeros.checked_len(), 8);
        assert_eq!(zeros.first_difference(&[0, 0, 0, 0, 0, 0, 5, 0]), Some(6));
        zeros.write(1, &[4], true);
        assert_eq!(zeros.first_difference(&[0, 4, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(zeros.first_difference(&[0, 4, 0, 1, 0, 0, 0, 0]), Some(3));
        let mut any = ExpectedBytes::filled(1 << 20, None);
        any.write(2, &[1, 2], true);
        assert_eq!(any.checked_len(), 4);
        assert_eq!(any.first_difference(&[9, 9, 1, 2]), None);
        assert_eq!(any.first_difference(&[9, 9, 1, 3]), Some(3));
        // A window past a tail of zeros keeps them, then anything.
        let w = zeros.window(6, 4);
        assert_eq!(
            (0..4).map(|i| w.get(i)).collect::<Vec<_>>(),
            [Some(0), Some(0), None, None]
        );
        // Growing with a different fill stores the old tail first.
        zeros.resize(10, None);
        assert_eq!(zeros.get(7), Some(0));
        assert_eq!(zeros.get(8), None);
        // Equal expectations are equal however much of them is stored.
        let mut a = ExpectedBytes::filled(4, Some(0));
        a.set(3, Some(0));
        assert_eq!(a, ExpectedBytes::filled(4, Some(0)));
        assert_ne!(a, ExpectedBytes::filled(4, None));
    }

    #[test]
    fn edits_and_comparisons_agree_with_a_byte_by_byte_reference() {
        use crate::sync::Piece;
        // A per-byte reference (`None`: anything), edited and compared alongside; a
        // xorshift drives lengths, offsets and differences (crossing words and blocks).
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let len = 1 + next(700);
            let fill = [None, Some(0), Some(7)][next(3)];
            let mut e = ExpectedBytes::filled(len, fill);
            let mut r = vec![fill; len];
            for _ in 0..6 {
                let at = next(len + 8);
                let data: Vec<u8> = (0..next(300)).map(|_| next(256) as u8).collect();
                match next(3) {
                    0 | 1 => {
                        let kept = next(4) != 0;
                        e.write(at, &data, kept);
                        for (i, b) in data.iter().enumerate().filter(|(i, _)| at + i < len) {
                            r[at + i] = kept.then_some(*b);
                        }
                    }
                    _ => {
                        let from = ExpectedBytes::from(
                            &data
                                .iter()
                                .map(|b| (b % 3 != 0).then_some(*b))
                                .collect::<Vec<_>>()[..],
                        );
                        e.overwrite(at, &from);
                        for i in (0..from.len()).filter(|i| at + i < len) {
                            r[at + i] = from.get(i);
                        }
                    }
                }
            }
            assert_eq!((0..len).map(|i| e.get(i)).collect::<Vec<_>>(), r);
            let mut actual: Vec<u8> = r.iter().map(|b| b.unwrap_or(0)).collect();
            for _ in 0..3 {
                let i = next(len);
                actual[i] = actual[i].wrapping_add(1 + next(255) as u8);
                let first = (0..len).find(|&i| r[i].is_some_and(|b| b != actual[i]));
                assert_eq!(e.first_difference(&actual), first);
                let at = next(len);
                let zeros = (at..len).find(|&i| r[i].is_some_and(|b| b != 0));
                assert_eq!(e.first_difference_at(at, Piece::Zeros(len - at)), zeros);
            }
        }
    }
}
