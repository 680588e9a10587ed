//! jemalloc-4 size classes (Netty 4.1.52+, `SizeClasses`; netty.md §2.1).
//!
//! `size = 2^log2Group + nDelta·2^log2Delta`, four classes per doubling, a 16-byte
//! quantum and a lookup table for sizes up to 4096 bytes. Everything here is computed
//! exactly as Netty computes it (including its quirks under `directMemoryCacheAlignment`).

use super::geometry::PoolGeometry;
use crate::profile::SizeClassScheme;
use serde::{Deserialize, Serialize};

/// log2 of the smallest size class (16 bytes).
pub const LOG2_QUANTUM: u32 = 4;
/// log2 of the number of classes per size doubling.
pub const LOG2_SIZE_CLASS_GROUP: u32 = 2;
/// log2 of the largest size served by the lookup table.
pub const LOG2_MAX_LOOKUP_SIZE: u32 = 12;

/// One row of Netty's size-class table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeClassRow {
    /// Size class index.
    pub index: usize,
    /// log2 of the group base size.
    pub log2_group: u32,
    /// log2 of the delta to the previous class.
    pub log2_delta: u32,
    /// Delta multiplier.
    pub n_delta: u32,
    /// The class is a multiple of the page size.
    pub is_multi_page_size: bool,
    /// The class is served from subpages (small).
    pub is_subpage: bool,
    /// `log2Delta` when the class is in the lookup table, else `None`.
    pub log2_delta_lookup: Option<u32>,
    /// The class size (aligned up when an alignment is set).
    pub size: usize,
}

/// Where a request is served from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeKind {
    /// A subpage element (`sizeIdx <= smallMaxSizeIdx`).
    Small,
    /// A run of pages inside a chunk.
    Normal,
    /// More than a chunk: an unpooled chunk of its own.
    Huge,
}

/// A row of the CLI's `sizes` table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeTableRow {
    /// Size class index.
    pub index: usize,
    /// Class size in bytes.
    pub size: usize,
    /// `"small"` or `"normal"`.
    pub kind: String,
    /// Pages per run (the subpage run for small classes).
    pub run_pages: usize,
    /// Elements per subpage run; `None` for whole-run (normal) classes.
    pub elements: Option<usize>,
}

/// The size-class table of one arena (Netty's `SizeClasses`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeClasses {
    scheme: SizeClassScheme,
    page_size: usize,
    page_shifts: u32,
    chunk_size: usize,
    alignment: usize,
    rows: Vec<SizeClassRow>,
    n_subpages: usize,
    n_p_sizes: usize,
    lookup_max_size: usize,
    small_max_size_idx: usize,
    page_idx_to_size: Vec<usize>,
    size_to_idx: Vec<usize>,
}

fn log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

fn align_up(size: usize, alignment: usize) -> usize {
    if alignment == 0 {
        return size;
    }
    let delta = size & (alignment - 1);
    if delta == 0 {
        size
    } else {
        size + alignment - delta
    }
}

/// SizeClasses.java 4.1.128, lines 281–313: `groupSize + modSize` of index `idx` in a
/// series whose first delta is `2^log2_base` (the quantum, or the page size).
fn group_size_compute(idx: usize, log2_base: u32) -> Option<u64> {
    let group = (idx >> LOG2_SIZE_CLASS_GROUP) as u32;
    let modulo = (idx & ((1 << LOG2_SIZE_CLASS_GROUP) - 1)) as u64;
    let group_size = if group == 0 {
        0
    } else {
        (1u64 << (log2_base + LOG2_SIZE_CLASS_GROUP - 1)).checked_shl(group)?
    };
    let shift = group.max(1);
    let log2_delta = shift + log2_base - 1;
    let mod_size = (modulo + 1).checked_shl(log2_delta)?;
    group_size.checked_add(mod_size)
}

fn new_row(
    index: usize,
    log2_group: u32,
    log2_delta: u32,
    n_delta: u32,
    page_shifts: u32,
) -> SizeClassRow {
    let raw = (1usize << log2_group) + ((n_delta as usize) << log2_delta);
    let page = 1usize << page_shifts;
    let is_multi_page_size = log2_delta >= page_shifts || raw % page == 0;
    let log2_ndelta = if n_delta == 0 {
        0
    } else {
        log2(n_delta as u64)
    };
    let mut remove = (1u32 << log2_ndelta) < n_delta;
    let log2_size = if log2_delta + log2_ndelta == log2_group {
        log2_group + 1
    } else {
        log2_group
    };
    if log2_size == log2_group {
        remove = true;
    }
    let is_subpage = log2_size < page_shifts + LOG2_SIZE_CLASS_GROUP;
    let in_lookup =
        log2_size < LOG2_MAX_LOOKUP_SIZE || (log2_size == LOG2_MAX_LOOKUP_SIZE && !remove);
    SizeClassRow {
        index,
        log2_group,
        log2_delta,
        n_delta,
        is_multi_page_size,
        is_subpage,
        log2_delta_lookup: in_lookup.then_some(log2_delta),
        size: raw,
    }
}

