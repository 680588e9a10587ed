//! Handle bits, subpage bitmaps, element offsets and subpage run sizes.

/// `PoolChunk.runOffset(handle)`: bits 63–49 (PoolChunk.java:685–686, shifts :137–145:
/// bitmapIdx 32 bits, isSubpage 1, isUsed 1, size 15, runOffset above).
#[inline]
pub fn handle_run_offset(handle: u64) -> u32 {
    (handle >> 49) as u32
}

/// `PoolChunk.runPages(handle)`: bits 48–34 (PoolChunk.java:693–694).
#[inline]
pub fn handle_run_pages(handle: u64) -> u32 {
    ((handle >> 34) & 0x7fff) as u32
}

/// `PoolChunk.isSubpage(handle)`: bit 32 (PoolChunk.java:705–706).
#[inline]
pub fn handle_is_subpage(handle: u64) -> bool {
    (handle >> 32) & 1 == 1
}

/// `PoolChunk.bitmapIdx(handle)`: the low 32 bits (PoolChunk.java:709–710).
#[inline]
pub fn handle_bitmap_idx(handle: u64) -> u32 {
    handle as u32
}

/// A pooled handle's fields, as the release that made it reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleFields {
    /// First page of the run (or of the subpage's page).
    pub run_offset: u32,
    /// Run length in pages.
    pub run_pages: u32,
    /// The handle names a subpage element.
    pub is_subpage: bool,
    /// The element's index inside its subpage.
    pub bitmap_idx: u32,
}

/// Decodes `handle`: the 4.1.128 bit layout above, or, for a buddy-tree chunk of
/// `2^max_order` pages, 4.1.48's: `memoryMapIdx = (int) handle`, `bitmapIdx =
/// (int) (handle >>> 32)` (4.1.48 PoolChunk.java:467–473), a subpage iff `bitmapIdx != 0`
/// (:379, the 0x4000000000000000 flag of PoolSubpage.toHandle keeps it non-zero), the
/// element `bitmapIdx & 0x3FFFFFFF` (:384), and node `id` at depth ⌊log2 id⌋ covering
/// `2^(maxOrder − depth)` pages from `(id ^ 1 << depth) · runLength` (:452–461).
#[inline]
pub fn handle_fields(handle: u64, buddy_max_order: Option<u32>) -> HandleFields {
    let Some(max_order) = buddy_max_order else {
        return HandleFields {
            run_offset: handle_run_offset(handle),
            run_pages: handle_run_pages(handle),
            is_subpage: handle_is_subpage(handle),
            bitmap_idx: handle_bitmap_idx(handle),
        };
    };
    let id = handle as u32;
    let bitmap = (handle >> 32) as u32;
    let (run_offset, run_pages) = if id == 0 || 31 - id.leading_zeros() > max_order {
        (u32::MAX, 0)
    } else {
        let depth = 31 - id.leading_zeros();
        let pages = 1u32 << (max_order - depth);
        ((id ^ (1 << depth)) * pages, pages)
    };
    HandleFields {
        run_offset,
        run_pages,
        is_subpage: bitmap != 0,
        bitmap_idx: bitmap & 0x3FFF_FFFF,
    }
}

/// Whether element `idx` is in use: `bitmap[idx >>> 6] >>> (idx & 63) & 1`
/// (PoolSubpage.java:104–105, 121–122); bits past the bitmap are clear.
#[inline]
pub fn bit_is_set(bitmap: &[u64], idx: u32) -> bool {
    bitmap
        .get((idx >> 6) as usize)
        .is_some_and(|w| (w >> (idx & 63)) & 1 == 1)
}

/// The indexes of the set bits of `bitmap`, ascending: exactly the `idx` for which
/// [`bit_is_set`] holds, a word at a time.
#[inline]
pub fn set_bits(bitmap: &[u64]) -> impl Iterator<Item = u32> + '_ {
    bitmap.iter().enumerate().flat_map(|(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                (w as u32) * 64 + bit
            })
        })
    })
}

