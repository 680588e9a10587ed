//! §9.6: chunks in the chunk list their usage selects.

use crate::check::netty;
use crate::pool::arena_core::ArenaCore;
use crate::pool::chunk::PoolChunk;
use crate::violation::Violation;

/// §9.6: every pooled chunk is in exactly one list, the one its free bytes select
/// (it should neither move up nor down, by Netty's thresholds as `check::netty`
/// restates them); unpooled chunks are in none.
#[inline]
pub fn chunk_in_list_by_usage(core: &ArenaCore) -> Result<(), Violation> {
    core.chunks()
        .try_for_each(|c| chunk_in_the_list_of_its_usage(core, c))?;
    chunk_lists_hold_live_chunks(core)
}

use crate::invariant::CHUNK_IN_LIST_BY_USAGE;

#[inline]
pub(super) fn chunk_in_the_list_of_its_usage(
    core: &ArenaCore,
    c: &PoolChunk,
) -> Result<(), Violation> {
    let lists = core.chunk_lists();
    let opts = core.options();
    // The lists holding the chunk: counted, and collected only for a report.
    let holding = || {
        lists
            .iter()
            .filter(|l| l.chunks().contains(&c.id()))
            .map(|l| l.id())
    };
    let holders = holding().count();
    if c.is_unpooled() {
        if holders > 0 || c.list().is_some() {
            let holders: Vec<_> = holding().collect();
            return Err(Violation::new(
                CHUNK_IN_LIST_BY_USAGE,
                format!("unpooled {} is in {holders:?}", c.id()),
            ));
        }
        return Ok(());
    }
    let Some(list) = holding().last().filter(|_| holders == 1) else {
        let holders: Vec<_> = holding().collect();
        return Err(Violation::new(
            CHUNK_IN_LIST_BY_USAGE,
            format!("{} is in {} lists {holders:?}", c.id(), holders.len()),
        ));
    };
    if c.list() != Some(list) {
        return Err(Violation::new(
            CHUNK_IN_LIST_BY_USAGE,
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
            CHUNK_IN_LIST_BY_USAGE,
            format!("{} in {list}: {why}", c.id()),
        ));
    }
    Ok(())
}

#[inline]
pub(super) fn chunk_lists_hold_live_chunks(core: &ArenaCore) -> Result<(), Violation> {
    for l in core.chunk_lists().iter() {
        if let Some(id) = l.chunks().iter().find(|id| core.chunk(**id).is_none()) {
            return Err(Violation::new(
                CHUNK_IN_LIST_BY_USAGE,
                format!("{} holds destroyed {id}", l.id()),
            ));
        }
    }
    Ok(())
}