/// One geometry's size-class table, shared by the arenas that use it. A plain `std`
/// `Arc`: the table is immutable once built, so sharing it is no synchronization point
/// for loom or shuttle (the facade's `Arc` would add one per clone).
pub type SharedSizeClasses = std::sync::Arc<SizeClasses>;

impl SizeClasses {
    /// The table for a validated geometry and an alignment (0 for heap arenas, the
    /// geometry's alignment for direct arenas, as `PooledByteBufAllocator` does).
    pub fn new(geometry: &PoolGeometry, alignment: usize) -> Self {
        let page_shifts = geometry.page_shifts;
        let chunk_size = geometry.chunk_size;
        let mut rows = Vec::new();
        let mut size = 0usize;
        let mut log2_group = LOG2_QUANTUM;
        let mut log2_delta = LOG2_QUANTUM;
        let ndelta_limit = 1u32 << LOG2_SIZE_CLASS_GROUP;
        for n_delta in 0..ndelta_limit {
            let mut row = new_row(rows.len(), log2_group, log2_delta, n_delta, page_shifts);
            row.size = align_up(row.size, alignment);
            size = row.size;
            rows.push(row);
        }
        log2_group += LOG2_SIZE_CLASS_GROUP;
        while size < chunk_size {
            let mut n_delta = 1;
            while n_delta <= ndelta_limit && size < chunk_size {
                let mut row = new_row(rows.len(), log2_group, log2_delta, n_delta, page_shifts);
                row.size = align_up(row.size, alignment);
                size = row.size;
                rows.push(row);
                n_delta += 1;
            }
            log2_group += 1;
            log2_delta += 1;
        }
        debug_assert_eq!(size, chunk_size, "chunkSize must be normalMaxSize");

        let mut small_max_size_idx = 0;
        let mut lookup_max_size = 0;
        let mut n_subpages = 0;
        for row in &rows {
            if row.is_subpage {
                n_subpages += 1;
                small_max_size_idx = row.index;
            }
            if row.log2_delta_lookup.is_some() {
                lookup_max_size = row.size;
            }
        }
        let page_idx_to_size: Vec<usize> = rows
            .iter()
            .filter(|r| r.is_multi_page_size)
            .map(|r| r.size)
            .collect();

        // Netty's newSize2idxTab: one entry per 16-byte granule up to lookupMaxSize.
        let mut size_to_idx = vec![0usize; lookup_max_size >> LOG2_QUANTUM];
        let mut idx = 0usize;
        let mut s = 0usize;
        let mut i = 0usize;
        while s <= lookup_max_size {
            let mut times = 1usize << (rows[i].log2_delta - LOG2_QUANTUM);
            while s <= lookup_max_size && times > 0 {
                times -= 1;
                size_to_idx[idx] = i;
                idx += 1;
                s = (idx + 1) << LOG2_QUANTUM;
            }
            i += 1;
        }

        SizeClasses {
            scheme: SizeClassScheme::Jemalloc4,
            page_size: geometry.page_size,
            page_shifts,
            chunk_size,
            alignment,
            n_p_sizes: page_idx_to_size.len(),
            rows,
            n_subpages,
            lookup_max_size,
            small_max_size_idx,
            page_idx_to_size,
            size_to_idx,
        }
    }

    /// Replaces the request classes with the legacy scheme's (`size_classes_legacy`);
    /// the first `n_subpages` rows are served from subpages.
    pub(super) fn set_legacy_rows(
        &mut self,
        rows: Vec<SizeClassRow>,
        n_subpages: usize,
        alignment: usize,
    ) {
        self.scheme = SizeClassScheme::Legacy;
        self.alignment = alignment;
        self.rows = rows;
        self.n_subpages = n_subpages;
        self.small_max_size_idx = n_subpages - 1;
        self.lookup_max_size = 0;
        self.size_to_idx.clear();
    }

