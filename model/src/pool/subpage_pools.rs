//! The arena's `smallSubpagePools`: one ordered list of subpages per small size index.
//!
//! Netty keeps a circular doubly-linked list behind a head per size index and links a
//! new (or relinked) subpage right after the head; here each pool is a `Vec` whose
//! index 0 is the element after the head. Each head's lock is a facade mutex of
//! `PoolArena` (alloc/pooled/arena.rs), held around every step that reads or changes
//! the pool or its subpages.

use super::chunk::ChunkId;
use serde::{Deserialize, Serialize};

/// Names one subpage: its chunk and the first page of its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SubpageKey {
    /// The chunk holding the subpage's run.
    pub chunk: ChunkId,
    /// First page of the run (the index into the chunk's `subpages[]`).
    pub run_offset: u32,
}

/// One pool list per small size index, head first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubpagePools {
    pools: Vec<Vec<SubpageKey>>,
}

impl SubpagePools {
    /// `n_subpages` empty pools.
    pub fn new(n_subpages: usize) -> Self {
        SubpagePools {
            pools: vec![Vec::new(); n_subpages],
        }
    }

    /// Number of pools (`numSmallSubpages`).
    pub fn num_pools(&self) -> usize {
        self.pools.len()
    }

    /// The subpages linked in pool `size_idx`, in list order (`head.next` first).
    pub fn pool(&self, size_idx: usize) -> &[SubpageKey] {
        self.pools.get(size_idx).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `head.next`, or `None` when the pool is empty.
    pub fn first(&self, size_idx: usize) -> Option<SubpageKey> {
        self.pool(size_idx).first().copied()
    }

    /// True when `key` is linked in pool `size_idx`.
    pub fn is_linked(&self, size_idx: usize, key: SubpageKey) -> bool {
        self.pool(size_idx).contains(&key)
    }

    /// `addToPool`: links `key` right after the head.
    pub(crate) fn link_front(&mut self, size_idx: usize, key: SubpageKey) {
        // Netty asserts the subpage is unlinked; linking twice is never done here.
        if !self.is_linked(size_idx, key) {
            self.pools[size_idx].insert(0, key);
        }
    }

    /// `removeFromPool`; returns false when `key` was not linked.
    pub(crate) fn unlink(&mut self, size_idx: usize, key: SubpageKey) -> bool {
        let pool = &mut self.pools[size_idx];
        match pool.iter().position(|k| *k == key) {
            Some(pos) => {
                pool.remove(pos);
                true
            }
            None => false,
        }
    }

    /// Drops every subpage of `chunk` from every pool (the chunk was destroyed).
    pub(crate) fn forget_chunk(&mut self, chunk: ChunkId) {
        for pool in &mut self.pools {
            pool.retain(|k| k.chunk != chunk);
        }
    }

    /// Every linked subpage with its size index, pool by pool.
    pub fn iter(&self) -> impl Iterator<Item = (usize, SubpageKey)> + '_ {
        self.pools
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.iter().map(move |k| (i, *k)))
    }
}
