//! `PoolChunk`: one chunk of pages, its used runs and subpages (netty.md §3.2). Free
//! pages are managed by the chunk's page allocator: the 4.1.52+ run allocator
//! ([`RunPages`]) or the ≤4.1.51 buddy tree ([`BuddyTree`]), chosen by the size-class
//! scheme of the profile.
//!
//! Plain data: Netty's `runsAvailLock` is folded into the arena lock, and subpage
//! changes run under the pool's head lock as well (`PoolArena` takes both; see
//! `docs/fidelity.md`).

use super::buddy::BuddyTree;
use super::chunk_list::ChunkListId;
use super::chunk_pages::{SubpageSlots, UsedRuns};
use super::handle::{Handle, HandleLayout};
use super::runs::RunPages;
use super::size_classes::SizeClasses;
use super::subpage::{PoolSubpage, SubpageFree, SubpageOptions};
use super::subpage_pools::{SubpageKey, SubpagePools};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::memory::Memory;
use crate::profile::SizeClassScheme;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Identity of one chunk incarnation, assigned by its arena and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChunkId(pub u64);

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chunk#{:x}", self.0)
    }
}

/// A run of pages: `pages` pages starting at page `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Run {
    /// First page.
    pub offset: u32,
    /// Length in pages.
    pub pages: u32,
}

impl Run {
    /// One past the last page.
    pub fn end(self) -> u32 {
        self.offset + self.pages
    }
}

/// How a chunk frees (from the profile and the active mutant).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkFreeOptions {
    /// Subpage behaviour.
    pub subpage: SubpageOptions,
    /// `Mutant::UncoalescedFreeRuns`: re-insert freed runs without merging neighbours
    /// (the buddy tree: without merging wholly free buddies).
    pub skip_coalescing: bool,
}

/// What a `PoolChunk::free` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkFree {
    /// A subpage element was freed; its subpage (and run) stay.
    Element,
    /// A run went back to the chunk (a normal run, or a released subpage's run).
    Run,
}

/// The free-page structure of a chunk.
#[derive(Clone, Debug)]
enum Pages {
    /// A huge buffer's own chunk: no pages to hand out.
    Unpooled,
    /// 4.1.52+: best-fit run queues.
    Runs(RunPages),
    /// ≤4.1.51: the buddy tree.
    Buddy(BuddyTree),
}

/// The empty `runsAvailMap` of chunks without run queues.
static NO_RUNS: BTreeMap<u32, Run> = BTreeMap::new();

/// One chunk (Netty's `PoolChunk`); `unpooled` chunks back one huge buffer each.
#[derive(Clone, Debug)]
pub struct PoolChunk {
    id: ChunkId,
    memory: Memory,
    chunk_size: usize,
    page_shifts: u32,
    free_bytes: usize,
    pages: Pages,
    used_runs: UsedRuns,
    /// `subpages[]`.
    subpages: SubpageSlots,
    list: Option<ChunkListId>,
    /// Bumped by every `&mut self` method: checkers skip chunks they saw unchanged.
    version: u64,
}

fn model_error(message: String) -> JavaException {
    JavaException::new(JavaClass::Assertion, message)
}

impl PoolChunk {
    /// A pooled chunk over `memory` (one chunk of `sc`), all pages free: one run, or a
    /// free buddy tree under the legacy scheme.
    pub fn new_pooled(id: ChunkId, memory: Memory, sc: &SizeClasses) -> Self {
        let pages = sc.chunk_size() >> sc.page_shifts();
        let free = match sc.scheme() {
            SizeClassScheme::Jemalloc4 => Pages::Runs(RunPages::new(sc, pages as u32)),
            SizeClassScheme::Legacy => Pages::Buddy(BuddyTree::new(pages.ilog2())),
        };
        PoolChunk {
            id,
            memory,
            chunk_size: sc.chunk_size(),
            page_shifts: sc.page_shifts(),
            free_bytes: sc.chunk_size(),
            pages: free,
            used_runs: UsedRuns::new(pages),
            subpages: SubpageSlots::new(pages),
            list: None,
            version: 0,
        }
    }

