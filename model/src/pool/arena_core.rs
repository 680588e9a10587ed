//! `ArenaCore`: the plain data of one heap or direct `PoolArena` (netty.md §3).
//!
//! No locks inside: `PoolArena` (alloc/pooled/arena.rs) runs each of Netty's critical
//! sections on it as one step, holding Netty's locks for it (the arena lock, the
//! subpage pool's head lock). The small fast path is two steps, [`ArenaCore::pool_first`]
//! and [`ArenaCore::allocate_from_subpage`]; `runsAvailLock` stays folded into the
//! arena lock (a documented departure). The thread-cache layer reaches the arena only
//! on a cache miss and frees to it only when the cache refused the entry.

use super::allocation::{allocation_in, model_error};
pub use super::allocation::{Allocation, FreeOutcome};
use super::arena_metrics::ArenaCounters;
pub use super::arena_options::{AlignmentFault, ArenaKind, ArenaOptions};
use super::chunk::{ChunkFree, ChunkId, PoolChunk};
use super::chunk_list::{ChunkListId, ChunkLists};
use super::size_classes::{SharedSizeClasses, SizeClasses, SizeKind};
use super::source::ChunkSource;
use super::subpage_pools::{SubpageKey, SubpagePools};
use crate::coverage::Event;
use crate::error::JavaResult;
use crate::profile::SizeClassScheme;
use std::collections::BTreeMap;

/// One arena's plain data.
#[derive(Clone, Debug)]
pub struct ArenaCore {
    /// Shared by every arena of one kind of an allocator (computed once per geometry).
    pub(crate) sc: SharedSizeClasses,
    pub(crate) opts: ArenaOptions,
    pub(crate) chunks: BTreeMap<ChunkId, PoolChunk>,
    pub(crate) lists: ChunkLists,
    pub(crate) pools: SubpagePools,
    pub(crate) counters: ArenaCounters,
    next_seq: u64,
    last_destroyed: Option<PoolChunk>,
    /// Bumped by every public `&mut self` method: checkers skip arenas they saw
    /// unchanged.
    version: u64,
}

const NORMAL_ORDER: [ChunkListId; 5] = [
    ChunkListId::Q050,
    ChunkListId::Q025,
    ChunkListId::Q000,
    ChunkListId::QInit,
    ChunkListId::Q075,
];

impl ArenaCore {
    /// An empty arena over `sc` (heap arenas get unaligned classes, direct ones aligned).
    pub fn new(sc: impl Into<SharedSizeClasses>, opts: ArenaOptions) -> Self {
        let sc = sc.into();
        let lists = ChunkLists::new(
            sc.chunk_size(),
            opts.thresholds,
            opts.q050_next_is_q100,
            opts.one_level_moves,
        );
        ArenaCore {
            pools: SubpagePools::new(sc.n_subpages()),
            sc,
            opts,
            chunks: BTreeMap::new(),
            lists,
            counters: ArenaCounters::default(),
            next_seq: 0,
            last_destroyed: None,
            version: 0,
        }
    }

