//! The ≤4.1.51 buddy-tree chunk (4.1.48 PoolChunk.java) under the `netty-4.1.48`
//! profile: node allocation, free and buddy coalescing, subpages on leaves, handles.

use crate::check::buddy_tree::{buddy_tree_consistent, chunk_buddy_tree_consistent};
use crate::invariant::BUDDY_TREE_CONSISTENT;
use crate::memory::{Memory, MemoryMode};
use crate::mutant::Mutant;
use crate::pool::invariants::check_arena;
use crate::pool::{
    ArenaCore, ArenaKind, ArenaOptions, BuddyTree, ChunkFreeOptions, ChunkId, HandleLayout,
    PoolChunk, PoolGeometry, Run, SimpleChunkSource, SizeClasses, SubpagePools,
};
use crate::profile::{AllocatorProfile, SizeClassScheme};

const PAGE: usize = 8192;

/// 8 KiB pages, maxOrder 4: a 16-page (128 KiB) chunk.
fn sc() -> SizeClasses {
    PoolGeometry::validate(PAGE as i32, 4, 0, || Ok(()))
        .unwrap()
        .size_classes(SizeClassScheme::Legacy, ArenaKind::Direct)
}

fn chunk() -> (PoolChunk, SubpagePools) {
    let sc = sc();
    let memory = Memory::new(MemoryMode::Virtual, sc.chunk_size());
    (
        PoolChunk::new_pooled(ChunkId(1), memory, &sc),
        SubpagePools::new(sc.n_subpages()),
    )
}

fn run(c: &mut PoolChunk, pages: usize) -> Option<Run> {
    let h = c.allocate_run(&sc(), pages * PAGE)?;
    let d = c.decode(h);
    Some(Run {
        offset: d.run_offset,
        pages: d.pages,
    })
}

fn free(c: &mut PoolChunk, p: &mut SubpagePools, r: Run) {
    free_with(c, p, r, ChunkFreeOptions::default());
}

fn free_with(c: &mut PoolChunk, p: &mut SubpagePools, r: Run, opts: ChunkFreeOptions) {
    let h = c
        .handle_layout()
        .encode(crate::pool::Handle::run(r.offset, r.pages, true));
    c.free(&sc(), h, p, opts).unwrap();
}

/// The arena's fast path: the pool's first subpage hands out the next element.
fn from_pool(c: &mut PoolChunk, p: &mut SubpagePools, idx: usize) -> u64 {
    let key = p.first(idx).unwrap();
    c.subpage_at_mut(key.run_offset)
        .unwrap()
        .allocate(p)
        .unwrap()
}

#[test]
fn fresh_tree_holds_each_nodes_depth() {
    let t = BuddyTree::new(4);
    assert_eq!(&t.memory_map()[1..8], &[0, 1, 1, 2, 2, 2, 2]);
    assert_eq!(t.memory_map()[31], 4);
    assert_eq!(t.unusable(), 5);
    for order in 0..=11 {
        let t = BuddyTree::new(order);
        assert_eq!(t.memory_map().len(), 2 << order);
        for (id, &value) in t.memory_map().iter().enumerate().skip(1) {
            let bit_length_less_one = usize::BITS - 1 - id.leading_zeros();
            assert_eq!(
                u32::from(value),
                bit_length_less_one,
                "order {order} id {id}"
            );
        }
    }
}

#[test]
fn runs_take_the_leftmost_aligned_node_of_their_depth() {
    let (mut c, _) = chunk();
    assert_eq!(c.handle_layout(), HandleLayout::Buddy { max_order: 4 });
    let a = run(&mut c, 1).unwrap();
    let b = run(&mut c, 2).unwrap();
    let d = run(&mut c, 1).unwrap();
    let e = run(&mut c, 4).unwrap();
    // Page 0, then the 2-page node at page 2 (page 1 is not aligned for 2 pages), then
    // page 1, then the 4-page node at page 4.
    assert_eq!(
        [a, b, d, e].map(|r| (r.offset, r.pages)),
        [(0, 1), (2, 2), (1, 1), (4, 4)]
    );
    assert_eq!(c.free_bytes(), 8 * PAGE);
    let tree = c.buddy_tree().unwrap();
    // Root: the free 8-page half at depth 1.
    assert_eq!(tree.memory_map()[1], 1);
    assert_eq!(tree.memory_map()[2], 5, "left half wholly used");
    chunk_buddy_tree_consistent(&c).unwrap();
}

