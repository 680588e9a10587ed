//! The level-at-a-time buddy-tree check (`check::buddy_tree`) against the rule as
//! netty.md §2.2 states it, node by node (the check's previous form): over random
//! trees, corrupted values and impossible used runs, both give the same verdict and
//! the same first difference.

use crate::check::buddy_tree::{chunk_buddy_tree_consistent, used_tree_nodes};
use crate::invariant::BUDDY_TREE_CONSISTENT;
use crate::memory::{Memory, MemoryMode};
use crate::pool::{ArenaKind, ChunkId, PoolChunk, PoolGeometry, Run, SizeClasses};
use crate::profile::SizeClassScheme;
use crate::violation::Violation;

const PAGE: usize = 8192;

/// The rule node by node: every value the used set implies, every node not under a
/// used node compared in id order.
fn node_by_node(c: &PoolChunk) -> Result<(), Violation> {
    let Some((max_order, actual, used_ids)) = used_tree_nodes(c)? else {
        return Ok(());
    };
    let nodes = 2usize << max_order;
    let unusable = max_order as u8 + 1;
    let mut used = vec![false; nodes];
    for id in used_ids {
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

fn sc(max_order: i32) -> SizeClasses {
    PoolGeometry::validate(PAGE as i32, max_order, 0, || Ok(()))
        .unwrap()
        .size_classes(SizeClassScheme::Legacy, ArenaKind::Direct)
}

fn verdict(r: Result<(), Violation>) -> Option<(&'static str, String)> {
    r.err().map(|v| (v.invariant.name, v.message))
}

#[test]
fn levels_agree_with_the_node_by_node_rule() {
    let mut rng = super::support::Lcg(0xb0dd);
    let mut failures = 0;
    for round in 0..2000 {
        let max_order = 1 + rng.below(5) as i32;
        let sc = sc(max_order);
        let memory = Memory::new(MemoryMode::Virtual, sc.chunk_size());
        let mut c = PoolChunk::new_pooled(ChunkId(round), memory, &sc);
        let pages = 1usize << max_order;
        for _ in 0..rng.below(2 * pages as u64) {
            let want = 1 + rng.below(pages as u64 / 2 + 1) as usize;
            let _ = c.allocate_run(&sc, want * PAGE);
        }
        match rng.below(4) {
            0 => {
                let id = 1 + rng.below(2 * pages as u64 - 1) as usize;
                let value = rng.below(max_order as u64 + 3) as u8;
                c.corrupt_buddy_tree().unwrap().corrupt(id, value);
            }
            1 => {
                let run_pages = 1u32 << rng.below(max_order as u64 + 1);
                let offset = rng.below(pages as u64) as u32;
                c.corrupt_add_used_run(Run {
                    offset,
                    pages: run_pages,
                });
            }
            _ => {}
        }
        let (fast, slow) = (
            verdict(chunk_buddy_tree_consistent(&c)),
            verdict(node_by_node(&c)),
        );
        assert_eq!(
            fast,
            slow,
            "round {round}, maxOrder {max_order}, used {:?}, map {:?}",
            c.used_runs().collect::<Vec<_>>(),
            c.buddy_tree().unwrap().memory_map()
        );
        if let Some((name, _)) = fast {
            assert_eq!(name, BUDDY_TREE_CONSISTENT.name);
            failures += 1;
        }
    }
    // Both kinds of verdict were exercised.
    assert!(
        (250..1750).contains(&failures),
        "{failures} violations in 2000 rounds"
    );
}
