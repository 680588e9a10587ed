//! `PoolSubpage`: a run split into equal elements tracked by a bitmap (netty.md §3.3).

use super::bitmap::Bitmap;
use super::handle::{Handle, HandleLayout};
use super::subpage_pools::{SubpageKey, SubpagePools};
use crate::error::{JavaClass, JavaException, JavaResult};

/// Behaviour switches of subpages (from the profile and the active mutant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubpageOptions {
    /// #10988 (4.1.59): fully free single-element subpages are released. False
    /// re-creates #10896 (profile field or `Mutant::SingleElementSubpageKept`).
    pub release_single_element: bool,
    /// `Mutant::SubpageDoubleFree`: freeing a free slot is not noticed and the XOR sets
    /// its bit again, as Netty does with assertions off. Otherwise the model refuses the
    /// free with an `AssertionError` value and changes nothing.
    pub double_free_undetected: bool,
}

impl Default for SubpageOptions {
    fn default() -> Self {
        SubpageOptions {
            release_single_element: true,
            double_free_undetected: false,
        }
    }
}

/// What a slot free did to its subpage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubpageFree {
    /// The subpage stays (`free` returned true).
    Kept,
    /// The subpage was fully free and not alone in its pool: it is unlinked,
    /// `doNotDestroy` is false and its run must go back to the chunk.
    Released,
}

/// One subpage (Netty's `PoolSubpage`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSubpage {
    key: SubpageKey,
    head_index: usize,
    elem_size: usize,
    page_shifts: u32,
    run_size: usize,
    bitmap: Bitmap,
    max_num_elems: u32,
    num_avail: u32,
    next_avail: i64,
    do_not_destroy: bool,
    layout: HandleLayout,
}

impl PoolSubpage {
    /// A fresh subpage over a run, linked at the front of pool `head_index`.
    pub(crate) fn new(
        pools: &mut SubpagePools,
        key: SubpageKey,
        head_index: usize,
        page_shifts: u32,
        run_size: usize,
        elem_size: usize,
        layout: HandleLayout,
    ) -> Self {
        // 4.1.48 PoolSubpage.init: an element size of 0 leaves maxNumElems and the
        // bitmap length at 0 (PoolSubpage.java:61–71).
        let max = run_size.checked_div(elem_size).unwrap_or(0) as u32;
        let words = (max as usize).div_ceil(64);
        pools.link_front(head_index, key);
        PoolSubpage {
            key,
            head_index,
            elem_size,
            page_shifts,
            run_size,
            bitmap: Bitmap::zeroed(words),
            max_num_elems: max,
            num_avail: max,
            next_avail: 0,
            do_not_destroy: true,
            layout,
        }
    }

    /// The subpage's chunk and run offset.
    pub fn key(&self) -> SubpageKey {
        self.key
    }
    /// Size index of its pool (`headIndex`).
    pub fn head_index(&self) -> usize {
        self.head_index
    }
    /// Element size in bytes.
    pub fn elem_size(&self) -> usize {
        self.elem_size
    }
    /// First page of the run.
    pub fn run_offset(&self) -> u32 {
        self.key.run_offset
    }
    /// Run size in bytes.
    pub fn run_size(&self) -> usize {
        self.run_size
    }
    /// Run size in pages.
    pub fn run_pages(&self) -> u32 {
        (self.run_size >> self.page_shifts) as u32
    }
    /// The bitmap (bit set = element in use), ⌈maxNumElems/64⌉ words.
    pub fn bitmap(&self) -> &[u64] {
        self.bitmap.as_slice()
    }
    /// `maxNumElems`.
    pub fn max_num_elems(&self) -> u32 {
        self.max_num_elems
    }
    /// `numAvail`.
    pub fn num_avail(&self) -> u32 {
        self.num_avail
    }
    /// `nextAvail`: the hint the next allocation takes first (−1 when none).
    pub fn next_avail(&self) -> i64 {
        self.next_avail
    }
    /// `doNotDestroy`.
    pub fn do_not_destroy(&self) -> bool {
        self.do_not_destroy
    }
    /// Whether element `idx` is marked in use.
    pub fn is_set(&self, idx: u32) -> bool {
        let (q, r) = ((idx >> 6) as usize, idx & 63);
        self.bitmap().get(q).is_some_and(|w| (w >> r) & 1 == 1)
    }
    /// Byte offset of element `idx` inside the chunk.
    pub fn element_offset(&self, idx: u32) -> usize {
        ((self.key.run_offset as usize) << self.page_shifts) + idx as usize * self.elem_size
    }

