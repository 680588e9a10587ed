//! Entries left in freed thread caches: the add/free race finding and the #12749 bug.

use crate::alloc::pooled::PooledAllocator;
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
pub fn stranded_entries(
    allocator: &PooledAllocator,
    known_bug: bool,
) -> Result<StrandedReport, Violation> {
    let mut report = StrandedReport::default();
    for cache in allocator.all_caches() {
        for entry in cache.stranded() {
            let item = (cache.owner(), entry.region.allocation.max_length);
            if entry.checked_freed {
                report.raced.push(item);
            } else {
                report.unchecked.push(item);
            }
        }
    }
    if let Some((owner, bytes)) = report.unchecked.first() {
        if !known_bug {
            return Err(Violation::new(
                "add_to_freed_cache",
                format!(
                    "a {bytes}-byte handle was queued into the freed cache of {owner} without checking `freed` ({KNOWN_BUG_ADD_TO_FREED_CACHE}): it never returns to its arena"
                ),
            ));
        }
    }
    Ok(report)
}
