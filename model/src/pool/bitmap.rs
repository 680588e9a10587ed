//! A subpage's `bitmap` (`long[]` in Netty): up to [`INLINE_WORDS`] words stored in
//! place, longer ones on the heap.
//!
//! A seven-day simulation keeps about a million subpages alive; most have one or two
//! words (elements of 64 bytes or more in an 8 KiB page), so storing them in place
//! saves an allocation per subpage and a pointer chase per check.

/// Words kept in place; longer bitmaps live on the heap.
pub const INLINE_WORDS: usize = 2;

/// A fixed-length array of `u64` words, all zero at creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bitmap {
    /// `len ≤ INLINE_WORDS` words in place.
    Inline {
        /// The words (those past `len` stay zero and are never exposed).
        words: [u64; INLINE_WORDS],
        /// How many words the bitmap has.
        len: u8,
    },
    /// More than [`INLINE_WORDS`] words.
    Heap(Vec<u64>),
}

impl Bitmap {
    /// `words` zero words.
    pub fn zeroed(words: usize) -> Self {
        if words <= INLINE_WORDS {
            Bitmap::Inline {
                words: [0; INLINE_WORDS],
                len: words as u8,
            }
        } else {
            Bitmap::Heap(vec![0; words])
        }
    }

    /// The words.
    pub fn as_slice(&self) -> &[u64] {
        match self {
            Bitmap::Inline { words, len } => &words[..*len as usize],
            Bitmap::Heap(v) => v,
        }
    }

    /// The words, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [u64] {
        match self {
            Bitmap::Inline { words, len } => &mut words[..*len as usize],
            Bitmap::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_bitmaps_have_their_length_and_start_zeroed() {
        for n in [0, 1, INLINE_WORDS, INLINE_WORDS + 1, 8] {
            let mut b = Bitmap::zeroed(n);
            assert_eq!(b.as_slice().len(), n);
            assert!(b.as_slice().iter().all(|&w| w == 0));
            assert_eq!(matches!(b, Bitmap::Inline { .. }), n <= INLINE_WORDS);
            if n > 0 {
                b.as_mut_slice()[n - 1] = 5;
                assert_eq!(b.as_slice()[n - 1], 5);
            }
        }
    }
}
