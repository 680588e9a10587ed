//! The ≤4.1.51 size classes against what the real 4.1.48 printed
//! (`oracle/facts/sizes-xmx32m.tsv`, `docs/oracle-4.1.48.md` §3), and the size-0
//! tiny class (4.1.48 PoolSubpage.java:79–81, 104–106).

use super::support::Lcg;
use crate::error::JavaClass;
use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::pool::invariants::check_arena;
use crate::pool::{
    ArenaCore, ArenaKind, ArenaOptions, PoolGeometry, SimpleChunkSource, SizeClasses, SizeKind,
};
use crate::profile::{AllocatorProfile, SizeClassScheme};

const FACTS: &str = include_str!("../../../../oracle/facts/sizes-xmx32m.tsv");

fn legacy(page: i32, max_order: i32, alignment: i32) -> SizeClasses {
    PoolGeometry::validate(page, max_order, alignment, || Ok(()))
        .unwrap()
        .size_classes(SizeClassScheme::Legacy, ArenaKind::Direct)
}

fn arena() -> (ArenaCore, SimpleChunkSource) {
    let profile = AllocatorProfile::netty_4_1_48();
    let opts = ArenaOptions::new(ArenaKind::Direct, 1, &profile, Mutant::None);
    (
        ArenaCore::new(legacy(8192, 11, 0), opts),
        SimpleChunkSource::new(MemoryMode::Virtual),
    )
}

