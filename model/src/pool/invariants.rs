//! The allocator invariants of netty.md §9 (1–6, and the handle/size-class check of
//! §8 row 8), each in one function over a read-only [`ArenaCore`].
//!
//! They read the arena's state and judge it by Netty's rules as `check::netty`
//! restates them from the Java source, never by the model's own rule functions.

use super::arena_core::ArenaCore;
use super::chunk::{ChunkId, PoolChunk, Run};
use crate::check::netty::{self, NettySizes};
use crate::violation::Violation;
use std::collections::BTreeSet;

/// Which chunks the chunk-local rules of [`check_arena_in`] look at.
#[derive(Clone, Copy, Debug)]
pub enum ChunkScope<'a> {
    /// Every chunk: the full check.
    All,
    /// Only these chunks (the ones changed since a check that passed). Sound because
    /// the chunk-local rules read nothing but the chunk itself.
    Only(&'a BTreeSet<ChunkId>),
}

impl ChunkScope<'_> {
    fn covers(&self, id: ChunkId) -> bool {
        match self {
            ChunkScope::All => true,
            ChunkScope::Only(ids) => ids.contains(&id),
        }
    }
}

/// All arena-core invariants, in a fixed order; the first violation wins.
pub fn check_arena(core: &ArenaCore) -> Result<(), Violation> {
    check_arena_in(core, ChunkScope::All)
}

/// The arena-core invariants in the order of [`check_arena`]: the chunk-local rules
/// (§9.1–9.4, which read only the chunk) over the chunks in `scope`, the rules that
/// also read the arena's subpage pools and chunk lists (§9.5, §9.6) over every chunk.
/// With `ChunkScope::All` this is [`check_arena`]; with the chunks changed since a
/// passing check it finds exactly what [`check_arena`] would.
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

fn pooled(core: &ArenaCore) -> impl Iterator<Item = &PoolChunk> + '_ {
    core.chunks().filter(|c| !c.is_unpooled())
}

/// §9.1: live ranges (normal runs and in-use subpage elements) and free runs of a
/// chunk are pairwise disjoint and lie within `[0, chunkSize)`; every subpage sits on
/// a used run.
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
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Span::Free(r) => write!(f, "free run {r:?}"),
            Span::Used(r) => write!(f, "run {r:?}"),
            Span::Element { idx, subpage } => write!(f, "element {idx} of subpage {subpage}"),
        }
    }
}

