use crate::error::{Argument, JavaClass, JavaException};
use crate::pool::PoolGeometry;

fn err(page: i32, order: i32, align: i32) -> String {
    let e = PoolGeometry::validate(page, order, align, || Ok(())).unwrap_err();
    assert_eq!(e.class, JavaClass::IllegalArgument);
    e.message
}

#[test]
fn defaults_are_valid() {
    let g = PoolGeometry::validate(8192, 9, 0, || Ok(())).unwrap();
    assert_eq!(g, PoolGeometry::netty_default());
    assert_eq!(g.pages_per_chunk(), 512);
}

#[test]
fn netty_messages() {
    assert_eq!(err(2048, 9, 0), "pageSize: 2048 (expected: 4096)");
    assert_eq!(err(12288, 9, 0), "pageSize: 12288 (expected: power of 2)");
    assert_eq!(err(8192, 15, 0), "maxOrder: 15 (expected: 0-14)");
    assert_eq!(
        err(131072, 14, 0),
        "pageSize (131072) << maxOrder (14) must not exceed 1073741824"
    );
    assert_eq!(err(8192, 9, 3), "alignment must be a power of 2:3");
    assert_eq!(err(8192, 9, -1), "alignment must be a power of 2:-1");
    assert_eq!(
        err(8192, 9, i32::MIN),
        "directMemoryCacheAlignment : -2147483648 (expected: >= 0)"
    );
}

#[test]
fn each_rejection_names_its_argument_as_a_value() {
    let arg = |page, order, align| {
        PoolGeometry::validate(page, order, align, || Ok(()))
            .unwrap_err()
            .argument()
    };
    assert_eq!(arg(2048, 9, 0), Some(Argument::PageSize));
    assert_eq!(arg(12288, 9, 0), Some(Argument::PageSize));
    assert_eq!(arg(8192, 15, 0), Some(Argument::MaxOrder));
    assert_eq!(arg(131072, 14, 0), Some(Argument::PageSizeAndMaxOrder));
    assert_eq!(arg(8192, 9, 3), Some(Argument::Alignment));
    assert_eq!(arg(8192, 9, i32::MIN), Some(Argument::Alignment));
    assert_eq!(JavaException::illegal_argument("x").argument(), None);
}

#[test]
fn edge_geometries() {
    let g = PoolGeometry::validate(65536, 14, 0, || Ok(())).unwrap();
    assert_eq!(g.chunk_size, 1 << 30);
    // A negative maxOrder is not rejected by Netty: the chunk is one page.
    assert_eq!(
        PoolGeometry::validate(8192, -1, 0, || Ok(()))
            .unwrap()
            .chunk_size,
        8192
    );
    // The page size is bumped to the alignment (4.1.61, #11106).
    let g = PoolGeometry::validate(8192, 9, 16384, || Ok(())).unwrap();
    assert_eq!(
        (g.page_size, g.page_shifts, g.chunk_size, g.alignment),
        (16384, 14, 16384 << 9, 16384)
    );
}

#[test]
fn arena_count_checks_sit_between_chunk_and_page_checks() {
    let between = || {
        Err(JavaException::illegal_argument(
            "nHeapArena : -1 (expected: >= 0)",
        ))
    };
    let e = PoolGeometry::validate(8192, 15, 0, between).unwrap_err();
    assert_eq!(e.message, "maxOrder: 15 (expected: 0-14)");
    let e = PoolGeometry::validate(2048, 9, 0, between).unwrap_err();
    assert_eq!(e.message, "nHeapArena : -1 (expected: >= 0)");
}

#[test]
fn before_11106_the_page_is_not_aligned_and_an_alignment_above_it_is_accepted() {
    let ok = || Ok(());
    let legacy = |page, align| PoolGeometry::validate_with(page, 3, align, false, ok);
    // 4.1.48 keeps the page as given and accepts an alignment above it.
    let g = legacy(4096, 8192).unwrap();
    assert_eq!((g.page_size, g.alignment), (4096, 8192));
    assert_eq!(
        legacy(4097, 4096).unwrap_err().message,
        "pageSize: 4097 (expected: power of 2)"
    );
    assert_eq!(
        legacy(8192, 3).unwrap_err().message,
        "directMemoryCacheAlignment: 3 (expected: power of two)"
    );
    // 4.1.128 (#11106) rounds the page up first, where JCTools names a bad alignment.
    let current = |page, align| PoolGeometry::validate(page, 3, align, ok);
    assert_eq!(current(4097, 4096).unwrap().page_size, 8192);
    assert_eq!(current(4096, 8192).unwrap().page_size, 8192);
    assert_eq!(
        current(8192, 3).unwrap_err().message,
        "alignment must be a power of 2:3"
    );
}
