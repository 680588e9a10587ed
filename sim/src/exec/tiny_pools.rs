//! What the shadow's #11955 rule (`shadow/tiny_pools.rs`) needs and does not track: the
//! acting thread's tiny cache queues and its arenas' tiny pools, read from the model
//! before an op (stored state only: pool heads, queue heads, thread-cache counts).

use crate::shadow::{ObservedArena, TinyPools, TinySide};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::op::Op;
use leakproof_model::pool::ArenaKind;
use leakproof_model::ThreadId;
use std::sync::Arc;

/// Netty's issue for 4.1.48's tiny pools under an alignment below 16 (fixed by #11987
/// in 4.1.73; netty.md §8 row 10).
pub const KNOWN_BUG_TINY_POOL_ALIGNMENT: &str = "#11955";

/// `numTinySubpagePools` (4.1.48 PoolArena.java:41).
const TINY_POOLS: usize = 512 >> 4;

/// Whether `op` may allocate from a pool, so the shadow may need the pools before it:
/// an allocation, a copy (`alloc().buffer`), `capacity(n)` and a write that grows
/// (`PoolArena.reallocate`). Every other op allocates nothing from an arena (derived
/// buffers come from the Recycler, `readBytes(int)` into a plain array here), and the
/// observation costs a look at every tiny pool and queue; the shadow panics if it
/// needs the pools on an op this says no to (`TinyView::Skipped`).
pub(crate) fn may_allocate(op: &Op) -> bool {
    match op {
        Op::Alloc { .. } | Op::Write { .. } | Op::SetCapacity { .. } | Op::Copy { .. } => true,
        Op::Read { .. }
        | Op::Slice { .. }
        | Op::Duplicate { .. }
        | Op::ReadSlice { .. }
        | Op::RetainedSlice { .. }
        | Op::RetainedDuplicate { .. }
        | Op::ReadRetainedSlice { .. }
        | Op::AsReadOnly { .. }
        | Op::Unreleasable { .. }
        | Op::Retain { .. }
        | Op::Release { .. }
        | Op::Drop { .. }
        | Op::HandOff { .. }
        | Op::Gc
        | Op::TrimCache
        | Op::FreeCache
        | Op::StartThread { .. }
        | Op::ExitThread { .. } => false,
    }
}

/// The arena of the pooled root `buf` reaches (through derivatives), if any.
fn root_arena(buf: &ByteBuf) -> Option<usize> {
    let mut b = buf.clone();
    loop {
        if let Some(fields) = b.pooled_fields() {
            return Some(fields.arena.index());
        }
        b = b.unwrap().ok()??;
    }
}

/// The tiny pools and thread `t`'s tiny queues of every pooled allocator and kind, and
/// the arena of the buffer `target` (the op's handle) reaches.
pub(crate) fn observe(
    allocators: &[Arc<PooledAllocator>],
    t: ThreadId,
    target: Option<&ByteBuf>,
) -> TinyPools {
    let mut sides = Vec::new();
    for (index, a) in (0u8..).zip(allocators) {
        let cache = a.cache_of(t);
        for (direct, kind) in [(false, ArenaKind::Heap), (true, ArenaKind::Direct)] {
            let arenas = a
                .arenas(kind)
                .iter()
                .map(|arena| {
                    // Before the lock: `num_thread_caches` takes it too.
                    let thread_caches = arena.num_thread_caches();
                    let core = arena.lock();
                    let heads = (0..TINY_POOLS)
                        .map(|i| {
                            let key = core.subpage_pools().first(i)?;
                            let chunk = core.chunk(key.chunk)?;
                            Some(chunk.subpage_at(key.run_offset)?.elem_size())
                        })
                        .collect();
                    ObservedArena {
                        thread_caches,
                        heads,
                    }
                })
                .collect();
            let bound = cache
                .as_ref()
                .and_then(|c| c.arena(kind))
                .map(|arena| arena.index());
            let cached = (0..TINY_POOLS)
                .map(|i| {
                    let queue = cache.as_ref()?.tiny_queue(kind, i)?;
                    Some(queue.front()?.region.allocation.max_length)
                })
                .collect();
            let side = TinySide {
                arenas,
                bound,
                cached,
            };
            sides.push(((index, direct), side));
        }
    }
    TinyPools {
        sides,
        own_arena: target.and_then(root_arena),
    }
}
