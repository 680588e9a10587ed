//! What the program last wrote to a buffer, byte by byte: the expectation
//! [`bytes_as_written`](super::bytes_as_written) compares memory with.
//!
//! Stored as two parallel arrays, the values and a mask (`0xff` where a value is
//! expected, `0` where any value is acceptable, the value then kept at 0), so the
//! comparison with memory is `(value ^ actual) & mask` over plain bytes: one pass the
//! compiler vectorizes, where a `[Option<u8>]` took a branch per byte.

/// Expected bytes of a buffer (`None` where any value is acceptable).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExpectedBytes {
    values: Vec<u8>,
    mask: Vec<u8>,
}

/// The mask byte of an expectation.
fn mask_of(b: Option<u8>) -> u8 {
    if b.is_some() {
        0xff
    } else {
        0
    }
}

impl ExpectedBytes {
    /// `len` bytes, each expected to be `fill` (`None`: anything).
    pub fn filled(len: usize, fill: Option<u8>) -> Self {
        ExpectedBytes {
            values: vec![fill.unwrap_or(0); len],
            mask: vec![mask_of(fill); len],
        }
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The expectation for byte `i` (`None`: anything, or `i` past the end).
    pub fn get(&self, i: usize) -> Option<u8> {
        (*self.mask.get(i)? != 0).then(|| self.values[i])
    }

    /// Sets the expectation for byte `i`; past the end nothing happens.
    pub fn set(&mut self, i: usize, b: Option<u8>) {
        if i < self.len() {
            self.values[i] = b.unwrap_or(0);
            self.mask[i] = mask_of(b);
        }
    }

    /// Expects `data` from `at` on (`kept`), or anything there (`!kept`: the memory does
    /// not keep what is written); what lies past the end is ignored.
    pub fn write(&mut self, at: usize, data: &[u8], kept: bool) {
        let end = (at + data.len()).min(self.len());
        if at >= end {
            return;
        }
        let n = end - at;
        if kept {
            self.values[at..end].copy_from_slice(&data[..n]);
        } else {
            self.values[at..end].fill(0);
        }
        self.mask[at..end].fill(mask_of(kept.then_some(0)));
    }

    /// Shortens to `len` bytes (no effect when already shorter).
    pub fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
        self.mask.truncate(len);
    }

    /// Grows (with `fill`) or shortens to `len` bytes.
    pub fn resize(&mut self, len: usize, fill: Option<u8>) {
        self.values.resize(len, fill.unwrap_or(0));
        self.mask.resize(len, mask_of(fill));
    }

    /// `len` bytes from `start`; bytes past the end are `None`.
    pub fn window(&self, start: usize, len: usize) -> Self {
        let mut out = Self::filled(len, None);
        let end = (start + len).min(self.len());
        if start < end {
            out.values[..end - start].copy_from_slice(&self.values[start..end]);
            out.mask[..end - start].copy_from_slice(&self.mask[start..end]);
        }
        out
    }

    /// Overwrites bytes from `at` with `from`'s expectations (what fits).
    pub fn overwrite(&mut self, at: usize, from: &ExpectedBytes) {
        let n = from.len().min(self.len().saturating_sub(at));
        self.values[at..at + n].copy_from_slice(&from.values[..n]);
        self.mask[at..at + n].copy_from_slice(&from.mask[..n]);
    }

    /// The index of the first byte of `actual` that differs from an expected value
    /// (compared over the shorter of the two).
    pub fn first_difference(&self, actual: &[u8]) -> Option<usize> {
        let n = self.len().min(actual.len());
        let (values, mask, actual) = (&self.values[..n], &self.mask[..n], &actual[..n]);
        // Branch-free in blocks (vectorized, and coverage instrumentation sees no
        // per-byte comparison); the first difference is searched only in the block
        // that has one.
        const BLOCK: usize = 256;
        let mut start = 0;
        while start < n {
            let end = (start + BLOCK).min(n);
            let differs = values[start..end]
                .iter()
                .zip(&mask[start..end])
                .zip(&actual[start..end])
                .fold(0u8, |acc, ((v, m), a)| acc | ((v ^ a) & m));
            if differs != 0 {
                return (start..end).find(|&i| (values[i] ^ actual[i]) & mask[i] != 0);
            }
            start = end;
        }
        None
    }
}

impl From<&[Option<u8>]> for ExpectedBytes {
    fn from(bytes: &[Option<u8>]) -> Self {
        ExpectedBytes {
            values: bytes.iter().map(|b| b.unwrap_or(0)).collect(),
            mask: bytes.iter().map(|b| mask_of(*b)).collect(),
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
}
