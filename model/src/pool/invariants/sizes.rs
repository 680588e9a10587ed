//! §8 row 8 and the size rules: handle classes, run sizes of subpages, free-all.

use super::{pooled, ChunkScope};
use crate::check::netty::{self, NettySizes};
use crate::invariant::{
    FREE_ALL_RETURNS_PAGES, HANDLE_SIZE_CLASS_MATCHES, SUBPAGE_RUN_SIZE_MATCHES,
};
use crate::pool::arena_core::ArenaCore;
use crate::pool::chunk::ChunkId;
use crate::violation::Violation;

/// §8 row 8: a live handle's class matches its normalized capacity (a size class of
/// the arena by Netty's rules, `sizes`): small handles are in-use elements of a subpage
/// of exactly that element size, normal handles used runs of exactly that size, huge
/// buffers own an unpooled chunk of at least that size.
#[inline]
pub fn handle_size_class_matches(
    core: &ArenaCore,
    sizes: &NettySizes,
    chunk: ChunkId,
    h: u64,
    norm_capacity: usize,
) -> Result<(), Violation> {
    let err = |m: String| Err(Violation::new(HANDLE_SIZE_CLASS_MATCHES, m));
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
    let Some(class) = sizes.class(norm_capacity) else {
        return err(format!("capacity {norm_capacity} is not a size class"));
    };
    let small = class.small;
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
#[inline]
pub fn free_all_returns_pages(
    core: &ArenaCore,
    releases_single_element: bool,
) -> Result<(), Violation> {
    let pools = core.subpage_pools();
    for c in pooled(core) {
        for r in c.used_runs() {
            let Some(s) = c.subpage_at(r.offset) else {
                return Err(Violation::new(
                    FREE_ALL_RETURNS_PAGES,
                    format!("{}: run {r:?} is still used with nothing live", c.id()),
                ));
            };
            let empty = s.num_avail() == s.max_num_elems() && s.do_not_destroy();
            let alone = pools.pool(s.head_index()) == [s.key()];
            let kept_by_profile = s.max_num_elems() == 1 && !releases_single_element;
            if !empty || !(alone || kept_by_profile) {
                return Err(Violation::new(
                    FREE_ALL_RETURNS_PAGES,
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
#[inline]
pub fn subpage_run_size_matches(core: &ArenaCore, sizes: &NettySizes) -> Result<(), Violation> {
    subpage_run_size_matches_in(core, sizes, ChunkScope::All)
}

/// [`subpage_run_size_matches`] over the chunks in `scope`.
#[inline]
pub fn subpage_run_size_matches_in(
    core: &ArenaCore,
    sizes: &NettySizes,
    scope: ChunkScope<'_>,
) -> Result<(), Violation> {
    for c in pooled(core).filter(|c| scope.covers(c.id())) {
        for s in c.subpages() {
            let elem = s.elem_size();
            let small = sizes.class(elem).is_some_and(|n| n.small);
            let run = sizes.subpage_run(elem);
            let elems = run.checked_div(elem).unwrap_or(s.max_num_elems() as usize);
            if !small || s.run_size() != run || s.max_num_elems() as usize != elems {
                return Err(Violation::new(
                    SUBPAGE_RUN_SIZE_MATCHES,
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
