use super::support::{sc, CHUNK, PAGE};
use crate::pool::{PoolGeometry, SizeKind};

#[test]
fn default_geometry_counts() {
    let sc = sc();
    assert_eq!(sc.chunk_size(), CHUNK);
    assert_eq!(sc.n_sizes(), 68);
    assert_eq!(sc.n_p_sizes(), 32);
    assert_eq!(sc.n_subpages(), 39);
    assert_eq!(sc.small_max_size_idx(), 38);
    assert_eq!(sc.lookup_max_size(), 4096);
    assert_eq!(sc.size_idx2size(38), Some(28 * 1024));
    assert_eq!(sc.size_idx2size(39), Some(32 * 1024));
    assert_eq!(sc.size_idx2size(67), Some(CHUNK));
    assert_eq!(sc.size_idx2size(68), None);
}

#[test]
fn max_order_11_counts() {
    let g = PoolGeometry::validate(8192, 11, 0, || Ok(())).unwrap();
    let sc = g.heap_size_classes();
    assert_eq!(
        (sc.n_sizes(), sc.n_p_sizes(), sc.n_subpages()),
        (76, 40, 39)
    );
    let row = sc.rows()[72];
    assert_eq!((row.log2_group, row.log2_delta, row.n_delta), (23, 21, 1));
    assert!(row.is_multi_page_size && !row.is_subpage && row.log2_delta_lookup.is_none());
}

#[test]
fn size_sequence_matches_jemalloc() {
    let sc = sc();
    let sizes: Vec<usize> = sc.rows().iter().map(|r| r.size).collect();
    assert_eq!(
        &sizes[..12],
        &[16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256]
    );
    let k = 1024;
    for window in [
        [4 * k, 5 * k, 6 * k, 7 * k, 8 * k, 10 * k],
        [24 * k, 28 * k, 32 * k, 40 * k, 48 * k, 56 * k],
    ] {
        let i = sizes.iter().position(|&s| s == window[0]).unwrap();
        assert_eq!(&sizes[i..i + 6], &window);
    }
    let first = sc.rows()[0];
    assert_eq!(
        (first.log2_group, first.log2_delta, first.n_delta),
        (4, 4, 0)
    );
    let fifth = sc.rows()[4];
    assert_eq!(
        (fifth.log2_group, fifth.log2_delta, fifth.n_delta),
        (6, 4, 1)
    );
    assert_eq!(first.log2_delta_lookup, Some(4));
}

#[test]
fn size_zero_and_huge() {
    let sc = sc();
    assert_eq!(sc.size2size_idx(0), 0);
    assert_eq!(sc.normalize_size(0), 16);
    assert_eq!(sc.size2size_idx(17), 1);
    assert_eq!(sc.size2size_idx(CHUNK), 67);
    assert_eq!(sc.size2size_idx(CHUNK + 1), 68);
    assert_eq!(sc.kind_of_size(CHUNK + 1), SizeKind::Huge);
    assert_eq!(sc.kind_of_size(CHUNK), SizeKind::Normal);
    assert_eq!(sc.kind_of_size(28 * 1024), SizeKind::Small);
    assert_eq!(sc.kind_of_size(28 * 1024 + 1), SizeKind::Normal);
}

#[test]
fn every_size_maps_to_the_smallest_class_that_fits() {
    let sc = sc();
    let check = |s: usize| {
        let idx = sc.size2size_idx(s);
        let size = sc.size_idx2size(idx).unwrap();
        assert!(size >= s, "{s} → {size}");
        if idx > 0 {
            assert!(sc.size_idx2size(idx - 1).unwrap() < s, "{s} not smallest");
        }
        assert_eq!(sc.normalize_size(s), size, "normalize {s}");
    };
    (1..=70_000).for_each(check);
    (70_000..=CHUNK).step_by(4093).for_each(check);
    check(CHUNK);
}

#[test]
fn pages_to_page_idx_ceil_and_floor() {
    let sc = sc();
    assert_eq!(sc.pages2page_idx(CHUNK / PAGE + 1), sc.n_p_sizes());
    for pages in 1..=CHUNK / PAGE {
        let bytes = pages * PAGE;
        let ceil = sc.pages2page_idx(pages);
        assert!(sc.page_idx2size(ceil).unwrap() >= bytes);
        assert!(ceil == 0 || sc.page_idx2size(ceil - 1).unwrap() < bytes);
        let floor = sc.pages2page_idx_floor(pages);
        assert!(sc.page_idx2size(floor).unwrap() <= bytes);
        assert!(sc.page_idx2size(floor + 1).is_none_or(|s| s > bytes));
    }
}

#[test]
fn derived_run_sizes() {
    let sc = sc();
    let k = 1024;
    for (elem, pages, elems) in [
        (16, 1, 512),
        (48, 3, 512),
        (896, 7, 64),
        (4096, 1, 2),
        (8192, 1, 1),
        (16 * k, 2, 1),
        (24 * k, 3, 1),
        (28 * k, 7, 2),
    ] {
        let idx = sc.size2size_idx(elem);
        assert_eq!(sc.size_idx2size(idx), Some(elem));
        let run = sc.run_size(idx).unwrap();
        assert_eq!((run / PAGE, run / elem), (pages, elems), "{elem}");
    }
    assert_eq!(sc.run_size(39), None);
}

#[test]
fn cli_table_rows() {
    let table = sc().table();
    assert_eq!(table.len(), 68);
    let r0 = &table[0];
    assert_eq!(
        (r0.size, r0.kind.as_str(), r0.run_pages, r0.elements),
        (16, "small", 1, Some(512))
    );
    let r39 = &table[39];
    assert_eq!(
        (r39.size, r39.kind.as_str(), r39.run_pages, r39.elements),
        (32768, "normal", 4, None)
    );
}

#[test]
fn alignment_rounds_every_class() {
    let g = PoolGeometry::validate(8192, 9, 64, || Ok(())).unwrap();
    let sc = g.direct_size_classes();
    assert!(sc.rows().iter().all(|r| r.size % 64 == 0));
    assert_eq!(sc.normalize_size(1), 64);
    assert_eq!(sc.size_idx2size(sc.size2size_idx(1)), Some(64));
    assert_eq!(sc.size_idx2size(sc.size2size_idx(65)), Some(128));
    // Huge aligned requests round to Netty's arithmetic class.
    assert_eq!(sc.normalize_size(5 * 1024 * 1024 + 1), 6 * 1024 * 1024);
    assert_eq!(g.heap_size_classes().normalize_size(1), 16);
}

#[test]
fn smallest_and_largest_geometries_build() {
    for (page, order) in [(4096, 0), (8192, 0), (4096, 14), (65536, 14)] {
        let g = PoolGeometry::validate(page, order, 0, || Ok(())).unwrap();
        let sc = g.heap_size_classes();
        assert_eq!(sc.size_idx2size(sc.n_sizes() - 1), Some(g.chunk_size));
        assert_eq!(sc.page_idx2size(sc.n_p_sizes() - 1), Some(g.chunk_size));
    }
}