    /// The size-class scheme of this table.
    pub fn scheme(&self) -> SizeClassScheme {
        self.scheme
    }
    /// Page size in bytes.
    pub fn page_size(&self) -> usize {
        self.page_size
    }
    /// log2 of the page size.
    pub fn page_shifts(&self) -> u32 {
        self.page_shifts
    }
    /// Chunk size in bytes.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }
    /// `directMemoryCacheAlignment` of this table (0 = none).
    pub fn alignment(&self) -> usize {
        self.alignment
    }
    /// Number of size classes (`nSizes`).
    pub fn n_sizes(&self) -> usize {
        self.rows.len()
    }
    /// Number of small (subpage) classes (`nSubpages`).
    pub fn n_subpages(&self) -> usize {
        self.n_subpages
    }
    /// Number of page-multiple classes (`nPSizes`).
    pub fn n_p_sizes(&self) -> usize {
        self.n_p_sizes
    }
    /// Largest small size index (`smallMaxSizeIdx`).
    pub fn small_max_size_idx(&self) -> usize {
        self.small_max_size_idx
    }
    /// Largest size served by the lookup table (`lookupMaxSize`).
    pub fn lookup_max_size(&self) -> usize {
        self.lookup_max_size
    }
    /// The whole table.
    pub fn rows(&self) -> &[SizeClassRow] {
        &self.rows
    }

    /// Size of class `size_idx` before `directMemoryCacheAlignment` rounds it up
    /// (`(1 << log2Group) + (nDelta << log2Delta)`): what Netty used where it ignored the
    /// alignment (#11106, #11987 mutants); `None` past the table.
    pub fn unaligned_size(&self, size_idx: usize) -> Option<usize> {
        let r = self.rows.get(size_idx)?;
        Some((1usize << r.log2_group) + ((r.n_delta as usize) << r.log2_delta))
    }

    /// Size of class `size_idx` (`sizeIdx2size`); `None` past the table.
    pub fn size_idx2size(&self, size_idx: usize) -> Option<usize> {
        self.rows.get(size_idx).map(|r| r.size)
    }

    /// Size of page class `page_idx` (`pageIdx2size`); `None` past the table.
    pub fn page_idx2size(&self, page_idx: usize) -> Option<usize> {
        self.page_idx_to_size.get(page_idx).copied()
    }

    /// `sizeIdx2sizeCompute`: the size of class `size_idx` computed from its group and
    /// position instead of read from the table (`None` past `u64`).
    pub fn size_idx2size_compute(&self, size_idx: usize) -> Option<u64> {
        group_size_compute(size_idx, LOG2_QUANTUM)
    }

    /// `pageIdx2sizeCompute`: the size of page class `page_idx`, computed.
    pub fn page_idx2size_compute(&self, page_idx: usize) -> Option<u64> {
        group_size_compute(page_idx, self.page_shifts())
    }

    /// Class index of a request (`size2SizeIdx`): 0 for 0, `n_sizes()` for huge.
    pub fn size2size_idx(&self, size: usize) -> usize {
        if self.scheme == SizeClassScheme::Legacy {
            return self.legacy_size2size_idx(size);
        }
        if size == 0 {
            return 0;
        }
        if size > self.chunk_size {
            return self.n_sizes();
        }
        let size = align_up(size, self.alignment);
        if size <= self.lookup_max_size {
            return self.size_to_idx[(size - 1) >> LOG2_QUANTUM];
        }
        // SizeClasses.java:329–335. Here the size is above lookupMaxSize (the 4 KiB
        // class, aligned: SizeClasses.java:167–168), so x >= 13 and Netty's branches
        // for `x < LOG2_SIZE_CLASS_GROUP + LOG2_QUANTUM + 1` (= 7) are never taken.
        let x = log2(((size as u64) << 1) - 1);
        let shift = x - (LOG2_SIZE_CLASS_GROUP + LOG2_QUANTUM);
        let group = (shift as usize) << LOG2_SIZE_CLASS_GROUP;
        let log2_delta = x - LOG2_SIZE_CLASS_GROUP - 1;
        let modulo = ((size - 1) >> log2_delta) & ((1 << LOG2_SIZE_CLASS_GROUP) - 1);
        group + modulo
    }

    /// Page class index for `pages` rounded up (`pages2pageIdx`); `n_p_sizes()` when
    /// the run would exceed the chunk.
    pub fn pages2page_idx(&self, pages: usize) -> usize {
        self.pages2page_idx_compute(pages, false)
    }

    /// Page class index for `pages` rounded down (`pages2pageIdxFloor`).
    pub fn pages2page_idx_floor(&self, pages: usize) -> usize {
        self.pages2page_idx_compute(pages, true)
    }

