//! The allocator invariants of netty.md §9 (1–6, and the handle/size-class check of
//! §8 row 8), each in one function over a read-only [`ArenaCore`].
//!
//! They read the arena's state and judge it by Netty's rules as `check::netty`
//! restates them from the Java source, never by the model's own rule functions.
//! Every function is `#[inline]`, compiled into its caller (see `check`).

use super::arena_core::ArenaCore;
use super::chunk::{ChunkId, PoolChunk, Run};
use crate::check::netty;
use crate::invariant::{
    CHUNK_FREE_BYTES_CONSISTENT, FREE_RUNS_COALESCED, LIVE_RANGES_DISJOINT_IN_BOUNDS,
};
use crate::violation::Violation;

mod lists;
mod sizes;
mod subpages;

pub use lists::chunk_in_list_by_usage;
use lists::{chunk_in_the_list_of_its_usage, chunk_lists_hold_live_chunks};
pub use sizes::*;
use subpages::{
    chunk_subpage_bitmap_consistent, chunk_subpages_linked_iff_available,
    subpage_pools_link_live_subpages,
};
pub use subpages::{subpage_bitmap_consistent, subpage_linked_iff_available};

/// Which chunks the chunk-local rules of [`check_arena_in`] look at.
#[derive(Clone, Copy, Debug)]
pub enum ChunkScope<'a> {
    /// Every chunk: the full check.
    All,
    /// Only these chunks, ascending (the ones changed since a check that passed).
    /// Sound because the chunk-local rules read nothing but the chunk itself.
    Only(&'a [ChunkId]),
}

impl ChunkScope<'_> {
    #[inline]
    fn covers(&self, id: ChunkId) -> bool {
        match self {
            ChunkScope::All => true,
            ChunkScope::Only(ids) => ids.binary_search(&id).is_ok(),
        }
    }
}

/// All arena-core invariants, in a fixed order; the first violation wins.
#[inline]
pub fn check_arena(core: &ArenaCore) -> Result<(), Violation> {
    check_arena_in(core, ChunkScope::All)
}

/// The arena-core invariants in the order of [`check_arena`]: the chunk-local rules
/// (§9.1–9.4, which read only the chunk) over the chunks in `scope`, the rules that
/// also read the arena's subpage pools and chunk lists (§9.5, §9.6) over every chunk.
/// With `ChunkScope::All` this is [`check_arena`]; with the chunks changed since a
/// passing check it finds exactly what [`check_arena`] would.
#[inline]
pub fn check_arena_in(core: &ArenaCore, scope: ChunkScope<'_>) -> Result<(), Violation> {
    let scoped = || pooled(core).filter(|c| scope.covers(c.id()));
    scoped().try_for_each(chunk_live_ranges_disjoint_in_bounds)?;
    scoped().try_for_each(chunk_free_bytes_consistent_in)?;
    scoped().try_for_each(|c| match c.buddy_tree() {
        Some(_) => crate::check::buddy_tree::chunk_buddy_tree_consistent(c),
        None => chunk_free_runs_coalesced(c),
    })?;
    scoped().try_for_each(chunk_subpage_bitmap_consistent)?;
    pooled(core).try_for_each(|c| chunk_subpages_linked_iff_available(core, c))?;
    subpage_pools_link_live_subpages(core)?;
    core.chunks()
        .try_for_each(|c| chunk_in_the_list_of_its_usage(core, c))?;
    chunk_lists_hold_live_chunks(core)
}

#[inline]
fn pooled(core: &ArenaCore) -> impl Iterator<Item = &PoolChunk> + '_ {
    core.chunks().filter(|c| !c.is_unpooled())
}

/// §9.1: live ranges (normal runs and in-use subpage elements) and free runs of a
/// chunk are pairwise disjoint and lie within `[0, chunkSize)`; every subpage sits on
/// a used run.
#[inline]
pub fn live_ranges_disjoint_in_bounds(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(chunk_live_ranges_disjoint_in_bounds)
}

/// What a range of [`chunk_live_ranges_disjoint_in_bounds`] is, named only when a
/// violation is reported.
#[derive(Clone, Copy, Debug)]
enum Span {
    Free(Run),
    Used(Run),
    Element { idx: u32, subpage: u32 },
}

impl std::fmt::Display for Span {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Span::Free(r) => write!(f, "free run {r:?}"),
            Span::Used(r) => write!(f, "run {r:?}"),
            Span::Element { idx, subpage } => write!(f, "element {idx} of subpage {subpage}"),
        }
    }
}

