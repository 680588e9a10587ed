//! §9.4–9.5: subpage bitmaps and the arena's subpage pools.

use super::pooled;
use crate::check::netty;
use crate::invariant::SUBPAGE_BITMAP_CONSISTENT;
use crate::pool::arena_core::ArenaCore;
use crate::pool::chunk::PoolChunk;
use crate::violation::Violation;

/// §9.4: `numAvail` = zero bits among `maxNumElems`, no bit beyond, and
/// `0 ≤ numAvail ≤ maxNumElems`.
#[inline]
pub fn subpage_bitmap_consistent(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(chunk_subpage_bitmap_consistent)
}

#[inline]
pub(super) fn chunk_subpage_bitmap_consistent(c: &PoolChunk) -> Result<(), Violation> {
    for s in c.subpages() {
        let max = s.max_num_elems();
        let used = netty::count_set_below(s.bitmap(), max);
        let zeros = max - used;
        let beyond = netty::count_set_below(s.bitmap(), s.bitmap().len() as u32 * 64) > used;
        if s.num_avail() > max || zeros != s.num_avail() || beyond {
            return Err(Violation::new(
                SUBPAGE_BITMAP_CONSISTENT,
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
#[inline]
pub fn subpage_linked_iff_available(core: &ArenaCore) -> Result<(), Violation> {
    pooled(core).try_for_each(|c| chunk_subpages_linked_iff_available(core, c))?;
    subpage_pools_link_live_subpages(core)
}

use crate::invariant::SUBPAGE_LINKED_IFF_AVAILABLE;

#[inline]
pub(super) fn chunk_subpages_linked_iff_available(
    core: &ArenaCore,
    c: &PoolChunk,
) -> Result<(), Violation> {
    let pools = core.subpage_pools();
    for s in c.subpages() {
        let linked = pools.is_linked(s.head_index(), s.key());
        let should = (s.num_avail() > 0 || s.elem_size() == 0) && s.do_not_destroy();
        if linked != should {
            return Err(Violation::new(
                SUBPAGE_LINKED_IFF_AVAILABLE,
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

#[inline]
pub(super) fn subpage_pools_link_live_subpages(core: &ArenaCore) -> Result<(), Violation> {
    // Pool by pool, in `SubpagePools::iter`'s order, without its iterator chain: most
    // pools are empty and this runs for every arena at every check.
    let pools = core.subpage_pools();
    for idx in 0..pools.num_pools() {
        for &key in pools.pool(idx) {
            let ok = core
                .chunk(key.chunk)
                .and_then(|c| c.subpage_at(key.run_offset))
                .is_some_and(|s| s.head_index() == idx);
            if !ok {
                return Err(Violation::new(
                    SUBPAGE_LINKED_IFF_AVAILABLE,
                    format!("pool {idx} links {key:?}, which is not a subpage of that size"),
                ));
            }
        }
    }
    Ok(())
}