    fn pages2page_idx_compute(&self, pages: usize, floor: bool) -> usize {
        let bytes = pages << self.page_shifts;
        if bytes > self.chunk_size {
            return self.n_p_sizes;
        }
        let ps = self.page_shifts;
        let x = log2(((bytes as u64) << 1) - 1);
        let shift = x.saturating_sub(LOG2_SIZE_CLASS_GROUP + ps);
        let group = (shift as usize) << LOG2_SIZE_CLASS_GROUP;
        let log2_delta = if x < LOG2_SIZE_CLASS_GROUP + ps + 1 {
            ps
        } else {
            x - LOG2_SIZE_CLASS_GROUP - 1
        };
        let modulo = ((bytes - 1) >> log2_delta) & ((1 << LOG2_SIZE_CLASS_GROUP) - 1);
        let mut page_idx = group + modulo;
        if floor && self.page_idx_to_size[page_idx] > bytes {
            page_idx -= 1;
        }
        page_idx
    }

    /// The class size a request is rounded up to (`normalizeSize`); beyond the lookup
    /// table this is Netty's arithmetic rounding, also used for aligned huge requests.
    pub fn normalize_size(&self, size: usize) -> usize {
        if self.scheme == SizeClassScheme::Legacy {
            return self.legacy_normalize(size);
        }
        if size == 0 {
            return self.rows[0].size;
        }
        let size = align_up(size, self.alignment);
        if size <= self.lookup_max_size {
            return self.rows[self.size_to_idx[(size - 1) >> LOG2_QUANTUM]].size;
        }
        // normalizeSizeCompute above lookupMaxSize: x >= 13, so its branch for
        // `x < LOG2_SIZE_CLASS_GROUP + LOG2_QUANTUM + 1` is never taken (as in
        // `size2size_idx`).
        let x = log2(((size as u64) << 1) - 1);
        let log2_delta = x - LOG2_SIZE_CLASS_GROUP - 1;
        let mask = (1usize << log2_delta) - 1;
        (size + mask) & !mask
    }

    /// Small, normal or huge for a class index (`n_sizes()` and beyond are huge).
    pub fn kind_of_idx(&self, size_idx: usize) -> SizeKind {
        if size_idx <= self.small_max_size_idx {
            SizeKind::Small
        } else if size_idx < self.n_sizes() {
            SizeKind::Normal
        } else {
            SizeKind::Huge
        }
    }

    /// Small, normal or huge for a request size.
    pub fn kind_of_size(&self, size: usize) -> SizeKind {
        self.kind_of_idx(self.size2size_idx(size))
    }

    /// Subpage run size for small class `size_idx` (`PoolChunk.calculateRunSize`): the
    /// smallest page multiple divisible by the element size, with at most page/16
    /// elements. `None` for non-small indexes.
    pub fn run_size(&self, size_idx: usize) -> Option<usize> {
        if size_idx > self.small_max_size_idx {
            return None;
        }
        if self.scheme == SizeClassScheme::Legacy {
            // allocateSubpage takes one page from the buddy tree (4.1.48 PoolChunk.java:299).
            return Some(self.page_size);
        }
        let max_elements = 1usize << (self.page_shifts - LOG2_QUANTUM);
        let elem = self.rows[size_idx].size;
        // PoolChunk.java:393–416. Netty's `while (nElements > maxElements)` (:406) never runs
        // here: every class is a multiple of 16, `elem = 16·e`, and at `e` pages the run
        // holds exactly `page/16` elements and divides, so the loop below stops at most
        // there.
        let mut run = 0;
        loop {
            run += self.page_size;
            let n = run / elem;
            if !(n < max_elements && run != n * elem) {
                break;
            }
        }
        Some(run)
    }

    /// The CLI `sizes` table: one row per pooled class (the size-0 tiny class of the
    /// legacy scheme has no element count: its subpage hands out one shared handle).
    pub fn table(&self) -> Vec<SizeTableRow> {
        self.rows
            .iter()
            .map(|r| match self.run_size(r.index) {
                Some(run) => SizeTableRow {
                    index: r.index,
                    size: r.size,
                    kind: match self.scheme {
                        SizeClassScheme::Jemalloc4 => "small".into(),
                        SizeClassScheme::Legacy => self.legacy_kind_name(r.index).into(),
                    },
                    run_pages: run >> self.page_shifts,
                    elements: run.checked_div(r.size),
                },
                None => SizeTableRow {
                    index: r.index,
                    size: r.size,
                    kind: "normal".into(),
                    run_pages: r.size >> self.page_shifts,
                    elements: None,
                },
            })
            .collect()
    }
}