#[inline]
fn chunk_live_ranges_disjoint_in_bounds(c: &PoolChunk) -> Result<(), Violation> {
    let shift = c.page_shifts();
    let page = |p: u32| (p as usize) << shift;
    // (start, end, what)
    let mut ranges: Vec<(usize, usize, Span)> = Vec::new();
    for r in c.free_runs() {
        ranges.push((page(r.offset), page(r.end()), Span::Free(r)));
    }
    for r in c.used_runs() {
        match c.subpage_at(r.offset) {
            None => ranges.push((page(r.offset), page(r.end()), Span::Used(r))),
            Some(s) => {
                if s.run_pages() != r.pages {
                    return Err(Violation::new(
                        LIVE_RANGES_DISJOINT_IN_BOUNDS,
                        format!(
                            "{}: subpage at {} spans {} pages, its run {}",
                            c.id(),
                            r.offset,
                            s.run_pages(),
                            r.pages
                        ),
                    ));
                }
                for i in netty::set_bits(s.bitmap()) {
                    let start = netty::element_offset(r.offset, shift, i, s.elem_size());
                    let end = start + s.elem_size();
                    if end > page(r.end()) {
                        return Err(Violation::new(
                            LIVE_RANGES_DISJOINT_IN_BOUNDS,
                            format!(
                                "{}: element {i} of subpage {} ends at {end}, past its run",
                                c.id(),
                                r.offset
                            ),
                        ));
                    }
                    let subpage = r.offset;
                    ranges.push((start, end, Span::Element { idx: i, subpage }));
                }
            }
        }
    }
    for s in c.subpages() {
        if c.used_run_at(s.run_offset()).is_none() {
            return Err(Violation::new(
                LIVE_RANGES_DISJOINT_IN_BOUNDS,
                format!("{}: subpage {} has no used run", c.id(), s.run_offset()),
            ));
        }
    }
    ranges.sort_by_key(|r| (r.0, r.1));
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(Violation::new(
                LIVE_RANGES_DISJOINT_IN_BOUNDS,
                format!("{}: {} overlaps {}", c.id(), w[0].2, w[1].2),
            ));
        }
    }
    if let Some(last) = ranges.last() {
        if last.1 > c.chunk_size() {
            return Err(Violation::new(
                LIVE_RANGES_DISJOINT_IN_BOUNDS,
                format!(
                    "{}: {} ends at {} past chunkSize {}",
                    c.id(),
                    last.2,
                    last.1,
                    c.chunk_size()
                ),
            ));
        }
    }
    Ok(())
}

/// §9.2: `freeBytes = chunkSize − Σ used runs`, and the free runs add up to it.
#[inline]
pub fn chunk_free_bytes_consistent(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(chunk_free_bytes_consistent_in)
}

#[inline]
fn chunk_free_bytes_consistent_in(c: &PoolChunk) -> Result<(), Violation> {
    let shift = c.page_shifts();
    let used: usize = c.used_runs().map(|r| (r.pages as usize) << shift).sum();
    // A sum: no need for the runs in offset order (a buddy tree lists its own).
    let pages_free: usize = match c.buddy_tree() {
        Some(_) => c.free_runs().iter().map(|r| r.pages as usize).sum(),
        None => c.free_runs_by_queue().map(|(_, r)| r.pages as usize).sum(),
    };
    let free = pages_free << shift;
    if used > c.chunk_size() || c.free_bytes() != c.chunk_size() - used || free != c.free_bytes() {
        return Err(Violation::new(
            CHUNK_FREE_BYTES_CONSISTENT,
            format!(
                "{}: freeBytes {} but chunkSize {} − used {used} and free runs sum to {free}",
                c.id(),
                c.free_bytes(),
                c.chunk_size()
            ),
        ));
    }
    Ok(())
}

/// §9.3: no two free runs are adjacent, and `runsAvailMap` maps exactly the first and
/// last page of every free run to it. Run-allocator chunks only: buddy-tree chunks
/// (≤4.1.51) coalesce buddies, not neighbours (`check::buddy_tree`).
#[inline]
pub fn free_runs_coalesced(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core)
        .filter(|c| c.buddy_tree().is_none())
        .try_for_each(chunk_free_runs_coalesced)
}

#[inline]
fn chunk_free_runs_coalesced(c: &PoolChunk) -> Result<(), Violation> {
    let runs = c.free_runs();
    for w in runs.windows(2) {
        if w[0].end() == w[1].offset {
            return Err(Violation::new(
                FREE_RUNS_COALESCED,
                format!("{}: free runs {:?} and {:?} touch", c.id(), w[0], w[1]),
            ));
        }
    }
    // `runsAvailMap` in key order against each run's first and last page: the runs are
    // sorted and (checked above, and by §9.1 first) disjoint, so these keys ascend too;
    // when they do not match, the rule compares them sorted, as before.
    let keys = runs.iter().flat_map(|r| {
        let last = (r.pages > 1).then(|| (r.end() - 1, *r));
        std::iter::once((r.offset, *r)).chain(last)
    });
    let map = c.runs_avail_map();
    if map.iter().map(|(&k, &v)| (k, v)).eq(keys.clone()) {
        return Ok(());
    }
    let mut expected: Vec<_> = keys.collect();
    expected.sort();
    let actual: Vec<_> = map.iter().map(|(&k, &v)| (k, v)).collect();
    if actual != expected {
        return Err(Violation::new(
            FREE_RUNS_COALESCED,
            format!("{}: runsAvailMap {actual:?} ≠ free runs {runs:?}", c.id()),
        ));
    }
    Ok(())
}
