//! The six `PoolChunkList`s of an arena and how chunks move between them
//! (netty.md §3.1; 4.1.128 byte thresholds, 4.1.48 percent thresholds).

use super::chunk::{usage, ChunkId, PoolChunk};
use crate::profile::ChunkListThresholds;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the arena's chunk lists, in Netty's metric order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ChunkListId {
    /// `qInit` (MIN..25%): new chunks; never destroys.
    QInit,
    /// `q000` (1..50%): falling out of it destroys the chunk.
    Q000,
    /// `q025` (25..75%).
    Q025,
    /// `q050` (50..100%).
    Q050,
    /// `q075` (75..100%).
    Q075,
    /// `q100` (100%..MAX).
    Q100,
}

impl ChunkListId {
    /// Every list in `chunkLists()` order.
    pub const ALL: [ChunkListId; 6] = [
        ChunkListId::QInit,
        ChunkListId::Q000,
        ChunkListId::Q025,
        ChunkListId::Q050,
        ChunkListId::Q075,
        ChunkListId::Q100,
    ];

    /// Netty's field name (`qInit`, `q000`, …).
    pub fn name(self) -> &'static str {
        ["qInit", "q000", "q025", "q050", "q075", "q100"][self.index()]
    }

    /// Position in [`ChunkListId::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ChunkListId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One chunk list: usage bounds, thresholds and its chunks (head first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolChunkList {
    id: ChunkListId,
    min_usage: i32,
    max_usage: i32,
    chunk_size: usize,
    max_capacity: usize,
    free_min_threshold: i32,
    free_max_threshold: i32,
    thresholds: ChunkListThresholds,
    next: Option<ChunkListId>,
    prev: Option<ChunkListId>,
    chunks: Vec<ChunkId>,
}

/// `(int) (chunkSize * (100.0 - usage + 0.99999999) / 100L)`, saturating like Java.
fn free_threshold(chunk_size: usize, usage: i32) -> i32 {
    (chunk_size as f64 * (100.0 - usage as f64 + 0.99999999) / 100.0) as i32
}

impl PoolChunkList {
    fn new(
        id: ChunkListId,
        (min_usage, max_usage): (i32, i32),
        next: Option<ChunkListId>,
        prev: Option<ChunkListId>,
        chunk_size: usize,
        thresholds: ChunkListThresholds,
    ) -> Self {
        let min0 = min_usage.max(1);
        let max_capacity = if min0 == 100 {
            0
        } else {
            (chunk_size as u64 * (100 - min0 as u64) / 100) as usize
        };
        PoolChunkList {
            id,
            min_usage,
            max_usage,
            chunk_size,
            max_capacity,
            free_min_threshold: if max_usage == 100 {
                0
            } else {
                free_threshold(chunk_size, max_usage)
            },
            free_max_threshold: if min_usage == 100 {
                0
            } else {
                free_threshold(chunk_size, min_usage)
            },
            thresholds,
            next,
            prev,
            chunks: Vec::new(),
        }
    }

    /// Which list this is.
    pub fn id(&self) -> ChunkListId {
        self.id
    }
    /// `minUsage()` as the metric reports it (at least 1).
    pub fn min_usage(&self) -> i32 {
        self.min_usage.max(1)
    }
    /// `maxUsage()` as the metric reports it (at most 100).
    pub fn max_usage(&self) -> i32 {
        self.max_usage.min(100)
    }
    /// Largest normalized size this list may serve (`maxCapacity`).
    pub fn max_capacity(&self) -> usize {
        self.max_capacity
    }
    /// Move up after an allocation when `freeBytes <= freeMinThreshold` (bytes scheme).
    pub fn free_min_threshold(&self) -> i32 {
        self.free_min_threshold
    }
    /// Move down after a free when `freeBytes > freeMaxThreshold` (bytes scheme).
    pub fn free_max_threshold(&self) -> i32 {
        self.free_max_threshold
    }
    /// The list a chunk moves up to.
    pub fn next(&self) -> Option<ChunkListId> {
        self.next
    }
    /// The list a chunk moves down to (qInit: itself; q000: none, i.e. destroy).
    pub fn prev(&self) -> Option<ChunkListId> {
        self.prev
    }
    /// The chunks, head first.
    pub fn chunks(&self) -> &[ChunkId] {
        &self.chunks
    }

    /// Whether a chunk with `free_bytes` belongs in a later list.
    pub fn should_move_up(&self, free_bytes: usize) -> bool {
        match self.thresholds {
            ChunkListThresholds::Bytes => (free_bytes as i64) <= self.free_min_threshold as i64,
            ChunkListThresholds::Percent => {
                usage(free_bytes, self.chunk_size) as i64 >= self.max_usage as i64
            }
        }
    }

