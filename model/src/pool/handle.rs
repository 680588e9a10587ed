//! The 64-bit run/subpage handle of `PoolChunk` (4.1.52+; netty.md §3.2).
//!
//! | bits | 63–49 | 48–34 | 33 | 32 | 31–0 |
//! |---|---|---|---|---|---|
//! | field | runOffset (page index) | size in pages | isUsed | isSubpage | bitmapIdx |

use serde::{Deserialize, Serialize};

/// Bits of the bitmap index.
pub const BITMAP_IDX_BIT_LENGTH: u32 = 32;
/// Shift of the isSubpage bit.
pub const IS_SUBPAGE_SHIFT: u32 = BITMAP_IDX_BIT_LENGTH;
/// Shift of the isUsed bit.
pub const IS_USED_SHIFT: u32 = IS_SUBPAGE_SHIFT + 1;
/// Shift of the run size (in pages).
pub const SIZE_SHIFT: u32 = IS_USED_SHIFT + 1;
/// Shift of the run offset (in pages).
pub const RUN_OFFSET_SHIFT: u32 = SIZE_SHIFT + 15;

const FIELD_MASK: u64 = 0x7fff;

/// A decoded handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Handle {
    /// First page of the run.
    pub run_offset: u32,
    /// Run length in pages.
    pub pages: u32,
    /// The run is allocated.
    pub is_used: bool,
    /// The handle names a subpage element.
    pub is_subpage: bool,
    /// Element index inside the subpage (0 for runs).
    pub bitmap_idx: u32,
}

impl Handle {
    /// A run handle (`toRunHandle`).
    pub fn run(run_offset: u32, pages: u32, is_used: bool) -> Self {
        Handle {
            run_offset,
            pages,
            is_used,
            is_subpage: false,
            bitmap_idx: 0,
        }
    }

    /// A used subpage-element handle (`PoolSubpage.toHandle`).
    pub fn subpage(run_offset: u32, pages: u32, bitmap_idx: u32) -> Self {
        Handle {
            run_offset,
            pages,
            is_used: true,
            is_subpage: true,
            bitmap_idx,
        }
    }

    /// Packs into Netty's 64-bit layout (offset and pages are masked to 15 bits).
    pub fn encode(self) -> u64 {
        ((self.run_offset as u64 & FIELD_MASK) << RUN_OFFSET_SHIFT)
            | ((self.pages as u64 & FIELD_MASK) << SIZE_SHIFT)
            | ((self.is_used as u64) << IS_USED_SHIFT)
            | ((self.is_subpage as u64) << IS_SUBPAGE_SHIFT)
            | self.bitmap_idx as u64
    }

    /// Unpacks Netty's 64-bit layout.
    pub fn decode(handle: u64) -> Self {
        Handle {
            run_offset: run_offset(handle),
            pages: run_pages(handle),
            is_used: (handle >> IS_USED_SHIFT) & 1 == 1,
            is_subpage: is_subpage(handle),
            bitmap_idx: bitmap_idx(handle),
        }
    }
}

/// 4.1.48's subpage flag (`PoolSubpage.toHandle`: `0x4000000000000000L`).
pub const LEGACY_SUBPAGE_FLAG: u64 = 0x4000_0000_0000_0000;

/// How a chunk packs its handles: the run layout above (4.1.52+), or ≤4.1.51's
/// `memoryMapIdx | bitmapIdx << 32` with the subpage flag (4.1.48 PoolChunk.java:447–453,
/// PoolSubpage.java:202–204).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HandleLayout {
    /// `runOffset | pages | isUsed | isSubpage | bitmapIdx` (4.1.52+).
    Runs,
    /// A buddy-tree node id of a tree of `2^max_order` pages.
    Buddy {
        /// The tree's `maxOrder`.
        max_order: u32,
    },
}

