//! Thread caches: freed exactly once (#8108), and the entries left in freed caches (the
//! add/free race finding and the #12749 bug).

use crate::alloc::pooled::PooledAllocator;
use crate::invariant::{ADD_TO_FREED_CACHE, CACHES_FREED_ONCE};
use crate::pool::ArenaKind;
use crate::sync::Arc;
use crate::thread::ThreadId;
use crate::violation::Violation;

/// The Netty issue of the add-to-freed-cache bug (fixed in 4.1.85 by #12897).
pub const KNOWN_BUG_ADD_TO_FREED_CACHE: &str = "#12749";

/// What the freed caches of one allocator hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrandedReport {
    /// Entries whose `add` checked `freed` first: the race finding
    /// `stranded_by_add_free_race` (owner thread, normalized bytes).
    pub raced: Vec<(ThreadId, usize)>,
    /// Entries added without the check after `freed` was set (#12749).
    pub unchecked: Vec<(ThreadId, usize)>,
}

/// Classifies every entry left in a freed cache of `allocator`. Unchecked entries are
/// the violation `add_to_freed_cache` unless `known_bug` (a profile that still has
/// #12749); the caller reports them with the issue number then.
#[inline]
pub fn stranded_entries(
    allocator: &PooledAllocator,
    known_bug: bool,
) -> Result<StrandedReport, Violation> {
    let mut report = StrandedReport::default();
    for cache in allocator.all_caches() {
        // Entries left in a freed cache: nobody will ever drain them.
        if !cache.is_freed() {
            continue;
        }
        for q in cache.queues() {
            q.for_each_entry(|entry| {
                let item = (cache.owner(), entry.region.allocation.max_length);
                if entry.checked_freed {
                    report.raced.push(item);
                } else {
                    report.unchecked.push(item);
                }
            });
        }
    }
    if let Some((owner, bytes)) = report.unchecked.first() {
        if !known_bug {
            return Err(Violation::new(
                ADD_TO_FREED_CACHE,
                format!(
                    "a {bytes}-byte handle was queued into the freed cache of {owner} without checking `freed` ({KNOWN_BUG_ADD_TO_FREED_CACHE}): it never returns to its arena"
                ),
            ));
        }
    }
    Ok(report)
}

/// #8108: a thread cache is freed once. Each arena's `numThreadCaches` (incremented by
/// the `PoolThreadCache` constructor, decremented by `free()`) counts exactly the caches
/// bound to it that are not freed, plus the constructions that threw after counting
/// (PoolThreadCache.java:96–102 of 4.1.128); a second `free()` would count one cache out
/// twice. Holds at quiescent points (a `free()` in flight has set `freed` before
/// unbinding).
#[inline]
pub fn caches_freed_once(allocator: &PooledAllocator) -> Result<(), Violation> {
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in allocator.arenas(kind) {
            let bound = allocator
                .all_caches()
                .filter(|c| !c.is_freed() && c.arena(kind).is_some_and(|a| Arc::ptr_eq(a, arena)))
                .count() as i64;
            let refused = arena.refused_thread_caches() as i64;
            let counted = arena.num_thread_caches();
            if i64::from(counted) != bound + refused {
                return Err(Violation::new(
                    CACHES_FREED_ONCE,
                    format!(
                        "{kind:?} arena {}: numThreadCaches is {counted} but {bound} live caches are bound to it and {refused} constructions threw (a cache freed twice, or counted out without being freed)",
                        arena.index()
                    ),
                ));
            }
        }
    }
    Ok(())
}
