//! Structural invariants of a long simulation, run every N buffer operations and at the
//! end: the model's own per-arena invariants that are linear in chunks and subpages,
//! and two accounting identities derived from the bitmaps, which restate Netty's rules
//! against the workload's own ledger instead of asking the model.

use super::ledger::Ledger;
use super::memory::{cached_bytes, pool_use, PoolUse};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::invariant::{
    WORKLOAD_DIRECT_COUNTER_MATCHES_CHUNKS, WORKLOAD_POOL_BYTES_ACCOUNTED,
};
use leakproof_model::jvm::Jvm;
use leakproof_model::pool::{invariants, ArenaKind};
use leakproof_model::Violation;

/// Above this many used subpage elements the per-element overlap check
/// (`live_ranges_disjoint_in_bounds`, which lists every element) is skipped.
pub const PER_ELEMENT_CHECK_LIMIT: u64 = 1 << 20;

/// Runs every check; the first violation wins. `per_element` adds the check that lists
/// every used element, when there are at most [`PER_ELEMENT_CHECK_LIMIT`] leaked buffers.
pub fn check(
    jvm: &Jvm,
    allocator: &PooledAllocator,
    ledger: &Ledger,
    per_element: bool,
) -> Result<(), Violation> {
    let leaked = ledger.tallies().iter().map(|t| t.leaked).sum::<u64>();
    let per_element = per_element && leaked <= PER_ELEMENT_CHECK_LIMIT;
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in allocator.arenas(kind) {
            let core = arena.lock();
            if per_element {
                invariants::check_arena(&core)?;
            } else {
                invariants::chunk_free_bytes_consistent(&core)?;
                invariants::free_runs_coalesced(&core)?;
                invariants::subpage_bitmap_consistent(&core)?;
                invariants::subpage_linked_iff_available(&core)?;
                invariants::chunk_in_list_by_usage(&core)?;
            }
        }
    }
    let pool = pool_use(allocator);
    pool_bytes_accounted(&pool, allocator, ledger)?;
    direct_counter_matches_chunks(&pool, jvm, allocator, ledger)
}

/// [`POOL_BYTES_ACCOUNTED`], given the arenas' [`PoolUse`].
pub fn pool_bytes_accounted(
    pool: &PoolUse,
    allocator: &PooledAllocator,
    ledger: &Ledger,
) -> Result<(), Violation> {
    let cached = cached_bytes(allocator);
    for (k, kind) in ["heap", "direct"].iter().enumerate() {
        let expected = ledger.leaked_small_normal[k] + ledger.in_flight_small_normal[k] + cached[k];
        if pool.used[k] != expected {
            return Err(Violation {
                invariant: WORKLOAD_POOL_BYTES_ACCOUNTED,
                message: format!(
                    "{kind} chunks have {} bytes in use, but leaked buffers hold {}, the \
                     message in flight {} and thread caches {}",
                    pool.used[k],
                    ledger.leaked_small_normal[k],
                    ledger.in_flight_small_normal[k],
                    cached[k]
                ),
            });
        }
    }
    Ok(())
}

/// [`DIRECT_COUNTER_MATCHES_CHUNKS`], given the arenas' [`PoolUse`].
pub fn direct_counter_matches_chunks(
    pool: &PoolUse,
    jvm: &Jvm,
    allocator: &PooledAllocator,
    ledger: &Ledger,
) -> Result<(), Violation> {
    let counter = jvm.netty_direct();
    if !counter.is_counting() || !jvm.config().uses_no_cleaner() {
        return Ok(());
    }
    let align = allocator.geometry().alignment as u64;
    let chunks: u64 = allocator
        .arenas(ArenaKind::Direct)
        .iter()
        .map(|a| a.lock().chunks().count() as u64)
        .sum();
    let unpooled = ledger.leaked_unpooled[1] + ledger.in_flight_unpooled[1];
    let expected = pool.chunk_bytes[1] + pool.huge_bytes[1] + chunks * align + unpooled;
    let used = counter.used();
    if used < 0 || used as u64 != expected || used > counter.limit() {
        return Err(Violation {
            invariant: WORKLOAD_DIRECT_COUNTER_MATCHES_CHUNKS,
            message: format!(
                "usedDirectMemory() = {used}, but the direct chunks hold {} + huge {} and \
                 unpooled buffers {unpooled} (limit {})",
                pool.chunk_bytes[1],
                pool.huge_bytes[1],
                counter.limit()
            ),
        });
    }
    Ok(())
}