#[test]
fn a_run_that_is_no_node_frees_nothing() {
    // Only a power-of-two run at an offset it divides is a node (4.1.48 handles carry
    // the node id itself); anything else is no used node and changes nothing.
    let mut t = BuddyTree::new(4);
    let used = t.allocate(2).unwrap();
    assert_eq!((used.offset, used.pages), (0, 2));
    let before = t.memory_map().to_vec();
    for bad in [
        Run {
            offset: 1,
            pages: 2,
        },
        Run {
            offset: 0,
            pages: 3,
        },
    ] {
        assert!(!t.free(bad, false), "{bad:?}");
        assert_eq!(t.memory_map(), &before[..], "{bad:?}");
    }
    assert!(t.free(used, false));
}

#[test]
fn uncoalesced_mutant_leaves_free_buddies_apart() {
    let (mut c, mut p) = chunk();
    let (a, b) = (run(&mut c, 1).unwrap(), run(&mut c, 1).unwrap());
    let skip = ChunkFreeOptions {
        skip_coalescing: true,
        ..ChunkFreeOptions::default()
    };
    free_with(&mut c, &mut p, a, skip);
    free_with(&mut c, &mut p, b, skip);
    // Pages 0 and 1 are buddies, both free, yet their parent never became free again:
    // the tree offers them only as single pages and the oracle sees the stale parent.
    let runs: Vec<(u32, u32)> = c.free_runs().iter().map(|r| (r.offset, r.pages)).collect();
    assert_eq!(runs, [(0, 1), (1, 1), (2, 2), (4, 4), (8, 8)]);
    let e = chunk_buddy_tree_consistent(&c).unwrap_err();
    assert_eq!(e.invariant, BUDDY_TREE_CONSISTENT);
    assert_eq!(run(&mut c, 2).map(|r| r.offset), Some(2));
}

#[test]
fn freeing_both_buddies_coalesces_up_to_the_root() {
    let (mut c, mut p) = chunk();
    let runs: Vec<Run> = (0..16).map(|_| run(&mut c, 1).unwrap()).collect();
    assert_eq!(c.free_bytes(), 0);
    assert!(run(&mut c, 1).is_none(), "a full tree serves nothing");
    // Free pages 1 and 2: neighbours but not buddies, so two free runs that touch.
    free(&mut c, &mut p, runs[1]);
    free(&mut c, &mut p, runs[2]);
    assert_eq!(
        c.free_runs(),
        vec![
            Run {
                offset: 1,
                pages: 1
            },
            Run {
                offset: 2,
                pages: 1
            }
        ]
    );
    assert!(run(&mut c, 2).is_none(), "no aligned free pair yet");
    chunk_buddy_tree_consistent(&c).unwrap();
    // Page 3 joins page 2 into the node {2, 3}; page 0 joins 1, and both into {0..3}.
    free(&mut c, &mut p, runs[3]);
    free(&mut c, &mut p, runs[0]);
    assert_eq!(
        c.free_runs(),
        vec![Run {
            offset: 0,
            pages: 4
        }]
    );
    for r in &runs[4..] {
        free(&mut c, &mut p, *r);
    }
    assert_eq!(
        c.free_runs(),
        vec![Run {
            offset: 0,
            pages: 16
        }]
    );
    assert_eq!(c.buddy_tree().unwrap().memory_map()[1], 0);
    assert_eq!(
        run(&mut c, 16),
        Some(Run {
            offset: 0,
            pages: 16
        })
    );
}

