//! The buddy tree of a ≤4.1.51 chunk (4.1.48 PoolChunk.java:100–470; netty.md §2.2).
//!
//! A complete binary tree over the chunk's pages: node `id` (1-based, heap order) at
//! depth `d` covers `2^(maxOrder−d)` pages. `memoryMap[id]` is the smallest depth at
//! which the subtree can still serve a node: its own depth when wholly free,
//! `maxOrder + 1` ("unusable") when wholly used. Allocation walks down to the leftmost
//! free node of the wanted depth; freeing restores the node and re-derives the
//! ancestors, coalescing buddies whose halves are both wholly free.

use super::chunk::Run;

/// One chunk's `memoryMap` (the `depthMap` is the heap index's own depth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuddyTree {
    max_order: u32,
    memory_map: Vec<u8>,
}

/// Depth of node `id` (`depthMap[id]`): the bit length of the heap index minus one.
#[inline]
pub fn depth(id: u32) -> u32 {
    id.ilog2()
}

impl BuddyTree {
    /// A wholly free tree of `2^max_order` pages (PoolChunk.java:140–150).
    pub fn new(max_order: u32) -> Self {
        // Depth d holds the ids 2^d .. 2^(d+1): one fill per depth, not one ilog2 per id.
        let mut memory_map = vec![0u8; 2usize << max_order];
        for d in 0..=max_order {
            memory_map[1usize << d..2usize << d].fill(d as u8);
        }
        BuddyTree {
            max_order,
            memory_map,
        }
    }

    /// `maxOrder`.
    pub fn max_order(&self) -> u32 {
        self.max_order
    }
    /// `unusable` = maxOrder + 1.
    #[inline]
    pub fn unusable(&self) -> u8 {
        self.max_order as u8 + 1
    }
    /// `memoryMap` (index 0 unused).
    pub fn memory_map(&self) -> &[u8] {
        &self.memory_map
    }

    /// Node id of a run: the depth its length selects, the offset's rank there.
    pub fn node_of(&self, run: Run) -> Option<u32> {
        if !run.pages.is_power_of_two() || run.offset % run.pages != 0 {
            return None;
        }
        let d = self.max_order.checked_sub(run.pages.ilog2())?;
        let id = (1u32 << d) + run.offset / run.pages;
        (id < (2u32 << self.max_order)).then_some(id)
    }

    /// The pages node `id` covers (`runOffset`/`runLength` in pages).
    #[inline]
    pub fn run_of(&self, id: u32) -> Run {
        let d = depth(id);
        let pages = 1u32 << (self.max_order - d);
        Run {
            offset: (id ^ (1 << d)) * pages,
            pages,
        }
    }

    /// `allocateNode(d)` for a run of `pages` (a power of two): the leftmost free node
    /// of that depth, marked unusable, ancestors updated; `None` when none is free.
    pub fn allocate(&mut self, pages: u32) -> Option<Run> {
        if !pages.is_power_of_two() {
            return None;
        }
        let d = self.max_order.checked_sub(pages.ilog2())? as u8;
        let mut id = 1usize;
        if self.memory_map[id] > d {
            return None;
        }
        let initial = 1usize << d;
        while self.memory_map[id] < d || id < initial {
            id <<= 1;
            if self.memory_map[id] > d {
                id ^= 1;
            }
        }
        self.memory_map[id] = self.unusable();
        self.update_parents_alloc(id);
        Some(self.run_of(id as u32))
    }

    /// `free(handle)`'s tree half: the node gets its depth back and the ancestors are
    /// re-derived (`updateParentsFree`). `false` when `run` is not a used node.
    /// `skip_coalescing` (`Mutant::UncoalescedFreeRuns`) leaves out the buddy merge: an
    /// ancestor takes the smaller child value even when both halves are wholly free.
    pub fn free(&mut self, run: Run, skip_coalescing: bool) -> bool {
        let Some(id) = self.node_of(run) else {
            return false;
        };
        let id = id as usize;
        if self.memory_map[id] != self.unusable() {
            return false;
        }
        self.memory_map[id] = depth(id as u32) as u8;
        self.update_parents_free(id, skip_coalescing);
        true
    }

    fn update_parents_alloc(&mut self, mut id: usize) {
        while id > 1 {
            let parent = id >> 1;
            self.memory_map[parent] = self.memory_map[id].min(self.memory_map[id ^ 1]);
            id = parent;
        }
    }

    fn update_parents_free(&mut self, mut id: usize, skip_coalescing: bool) {
        let mut log_child = depth(id as u32) as u8 + 1;
        while id > 1 {
            let parent = id >> 1;
            let (v1, v2) = (self.memory_map[id], self.memory_map[id ^ 1]);
            log_child -= 1;
            self.memory_map[parent] = if v1 == log_child && v2 == log_child && !skip_coalescing {
                log_child - 1
            } else {
                v1.min(v2)
            };
            id = parent;
        }
    }

    /// The wholly free nodes whose parent is not wholly free, as runs by offset.
    #[inline]
    pub fn free_runs(&self) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut stack = vec![1usize];
        while let Some(id) = stack.pop() {
            let d = depth(id as u32) as u8;
            if self.memory_map[id] == d {
                runs.push(self.run_of(id as u32));
            } else if self.memory_map[id] != self.unusable() && d < self.max_order as u8 {
                stack.push(2 * id + 1);
                stack.push(2 * id);
            }
        }
        runs.sort();
        runs
    }
}

#[cfg(test)]
impl BuddyTree {
    /// Test-only corruption hook: overwrite `memoryMap[id]`.
    pub(crate) fn corrupt(&mut self, id: usize, value: u8) {
        self.memory_map[id] = value;
    }
}