    /// An unpooled (huge) chunk: its whole region is one buffer; `freeBytes` is 0.
    pub fn new_unpooled(id: ChunkId, memory: Memory) -> Self {
        PoolChunk {
            id,
            chunk_size: memory.len(),
            memory,
            page_shifts: 0,
            free_bytes: 0,
            pages: Pages::Unpooled,
            used_runs: UsedRuns::default(),
            subpages: SubpageSlots::default(),
            list: None,
            version: 0,
        }
    }

    /// How many times the chunk was changed (any `&mut self` method, failed ones
    /// included): equal versions of one chunk id mean an unchanged chunk.
    pub fn version(&self) -> u64 {
        self.version
    }
    /// The chunk's id.
    pub fn id(&self) -> ChunkId {
        self.id
    }
    pub(crate) fn set_id(&mut self, id: ChunkId) {
        self.version += 1;
        self.id = id;
    }
    /// The chunk's memory region.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }
    /// True for a huge buffer's own chunk.
    pub fn is_unpooled(&self) -> bool {
        matches!(self.pages, Pages::Unpooled)
    }
    /// `chunkSize()`.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }
    /// `freeBytes()`.
    pub fn free_bytes(&self) -> usize {
        self.free_bytes
    }
    /// log2 of the page size (0 for unpooled chunks).
    pub fn page_shifts(&self) -> u32 {
        self.page_shifts
    }
    /// The chunk list holding the chunk (`parent`); `None` for unpooled chunks.
    pub fn list(&self) -> Option<ChunkListId> {
        self.list
    }
    pub(crate) fn set_list(&mut self, list: Option<ChunkListId>) {
        self.version += 1;
        self.list = list;
    }

    /// `usage()`: 100 when nothing is free, else 100 − ⌊free·100/chunk⌋, where 0 free
    /// percent reports 99.
    pub fn usage(&self) -> u32 {
        usage(self.free_bytes, self.chunk_size)
    }

    /// How this chunk packs its handles.
    pub fn handle_layout(&self) -> HandleLayout {
        match &self.pages {
            Pages::Buddy(tree) => HandleLayout::Buddy {
                max_order: tree.max_order(),
            },
            _ => HandleLayout::Runs,
        }
    }

    /// A handle of this chunk, decoded.
    pub fn decode(&self, h: u64) -> Handle {
        self.handle_layout().decode(h)
    }

    /// The buddy tree of a legacy chunk.
    #[inline]
    pub fn buddy_tree(&self) -> Option<&BuddyTree> {
        match &self.pages {
            Pages::Buddy(tree) => Some(tree),
            _ => None,
        }
    }

    #[inline]
    fn run_pages(&self) -> Option<&RunPages> {
        match &self.pages {
            Pages::Runs(runs) => Some(runs),
            _ => None,
        }
    }

