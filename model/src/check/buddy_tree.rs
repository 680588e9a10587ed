//! The buddy-tree invariant of ≤4.1.51 chunks (netty.md §2.2), restated from 4.1.48
//! PoolChunk.java: the constructor (:160–171) gives node `id` its depth ⌊log2 id⌋;
//! `allocateNode` (:293–320) marks the node `maxOrder + 1` ("unusable") and
//! `updateParentsAlloc` (:249–260) sets each ancestor to the smaller child value;
//! `free` (:376–395) restores the node's depth and `updateParentsFree` (:267–286) sets
//! an ancestor to its own depth when both children are wholly free, else the smaller.
//!
//! So the whole `memoryMap` follows from the set of used nodes, and every value not
//! under a used node is checked against it (values under a used node are stale in
//! Netty too and mean nothing).

use crate::invariant::BUDDY_TREE_CONSISTENT;
use crate::pool::{ArenaCore, PoolChunk, Run};
use crate::violation::Violation;
use std::collections::BTreeMap;

/// The node of a used run: a power-of-two length, aligned to it, inside the tree.
#[inline]
fn tree_node(run: Run, max_order: u32) -> Option<usize> {
    if !run.pages.is_power_of_two() || run.offset % run.pages != 0 {
        return None;
    }
    let depth = max_order.checked_sub(run.pages.trailing_zeros())?;
    let id = (1usize << depth) + (run.offset / run.pages) as usize;
    (id < (2usize << max_order)).then_some(id)
}

/// `maxOrder`, `memoryMap` and the used runs' nodes of one chunk's tree.
pub(crate) type TreeView<'a> = (u32, &'a [u8], Vec<usize>);

/// The tree of `c` as the checks read it: `maxOrder`, a `memoryMap` of `2 << maxOrder`
/// entries and the node of every used run (unsorted). `None` for a chunk without a
/// tree; a violation when the map has the wrong size or a used run is not a node.
#[inline]
pub(crate) fn used_tree_nodes(c: &PoolChunk) -> Result<Option<TreeView<'_>>, Violation> {
    let Some(tree) = c.buddy_tree() else {
        return Ok(None);
    };
    let max_order = tree.max_order();
    let actual = tree.memory_map();
    if actual.len() != 2usize << max_order {
        return Err(Violation::new(
            BUDDY_TREE_CONSISTENT,
            format!(
                "{}: memoryMap has {} entries for maxOrder {max_order}",
                c.id(),
                actual.len()
            ),
        ));
    }
    let mut used = Vec::new();
    for run in c.used_runs() {
        let Some(id) = tree_node(run, max_order) else {
            return Err(Violation::new(
                BUDDY_TREE_CONSISTENT,
                format!("{}: used run {run:?} is not a buddy-tree node", c.id()),
            ));
        };
        used.push(id);
    }
    Ok(Some((max_order, actual, used)))
}

/// [`chunk_buddy_tree_consistent`] over every buddy-tree chunk of `core`.
#[inline]
pub fn buddy_tree_consistent(core: &ArenaCore) -> Result<(), Violation> {
    core.chunks()
        .filter(|c| !c.is_unpooled())
        .try_for_each(chunk_buddy_tree_consistent)
}

/// Every used run of `c` is a tree node, and `memoryMap` equals what the used nodes
/// imply (see the module); chunks without a tree pass.
///
/// Only the used nodes and their ancestors have values that depend on the used set;
/// every other node heads a wholly free subtree, whose value is its own depth. So the
/// tree is compared a level at a time (ascending node ids, so the first difference is
/// the one the node-by-node definition finds): runs of free-subtree nodes against
/// their depth, the few dependent nodes one by one, the subtrees under a used node
/// skipped.
#[inline]
pub fn chunk_buddy_tree_consistent(c: &PoolChunk) -> Result<(), Violation> {
    let Some((max_order, actual, mut used)) = used_tree_nodes(c)? else {
        return Ok(());
    };
    used.sort_unstable();
    used.dedup();
    let expected = dependent_values(&used, max_order);
    let mismatch = |id: usize, want: u8| {
        Violation::new(
            BUDDY_TREE_CONSISTENT,
            format!(
                "{}: memoryMap[{id}] = {} but its used nodes imply {want}",
                c.id(),
                actual[id]
            ),
        )
    };
    // What breaks a level's run of depth-valued nodes, by id: subtrees under a used
    // node (skipped, sorted before a dependent node at the same id) and dependent
    // nodes. One buffer for every level (emptied by std's `Vec::clear`).
    let mut skips = Vec::new();
    for d in 0..=max_order {
        let level = (1usize << d)..(2usize << d);
        Vec::clear(&mut skips);
        for &u in &used {
            let du = u.ilog2();
            if du < d {
                let s = u << (d - du);
                skips.push((s, s + (1 << (d - du)), None));
            }
        }
        skips.extend(
            expected
                .range(level.clone())
                .map(|(&id, &want)| (id, id + 1, Some(want))),
        );
        skips.sort_unstable_by_key(|&(start, _, want)| (start, want.is_some()));
        let mut at = level.start;
        for &(start, end, want) in &skips {
            if start >= at {
                if let Some(i) = first_not(&actual[at..start], d as u8) {
                    return Err(mismatch(at + i, d as u8));
                }
                if let Some(want) = want {
                    if actual[start] != want {
                        return Err(mismatch(start, want));
                    }
                }
            }
            at = at.max(end);
        }
        if let Some(i) = first_not(&actual[at..level.end], d as u8) {
            return Err(mismatch(at + i, d as u8));
        }
    }
    Ok(())
}

/// The values the used nodes imply for themselves and their ancestors, by node id:
/// `unusable` for a used node, else as `updateParentsFree` derives it from the two
/// children (a child with no used node below is wholly free: its own depth).
#[inline]
fn dependent_values(used: &[usize], max_order: u32) -> BTreeMap<usize, u8> {
    let unusable = max_order as u8 + 1;
    let mut ids: Vec<usize> = used
        .iter()
        .flat_map(|&u| std::iter::successors(Some(u), |&id| (id > 1).then_some(id / 2)))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    let mut values = BTreeMap::new();
    for id in ids {
        let d = id.ilog2() as u8;
        let value = if used.binary_search(&id).is_ok() {
            unusable
        } else {
            let child = |c: usize| values.get(&c).copied().unwrap_or(d + 1);
            let (a, b) = (child(2 * id), child(2 * id + 1));
            if a == d + 1 && b == d + 1 {
                d
            } else {
                a.min(b)
            }
        };
        values.insert(id, value);
    }
    values
}

/// The index of the first byte of `values` that is not `want`: a branch-free pass per
/// block of 64 (it vectorizes), then the search inside the block that differs.
#[inline]
fn first_not(values: &[u8], want: u8) -> Option<usize> {
    let mut base = 0;
    for block in values.chunks(64) {
        if block.iter().fold(0u8, |acc, &v| acc | (v ^ want)) != 0 {
            return block.iter().position(|&v| v != want).map(|i| base + i);
        }
        base += block.len();
    }
    None
}