    /// How many times the arena was changed through its `&mut self` methods (failed
    /// calls included): equal versions of one arena mean an unchanged arena.
    pub fn version(&self) -> u64 {
        self.version
    }
    /// The size classes.
    pub fn size_classes(&self) -> &SizeClasses {
        &self.sc
    }
    /// The size classes, shared.
    pub fn shared_size_classes(&self) -> SharedSizeClasses {
        self.sc.clone()
    }
    /// The options.
    pub fn options(&self) -> &ArenaOptions {
        &self.opts
    }
    /// Every live chunk (pooled and huge), by id.
    pub fn chunks(&self) -> impl Iterator<Item = &PoolChunk> + '_ {
        self.chunks.values()
    }
    /// One live chunk.
    #[inline]
    pub fn chunk(&self, id: ChunkId) -> Option<&PoolChunk> {
        self.chunks.get(&id)
    }
    /// The six chunk lists.
    pub fn chunk_lists(&self) -> &ChunkLists {
        &self.lists
    }
    /// `smallSubpagePools`.
    pub fn subpage_pools(&self) -> &SubpagePools {
        &self.pools
    }
    /// The raw counters.
    pub fn counters(&self) -> &ArenaCounters {
        &self.counters
    }
    /// A heap arena's kept destroyed chunk (`lastDestroyedChunk`), if any.
    pub fn last_destroyed_chunk(&self) -> Option<&PoolChunk> {
        self.last_destroyed.as_ref()
    }

    fn fresh_id(&mut self) -> ChunkId {
        self.next_seq += 1;
        ChunkId(((self.opts.arena_index as u64) << 48) | self.next_seq)
    }

    /// Allocates `req_capacity` bytes (a thread-cache miss): small from the pool's
    /// first subpage or a new subpage run, normal from the lists (q050, q025, q000,
    /// qInit, q075) or a new chunk, huge from an unpooled chunk. Errors from `source`
    /// propagate untouched and leave the arena unchanged.
    pub fn allocate(
        &mut self,
        req_capacity: usize,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<Allocation> {
        let size_idx = self.sc.size2size_idx(req_capacity);
        self.allocate_sized(req_capacity, size_idx, source)
    }

    /// [`ArenaCore::allocate`] given `size_idx = size2SizeIdx(req_capacity)` (the
    /// caller looked it up in these size classes for its thread cache already).
    pub(crate) fn allocate_sized(
        &mut self,
        req_capacity: usize,
        size_idx: usize,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<Allocation> {
        match self.sc.kind_of_idx(size_idx) {
            SizeKind::Small => match self.pools.first(size_idx) {
                Some(key) => self.allocate_from_subpage(key, req_capacity, size_idx),
                None => self.allocate_small_in_chunks(req_capacity, size_idx, source),
            },
            SizeKind::Normal => {
                self.version += 1;
                let alloc = self.allocate_normal(req_capacity, size_idx, source)?;
                self.counters.allocations_normal += 1;
                Ok(alloc)
            }
            SizeKind::Huge => {
                self.version += 1;
                self.allocate_huge(req_capacity, source)
            }
        }
    }

    /// `head.next` of the subpage pool of `size_idx`: the small fast path's first step
    /// (`tcacheAllocateSmall`, under that pool's head lock only).
    pub fn pool_first(&self, size_idx: usize) -> Option<SubpageKey> {
        self.pools.first(size_idx)
    }

    /// The small fast path's second step, still under the head lock only:
    /// `s.allocate()` and `initBufWithSubpage` on the subpage `key` the first step read
    /// as `head.next` (4.1.128 PoolArena.java:159–173), then `incSmallAllocation`.
    pub fn allocate_from_subpage(
        &mut self,
        key: SubpageKey,
        req_capacity: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        self.version += 1;
        let alloc = self.subpage_allocation(key, req_capacity, size_idx)?;
        self.count_small(size_idx);
        Ok(alloc)
    }

    /// The small slow path, under the arena lock and then the head lock
    /// (`allocateNormal`, whose `PoolChunk.allocate` re-checks the pool when the
    /// profile says so), then `incSmallAllocation`.
    pub fn allocate_small_in_chunks(
        &mut self,
        req_capacity: usize,
        size_idx: usize,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<Allocation> {
        self.version += 1;
        let alloc = self.allocate_normal(req_capacity, size_idx, source)?;
        self.count_small(size_idx);
        Ok(alloc)
    }

    /// `incSmallAllocation` (`incTinySmallAllocation`, 4.1.48 PoolArena.java:251–257).
    fn count_small(&mut self, size_idx: usize) {
        if self.sc.is_tiny_idx(size_idx) {
            self.counters.allocations_tiny += 1;
        } else {
            self.counters.allocations_small += 1;
        }
    }

    /// `s.allocate()` + `initBufWithSubpage` on a pooled subpage, after Netty's assert
    /// that it is live and of the pool's size. A subpage destroyed since it was read as
    /// `head.next` is gone from its chunk; Netty would still hold the object, with
    /// `doNotDestroy` false, and fail the same assert.
    fn subpage_allocation(
        &mut self,
        key: SubpageKey,
        req: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        let elem = self.sc.subpage_elem_size(size_idx, req).unwrap_or(0);
        let not_live = |live: bool, size: usize| {
            model_error(format!(
                "doNotDestroy={live}, elemSize={size}, sizeIdx={size_idx}"
            ))
        };
        let chunk = self
            .chunks
            .get_mut(&key.chunk)
            .ok_or_else(|| not_live(false, elem))?;
        let sub = chunk
            .subpage_at_mut(key.run_offset)
            .ok_or_else(|| not_live(false, elem))?;
        if !sub.do_not_destroy() || sub.elem_size() != elem {
            return Err(not_live(sub.do_not_destroy(), sub.elem_size()));
        }
        let h = sub.allocate(&mut self.pools)?;
        allocation_in(&self.sc, &self.opts, key.chunk, chunk, h, req, size_idx)
    }

    /// `PoolChunk.allocate`'s re-check of the pool (4.1.128): `Some` when the pool of a
    /// small `size_idx` has a subpage now.
    fn recheck_pool(&self, size_idx: usize) -> Option<SubpageKey> {
        let small = self.sc.kind_of_idx(size_idx) == SizeKind::Small;
        (small && self.opts.rechecks_subpage_pool)
            .then(|| self.pools.first(size_idx))
            .flatten()
    }

    fn allocate_normal(
        &mut self,
        req: usize,
        size_idx: usize,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<Allocation> {
        let norm = self.sc.size_idx2size(size_idx).unwrap_or(usize::MAX);
        for list in NORMAL_ORDER {
            if norm > self.lists.get(list).max_capacity() {
                continue;
            }
            for id in self.lists.get(list).chunks().to_vec() {
                if let Some(key) = self.recheck_pool(size_idx) {
                    // `cur.allocate` returned true: `PoolChunkList.allocate` still
                    // checks `cur` against its list's threshold.
                    let alloc = self.subpage_allocation(key, req, size_idx)?;
                    if let Some(chunk) = self.chunks.get_mut(&id) {
                        self.lists.after_allocate(chunk);
                    }
                    return Ok(alloc);
                }
                let Some(chunk) = self.chunks.get_mut(&id) else {
                    continue;
                };
                if let Some(h) = chunk.allocate(&self.sc, size_idx, req, &mut self.pools)? {
                    let before = chunk.list();
                    self.lists.after_allocate(chunk);
                    if chunk.list() != before {
                        source.record(Event::ListMoveUp);
                    }
                    return self.allocation(id, h, req, size_idx);
                }
            }
        }
        let id = self.fresh_id();
        // Only a heap arena that reuses its last destroyed chunk keeps one
        // (`destroy_pooled`).
        let mut chunk = match self.last_destroyed.take() {
            Some(mut kept) => {
                kept.set_id(id);
                kept
            }
            None => {
                let size = self.sc.chunk_size();
                let memory = source.new_chunk(size, false)?;
                if memory.len() != size {
                    source.destroy_chunk(size, false);
                    return Err(model_error(format!(
                        "model: ChunkSource gave {} bytes for {size}",
                        memory.len()
                    )));
                }
                PoolChunk::new_pooled(id, memory, &self.sc)
            }
        };
        if let Some(key) = self.recheck_pool(size_idx) {
            // The new chunk's `allocate` found the pool refilled: it serves the buffer
            // from there and `qInit.add(c)` keeps the new chunk, empty.
            let alloc = match self.subpage_allocation(key, req, size_idx) {
                Ok(alloc) => alloc,
                Err(e) => {
                    source.destroy_chunk(chunk.chunk_size(), false);
                    return Err(e);
                }
            };
            self.lists.add(ChunkListId::QInit, &mut chunk);
            self.chunks.insert(id, chunk);
            return Ok(alloc);
        }
        let allocated = chunk.allocate(&self.sc, size_idx, req, &mut self.pools);
        let Some(h) = allocated.inspect_err(|_| source.destroy_chunk(chunk.chunk_size(), false))?
        else {
            source.destroy_chunk(chunk.chunk_size(), false);
            return Err(model_error(format!(
                "model: a new chunk could not serve size index {size_idx}"
            )));
        };
        self.lists.add(ChunkListId::QInit, &mut chunk);
        self.chunks.insert(id, chunk);
        self.allocation(id, h, req, size_idx)
    }

    fn allocate_huge(
        &mut self,
        req: usize,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<Allocation> {
        // 4.1.128 passes normalizeSize(req) (PoolArena.java:139–142); 4.1.48 passes the
        // request itself (PoolArena.java:229–231, 259–262).
        let norm = match self.sc.scheme() {
            SizeClassScheme::Jemalloc4 if self.sc.alignment() > 0 => self.sc.normalize_size(req),
            _ => req,
        };
        let memory = source.new_chunk(norm, true)?;
        if memory.len() != norm {
            source.destroy_chunk(norm, true);
            return Err(model_error(format!(
                "model: ChunkSource gave {} bytes for {norm}",
                memory.len()
            )));
        }
        let id = self.fresh_id();
        let chunk = PoolChunk::new_unpooled(id, memory.clone());
        self.counters.active_bytes_huge += chunk.chunk_size() as i64;
        self.chunks.insert(id, chunk);
        self.counters.allocations_huge += 1;
        Ok(Allocation {
            chunk: id,
            handle: 0,
            offset: 0,
            // initUnpooled(chunk, normCapacity) (PooledByteBuf.java:55–56).
            length: norm,
            max_length: norm,
            memory,
            size_idx: self.sc.n_sizes(),
            kind: SizeKind::Huge,
        })
    }

    fn allocation(
        &self,
        id: ChunkId,
        h: u64,
        req: usize,
        size_idx: usize,
    ) -> JavaResult<Allocation> {
        let chunk = self
            .chunks
            .get(&id)
            .ok_or_else(|| model_error(format!("model: {id} vanished")))?;
        allocation_in(&self.sc, &self.opts, id, chunk, h, req, size_idx)
    }

    /// Frees a handle the cache did not take (`PoolArena.free` for huge chunks,
    /// `freeChunk` otherwise): counts the deallocation unless `finalizer` (the thread
    /// cache's finalizer path skips metrics, #8955), frees in the chunk, moves the
    /// chunk down, and destroys it via `source` when it falls out of q000. Handles that
    /// are not live are refused with an `AssertionError` value and change nothing.
    pub fn free(
        &mut self,
        chunk: ChunkId,
        handle: u64,
        norm_capacity: usize,
        finalizer: bool,
        source: &mut dyn ChunkSource,
    ) -> JavaResult<FreeOutcome> {
        self.version += 1;
        let Some(c) = self.chunks.get_mut(&chunk) else {
            return Err(model_error(format!("model: free into unknown {chunk}")));
        };
        if c.is_unpooled() {
            let size = c.chunk_size();
            self.chunks.remove(&chunk);
            source.destroy_chunk(size, true);
            self.counters.active_bytes_huge -= size as i64;
            source.record(Event::HugeChunkDestroyed);
            if self.opts.huge_deallocation_decrements {
                // Java's counter goes negative; the model's unsigned one stops at 0.
                self.counters.deallocations_huge =
                    self.counters.deallocations_huge.saturating_sub(1);
            } else {
                self.counters.deallocations_huge += 1;
            }
            return Ok(FreeOutcome {
                kind: SizeKind::Huge,
                norm_capacity,
                destroyed: Some(chunk),
            });
        }
        let kind = if c.decode(handle).is_subpage {
            SizeKind::Small
        } else {
            SizeKind::Normal
        };
        let freed = c.free(&self.sc, handle, &mut self.pools, self.opts.chunk_free)?;
        if kind == SizeKind::Small && freed == ChunkFree::Run {
            source.record(Event::SubpageReleased);
        }
        if !finalizer {
            // `sizeClass(normCapacity)` picks the counter (4.1.48 PoolArena.java:283–308).
            match kind {
                SizeKind::Small if self.sc.is_tiny_size(norm_capacity) => {
                    self.counters.deallocations_tiny += 1
                }
                SizeKind::Small => self.counters.deallocations_small += 1,
                _ => self.counters.deallocations_normal += 1,
            }
        }
        let before = c.list();
        let keep = self.lists.after_free(c);
        let destroyed = if keep {
            if c.list() != before {
                source.record(Event::ListMoveDown);
            }
            None
        } else {
            self.destroy_pooled(chunk, source);
            source.record(Event::ChunkDestroyed);
            Some(chunk)
        };
        Ok(FreeOutcome {
            kind,
            norm_capacity,
            destroyed,
        })
    }

    fn destroy_pooled(&mut self, id: ChunkId, source: &mut dyn ChunkSource) {
        let Some(mut chunk) = self.chunks.remove(&id) else {
            return;
        };
        self.lists.remove(&mut chunk);
        self.pools.forget_chunk(id);
        let keep = self.opts.kind == ArenaKind::Heap
            && self.opts.reuse_last_destroyed_heap_chunk
            && self.last_destroyed.is_none();
        if keep {
            self.last_destroyed = Some(chunk);
        } else {
            source.destroy_chunk(chunk.chunk_size(), false);
        }
    }

    /// Arena finalization (#5833): destroys every chunk in the lists (and a kept heap
    /// chunk). Huge chunks stay: their buffers own them. Returns how many were destroyed.
    pub fn destroy_all(&mut self, source: &mut dyn ChunkSource) -> usize {
        self.version += 1;
        let mut n = 0;
        for id in self.lists.drain() {
            if let Some(mut chunk) = self.chunks.remove(&id) {
                chunk.set_list(None);
                self.pools.forget_chunk(id);
                source.destroy_chunk(chunk.chunk_size(), false);
                n += 1;
            }
        }
        if let Some(kept) = self.last_destroyed.take() {
            source.destroy_chunk(kept.chunk_size(), false);
            n += 1;
        }
        n
    }

    /// A thread cache bound this arena (`numThreadCaches.getAndIncrement`).
    pub fn inc_thread_caches(&mut self) {
        self.version += 1;
        self.counters.num_thread_caches += 1;
    }

    /// A thread cache bound to this arena was freed.
    pub fn dec_thread_caches(&mut self) {
        self.version += 1;
        self.counters.num_thread_caches -= 1;
    }

    /// Test-only mutable access for deliberate corruption.
    #[cfg(test)]
    pub(crate) fn chunk_mut(&mut self, id: ChunkId) -> Option<&mut PoolChunk> {
        self.version += 1;
        self.chunks.get_mut(&id)
    }
}
