//! A chunk's per-page tables: its used runs by first page, and its live subpages
//! (Netty's `subpages[]`) by run offset.
//!
//! Both are flat arrays indexed by page, so an allocation or free touches one slot and
//! a check walks a few kilobytes in page order instead of a tree; subpages are stored
//! contiguously, so a seven-day simulation's million subpages are a few hundred
//! allocations, not a million. A bit per page says which slots are set, so listing
//! costs a word per 64 pages plus a step per entry, not a step per page.

use super::chunk::Run;
use super::subpage::PoolSubpage;

/// "No entry" in a page slot (no run is `u32::MAX` pages long: the chunk's page count
/// is an `i32` in Netty).
const NONE: u32 = u32::MAX;

/// Which page slots are set: a bit per page.
#[derive(Clone, Debug, Default)]
struct Occupied {
    words: Vec<u64>,
}

impl Occupied {
    fn new(pages: usize) -> Self {
        Occupied {
            words: vec![0; pages.div_ceil(64)],
        }
    }

    fn set(&mut self, page: usize) {
        let w = page / 64;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (page % 64);
    }

    fn clear(&mut self, page: usize) {
        if let Some(w) = self.words.get_mut(page / 64) {
            *w &= !(1 << (page % 64));
        }
    }

    /// The set pages, ascending.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

/// Used runs: the length of the run starting at each page, or [`NONE`].
#[derive(Clone, Debug, Default)]
pub(crate) struct UsedRuns {
    pages: Vec<u32>,
    set: Occupied,
}

impl UsedRuns {
    /// No used run in a chunk of `pages` pages.
    pub fn new(pages: usize) -> Self {
        UsedRuns {
            pages: vec![NONE; pages],
            set: Occupied::new(pages),
        }
    }

    /// The length of the used run starting at `offset`.
    #[inline]
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
        self.set.set(i);
    }

    /// Forgets the used run at `offset`.
    pub fn remove(&mut self, offset: u32) {
        if let Some(slot) = self.pages.get_mut(offset as usize) {
            *slot = NONE;
            self.set.clear(offset as usize);
        }
    }

    /// The used runs ordered by offset.
    pub fn iter(&self) -> impl Iterator<Item = Run> + '_ {
        self.set.iter().map(|offset| Run {
            offset: offset as u32,
            pages: self.pages[offset],
        })
    }
}

/// Live subpages, stored contiguously, found through a slot per page.
#[derive(Clone, Debug, Default)]
pub(crate) struct SubpageSlots {
    /// Page → index into `subpages`, or [`NONE`].
    slots: Vec<u32>,
    set: Occupied,
    subpages: Vec<PoolSubpage>,
}

impl SubpageSlots {
    /// No subpage in a chunk of `pages` pages.
    pub fn new(pages: usize) -> Self {
        SubpageSlots {
            slots: vec![NONE; pages],
            set: Occupied::new(pages),
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
    #[inline]
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
                self.set.set(run_offset as usize);
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
        self.set.clear(run_offset as usize);
        self.subpages.swap_remove(i);
        if let Some(moved) = self.subpages.get(i) {
            self.slots[moved.run_offset() as usize] = i as u32;
        }
    }

    /// The live subpages ordered by run offset.
    pub fn iter(&self) -> impl Iterator<Item = &PoolSubpage> + '_ {
        self.set
            .iter()
            .map(|page| &self.subpages[self.slots[page] as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Listing through the bits gives exactly the set slots, ascending, whatever the
    /// order of inserts and removals (and past the chunk, as a corruption test does).
    #[test]
    fn listing_matches_the_page_slots() {
        let mut runs = UsedRuns::new(200);
        let mut state = 7u64;
        for step in 0..2000u32 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let page = ((state >> 33) % 260) as u32;
            if step % 3 == 0 {
                runs.remove(page);
            } else {
                runs.insert(Run {
                    offset: page,
                    pages: step,
                });
            }
            let slow: Vec<Run> = (0..runs.pages.len() as u32)
                .filter_map(|offset| runs.get(offset).map(|pages| Run { offset, pages }))
                .collect();
            assert_eq!(runs.iter().collect::<Vec<_>>(), slow, "step {step}");
        }
    }
}