#[test]
fn handles_are_4_1_48_node_ids() {
    let (mut c, mut p) = chunk();
    let h = c.allocate_run(&sc(), 4 * PAGE).unwrap();
    // The first 4-page node of a 16-page tree: depth 2, id 4.
    assert_eq!(h, 4);
    assert_eq!(c.offset_of(h), Some((0, 4 * PAGE)));
    // A tiny 16-byte element on the next free leaf (page 4 = id 16 + 4).
    let idx = sc().size2size_idx(16);
    let e = c.allocate(&sc(), idx, 16, &mut p).unwrap().unwrap();
    assert_eq!(e, 0x4000_0000_0000_0000 | 20);
    let e2 = from_pool(&mut c, &mut p, idx);
    assert_eq!(e2, 0x4000_0000_0000_0000 | (1 << 32) | 20);
    assert_eq!(c.offset_of(e2), Some((4 * PAGE + 16, 16)));
}

#[test]
fn subpage_page_returns_to_the_tree_when_not_alone_and_is_reused() {
    let (mut c, mut p) = chunk();
    let sc = sc();
    let idx = sc.size2size_idx(4096); // small, two elements per page
    let h1 = c.allocate(&sc, idx, 4096, &mut p).unwrap().unwrap();
    let h2 = from_pool(&mut c, &mut p, idx);
    // The first subpage is full and unlinked; a second page starts a second subpage.
    let h3 = c.allocate(&sc, idx, 4096, &mut p).unwrap().unwrap();
    assert_eq!(c.decode(h3).run_offset, 1);
    for h in [h1, h2] {
        c.free(&sc, h, &mut p, Default::default()).unwrap();
    }
    // Page 0's subpage emptied while page 1's is linked: page 0 goes back (4.1.48
    // PoolSubpage.free returns false) and the next small run reuses it.
    assert!(c.subpage_at(0).is_none());
    assert_eq!(c.free_bytes(), 15 * PAGE);
    let h4 = c
        .allocate(&sc, sc.size2size_idx(512), 512, &mut p)
        .unwrap()
        .unwrap();
    assert_eq!(c.decode(h4).run_offset, 0);
    chunk_buddy_tree_consistent(&c).unwrap();
}

#[test]
fn every_tiny_class_gets_its_own_subpage_with_page_over_size_elements() {
    let (mut c, mut p) = chunk();
    let sc = sc();
    for size in (16..512).step_by(16).take(15) {
        let idx = sc.size2size_idx(size);
        assert!(sc.is_tiny_idx(idx));
        let h = c.allocate(&sc, idx, size, &mut p).unwrap().unwrap();
        let s = c.subpage_at(c.decode(h).run_offset).unwrap();
        assert_eq!(
            (s.elem_size(), s.max_num_elems()),
            (size, (PAGE / size) as u32)
        );
    }
    assert!(c
        .allocate(&sc, sc.size2size_idx(240), 240, &mut p)
        .unwrap()
        .is_some());
    assert_eq!(c.free_bytes(), 0);
}

#[test]
fn corrupted_memory_map_is_caught() {
    let (mut c, _) = chunk();
    run(&mut c, 2).unwrap();
    chunk_buddy_tree_consistent(&c).unwrap();
    c.corrupt_buddy_tree().unwrap().corrupt(3, 4);
    let v = chunk_buddy_tree_consistent(&c).unwrap_err();
    assert_eq!(v.invariant, BUDDY_TREE_CONSISTENT);
    assert!(v.message.contains("memoryMap[3] = 4"), "{}", v.message);
}

#[test]
fn legacy_arena_workload_keeps_every_invariant() {
    let profile = AllocatorProfile::netty_4_1_48();
    let opts = ArenaOptions::new(ArenaKind::Direct, 1, &profile, Mutant::None);
    let mut a = ArenaCore::new(sc(), opts);
    let mut s = SimpleChunkSource::new(MemoryMode::Virtual);
    let mut rng = super::support::Lcg(1048);
    let mut live = Vec::new();
    for _ in 0..3000 {
        if live.is_empty() || rng.below(2) == 0 {
            let req = match rng.below(3) {
                0 => rng.below(512),
                1 => 512 + rng.below(3584),
                _ => 4097 + rng.below(4 * PAGE as u64),
            } as usize;
            live.push(a.allocate(req, &mut s).unwrap());
        } else {
            let x = live.swap_remove(rng.below(live.len() as u64) as usize);
            a.free(x.chunk, x.handle, x.max_length, false, &mut s)
                .unwrap();
        }
        check_arena(&a).unwrap();
        buddy_tree_consistent(&a).unwrap();
    }
}
