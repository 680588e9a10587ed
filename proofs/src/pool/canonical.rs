//! A canonical fingerprint of an arena: two arenas that differ only in chunk ids (which
//! grow forever) or in metrics counters (which never steer a decision) hash alike.
//!
//! Chunks are renamed by their position in the chunk lists (Netty's search order);
//! huge chunks, which sit in no list, by the live buffers that own them. Everything that
//! steers a later allocation or free is included: free runs with their `runsAvail`
//! queue, the run map, used runs, the buddy tree's `memoryMap`, every subpage's
//! bitmap, `numAvail`, `nextAvail` and `doNotDestroy`, the subpage pools' order and
//! each chunk's list.

use leakproof_model::pool::{ArenaCore, ChunkId, ChunkListId, PoolChunk};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// The chunk renaming: list order first, then huge chunks in `huge_order`.
pub fn chunk_names(arena: &ArenaCore, huge_order: &[ChunkId]) -> BTreeMap<ChunkId, u64> {
    let mut names = BTreeMap::new();
    for list in ChunkListId::ALL {
        for &id in arena.chunk_lists().get(list).chunks() {
            let next = names.len() as u64;
            names.entry(id).or_insert(next);
        }
    }
    for &id in huge_order {
        let next = names.len() as u64;
        names.entry(id).or_insert(next);
    }
    // Pooled chunks in no list (only a broken arena has them) keep a stable name.
    for c in arena.chunks() {
        let next = names.len() as u64;
        names.entry(c.id()).or_insert(next);
    }
    names
}

/// Feeds the arena's canonical form to `h`.
pub fn hash_arena<H: Hasher>(arena: &ArenaCore, names: &BTreeMap<ChunkId, u64>, h: &mut H) {
    let name = |id: &ChunkId| names.get(id).copied().unwrap_or(u64::MAX);
    for list in ChunkListId::ALL {
        let chunks = arena.chunk_lists().get(list).chunks();
        chunks.len().hash(h);
        for id in chunks {
            name(id).hash(h);
        }
    }
    let mut chunks: Vec<&PoolChunk> = arena.chunks().collect();
    chunks.sort_by_key(|c| name(&c.id()));
    chunks.len().hash(h);
    for c in chunks {
        hash_chunk(c, h);
    }
    let pools = arena.subpage_pools();
    for (size_idx, key) in pools.iter() {
        (size_idx, name(&key.chunk), key.run_offset).hash(h);
    }
    if let Some(kept) = arena.last_destroyed_chunk() {
        hash_chunk(kept, h);
    }
}

fn hash_chunk<H: Hasher>(c: &PoolChunk, h: &mut H) {
    (c.is_unpooled(), c.chunk_size(), c.free_bytes(), c.list()).hash(h);
    for (queue, run) in c.free_runs_by_queue() {
        (queue, run).hash(h);
    }
    for (page, run) in c.runs_avail_map() {
        (page, run).hash(h);
    }
    for run in c.used_runs() {
        run.hash(h);
    }
    c.buddy_tree().map(|t| t.memory_map()).hash(h);
    for s in c.subpages() {
        (
            s.run_offset(),
            s.head_index(),
            s.elem_size(),
            s.max_num_elems(),
            s.num_avail(),
            s.next_avail(),
            s.do_not_destroy(),
            s.bitmap(),
        )
            .hash(h);
    }
}
