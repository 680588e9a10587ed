//! The invariant checker: every named invariant is one function returning
//! `Result<(), Violation>`, and [`REGISTRY`] lists every name with its meaning (for
//! traces, reports, the mutant table and the docs).
//!
//! The allocator invariants of `pool::invariants` and the leak-detector invariants of
//! `leak::checks` are registered here, not duplicated. Checks that need the program's
//! view (expected bytes, usage) take it as arguments; the executor in `sim` supplies it.
//!
//! Every function of the invariant sources (`check/`, `pool/invariants/`,
//! `leak/checks.rs`) is `#[inline]`: rustc then emits its code in the calling crate, so
//! in cargo-fuzz builds the checks are compiled with the executor, without
//! SanitizerCoverage, and the checker's own branches are not libFuzzer features
//! (docs/throughput/eleventh-pass.md; `tests/oracle_independence/inlined.rs` keeps it so).

pub mod buddy_tree;
mod bytes;
mod cache;
mod end;
mod expected_bytes;
mod ledger;
pub mod netty;
mod normal_caches;
mod objects;
mod places;
mod touched;

pub use bytes::{bytes_as_written, root_bytes_as_written};
pub use cache::{
    caches_freed_once, stranded_entries, StrandedReport, KNOWN_BUG_ADD_TO_FREED_CACHE,
};
pub use end::{
    direct_counter_zero_after_destroy, leak_free_zero_usage, leaked_bytes_exact, shadow_agreement,
    usage_matches_model,
};
pub use expected_bytes::ExpectedBytes;
pub use ledger::{LeakedRegion, Ledger};
pub use normal_caches::normal_caches_as_created;
pub use objects::{
    derived_keeps_parent_alive, model_raised_no_assertion, refcount_parity, HeapObjects,
};
pub use places::{
    arena_metrics_consistent, direct_counter_consistent, free_subpage_returned_unless_alone,
    handle_in_exactly_one_place, live_handles_match_size_class, pinned_memory_consistent,
    LiveRegions,
};
pub use touched::ArenaWatch;

use crate::alloc::pooled::PooledAllocator;
use crate::pool::ArenaCore;
use crate::violation::Violation;

pub use crate::invariant::{by_name, Invariant, REGISTRY, SHADOW_AGREEMENT};

/// Netty's sizing rules for one of `allocator`'s arenas (`netty::NettySizes`), from
/// the profile's scheme and the arena's page size, chunk size and alignment.
#[inline]
pub fn arena_sizes(allocator: &PooledAllocator, core: &ArenaCore) -> netty::NettySizes {
    let sc = core.size_classes();
    netty::NettySizes::of_arena(
        allocator.jvm().profile().allocator.size_classes,
        sc.page_size(),
        sc.chunk_size(),
        sc.alignment(),
    )
}

/// The arena invariants of one allocator (every arena, both kinds), first violation
/// wins: `pool::invariants::check_arena` plus the subpage geometry and retention rules
/// and metrics.
#[inline]
pub fn check_allocator_arenas(allocator: &PooledAllocator) -> Result<(), Violation> {
    use crate::pool::{invariants::ChunkScope, ArenaKind};
    let releases = allocator
        .jvm()
        .profile()
        .allocator
        .release_single_element_subpages;
    for kind in [ArenaKind::Heap, ArenaKind::Direct] {
        for arena in allocator.arenas(kind) {
            let core = arena.lock();
            let sizes = arena_sizes(allocator, &core);
            touched::check_core(&core, &sizes, ChunkScope::All, releases)?;
        }
    }
    Ok(())
}