/// How many of the elements `0..n` of `bitmap` are set (bits past the bitmap are clear).
#[inline]
pub fn count_set_below(bitmap: &[u64], n: u32) -> u32 {
    let full = (n >> 6) as usize;
    let whole: u32 = bitmap.iter().take(full).map(|w| w.count_ones()).sum();
    let part = match (n & 63, bitmap.get(full)) {
        (0, _) | (_, None) => 0,
        (bits, Some(w)) => (w & ((1u64 << bits) - 1)).count_ones(),
    };
    whole + part
}

/// A subpage element's byte offset in its chunk:
/// `(runOffset << pageShifts) + bitmapIdx * elemSize` (PoolChunk.java:618).
#[inline]
pub fn element_offset(run_offset: u32, page_shifts: u32, idx: u32, elem_size: usize) -> usize {
    ((run_offset as usize) << page_shifts) + idx as usize * elem_size
}

/// `PoolChunk.calculateRunSize` (PoolChunk.java:393–416): the smallest page multiple
/// that `elemSize` divides, stopping at `pageSize / 16` elements, then shrunk by pages
/// while it would hold more than that.
#[inline]
pub fn subpage_run_size(page_size: usize, elem_size: usize) -> usize {
    if elem_size == 0 || page_size < 16 {
        return 0;
    }
    let max_elements = page_size / 16;
    let mut pages = 1;
    // Grow page by page until the run is an exact multiple of the element size or
    // already holds the most elements a subpage may have.
    while (pages * page_size) / elem_size < max_elements && (pages * page_size) % elem_size != 0 {
        pages += 1;
    }
    while pages > 1 && (pages * page_size) / elem_size > max_elements {
        pages -= 1;
    }
    pages * page_size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_handles_decode_as_4_1_48_reads_them() {
        // Element 5 of the subpage on page 3 of a 2048-page tree (leaf 2048 + 3).
        let h = 0x4000_0000_0000_0000u64 | (5 << 32) | 2051;
        let f = handle_fields(h, Some(11));
        assert_eq!(
            (f.run_offset, f.run_pages, f.is_subpage, f.bitmap_idx),
            (3, 1, true, 5)
        );
        // Element 0 still reads as a subpage thanks to the flag.
        assert!(handle_fields(0x4000_0000_0000_0000 | 2048, Some(11)).is_subpage);
        // Node 18 = depth 4: 128 pages from page 256.
        let f = handle_fields(18, Some(11));
        assert_eq!((f.run_offset, f.run_pages, f.is_subpage), (256, 128, false));
    }

    #[test]
    fn handle_fields_follow_the_documented_layout() {
        let h = (5u64 << 49) | (3u64 << 34) | (1u64 << 33) | (1u64 << 32) | 7;
        assert_eq!(handle_run_offset(h), 5);
        assert_eq!(handle_run_pages(h), 3);
        assert!(handle_is_subpage(h));
        assert_eq!(handle_bitmap_idx(h), 7);
    }

    #[test]
    fn run_sizes_match_netty_md_examples() {
        // netty.md §2.1 (8 KiB pages): 16 B → 1 page, 48 B → 3, 896 B → 7, 28 KiB → 7.
        for (elem, pages) in [(16, 1), (48, 3), (896, 7), (4096, 1), (8192, 1), (16384, 2)] {
            assert_eq!(subpage_run_size(8192, elem), pages * 8192, "{elem}");
        }
        assert_eq!(subpage_run_size(8192, 24576), 3 * 8192);
        assert_eq!(subpage_run_size(8192, 28672), 7 * 8192);
    }

    #[test]
    fn bits_past_the_bitmap_are_clear() {
        assert!(bit_is_set(&[0b10], 1));
        assert!(!bit_is_set(&[0b10], 0));
        assert!(!bit_is_set(&[u64::MAX], 64));
    }

    #[test]
    fn set_bits_and_counts_agree_with_bit_is_set() {
        let bitmap = [0x8000_0000_0000_0001u64, 0, 0b1010];
        let slow: Vec<u32> = (0..192).filter(|&i| bit_is_set(&bitmap, i)).collect();
        assert_eq!(set_bits(&bitmap).collect::<Vec<_>>(), slow);
        assert_eq!(slow, [0, 63, 129, 131]);
        for n in 0..=200 {
            let slow = (0..n).filter(|&i| bit_is_set(&bitmap, i)).count() as u32;
            assert_eq!(count_set_below(&bitmap, n), slow, "n = {n}");
        }
    }
}
