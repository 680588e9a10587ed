use super::support::{sc, CHUNK, PAGE};
use crate::error::JavaClass;
use crate::memory::{Memory, MemoryMode};
use crate::pool::chunk::usage;
use crate::pool::handle::{self, Handle};
use crate::pool::{ChunkFree, ChunkFreeOptions, ChunkId, PoolChunk, Run, SubpagePools};

fn chunk() -> (PoolChunk, SubpagePools) {
    let sc = sc();
    (
        PoolChunk::new_pooled(ChunkId(1), Memory::new(MemoryMode::Virtual, CHUNK), &sc),
        SubpagePools::new(39),
    )
}

fn run(c: &mut PoolChunk, pages: usize) -> u64 {
    c.allocate_run(&sc(), pages * PAGE).unwrap()
}

fn free(c: &mut PoolChunk, p: &mut SubpagePools, h: u64, opts: ChunkFreeOptions) -> ChunkFree {
    c.free(&sc(), h, p, opts).unwrap()
}

#[test]
fn new_chunk_is_one_free_run_in_the_last_queue() {
    let (c, _) = chunk();
    assert_eq!(c.free_bytes(), CHUNK);
    assert_eq!(c.usage(), 0);
    assert_eq!(
        c.free_runs_by_queue().collect::<Vec<_>>(),
        vec![(
            31,
            Run {
                offset: 0,
                pages: 512
            }
        )]
    );
    assert_eq!(
        c.runs_avail_map().keys().copied().collect::<Vec<_>>(),
        vec![0, 511]
    );
}

#[test]
fn allocate_run_splits_and_reinserts_the_tail() {
    let (mut c, _) = chunk();
    let h = run(&mut c, 3);
    assert_eq!(Handle::decode(h), Handle::run(0, 3, true));
    assert_eq!(c.free_bytes(), CHUNK - 3 * PAGE);
    assert_eq!(
        c.free_runs(),
        vec![Run {
            offset: 3,
            pages: 509
        }]
    );
    assert_eq!(c.offset_of(h), Some((0, 3 * PAGE)));
    let h2 = run(&mut c, 2);
    assert_eq!(c.offset_of(h2), Some((3 * PAGE, 2 * PAGE)));
}

#[test]
fn lowest_offset_wins_within_a_queue() {
    let (mut c, mut p) = chunk();
    let hs: Vec<u64> = (0..4).map(|_| run(&mut c, 1)).collect();
    free(&mut c, &mut p, hs[2], ChunkFreeOptions::default());
    free(&mut c, &mut p, hs[0], ChunkFreeOptions::default());
    // Both one-page holes sit in queue 0; the lower offset goes first.
    assert_eq!(handle::run_offset(run(&mut c, 1)), 0);
    assert_eq!(handle::run_offset(run(&mut c, 1)), 2);
    assert_eq!(handle::run_offset(run(&mut c, 1)), 4);
}

#[test]
fn best_fit_skips_too_small_queues() {
    let (mut c, mut p) = chunk();
    let a = run(&mut c, 1);
    let _b = run(&mut c, 1);
    free(&mut c, &mut p, a, ChunkFreeOptions::default());
    // A 2-page run does not fit the 1-page hole at 0.
    assert_eq!(handle::run_offset(run(&mut c, 2)), 2);
}

#[test]
fn free_coalesces_with_previous_and_next() {
    let (mut c, mut p) = chunk();
    let a = run(&mut c, 2);
    let b = run(&mut c, 3);
    let cc = run(&mut c, 1);
    let o = ChunkFreeOptions::default();
    assert_eq!(free(&mut c, &mut p, b, o), ChunkFree::Run);
    assert_eq!(
        c.free_runs(),
        vec![
            Run {
                offset: 2,
                pages: 3
            },
            Run {
                offset: 6,
                pages: 506
            }
        ]
    );
    free(&mut c, &mut p, a, o);
    assert_eq!(
        c.free_runs(),
        vec![
            Run {
                offset: 0,
                pages: 5
            },
            Run {
                offset: 6,
                pages: 506
            }
        ]
    );
    free(&mut c, &mut p, cc, o);
    assert_eq!(
        c.free_runs(),
        vec![Run {
            offset: 0,
            pages: 512
        }]
    );
    assert_eq!(c.free_bytes(), CHUNK);
    assert_eq!(
        c.runs_avail_map().keys().copied().collect::<Vec<_>>(),
        vec![0, 511]
    );
    assert_eq!(c.used_runs().count(), 0);
}

#[test]
fn uncoalesced_mutant_leaves_neighbours_apart() {
    let (mut c, mut p) = chunk();
    let a = run(&mut c, 2);
    let b = run(&mut c, 3);
    let _keep = run(&mut c, 1);
    let o = ChunkFreeOptions {
        skip_coalescing: true,
        ..Default::default()
    };
    free(&mut c, &mut p, a, o);
    free(&mut c, &mut p, b, o);
    assert_eq!(
        c.free_runs(),
        vec![
            Run {
                offset: 0,
                pages: 2
            },
            Run {
                offset: 2,
                pages: 3
            },
            Run {
                offset: 6,
                pages: 506
            }
        ]
    );
}

#[test]
fn freeing_a_free_run_is_refused_without_change() {
    let (mut c, mut p) = chunk();
    let a = run(&mut c, 2);
    free(&mut c, &mut p, a, ChunkFreeOptions::default());
    let before = (c.free_bytes(), c.free_runs());
    let e = c
        .free(&sc(), a, &mut p, ChunkFreeOptions::default())
        .unwrap_err();
    assert_eq!(e.class, JavaClass::Assertion);
    assert_eq!((c.free_bytes(), c.free_runs()), before);
}

#[test]
fn no_room_returns_none() {
    let (mut c, _) = chunk();
    let _all = run(&mut c, 512);
    assert_eq!(c.free_bytes(), 0);
    assert_eq!(c.usage(), 100);
    assert!(c.allocate_run(&sc(), PAGE).is_none());
}

#[test]
fn usage_rounding() {
    assert_eq!(usage(0, CHUNK), 100);
    assert_eq!(usage(CHUNK, CHUNK), 0);
    assert_eq!(usage(CHUNK / 200, CHUNK), 99);
    assert_eq!(usage(CHUNK / 2, CHUNK), 50);
    assert_eq!(usage(CHUNK - 1, CHUNK), 1);
    assert_eq!(usage(CHUNK - 3 * PAGE, CHUNK), 1);
}