    /// Whether a chunk with `free_bytes` belongs in an earlier list (or is destroyed).
    pub fn should_move_down(&self, free_bytes: usize) -> bool {
        match self.thresholds {
            ChunkListThresholds::Bytes => (free_bytes as i64) > self.free_max_threshold as i64,
            ChunkListThresholds::Percent => {
                (usage(free_bytes, self.chunk_size) as i64) < self.min_usage as i64
            }
        }
    }
}

/// The arena's six lists, linked as in `PoolArena`'s constructor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkLists {
    lists: [PoolChunkList; 6],
    one_level_moves: bool,
}

impl ChunkLists {
    /// The lists for `chunk_size`. `q050_next_is_q100`: #13622 (4.1.115+);
    /// `one_level_moves`: `Mutant::ChunkMovesOneList` (before 88b093c481).
    pub fn new(
        chunk_size: usize,
        thresholds: ChunkListThresholds,
        q050_next_is_q100: bool,
        one_level_moves: bool,
    ) -> Self {
        use ChunkListId::*;
        let q050_next = if q050_next_is_q100 { Q100 } else { Q075 };
        let l = |id, bounds, next, prev| {
            PoolChunkList::new(id, bounds, next, prev, chunk_size, thresholds)
        };
        ChunkLists {
            lists: [
                l(QInit, (i32::MIN, 25), Some(Q000), Some(QInit)),
                l(Q000, (1, 50), Some(Q025), None),
                l(Q025, (25, 75), Some(Q050), Some(Q000)),
                l(Q050, (50, 100), Some(q050_next), Some(Q025)),
                l(Q075, (75, 100), Some(Q100), Some(Q050)),
                l(Q100, (100, i32::MAX), None, Some(Q075)),
            ],
            one_level_moves,
        }
    }

    /// One list.
    pub fn get(&self, id: ChunkListId) -> &PoolChunkList {
        &self.lists[id.index()]
    }

    /// All six lists in metric order.
    pub fn iter(&self) -> impl Iterator<Item = &PoolChunkList> + '_ {
        self.lists.iter()
    }

    /// `add`: forwards along `next` while the chunk should move up, then links it at
    /// the head of the list it stops at.
    pub(crate) fn add(&mut self, mut list: ChunkListId, chunk: &mut PoolChunk) {
        loop {
            let l = self.get(list);
            match l.next {
                Some(next) if l.should_move_up(chunk.free_bytes()) => list = next,
                _ => break,
            }
        }
        self.add0(list, chunk);
    }

    fn add0(&mut self, list: ChunkListId, chunk: &mut PoolChunk) {
        self.lists[list.index()].chunks.insert(0, chunk.id());
        chunk.set_list(Some(list));
    }

    /// Unlinks `chunk` from the list it is in.
    pub(crate) fn remove(&mut self, chunk: &mut PoolChunk) {
        if let Some(list) = chunk.list() {
            self.lists[list.index()].chunks.retain(|&c| c != chunk.id());
        }
        chunk.set_list(None);
    }

    /// After an allocation from `chunk`: moves it up when it crossed its list's
    /// threshold (`PoolChunkList.allocate`).
    pub(crate) fn after_allocate(&mut self, chunk: &mut PoolChunk) {
        let Some(list) = chunk.list() else { return };
        let l = self.get(list);
        if let Some(next) = l.next {
            if l.should_move_up(chunk.free_bytes()) {
                self.remove(chunk);
                self.add(next, chunk);
            }
        }
    }

    /// After a free in `chunk` (`PoolChunkList.free`): moves it down as many levels as
    /// needed. Returns false when it fell out of q000 and must be destroyed (it is
    /// then in no list).
    pub(crate) fn after_free(&mut self, chunk: &mut PoolChunk) -> bool {
        let Some(list) = chunk.list() else {
            return true;
        };
        if !self.get(list).should_move_down(chunk.free_bytes()) {
            return true;
        }
        self.remove(chunk);
        self.move0(list, chunk)
    }

    fn move0(&mut self, from: ChunkListId, chunk: &mut PoolChunk) -> bool {
        let Some(prev) = self.get(from).prev else {
            return false;
        };
        if self.one_level_moves {
            self.add(prev, chunk);
            return true;
        }
        if self.get(prev).should_move_down(chunk.free_bytes()) {
            return self.move0(prev, chunk);
        }
        self.add0(prev, chunk);
        true
    }

    /// Empties every list (arena finalization), returning the chunks in Netty's order:
    /// qInit, q000, …, q100, each head first.
    pub(crate) fn drain(&mut self) -> Vec<ChunkId> {
        self.lists
            .iter_mut()
            .flat_map(|l| std::mem::take(&mut l.chunks))
            .collect()
    }
}
