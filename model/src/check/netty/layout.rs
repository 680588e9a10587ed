//! Handle bits, subpage bitmaps, element offsets and subpage run sizes.

/// `PoolChunk.runOffset(handle)`: bits 63–49 (PoolChunk.java:685–686, shifts :137–145:
/// bitmapIdx 32 bits, isSubpage 1, isUsed 1, size 15, runOffset above).
pub fn handle_run_offset(handle: u64) -> u32 {
    (handle >> 49) as u32
}

/// `PoolChunk.runPages(handle)`: bits 48–34 (PoolChunk.java:693–694).
pub fn handle_run_pages(handle: u64) -> u32 {
    ((handle >> 34) & 0x7fff) as u32
}

/// `PoolChunk.isSubpage(handle)`: bit 32 (PoolChunk.java:705–706).
pub fn handle_is_subpage(handle: u64) -> bool {
    (handle >> 32) & 1 == 1
}

/// `PoolChunk.bitmapIdx(handle)`: the low 32 bits (PoolChunk.java:709–710).
pub fn handle_bitmap_idx(handle: u64) -> u32 {
    handle as u32
}

/// Whether element `idx` is in use: `bitmap[idx >>> 6] >>> (idx & 63) & 1`
/// (PoolSubpage.java:104–105, 121–122); bits past the bitmap are clear.
pub fn bit_is_set(bitmap: &[u64], idx: u32) -> bool {
    bitmap
        .get((idx >> 6) as usize)
        .is_some_and(|w| (w >> (idx & 63)) & 1 == 1)
}

/// A subpage element's byte offset in its chunk:
/// `(runOffset << pageShifts) + bitmapIdx * elemSize` (PoolChunk.java:618).
pub fn element_offset(run_offset: u32, page_shifts: u32, idx: u32, elem_size: usize) -> usize {
    ((run_offset as usize) << page_shifts) + idx as usize * elem_size
}

/// `PoolChunk.calculateRunSize` (PoolChunk.java:393–416): the smallest page multiple
/// that `elemSize` divides, stopping at `pageSize / 16` elements, then shrunk by pages
/// while it would hold more than that.
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
}