    /// `allocate`: takes a free element and returns its handle; unlinks the subpage when
    /// the last element goes. With no free bit while `numAvail > 0` the subpage is
    /// unlinked and Netty's #12776 `AssertionError` is returned.
    ///
    /// A size-0 subpage (4.1.48) hands out element 0 without consuming it
    /// (PoolSubpage.java:79–81) and so stays linked forever.
    pub(crate) fn allocate(&mut self, pools: &mut SubpagePools) -> JavaResult<u64> {
        if self.elem_size == 0 {
            return Ok(self.handle(0));
        }
        if self.num_avail == 0 || !self.do_not_destroy {
            return Err(JavaException::new(
                JavaClass::Assertion,
                format!(
                    "model: allocate from a subpage with numAvail={} doNotDestroy={}",
                    self.num_avail, self.do_not_destroy
                ),
            ));
        }
        let idx = self.get_next_avail();
        if idx < 0 {
            pools.unlink(self.head_index, self.key);
            return Err(JavaException::new(
                JavaClass::Assertion,
                format!(
                    "No next available bitmap index found (bitmapIdx = {idx}), even though there are \
                     supposed to be (numAvail = {}) out of (maxNumElems = {}) available indexes.",
                    self.num_avail, self.max_num_elems
                ),
            ));
        }
        let idx = idx as u32;
        // Netty only asserts the bit is clear; with assertions off it ORs regardless.
        self.bitmap.as_mut_slice()[(idx >> 6) as usize] |= 1u64 << (idx & 63);
        self.num_avail -= 1;
        if self.num_avail == 0 {
            pools.unlink(self.head_index, self.key);
        }
        Ok(self.handle(idx))
    }

    /// `toHandle(bitmapIdx)` in the chunk's layout.
    fn handle(&self, idx: u32) -> u64 {
        self.layout
            .encode(Handle::subpage(self.key.run_offset, self.run_pages(), idx))
    }

    /// `free`: clears the element's bit by XOR, relinks on 0 → 1 available, and releases
    /// a fully free subpage that is not alone in its pool.
    pub(crate) fn free(
        &mut self,
        pools: &mut SubpagePools,
        bitmap_idx: u32,
        opts: SubpageOptions,
    ) -> JavaResult<SubpageFree> {
        if self.elem_size == 0 {
            // PoolSubpage.java:104–106: nothing was consumed, the subpage stays.
            return Ok(SubpageFree::Kept);
        }
        if bitmap_idx >= self.max_num_elems {
            return Err(JavaException::new(
                JavaClass::Assertion,
                format!(
                    "model: bitmapIdx {bitmap_idx} out of range (maxNumElems = {})",
                    self.max_num_elems
                ),
            ));
        }
        if !self.is_set(bitmap_idx) && !opts.double_free_undetected {
            return Err(JavaException::new(
                JavaClass::Assertion,
                format!(
                    "model: subpage element {bitmap_idx} of run {} freed while free (Netty asserts this with -ea)",
                    self.key.run_offset
                ),
            ));
        }
        self.bitmap.as_mut_slice()[(bitmap_idx >> 6) as usize] ^= 1u64 << (bitmap_idx & 63);
        self.next_avail = bitmap_idx as i64;
        let was = self.num_avail;
        self.num_avail += 1;
        if was == 0 {
            pools.link_front(self.head_index, self.key);
            if self.max_num_elems > 1 || !opts.release_single_element {
                return Ok(SubpageFree::Kept);
            }
        }
        if self.num_avail != self.max_num_elems {
            return Ok(SubpageFree::Kept);
        }
        let linked = pools.is_linked(self.head_index, self.key);
        // Netty's `prev == next`: alone in the pool (or not linked at all).
        if !linked || pools.pool(self.head_index).len() == 1 {
            return Ok(SubpageFree::Kept);
        }
        self.do_not_destroy = false;
        pools.unlink(self.head_index, self.key);
        Ok(SubpageFree::Released)
    }

    fn get_next_avail(&mut self) -> i64 {
        let hint = self.next_avail;
        if hint >= 0 {
            self.next_avail = -1;
            return hint;
        }
        // findNextAvail: the first word with a clear bit, then its lowest clear bit
        // (Netty shifts bit by bit; trailing_ones finds the same bit).
        for (i, &bits) in self.bitmap().iter().enumerate() {
            if !bits != 0 {
                let val = ((i as i64) << 6) | i64::from(bits.trailing_ones());
                return if val < self.max_num_elems as i64 {
                    val
                } else {
                    -1
                };
            }
        }
        -1
    }

    /// Test-only corruption hook: overwrite `numAvail`.
    #[cfg(test)]
    pub(crate) fn corrupt_num_avail(&mut self, n: u32) {
        self.num_avail = n;
    }

    /// Test-only corruption hook: mark element `idx` used behind `numAvail`'s back.
    #[cfg(test)]
    pub(crate) fn corrupt_set_bit(&mut self, idx: u32) {
        self.bitmap.as_mut_slice()[(idx >> 6) as usize] |= 1u64 << (idx & 63);
        self.next_avail = -1;
    }
}