    /// Free runs with the `runsAvail` queue each sits in, by queue then offset (none
    /// for buddy and unpooled chunks).
    #[inline]
    pub fn free_runs_by_queue(&self) -> impl Iterator<Item = (usize, Run)> + '_ {
        self.run_pages()
            .into_iter()
            .flat_map(RunPages::free_runs_by_queue)
    }
    /// Free runs ordered by offset (a buddy tree's wholly free maximal nodes).
    #[inline]
    pub fn free_runs(&self) -> Vec<Run> {
        if let Some(tree) = self.buddy_tree() {
            return tree.free_runs();
        }
        let mut runs: Vec<Run> = self.free_runs_by_queue().map(|(_, r)| r).collect();
        runs.sort();
        runs
    }
    /// `runsAvailMap`: first and last page of each free run → the run (empty for buddy
    /// and unpooled chunks).
    pub fn runs_avail_map(&self) -> &BTreeMap<u32, Run> {
        self.run_pages().map_or(&NO_RUNS, RunPages::runs_avail_map)
    }
    /// Allocated runs (normal buffers and subpage runs) ordered by offset.
    pub fn used_runs(&self) -> impl Iterator<Item = Run> + '_ {
        self.used_runs.iter()
    }
    /// The length in pages of the used run starting at page `offset`.
    #[inline]
    pub fn used_run_at(&self, offset: u32) -> Option<u32> {
        self.used_runs.get(offset)
    }
    /// The live subpages (`subpages[]` entries that are set), by run offset.
    pub fn subpages(&self) -> impl Iterator<Item = &PoolSubpage> + '_ {
        self.subpages.iter()
    }
    /// `subpages[run_offset]`.
    #[inline]
    pub fn subpage_at(&self, run_offset: u32) -> Option<&PoolSubpage> {
        self.subpages.get(run_offset)
    }
    pub(crate) fn subpage_at_mut(&mut self, run_offset: u32) -> Option<&mut PoolSubpage> {
        self.version += 1;
        self.subpages.at_mut(run_offset)
    }

    /// Byte offset and `maxLength` of the buffer a used handle names:
    /// runOffset·page (+ bitmapIdx·elemSize for subpages).
    pub fn offset_of(&self, h: u64) -> Option<(usize, usize)> {
        let h = self.decode(h);
        if h.is_subpage {
            let s = self.subpage_at(h.run_offset)?;
            Some((s.element_offset(h.bitmap_idx), s.elem_size()))
        } else {
            Some((
                (h.run_offset as usize) << self.page_shifts,
                (h.pages as usize) << self.page_shifts,
            ))
        }
    }

    /// `PoolChunk.allocate` after its re-check of the subpage pool (which the arena
    /// makes, `ArenaCore::allocate_normal`): a new subpage run for small classes, a run
    /// for normal ones. `Ok(None)` = no room.
    pub(crate) fn allocate(
        &mut self,
        sc: &SizeClasses,
        size_idx: usize,
        req: usize,
        pools: &mut SubpagePools,
    ) -> JavaResult<Option<u64>> {
        self.version += 1;
        if size_idx <= sc.small_max_size_idx() {
            return self.allocate_subpage(sc, size_idx, req, pools);
        }
        let Some(run_size) = sc.size_idx2size(size_idx) else {
            return Ok(None);
        };
        Ok(self.allocate_run(sc, run_size))
    }

    /// `allocateRun`: a run of `run_size` bytes of pages, as a handle of this chunk.
    pub(crate) fn allocate_run(&mut self, sc: &SizeClasses, run_size: usize) -> Option<u64> {
        let run = self.take_run(sc, run_size)?;
        Some(
            self.handle_layout()
                .encode(Handle::run(run.offset, run.pages, true)),
        )
    }

    fn allocate_subpage(
        &mut self,
        sc: &SizeClasses,
        size_idx: usize,
        req: usize,
        pools: &mut SubpagePools,
    ) -> JavaResult<Option<u64>> {
        let (Some(run_size), Some(elem)) =
            (sc.run_size(size_idx), sc.subpage_elem_size(size_idx, req))
        else {
            return Ok(None);
        };
        // Netty has taken the page when `init` throws; the model changes nothing.
        sc.check_subpage_bitmap(run_size, elem)?;
        let Some(run) = self.take_run(sc, run_size) else {
            return Ok(None);
        };
        let key = SubpageKey {
            chunk: self.id,
            run_offset: run.offset,
        };
        let size = (run.pages as usize) << self.page_shifts;
        let layout = self.handle_layout();
        let subpage = PoolSubpage::new(pools, key, size_idx, self.page_shifts, size, elem, layout);
        let subpage = self.subpages.insert(run.offset, subpage);
        Ok(Some(subpage.allocate(pools)?))
    }

    /// Takes `run_size` bytes of pages from the page allocator (best-fit queue, or the
    /// leftmost free buddy node of the matching depth).
    fn take_run(&mut self, sc: &SizeClasses, run_size: usize) -> Option<Run> {
        self.version += 1;
        let pages = (run_size >> self.page_shifts) as u32;
        if (pages as usize) << self.page_shifts > self.free_bytes {
            // A run larger than what is free (e.g. a subpage run of a class whose run
            // size exceeds a tiny chunk): nothing can serve it.
            return None;
        }
        let whole_chunk_free = self.free_bytes == self.chunk_size;
        let run = match &mut self.pages {
            Pages::Unpooled => None,
            Pages::Runs(runs) => runs.allocate(sc, pages, whole_chunk_free),
            Pages::Buddy(tree) => tree.allocate(pages),
        }?;
        self.used_runs.insert(run);
        self.free_bytes -= (run.pages as usize) << self.page_shifts;
        Some(run)
    }

    /// `free`: a subpage element first (its run only when the subpage is released),
    /// then the run (coalesced with its free neighbours, or its buddies). Handles that
    /// are not live are refused with an `AssertionError` value and change nothing
    /// (Netty would corrupt itself).
    pub(crate) fn free(
        &mut self,
        sc: &SizeClasses,
        h: u64,
        pools: &mut SubpagePools,
        opts: ChunkFreeOptions,
    ) -> JavaResult<ChunkFree> {
        self.version += 1;
        let decoded = self.decode(h);
        let run = Run {
            offset: decoded.run_offset,
            pages: decoded.pages,
        };
        if self.is_unpooled() || self.used_runs.get(run.offset) != Some(run.pages) {
            return Err(model_error(format!(
                "model: {} has no used run {run:?} (handle {h:#x})",
                self.id
            )));
        }
        if decoded.is_subpage {
            let Some(subpage) = self.subpage_at_mut(run.offset) else {
                return Err(model_error(format!(
                    "model: {} has no subpage at {}",
                    self.id, run.offset
                )));
            };
            match subpage.free(pools, decoded.bitmap_idx, opts.subpage)? {
                SubpageFree::Kept => return Ok(ChunkFree::Element),
                SubpageFree::Released => {
                    self.subpages.remove(run.offset);
                }
            }
        } else if self.subpage_at(run.offset).is_some() {
            return Err(model_error(format!(
                "model: run handle {h:#x} names a subpage run"
            )));
        }
        self.used_runs.remove(run.offset);
        match &mut self.pages {
            Pages::Unpooled => {}
            Pages::Runs(runs) => runs.free(sc, run, opts.skip_coalescing),
            Pages::Buddy(tree) => {
                tree.free(run, opts.skip_coalescing);
            }
        }
        self.free_bytes += (run.pages as usize) << self.page_shifts;
        Ok(ChunkFree::Run)
    }

    /// Test-only corruption hooks.
    #[cfg(test)]
    pub(crate) fn corrupt_free_bytes(&mut self, free: usize) {
        self.version += 1;
        self.free_bytes = free;
    }
    #[cfg(test)]
    pub(crate) fn corrupt_buddy_tree(&mut self) -> Option<&mut BuddyTree> {
        self.version += 1;
        match &mut self.pages {
            Pages::Buddy(tree) => Some(tree),
            _ => None,
        }
    }
    #[cfg(test)]
    pub(crate) fn corrupt_add_used_run(&mut self, run: Run) {
        self.version += 1;
        self.used_runs.insert(run);
    }
}

/// The handle layout of every pooled chunk over `sc`: runs, or a buddy tree of
/// log2(pages per chunk) levels, as [`PoolChunk::new_pooled`] builds it.
pub fn pooled_handle_layout(sc: &SizeClasses) -> HandleLayout {
    match sc.scheme() {
        SizeClassScheme::Jemalloc4 => HandleLayout::Runs,
        SizeClassScheme::Legacy => HandleLayout::Buddy {
            max_order: (sc.chunk_size() >> sc.page_shifts())
                .checked_ilog2()
                .unwrap_or(0),
        },
    }
}

/// `PoolChunk.usage(freeBytes)`.
pub fn usage(free_bytes: usize, chunk_size: usize) -> u32 {
    if free_bytes == 0 {
        return 100;
    }
    let free_percentage = (free_bytes as u64 * 100 / chunk_size as u64) as u32;
    if free_percentage == 0 {
        99
    } else {
        100u32.saturating_sub(free_percentage)
    }
}
