//! A chunk's per-page tables: its used runs by first page, and its live subpages
//! (Netty's `subpages[]`) by run offset.
//!
//! Both are flat arrays indexed by page, so an allocation or free touches one slot and
//! a check walks a few kilobytes in page order instead of a tree; subpages are stored
//! contiguously, so a seven-day simulation's million subpages are a few hundred
//! allocations, not a million.

use super::chunk::Run;
use super::subpage::PoolSubpage;

/// "No entry" in a page slot (no run is `u32::MAX` pages long: the chunk's page count
/// is an `i32` in Netty).
const NONE: u32 = u32::MAX;

/// Used runs: the length of the run starting at each page, or [`NONE`].
#[derive(Clone, Debug, Default)]
pub(crate) struct UsedRuns {
    pages: Vec<u32>,
}

impl UsedRuns {
    /// No used run in a chunk of `pages` pages.
    pub fn new(pages: usize) -> Self {
        UsedRuns {
            pages: vec![NONE; pages],
        }
    }

    /// The length of the used run starting at `offset`.
    pub fn get(&self, offset: u32) -> Option<u32> {
        self.pages
            .get(offset as usize)
            .copied()
            .filter(|&p| p != NONE)
    }

    /// Records a used run (replacing one at the same offset).
    pub fn insert(&mut self, run: Run) {
        let i = run.offset as usize;
        if i >= self.pages.len() {
            // Only a test's corruption names a page past the chunk.
            self.pages.resize(i + 1, NONE);
        }
        self.pages[i] = run.pages;
    }

    /// Forgets the used run at `offset`.
    pub fn remove(&mut self, offset: u32) {
        if let Some(slot) = self.pages.get_mut(offset as usize) {
            *slot = NONE;
        }
    }

    /// The used runs ordered by offset.
    pub fn iter(&self) -> impl Iterator<Item = Run> + '_ {
        self.pages
            .iter()
            .enumerate()
            .filter(|(_, &p)| p != NONE)
            .map(|(offset, &pages)| Run {
                offset: offset as u32,
                pages,
            })
    }
}

/// Live subpages, stored contiguously, found through a slot per page.
#[derive(Clone, Debug, Default)]
pub(crate) struct SubpageSlots {
    /// Page → index into `subpages`, or [`NONE`].
    slots: Vec<u32>,
    subpages: Vec<PoolSubpage>,
}

impl SubpageSlots {
    /// No subpage in a chunk of `pages` pages.
    pub fn new(pages: usize) -> Self {
        SubpageSlots {
            slots: vec![NONE; pages],
            subpages: Vec::new(),
        }
    }

    fn index(&self, run_offset: u32) -> Option<usize> {
        self.slots
            .get(run_offset as usize)
            .copied()
            .filter(|&i| i != NONE)
            .map(|i| i as usize)
    }

    /// `subpages[run_offset]`.
    pub fn get(&self, run_offset: u32) -> Option<&PoolSubpage> {
        self.index(run_offset).map(|i| &self.subpages[i])
    }

    /// `subpages[run_offset]`, mutably.
    pub fn at_mut(&mut self, run_offset: u32) -> Option<&mut PoolSubpage> {
        self.index(run_offset).map(|i| &mut self.subpages[i])
    }

    /// `subpages[run_offset] = subpage` (a run offset inside the chunk).
    pub fn insert(&mut self, run_offset: u32, subpage: PoolSubpage) -> &mut PoolSubpage {
        let i = match self.index(run_offset) {
            Some(i) => {
                self.subpages[i] = subpage;
                i
            }
            None => {
                self.subpages.push(subpage);
                let i = self.subpages.len() - 1;
                self.slots[run_offset as usize] = i as u32;
                i
            }
        };
        &mut self.subpages[i]
    }

    /// `subpages[run_offset] = null`.
    pub fn remove(&mut self, run_offset: u32) {
        let Some(i) = self.index(run_offset) else {
            return;
        };
        self.slots[run_offset as usize] = NONE;
        self.subpages.swap_remove(i);
        if let Some(moved) = self.subpages.get(i) {
            self.slots[moved.run_offset() as usize] = i as u32;
        }
    }

    /// The live subpages ordered by run offset.
    pub fn iter(&self) -> impl Iterator<Item = &PoolSubpage> + '_ {
        self.slots
            .iter()
            .filter(|&&i| i != NONE)
            .map(|&i| &self.subpages[i as usize])
    }
}