impl HandleLayout {
    /// Packs `h`. Buddy handles need a power-of-two, aligned run; others encode node 0.
    pub fn encode(self, h: Handle) -> u64 {
        match self {
            HandleLayout::Runs => h.encode(),
            HandleLayout::Buddy { max_order } => {
                let id = match (h.pages.checked_ilog2(), h.pages.is_power_of_two()) {
                    (Some(log), true) if log <= max_order => {
                        (1u64 << (max_order - log)) + (h.run_offset / h.pages) as u64
                    }
                    _ => 0,
                };
                let flag = if h.is_subpage { LEGACY_SUBPAGE_FLAG } else { 0 };
                flag | ((h.bitmap_idx as u64) << 32) | id
            }
        }
    }

    /// Unpacks a handle; a buddy handle naming node 0 (none) decodes to zero pages.
    pub fn decode(self, handle: u64) -> Handle {
        match self {
            HandleLayout::Runs => Handle::decode(handle),
            HandleLayout::Buddy { max_order } => {
                let id = handle as u32;
                let (run_offset, pages) = match id.checked_ilog2() {
                    Some(d) if d <= max_order => {
                        let pages = 1u32 << (max_order - d);
                        ((id ^ (1 << d)) * pages, pages)
                    }
                    _ => (0, 0),
                };
                Handle {
                    run_offset,
                    pages,
                    is_used: true,
                    is_subpage: handle & LEGACY_SUBPAGE_FLAG != 0,
                    bitmap_idx: ((handle >> 32) & 0x3FFF_FFFF) as u32,
                }
            }
        }
    }
}

/// `PoolChunk.runOffset`.
pub fn run_offset(handle: u64) -> u32 {
    ((handle >> RUN_OFFSET_SHIFT) & FIELD_MASK) as u32
}

/// `PoolChunk.runPages`.
pub fn run_pages(handle: u64) -> u32 {
    ((handle >> SIZE_SHIFT) & FIELD_MASK) as u32
}

/// `PoolChunk.isSubpage`.
pub fn is_subpage(handle: u64) -> bool {
    (handle >> IS_SUBPAGE_SHIFT) & 1 == 1
}

/// `PoolChunk.bitmapIdx`.
pub fn bitmap_idx(handle: u64) -> u32 {
    handle as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_netty_bit_positions() {
        assert_eq!(
            (
                RUN_OFFSET_SHIFT,
                SIZE_SHIFT,
                IS_USED_SHIFT,
                IS_SUBPAGE_SHIFT
            ),
            (49, 34, 33, 32)
        );
        let h = Handle::subpage(3, 7, 63).encode();
        assert_eq!(h, (3u64 << 49) | (7u64 << 34) | (1 << 33) | (1 << 32) | 63);
        assert_eq!(Handle::decode(h), Handle::subpage(3, 7, 63));
        let r = Handle::run(511, 1, false).encode();
        assert_eq!(r, 511u64 << 49 | 1 << 34);
        assert!(!is_subpage(r));
        assert_eq!((run_offset(r), run_pages(r), bitmap_idx(r)), (511, 1, 0));
    }

    #[test]
    fn buddy_layout_is_4_1_48s_node_id_and_flag() {
        let layout = HandleLayout::Buddy { max_order: 11 };
        // Page 3 of a 2048-page tree is leaf 2048 + 3; a subpage element 5 of it.
        let h = layout.encode(Handle::subpage(3, 1, 5));
        assert_eq!(h, 0x4000_0000_0000_0000 | (5u64 << 32) | 2051);
        assert_eq!(layout.decode(h), Handle::subpage(3, 1, 5));
        // A 128-page run at page 256 is node 2^4 + 2 at depth 4; no flag, no bitmap.
        let r = layout.encode(Handle::run(256, 128, true));
        assert_eq!(r, 18);
        assert_eq!(layout.decode(r), Handle::run(256, 128, true));
        assert_eq!(layout.decode(1), Handle::run(0, 2048, true));
        assert_eq!(layout.decode(0).pages, 0);
    }

    #[test]
    fn extreme_fields_round_trip() {
        let h = Handle {
            run_offset: 0x7fff,
            pages: 0x7fff,
            is_used: true,
            is_subpage: true,
            bitmap_idx: u32::MAX,
        };
        assert_eq!(Handle::decode(h.encode()), h);
        assert_eq!(h.encode(), u64::MAX);
    }
}
