//! Where the memory is: one sample reads the JVM's counters and walks the allocator's
//! arenas and thread caches (never a buffer: leaked ones exist only as bitmap bits).

use super::ledger::Ledger;
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::jvm::Jvm;
use leakproof_model::pool::{ArenaKind, SizeKind};
use serde::Serialize;

/// Memory at one moment, by source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemorySample {
    /// Simulated seconds since start.
    pub time_s: u64,
    /// `PlatformDependent.usedDirectMemory()` (−1 when Netty keeps no counter).
    pub direct_used: i64,
    /// The JDK's direct-memory ledger (Cleaner-backed buffers).
    pub jdk_direct_reserved: i64,
    /// Heap bytes of buffer arrays and heap-arena chunks.
    pub heap_used: i64,
    /// Pooled chunks alive (both kinds), huge ones excluded.
    pub chunks: u64,
    /// Their bytes.
    pub chunk_bytes: u64,
    /// Bytes of huge (unpooled-chunk) allocations alive.
    pub huge_bytes: u64,
    /// Bytes leaked buffers hold, over every stage.
    pub leaked_bytes: u64,
    /// Leaked bytes by stage, in the ledger's order.
    pub leaked_by_stage: Vec<u64>,
    /// Bytes in thread-cache queues (released, kept for reuse).
    pub cached_bytes: u64,
    /// Pooled chunk bytes that nobody holds: free runs, free subpage slots and what
    /// size classes waste; `chunk_bytes − leaked − cached − in use`.
    pub free_in_chunks: u64,
}

/// Bytes of chunk memory in use per arena kind, derived from the runs and bitmaps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolUse {
    /// `[heap, direct]`: Σ used normal runs + Σ used subpage elements × element size.
    pub used: [u64; 2],
    /// `[heap, direct]`: Σ pooled chunk sizes.
    pub chunk_bytes: [u64; 2],
    /// `[heap, direct]`: Σ huge chunk sizes.
    pub huge_bytes: [u64; 2],
    /// Pooled chunks, both kinds.
    pub chunks: u64,
}

/// Walks every arena of `allocator` (one lock at a time).
pub fn pool_use(allocator: &PooledAllocator) -> PoolUse {
    let mut out = PoolUse::default();
    for (k, kind) in [ArenaKind::Heap, ArenaKind::Direct].into_iter().enumerate() {
        for arena in allocator.arenas(kind) {
            let core = arena.lock();
            for chunk in core.chunks() {
                if chunk.is_unpooled() {
                    out.huge_bytes[k] += chunk.chunk_size() as u64;
                    continue;
                }
                out.chunks += 1;
                out.chunk_bytes[k] += chunk.chunk_size() as u64;
                let shift = chunk.page_shifts();
                for run in chunk.used_runs() {
                    out.used[k] += match chunk.subpage_at(run.offset) {
                        None => (run.pages as u64) << shift,
                        Some(s) => {
                            let in_use = s.bitmap().iter().map(|w| w.count_ones()).sum::<u32>();
                            in_use as u64 * s.elem_size() as u64
                        }
                    };
                }
            }
        }
    }
    out
}

/// `[heap, direct]` bytes (size classes) of the entries queued in every thread cache.
pub fn cached_bytes(allocator: &PooledAllocator) -> [u64; 2] {
    let mut out = [0u64; 2];
    for cache in allocator.all_caches() {
        for queue in cache.queues() {
            queue.for_each_entry(|entry| {
                let a = &entry.region.allocation;
                if a.kind != SizeKind::Huge {
                    let k = usize::from(entry.region.arena.kind() == ArenaKind::Direct);
                    out[k] += a.max_length as u64;
                }
            });
        }
    }
    out
}

/// Pooled chunks (`[heap, direct]` bytes of pooled chunks, of huge chunks, and the
/// number of pooled chunks), without walking their runs.
fn chunk_totals(allocator: &PooledAllocator) -> ([u64; 2], [u64; 2], u64) {
    let (mut pooled, mut huge, mut n) = ([0u64; 2], [0u64; 2], 0);
    for (k, kind) in [ArenaKind::Heap, ArenaKind::Direct].into_iter().enumerate() {
        for arena in allocator.arenas(kind) {
            for chunk in arena.lock().chunks() {
                if chunk.is_unpooled() {
                    huge[k] += chunk.chunk_size() as u64;
                } else {
                    pooled[k] += chunk.chunk_size() as u64;
                    n += 1;
                }
            }
        }
    }
    (pooled, huge, n)
}

/// A sample at `time_s` (between messages: nothing is in flight). What the leaked
/// buffers hold comes from the ledger; the structural checks verify it against the
/// bitmaps.
pub fn sample(
    time_s: u64,
    jvm: &Jvm,
    allocator: &PooledAllocator,
    ledger: &Ledger,
) -> MemorySample {
    let (pooled, huge, chunks) = chunk_totals(allocator);
    let cached = cached_bytes(allocator);
    let chunk_bytes = pooled[0] + pooled[1];
    let held = (0..2)
        .map(|k| ledger.leaked_small_normal[k] + ledger.in_flight_small_normal[k] + cached[k])
        .sum::<u64>();
    MemorySample {
        time_s,
        direct_used: jvm.netty_direct().used(),
        jdk_direct_reserved: jvm.jdk_direct().reserved(),
        heap_used: jvm.heap().used(),
        chunks,
        chunk_bytes,
        huge_bytes: huge[0] + huge[1],
        leaked_bytes: ledger.leaked_pool_bytes(),
        leaked_by_stage: ledger
            .tallies()
            .iter()
            .map(|t| t.leaked_pool_bytes)
            .collect(),
        cached_bytes: cached[0] + cached[1],
        free_in_chunks: chunk_bytes.saturating_sub(held),
    }
}
