//! Page size, chunk size and alignment, validated as `PooledByteBufAllocator`'s
//! constructor validates them (4.1.128, and 4.1.48 before #11106; netty.md §1).

use super::arena_options::ArenaKind;
use super::size_classes::SizeClasses;
use crate::error::{Argument, JavaException, JavaResult};
use crate::profile::SizeClassScheme;
use serde::{Deserialize, Serialize};

/// Smallest legal page size (`MIN_PAGE_SIZE`).
pub const MIN_PAGE_SIZE: i32 = 4096;
/// Largest legal chunk size (`MAX_CHUNK_SIZE` = 2^30).
pub const MAX_CHUNK_SIZE: i32 = 1 << 30;

/// A validated pool geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PoolGeometry {
    /// Page size in bytes (rounded up to a multiple of the alignment, as Netty does).
    pub page_size: usize,
    /// log2 of the page size.
    pub page_shifts: u32,
    /// `page_size << max_order`.
    pub chunk_size: usize,
    /// `directMemoryCacheAlignment` (0 = none); applies to direct arenas only.
    pub alignment: usize,
}

/// `ObjectUtil.checkPositiveOrZero` as of 4.1.128 (`name : value (expected: >= 0)`).
fn check_positive_or_zero(value: i32, name: &str) -> JavaResult<()> {
    if value < 0 {
        return Err(JavaException::bad_argument(
            Argument::Alignment,
            format!("{name} : {value} (expected: >= 0)"),
        ));
    }
    Ok(())
}

/// JCTools `Pow2.align`, which `PlatformDependent.align` delegates to.
fn pow2_align(value: i32, alignment: i32) -> JavaResult<i32> {
    if alignment & alignment.wrapping_sub(1) != 0 {
        return Err(JavaException::bad_argument(
            Argument::Alignment,
            format!("alignment must be a power of 2:{alignment}"),
        ));
    }
    let mask = alignment.wrapping_sub(1);
    Ok(((value as i64 + mask as i64) & !(mask as i64)) as i32)
}

/// `validateAndCalculateChunkSize`: a negative `maxOrder` is not rejected by Netty
/// (its loop simply does not run), so the chunk is then one page.
fn chunk_size(page_size: i32, max_order: i32) -> JavaResult<i32> {
    if max_order > 14 {
        return Err(JavaException::bad_argument(
            Argument::MaxOrder,
            format!("maxOrder: {max_order} (expected: 0-14)"),
        ));
    }
    let mut chunk = page_size;
    let mut i = max_order;
    while i > 0 {
        if chunk > MAX_CHUNK_SIZE / 2 {
            return Err(JavaException::bad_argument(
                Argument::PageSizeAndMaxOrder,
                format!(
                "pageSize ({page_size}) << maxOrder ({max_order}) must not exceed {MAX_CHUNK_SIZE}"
            ),
            ));
        }
        chunk = chunk.wrapping_shl(1);
        i -= 1;
    }
    Ok(chunk)
}

/// `validateAndCalculatePageShifts`.
fn page_shifts(page_size: i32, alignment: i32) -> JavaResult<u32> {
    if page_size < MIN_PAGE_SIZE {
        return Err(JavaException::bad_argument(
            Argument::PageSize,
            format!("pageSize: {page_size} (expected: {MIN_PAGE_SIZE})"),
        ));
    }
    if page_size & (page_size - 1) != 0 {
        return Err(JavaException::bad_argument(
            Argument::PageSize,
            format!("pageSize: {page_size} (expected: power of 2)"),
        ));
    }
    if page_size < alignment {
        return Err(JavaException::bad_argument(Argument::PageSize, format!(
            "Alignment cannot be greater than page size. Alignment: {alignment}, page size: {page_size}."
        )));
    }
    Ok(31 - page_size.leading_zeros())
}