#[test]
fn every_pooled_size_fact_of_the_real_4_1_48_matches() {
    let sc = legacy(8192, 11, 0);
    let mut checked = 0;
    for line in FACTS.lines() {
        let Some((key, value)) = line.split_once('\t') else {
            continue;
        };
        let Some(req) = key.strip_prefix("size.") else {
            continue;
        };
        let Some(rest) = value.strip_prefix("maxLength=") else {
            continue;
        };
        let req: usize = req.parse().unwrap();
        let mut words = rest.split(' ');
        let max_length: usize = words.next().unwrap().parse().unwrap();
        let class = words.next().unwrap().strip_prefix("class=").unwrap();
        let idx = sc.size2size_idx(req);
        assert_eq!(sc.normalize_size(req), max_length, "size {req}");
        assert_eq!(sc.size_idx2size(idx), Some(max_length), "size {req}");
        let row = &sc.table()[idx];
        assert_eq!(row.kind, class, "size {req}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} facts read");
}

#[test]
fn table_shape_follows_the_page_and_chunk() {
    let sc = legacy(8192, 11, 0);
    // 32 tiny, 4 small (512 … 4096), 12 normal (8 KiB … 16 MiB).
    assert_eq!((sc.n_subpages(), sc.n_sizes()), (36, 48));
    assert_eq!(sc.kind_of_size(16 << 20), SizeKind::Normal);
    assert_eq!(sc.kind_of_size((16 << 20) + 1), SizeKind::Huge);
    assert_eq!(sc.size2size_idx((16 << 20) + 1), sc.n_sizes());
    let small = legacy(4096, 3, 0);
    // numSmallSubpagePools = pageShifts − 9: 512, 1024, 2048.
    assert_eq!((small.n_subpages(), small.n_sizes()), (35, 39));
    assert_eq!(small.kind_of_size(2048), SizeKind::Small);
    assert_eq!(small.kind_of_size(2049), SizeKind::Normal);
    assert!(sc.is_tiny_idx(31) && !sc.is_tiny_idx(32));
    // The `sizes` table names each class's kind at both boundaries.
    let kind = |i: usize| sc.table()[i].kind.to_string();
    let kinds = [kind(31), kind(32), kind(35), kind(36)];
    assert_eq!(kinds, ["tiny", "small", "small", "normal"]);
}

#[test]
fn alignment_rounds_tiny_requests_to_the_alignment() {
    let sc = legacy(8192, 11, 64);
    assert_eq!(sc.normalize_size(1), 64);
    assert_eq!(sc.size2size_idx(1), 4);
    assert_eq!(sc.normalize_size(0), 0);
    assert_eq!(sc.normalize_size(600), 1024);
    // From the chunk size up the request is only aligned (PoolArena.java:340–342).
    assert_eq!(sc.normalize_size((16 << 20) + 1), (16 << 20) + 64);
}

#[test]
fn size_zero_shares_one_handle_without_consuming_a_slot() {
    let (mut a, mut s) = arena();
    let x = a.allocate(0, &mut s).unwrap();
    let y = a.allocate(0, &mut s).unwrap();
    assert_eq!((x.chunk, x.handle, x.offset), (y.chunk, y.handle, y.offset));
    assert_eq!((x.max_length, x.kind), (0, SizeKind::Small));
    let sub = a.subpage_pools().first(0).unwrap();
    let subpage = a
        .chunk(sub.chunk)
        .unwrap()
        .subpage_at(sub.run_offset)
        .unwrap();
    assert_eq!((subpage.max_num_elems(), subpage.num_avail()), (0, 0));
    check_arena(&a).unwrap();
    for h in [x, y] {
        a.free(h.chunk, h.handle, 0, false, &mut s).unwrap();
    }
    // The subpage never empties, so its page and the chunk stay.
    assert_eq!(a.subpage_pools().first(0), Some(sub));
    assert_eq!(a.chunks().count(), 1);
    check_arena(&a).unwrap();
}

#[test]
fn random_legacy_workload_keeps_the_arena_consistent() {
    let (mut a, mut s) = arena();
    let mut rng = Lcg(48);
    let mut live = Vec::new();
    for _ in 0..2000 {
        if live.is_empty() || rng.below(3) > 0 {
            let req = match rng.below(4) {
                0 => rng.below(512),
                1 => 512 + rng.below(3584),
                2 => 4097 + rng.below(1 << 20),
                _ => rng.below(64),
            } as usize;
            live.push(a.allocate(req, &mut s).unwrap());
        } else {
            let i = rng.below(live.len() as u64) as usize;
            let x = live.swap_remove(i);
            a.free(x.chunk, x.handle, x.max_length, false, &mut s)
                .unwrap();
        }
        check_arena(&a).unwrap();
    }
}

/// Below a 16-byte alignment a tiny pool's subpage takes its first request's
/// `normCapacity` (4.1.48 PoolChunk.java:358–361), a later request of another size in
/// that pool fails Netty's assert (PoolArena.java:206), and an element under 16 bytes
/// overflows the bitmap of `pageSize >>> 10` words (PoolSubpage.java:55, 59–71) without
/// changing the arena.
#[test]
fn below_16_byte_alignment_the_first_request_sizes_the_tiny_subpage() {
    let profile = AllocatorProfile::netty_4_1_48();
    let opts = ArenaOptions::new(ArenaKind::Direct, 1, &profile, Mutant::None);
    let mut a = ArenaCore::new(legacy(16384, 11, 8), opts);
    let mut s = SimpleChunkSource::new(MemoryMode::Virtual);
    let x = a.allocate(40, &mut s).unwrap();
    assert_eq!((x.length, x.max_length), (40, 40));
    let e = a.allocate(32, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::Assertion);
    let before = a.chunks().map(|c| c.free_bytes()).collect::<Vec<_>>();
    let e = a.allocate(8, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::ArrayIndexOutOfBounds);
    assert_eq!(e.message, "Index 16 out of bounds for length 16");
    let after = a.chunks().map(|c| c.free_bytes()).collect::<Vec<_>>();
    assert_eq!(before, after);
    assert_eq!(a.subpage_pools().first(0), None);
    check_arena(&a).unwrap();
    a.free(x.chunk, x.handle, x.max_length, false, &mut s)
        .unwrap();
    check_arena(&a).unwrap();
}

#[test]
fn every_legacy_row_spells_its_size_as_group_plus_deltas() {
    // `(1 << log2Group) + (nDelta << log2Delta)`, as the jemalloc rows; size 0 has no
    // such form and reads as 1.
    let sc = legacy(8192, 11, 0);
    for row in sc.rows() {
        let spelled = sc.unaligned_size(row.index).unwrap();
        assert_eq!(spelled, row.size.max(1), "row {}", row.index);
    }
}
