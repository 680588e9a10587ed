//! Tiny/small/normal size classes of Netty ≤4.1.51 (netty.md §2.2; 4.1.48
//! PoolArena.java:151–173 `tinyIdx`/`smallIdx`/`isTiny`, :337–381 `normalizeCapacity`).
//!
//! Class indexes: 0..32 are the tiny pools (`tinyIdx` = size/16, so index 0 is the
//! size-0 class), then `pageShifts − 9` small pools (512 B … page/2), then the normal
//! classes page … chunk in powers of two. The run allocator's page table of the
//! jemalloc scheme stays in place: it is internal to the run chunk and independent of
//! the request classes.

use super::geometry::PoolGeometry;
use super::size_classes::{SizeClassRow, SizeClasses};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::profile::SizeClassScheme;

/// Number of tiny pools (`numTinySubpagePools` = 512 >>> 4).
pub const NUM_TINY_SUBPAGE_POOLS: usize = 512 >> 4;

/// Requests below this are tiny (`isTiny`: `(normCapacity & 0xFFFFFE00) == 0`).
pub const TINY_LIMIT: usize = 512;

/// A row whose `2^log2Group + nDelta·2^log2Delta` is the class size (16-byte deltas;
/// size 0 has no such form and reads as 1).
fn row(index: usize, size: usize, is_subpage: bool, is_multi_page_size: bool) -> SizeClassRow {
    let log2_group = size.checked_ilog2().unwrap_or(0);
    SizeClassRow {
        index,
        log2_group,
        log2_delta: 4,
        n_delta: (size.saturating_sub(1 << log2_group) >> 4) as u32,
        is_multi_page_size,
        is_subpage,
        log2_delta_lookup: None,
        size,
    }
}

impl SizeClasses {
    /// The ≤4.1.51 table for a validated geometry and an alignment.
    pub fn legacy(geometry: &PoolGeometry, alignment: usize) -> Self {
        // The jemalloc table underneath is built unaligned: 4.1.48 accepts an alignment
        // up to the chunk (its page is not rounded up, #11106), where aligned jemalloc
        // classes would not reach a valid table.
        let mut sc = SizeClasses::new(geometry, 0);
        let page = geometry.page_size;
        let n_small = geometry.page_shifts as usize - 9;
        let mut rows: Vec<SizeClassRow> = (0..NUM_TINY_SUBPAGE_POOLS)
            .map(|i| row(i, i << 4, true, false))
            .collect();
        for k in 0..n_small {
            rows.push(row(rows.len(), TINY_LIMIT << k, true, false));
        }
        let mut size = page;
        while size <= geometry.chunk_size {
            rows.push(row(rows.len(), size, false, true));
            size <<= 1;
        }
        sc.set_legacy_rows(rows, NUM_TINY_SUBPAGE_POOLS + n_small, alignment);
        sc
    }

    /// `normalizeCapacity` (4.1.48 PoolArena.java:337–374): from the chunk size up kept
    /// as is (aligned); from 512 the next power of two; below, the alignment or the
    /// next multiple of 16. Size 0 stays 0.
    pub(super) fn legacy_normalize(&self, req: usize) -> usize {
        let align = |size: usize| match self.alignment() {
            0 => size,
            a => size.div_ceil(a) * a,
        };
        if req >= self.chunk_size() {
            align(req)
        } else if req >= TINY_LIMIT {
            req.next_power_of_two()
        } else if self.alignment() > 0 {
            align(req)
        } else {
            req.div_ceil(16) * 16
        }
    }

    /// The class index of a request: `tinyIdx`, the small pools after the tiny ones
    /// (`smallIdx`), then the normal classes; `n_sizes()` above the chunk (huge).
    pub(super) fn legacy_size2size_idx(&self, req: usize) -> usize {
        let norm = self.legacy_normalize(req);
        if norm > self.chunk_size() {
            return self.n_sizes();
        }
        if norm < TINY_LIMIT {
            return norm >> 4;
        }
        let n_subpages = self.n_subpages();
        if norm < self.page_size() {
            // smallIdx: the bit length of normCapacity >>> 10.
            let small = (usize::BITS - (norm >> 10).leading_zeros()) as usize;
            return NUM_TINY_SUBPAGE_POOLS + small;
        }
        n_subpages + (norm.ilog2() - self.page_shifts()) as usize
    }

    /// `"tiny"` or `"small"` for a subpage class index (the table names normal classes
    /// itself).
    pub(super) fn legacy_kind_name(&self, size_idx: usize) -> &'static str {
        if size_idx < NUM_TINY_SUBPAGE_POOLS {
            "tiny"
        } else {
            "small"
        }
    }

    /// The element size of a new subpage for a request of `req` bytes in subpage class
    /// `size_idx`, and the size a pooled subpage of that class is asserted to have: the
    /// class size (4.1.128 `sizeIdx2size`); under the legacy scheme the request's
    /// `normCapacity` (4.1.48 PoolChunk.java:358–361 `init(head, normCapacity)`,
    /// PoolArena.java:206), which differs from the class size only with an alignment
    /// below 16, where a tiny pool's first request fixes its element size.
    pub fn subpage_elem_size(&self, size_idx: usize, req: usize) -> Option<usize> {
        match self.scheme() {
            SizeClassScheme::Legacy => Some(self.legacy_normalize(req)),
            _ => self.size_idx2size(size_idx),
        }
    }

    /// `PoolSubpage.init`'s bitmap fill: 4.1.48 sizes the bitmap for 16-byte elements
    /// (`new long[pageSize >>> 10]`, PoolSubpage.java:55), and the `bitmapLength` words
    /// of smaller elements write past it (:59–71). 4.1.128 sizes it for the smallest
    /// class and never gets here.
    pub fn check_subpage_bitmap(&self, run_size: usize, elem: usize) -> JavaResult<()> {
        let words = (run_size.checked_div(elem).unwrap_or(0)).div_ceil(64);
        let capacity = self.page_size() >> 10;
        if self.scheme() == SizeClassScheme::Legacy && words > capacity {
            return Err(JavaException::new(
                JavaClass::ArrayIndexOutOfBounds,
                format!("Index {capacity} out of bounds for length {capacity}"),
            ));
        }
        Ok(())
    }

    /// True for the tiny classes of the legacy scheme (always false for jemalloc-4).
    pub fn is_tiny_idx(&self, size_idx: usize) -> bool {
        size_idx < self.n_tiny()
    }

    /// The number of tiny classes: `numTinySubpagePools` (32) under the legacy scheme,
    /// 0 under jemalloc-4. The tiny classes are the first `n_tiny()` indexes.
    pub fn n_tiny(&self) -> usize {
        match self.scheme() {
            SizeClassScheme::Legacy => NUM_TINY_SUBPAGE_POOLS,
            SizeClassScheme::Jemalloc4 => 0,
        }
    }

    /// `PoolArena.isTiny(normCapacity)` of a subpage buffer's normalized capacity
    /// (4.1.48 PoolArena.java:171–173): below 512, and only under the legacy scheme.
    pub fn is_tiny_size(&self, norm_capacity: usize) -> bool {
        self.scheme() == SizeClassScheme::Legacy && norm_capacity < TINY_LIMIT
    }
}