impl PoolGeometry {
    /// Netty's defaults for 4.1.128: 8 KiB pages, maxOrder 9 (4 MiB chunks), no alignment.
    pub fn netty_default() -> Self {
        PoolGeometry {
            page_size: 8192,
            page_shifts: 13,
            chunk_size: 8192 << 9,
            alignment: 0,
        }
    }

    /// Validates as the `PooledByteBufAllocator` constructor does, in its order:
    /// align the page size (JCTools' power-of-two check), chunk size, then
    /// `between` (where Netty checks `nHeapArena`/`nDirectArena`; pass `|| Ok(())`
    /// when there is nothing to check), then the alignment's sign and power of two,
    /// then the page size. Alignment support (Unsafe / `alignSlice`) is assumed.
    pub fn validate(
        page_size: i32,
        max_order: i32,
        alignment: i32,
        between: impl FnOnce() -> JavaResult<()>,
    ) -> JavaResult<Self> {
        Self::validate_with(page_size, max_order, alignment, true, || {
            between()?;
            check_positive_or_zero(alignment, "directMemoryCacheAlignment")
        })
    }

    /// [`PoolGeometry::validate`] with `aligns_page_size` from the profile, where
    /// `between` also checks the alignment's sign (in the profile's message style): before
    /// #11106 (4.1.61) the constructor neither rounds the page size up to the alignment
    /// nor rejects an alignment above the page (4.1.48 PooledByteBufAllocator.java:
    /// 247–262, 302–313), so a non-power-of-two alignment fails the later
    /// `(expected: power of two)` check and a page below the alignment is accepted.
    pub fn validate_with(
        page_size: i32,
        max_order: i32,
        alignment: i32,
        aligns_page_size: bool,
        between: impl FnOnce() -> JavaResult<()>,
    ) -> JavaResult<Self> {
        let page_size = if alignment != 0 && aligns_page_size {
            pow2_align(page_size, alignment)?
        } else {
            page_size
        };
        let chunk = chunk_size(page_size, max_order)?;
        between()?;
        if alignment & alignment.wrapping_neg() != alignment {
            return Err(JavaException::bad_argument(
                Argument::Alignment,
                format!("directMemoryCacheAlignment: {alignment} (expected: power of two)"),
            ));
        }
        let shifts = page_shifts(page_size, if aligns_page_size { alignment } else { 0 })?;
        Ok(PoolGeometry {
            page_size: page_size as usize,
            page_shifts: shifts,
            chunk_size: chunk as usize,
            alignment: alignment as usize,
        })
    }

    /// Pages per chunk.
    pub fn pages_per_chunk(&self) -> usize {
        self.chunk_size >> self.page_shifts
    }

    /// Size classes of a heap arena (never aligned).
    pub fn heap_size_classes(&self) -> SizeClasses {
        SizeClasses::new(self, 0)
    }

    /// Size classes of a direct arena (aligned when an alignment is set).
    pub fn direct_size_classes(&self) -> SizeClasses {
        SizeClasses::new(self, self.alignment)
    }

    /// Size classes of an arena of `kind` under `scheme` (heap arenas are not aligned).
    pub fn size_classes(&self, scheme: SizeClassScheme, kind: ArenaKind) -> SizeClasses {
        self.arena_size_classes(scheme, kind, false)
    }

    /// Size classes of an arena of `kind` under `scheme`; heap arenas are aligned only
    /// when `heap_aligned` (`AllocatorProfile::heap_arenas_aligned`).
    pub fn arena_size_classes(
        &self,
        scheme: SizeClassScheme,
        kind: ArenaKind,
        heap_aligned: bool,
    ) -> SizeClasses {
        let alignment = match kind {
            ArenaKind::Heap if !heap_aligned => 0,
            _ => self.alignment,
        };
        match scheme {
            SizeClassScheme::Jemalloc4 => SizeClasses::new(self, alignment),
            SizeClassScheme::Legacy => SizeClasses::legacy(self, alignment),
        }
    }
}
