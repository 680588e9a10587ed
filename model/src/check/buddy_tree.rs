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

/// The node of a used run: a power-of-two length, aligned to it, inside the tree.
fn tree_node(run: Run, max_order: u32) -> Option<usize> {
    if !run.pages.is_power_of_two() || run.offset % run.pages != 0 {
        return None;
    }
    let depth = max_order.checked_sub(run.pages.trailing_zeros())?;
    let id = (1usize << depth) + (run.offset / run.pages) as usize;
    (id < (2usize << max_order)).then_some(id)
}

/// [`chunk_buddy_tree_consistent`] over every buddy-tree chunk of `core`.
pub fn buddy_tree_consistent(core: &ArenaCore) -> Result<(), Violation> {
    core.chunks()
        .filter(|c| !c.is_unpooled())
        .try_for_each(chunk_buddy_tree_consistent)
}

/// Every used run of `c` is a tree node, and `memoryMap` equals what the used nodes
/// imply (see the module); chunks without a tree pass.
pub fn chunk_buddy_tree_consistent(c: &PoolChunk) -> Result<(), Violation> {
    let Some(tree) = c.buddy_tree() else {
        return Ok(());
    };
    let max_order = tree.max_order();
    let actual = tree.memory_map();
    let nodes = 2usize << max_order;
    if actual.len() != nodes {
        return Err(Violation::new(
            BUDDY_TREE_CONSISTENT,
            format!(
                "{}: memoryMap has {} entries for maxOrder {max_order}",
                c.id(),
                actual.len()
            ),
        ));
    }
    let unusable = max_order as u8 + 1;
    let mut used = vec![false; nodes];
    for run in c.used_runs() {
        let Some(id) = tree_node(run, max_order) else {
            return Err(Violation::new(
                BUDDY_TREE_CONSISTENT,
                format!("{}: used run {run:?} is not a buddy-tree node", c.id()),
            ));
        };
        used[id] = true;
    }
    let mut expected = vec![0u8; nodes];
    for id in (1..nodes).rev() {
        let d = id.ilog2() as u8;
        expected[id] = if used[id] {
            unusable
        } else if d as u32 == max_order {
            d
        } else {
            let (a, b) = (expected[2 * id], expected[2 * id + 1]);
            if a == d + 1 && b == d + 1 {
                d
            } else {
                a.min(b)
            }
        };
    }
    // Nodes under a used node are skipped (their values are stale).
    let mut covered = vec![false; nodes];
    for id in 1..nodes {
        covered[id] = id > 1 && (covered[id / 2] || used[id / 2]);
        if !covered[id] && actual[id] != expected[id] {
            return Err(Violation::new(
                BUDDY_TREE_CONSISTENT,
                format!(
                    "{}: memoryMap[{id}] = {} but its used nodes imply {}",
                    c.id(),
                    actual[id],
                    expected[id]
                ),
            ));
        }
    }
    Ok(())
}