fn chunk_live_ranges_disjoint_in_bounds(c: &PoolChunk) -> Result<(), Violation> {
    const NAME: &str = "live_ranges_disjoint_in_bounds";
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
                        NAME,
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
                            NAME,
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
                NAME,
                format!("{}: subpage {} has no used run", c.id(), s.run_offset()),
            ));
        }
    }
    ranges.sort_by_key(|r| (r.0, r.1));
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(Violation::new(
                NAME,
                format!("{}: {} overlaps {}", c.id(), w[0].2, w[1].2),
            ));
        }
    }
    if let Some(last) = ranges.last() {
        if last.1 > c.chunk_size() {
            return Err(Violation::new(
                NAME,
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
pub fn chunk_free_bytes_consistent(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(chunk_free_bytes_consistent_in)
}

fn chunk_free_bytes_consistent_in(c: &PoolChunk) -> Result<(), Violation> {
    const NAME: &str = "chunk_free_bytes_consistent";
    let shift = c.page_shifts();
    let used: usize = c.used_runs().map(|r| (r.pages as usize) << shift).sum();
    let free: usize = c
        .free_runs()
        .iter()
        .map(|r| (r.pages as usize) << shift)
        .sum();
    if used > c.chunk_size() || c.free_bytes() != c.chunk_size() - used || free != c.free_bytes() {
        return Err(Violation::new(
            NAME,
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
pub fn free_runs_coalesced(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core)
        .filter(|c| c.buddy_tree().is_none())
        .try_for_each(chunk_free_runs_coalesced)
}

fn chunk_free_runs_coalesced(c: &PoolChunk) -> Result<(), Violation> {
    const NAME: &str = "free_runs_coalesced";
    let runs = c.free_runs();
    for w in runs.windows(2) {
        if w[0].end() == w[1].offset {
            return Err(Violation::new(
                NAME,
                format!("{}: free runs {:?} and {:?} touch", c.id(), w[0], w[1]),
            ));
        }
    }
    let mut expected = Vec::new();
    for r in &runs {
        expected.push((r.offset, *r));
        if r.pages > 1 {
            expected.push((r.end() - 1, *r));
        }
    }
    expected.sort();
    let actual: Vec<_> = c.runs_avail_map().iter().map(|(&k, &v)| (k, v)).collect();
    if actual != expected {
        return Err(Violation::new(
            NAME,
            format!("{}: runsAvailMap {actual:?} ≠ free runs {runs:?}", c.id()),
        ));
    }
    Ok(())
}

/// §9.4: `numAvail` = zero bits among `maxNumElems`, no bit beyond, and
/// `0 ≤ numAvail ≤ maxNumElems`.
pub fn subpage_bitmap_consistent(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(chunk_subpage_bitmap_consistent)
}

fn chunk_subpage_bitmap_consistent(c: &PoolChunk) -> Result<(), Violation> {
    const NAME: &str = "subpage_bitmap_consistent";
    for s in c.subpages() {
        let max = s.max_num_elems();
        let used = netty::count_set_below(s.bitmap(), max);
        let zeros = max - used;
        let beyond = netty::count_set_below(s.bitmap(), s.bitmap().len() as u32 * 64) > used;
        if s.num_avail() > max || zeros != s.num_avail() || beyond {
            return Err(Violation::new(
                NAME,
                format!(
                    "{}: subpage {} (elemSize {}) numAvail {} but {zeros} free bits of {max}{}",
                    c.id(),
                    s.run_offset(),
                    s.elem_size(),
                    s.num_avail(),
                    if beyond {
                        ", bits set past maxNumElems"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// §9.5: a subpage is linked in its pool iff `numAvail > 0` and `doNotDestroy`; every
/// pool entry names a live subpage of that pool's size. A size-0 subpage (≤4.1.51) has
/// `maxNumElems` 0 yet stays linked: its `allocate` returns before touching `numAvail`
/// and the pool (4.1.48 PoolSubpage.java:79–81, 61–73).
pub fn subpage_linked_iff_available(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(|c| chunk_subpages_linked_iff_available(core, c))?;
    subpage_pools_link_live_subpages(core)
}

const SUBPAGE_LINKED: &str = "subpage_linked_iff_available";

fn chunk_subpages_linked_iff_available(core: &ArenaCore, c: &PoolChunk) -> Result<(), Violation> {
    let pools = core.subpage_pools();
    for s in c.subpages() {
        let linked = pools.is_linked(s.head_index(), s.key());
        let should = (s.num_avail() > 0 || s.elem_size() == 0) && s.do_not_destroy();
        if linked != should {
            return Err(Violation::new(
                SUBPAGE_LINKED,
                format!(
                    "{}: subpage {} linked={linked} with numAvail={} doNotDestroy={}",
                    c.id(),
                    s.run_offset(),
                    s.num_avail(),
                    s.do_not_destroy()
                ),
            ));
        }
    }
    Ok(())
}

fn subpage_pools_link_live_subpages(core: &ArenaCore) -> Result<(), Violation> {
    for (idx, key) in core.subpage_pools().iter() {
        let ok = core
            .chunk(key.chunk)
            .and_then(|c| c.subpage_at(key.run_offset))
            .is_some_and(|s| s.head_index() == idx);
        if !ok {
            return Err(Violation::new(
                SUBPAGE_LINKED,
                format!("pool {idx} links {key:?}, which is not a subpage of that size"),
            ));
        }
    }
    Ok(())
}

/// §9.6: every pooled chunk is in exactly one list, the one its free bytes select
/// (it should neither move up nor down, by Netty's thresholds as `check::netty`
/// restates them); unpooled chunks are in none.
pub fn chunk_in_list_by_usage(core: &ArenaCore) -> Result<(), Violation> {
    core.chunks()
        .try_for_each(|c| chunk_in_the_list_of_its_usage(core, c))?;
    chunk_lists_hold_live_chunks(core)
}

const CHUNK_IN_LIST: &str = "chunk_in_list_by_usage";

fn chunk_in_the_list_of_its_usage(core: &ArenaCore, c: &PoolChunk) -> Result<(), Violation> {
    let lists = core.chunk_lists();
    let opts = core.options();
    let holders: Vec<_> = lists
        .iter()
        .filter(|l| l.chunks().contains(&c.id()))
        .map(|l| l.id())
        .collect();
    if c.is_unpooled() {
        if !holders.is_empty() || c.list().is_some() {
            return Err(Violation::new(
                CHUNK_IN_LIST,
                format!("unpooled {} is in {holders:?}", c.id()),
            ));
        }
        return Ok(());
    }
    let [list] = holders[..] else {
        return Err(Violation::new(
            CHUNK_IN_LIST,
            format!("{} is in {} lists {holders:?}", c.id(), holders.len()),
        ));
    };
    if c.list() != Some(list) {
        return Err(Violation::new(
            CHUNK_IN_LIST,
            format!("{} is in {list} but says {:?}", c.id(), c.list()),
        ));
    }
    let bounds = netty::list_bounds(
        list,
        c.chunk_size(),
        opts.thresholds,
        opts.q050_next_is_q100,
    );
    if let Some(why) = bounds.misplaced(c.free_bytes()) {
        return Err(Violation::new(
            CHUNK_IN_LIST,
            format!("{} in {list}: {why}", c.id()),
        ));
    }
    Ok(())
}

fn chunk_lists_hold_live_chunks(core: &ArenaCore) -> Result<(), Violation> {
    for l in core.chunk_lists().iter() {
        if let Some(id) = l.chunks().iter().find(|id| core.chunk(**id).is_none()) {
            return Err(Violation::new(
                CHUNK_IN_LIST,
                format!("{} holds destroyed {id}", l.id()),
            ));
        }
    }
    Ok(())
}

/// §8 row 8: a live handle's class matches its normalized capacity (a size class of
/// the arena by Netty's rules, `sizes`): small handles are in-use elements of a subpage
/// of exactly that element size, normal handles used runs of exactly that size, huge
/// buffers own an unpooled chunk of at least that size.
pub fn handle_size_class_matches(
    core: &ArenaCore,
    sizes: &NettySizes,
    chunk: ChunkId,
    h: u64,
    norm_capacity: usize,
) -> Result<(), Violation> {
    const NAME: &str = "handle_size_class_matches";
    let err = |m: String| Err(Violation::new(NAME, m));
    let Some(c) = core.chunk(chunk) else {
        return err(format!("{chunk} is not live"));
    };
    if c.is_unpooled() {
        if h != 0 || norm_capacity > c.chunk_size() {
            return err(format!(
                "huge {chunk}: handle {h:#x}, capacity {norm_capacity} > {}",
                c.chunk_size()
            ));
        }
        return Ok(());
    }
    if !sizes.is_class(norm_capacity) {
        return err(format!("capacity {norm_capacity} is not a size class"));
    }
    let small = sizes.normalize(norm_capacity).small;
    let f = netty::handle_fields(h, c.buddy_tree().map(|t| t.max_order()));
    if f.is_subpage != small {
        return err(format!(
            "handle {h:#x} (subpage={}) freed as {norm_capacity} bytes",
            f.is_subpage
        ));
    }
    let (off, pages) = (f.run_offset, f.run_pages);
    let used = c.used_run_at(off) == Some(pages);
    let ok = if small {
        // A size-0 element (≤4.1.51) is never marked in the bitmap: its subpage hands
        // out element 0 without consuming it (4.1.48 PoolSubpage.java:79–81).
        c.subpage_at(off).is_some_and(|s| {
            s.elem_size() == norm_capacity
                && (norm_capacity == 0 || netty::bit_is_set(s.bitmap(), f.bitmap_idx))
        }) && used
    } else {
        used && c.subpage_at(off).is_none() && (pages as usize) << c.page_shifts() == norm_capacity
    };
    if ok {
        Ok(())
    } else {
        err(format!(
            "{chunk}: handle {h:#x} is not a live {norm_capacity}-byte {}",
            if small { "element" } else { "run" }
        ))
    }
}

/// §3.2–3.3 after everything was freed (no handle live): each chunk's used runs are
/// only subpages Netty keeps on purpose — entirely free and alone in their pool, or
/// single-element ones a profile without #10988 keeps — so every other page is free
/// (and, by [`free_runs_coalesced`], one run per gap). Callers decide when nothing is
/// live; the arena does not know its handles.
pub fn free_all_returns_pages(
    core: &ArenaCore,
    releases_single_element: bool,
) -> Result<(), Violation> {
    const NAME: &str = "free_all_returns_pages";
    let pools = core.subpage_pools();
    for c in pooled(core) {
        for r in c.used_runs() {
            let Some(s) = c.subpage_at(r.offset) else {
                return Err(Violation::new(
                    NAME,
                    format!("{}: run {r:?} is still used with nothing live", c.id()),
                ));
            };
            let empty = s.num_avail() == s.max_num_elems() && s.do_not_destroy();
            let alone = pools.pool(s.head_index()) == [s.key()];
            let kept_by_profile = s.max_num_elems() == 1 && !releases_single_element;
            if !empty || !(alone || kept_by_profile) {
                return Err(Violation::new(
                    NAME,
                    format!(
                        "{}: subpage {} (elemSize {}) has numAvail {} of {} with nothing live{}",
                        c.id(),
                        s.run_offset(),
                        s.elem_size(),
                        s.num_avail(),
                        s.max_num_elems(),
                        if alone {
                            ""
                        } else {
                            ", beside other subpages of its size"
                        }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Netty's subpage geometry: a subpage's element size is a small class of its arena,
/// its run is `calculateRunSize(elemSize)` (PoolChunk.java:393–416; one page under the
/// legacy scheme) and it holds `runSize / elemSize` elements (PoolSubpage.java:74).
pub fn subpage_run_size_matches(core: &ArenaCore, sizes: &NettySizes) -> Result<(), Violation> {
    subpage_run_size_matches_in(core, sizes, ChunkScope::All)
}

/// [`subpage_run_size_matches`] over the chunks in `scope`.
pub fn subpage_run_size_matches_in(
    core: &ArenaCore,
    sizes: &NettySizes,
    scope: ChunkScope<'_>,
) -> Result<(), Violation> {
    const NAME: &str = "subpage_run_size_matches";
    for c in pooled(core).filter(|c| scope.covers(c.id())) {
        for s in c.subpages() {
            let elem = s.elem_size();
            let n = sizes.normalize(elem);
            let run = sizes.subpage_run(elem);
            let elems = run.checked_div(elem).unwrap_or(s.max_num_elems() as usize);
            if !(n.small && n.size == elem)
                || s.run_size() != run
                || s.max_num_elems() as usize != elems
            {
                return Err(Violation::new(
                    NAME,
                    format!(
                        "{}: subpage {} of elemSize {elem} has a {}-byte run with {} elements; Netty gives a {run}-byte run with {elems}",
                        c.id(),
                        s.run_offset(),
                        s.run_size(),
                        s.max_num_elems()
                    ),
                ));
            }
        }
    }
    Ok(())
}
