use super::support::{sc, CHUNK, PAGE};
use crate::error::JavaClass;
use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::pool::invariants::check_arena;
use crate::pool::{
    ArenaCore, ArenaKind, ArenaOptions, ChunkListId, PoolGeometry, SimpleChunkSource, SizeKind,
};
use crate::profile::AllocatorProfile;

fn arena(mode: MemoryMode, limit: Option<usize>) -> (ArenaCore, SimpleChunkSource) {
    let opts = ArenaOptions::new(
        ArenaKind::Direct,
        2,
        &AllocatorProfile::netty_4_1(),
        Mutant::None,
    );
    let src = match limit {
        Some(l) => SimpleChunkSource::with_limit(mode, l),
        None => SimpleChunkSource::new(mode),
    };
    (ArenaCore::new(sc(), opts), src)
}

#[test]
fn normal_allocation_fields() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let x = a.allocate(40_000, &mut s).unwrap();
    assert_eq!(
        (x.kind, x.length, x.max_length, x.offset),
        (SizeKind::Normal, 40_000, 40 * 1024, 0)
    );
    assert_eq!(x.chunk.0 >> 48, 2, "arena index in the id");
    let y = a.allocate(32 * 1024, &mut s).unwrap();
    assert_eq!((y.offset, y.size_idx), (5 * PAGE, 39));
    assert_eq!(s.log, vec![(true, CHUNK, false)]);
}

#[test]
fn huge_allocation_gets_its_own_exact_chunk() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let req = CHUNK + 123;
    let x = a.allocate(req, &mut s).unwrap();
    assert_eq!(
        (x.kind, x.handle, x.offset, x.length, x.max_length),
        (SizeKind::Huge, 0, 0, req, req)
    );
    assert_eq!(x.size_idx, 68);
    assert_eq!(s.log, vec![(true, req, true)]);
    let m = a.metrics();
    assert_eq!(
        (
            m.num_huge_allocations,
            m.num_active_huge_allocations,
            m.num_active_bytes
        ),
        (1, 1, req as i64)
    );
    check_arena(&a).unwrap();
    let out = a.free(x.chunk, 0, req, false, &mut s).unwrap();
    assert_eq!((out.kind, out.destroyed), (SizeKind::Huge, Some(x.chunk)));
    assert_eq!(s.log.last(), Some(&(false, req, true)));
    let m = a.metrics();
    assert_eq!(
        (
            m.num_huge_deallocations,
            m.num_active_bytes,
            m.num_active_allocations
        ),
        (1, 0, 0)
    );
}

#[test]
fn aligned_huge_chunks_are_normalized() {
    let g = PoolGeometry::validate(8192, 9, 64, || Ok(())).unwrap();
    let opts = ArenaOptions::new(
        ArenaKind::Direct,
        0,
        &AllocatorProfile::netty_4_1(),
        Mutant::None,
    );
    let mut a = ArenaCore::new(g.direct_size_classes(), opts);
    let mut s = SimpleChunkSource::new(MemoryMode::Virtual);
    let x = a.allocate(5 * 1024 * 1024 + 1, &mut s).unwrap();
    assert_eq!(s.log, vec![(true, 6 * 1024 * 1024, true)]);
    // PoolArena.allocate passes normalizeSize(reqCapacity) to allocateHuge, which
    // initializes the buffer with it (PoolArena.java:139–142, 226).
    assert_eq!(x.max_length, 6 * 1024 * 1024);
    assert_eq!(x.length, 6 * 1024 * 1024);
}

#[test]
fn the_direct_limit_itself_is_reachable() {
    // PlatformDependent.incrementMemoryCounter throws only when the new usage exceeds
    // the limit (`newUsedMemory > DIRECT_MEMORY_LIMIT`).
    let (mut a, mut s) = arena(MemoryMode::Virtual, Some(CHUNK));
    a.allocate(100, &mut s).unwrap();
    assert_eq!(s.used, CHUNK);
    let e = a.allocate(CHUNK, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::OutOfDirectMemory);
}

#[test]
fn out_of_direct_memory_propagates_and_changes_nothing() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, Some(0));
    let e = a.allocate(100, &mut s).unwrap_err();
    assert_eq!(e.class, JavaClass::OutOfDirectMemory);
    assert_eq!(
        e.message,
        "failed to allocate 4194304 byte(s) of direct memory (used: 0, max: 0)"
    );
    assert_eq!(a.chunks().count(), 0);
    assert_eq!(a.metrics().num_allocations, 0);
    assert!(a.subpage_pools().iter().next().is_none());
    let e = a.allocate(CHUNK + 1, &mut s).unwrap_err();
    assert_eq!(
        e.message,
        "failed to allocate 4194305 byte(s) of direct memory (used: 0, max: 0)"
    );
    check_arena(&a).unwrap();
}

#[test]
fn materialized_buffers_do_not_overlap() {
    let (mut a, mut s) = arena(MemoryMode::Materialized, None);
    let x = a.allocate(16, &mut s).unwrap();
    let y = a.allocate(16, &mut s).unwrap();
    x.memory.fill(x.offset, 16, 0xAA);
    y.memory.fill(y.offset, 16, 0x55);
    let mut out = [0u8; 16];
    x.memory.read(x.offset, &mut out);
    assert_eq!(out, [0xAA; 16]);
}

#[test]
fn counters_follow_pool_arena_metric() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let small: Vec<_> = (0..3).map(|_| a.allocate(100, &mut s).unwrap()).collect();
    let normal = a.allocate(64 * 1024, &mut s).unwrap();
    let huge = a.allocate(CHUNK * 2, &mut s).unwrap();
    a.free(small[0].chunk, small[0].handle, 112, false, &mut s)
        .unwrap();
    // The cache finalizer path frees without counting (#8955).
    a.free(small[1].chunk, small[1].handle, 112, true, &mut s)
        .unwrap();
    a.free(normal.chunk, normal.handle, 64 * 1024, false, &mut s)
        .unwrap();
    a.inc_thread_caches();
    a.inc_thread_caches();
    a.dec_thread_caches();
    let m = a.metrics();
    assert_eq!(
        (
            m.num_small_allocations,
            m.num_normal_allocations,
            m.num_huge_allocations
        ),
        (3, 1, 1)
    );
    assert_eq!(
        (
            m.num_small_deallocations,
            m.num_normal_deallocations,
            m.num_huge_deallocations
        ),
        (1, 1, 0)
    );
    assert_eq!((m.num_allocations, m.num_deallocations), (5, 2));
    assert_eq!(m.num_active_allocations, 3);
    assert_eq!(
        (
            m.num_active_small_allocations,
            m.num_active_normal_allocations
        ),
        (2, 0)
    );
    assert_eq!(m.num_active_bytes, (CHUNK + CHUNK * 2) as i64);
    assert_eq!(m.num_thread_caches, 1);
    assert_eq!((m.num_small_subpages, m.num_chunk_lists), (39, 6));
    let qinit = &m.chunk_lists[0];
    assert_eq!(
        (qinit.name.as_str(), qinit.min_usage, qinit.max_usage),
        ("qInit", 1, 25)
    );
    let chunk = &qinit.chunks[0];
    assert_eq!(
        (chunk.chunk_size, chunk.free_bytes, chunk.usage),
        (CHUNK, CHUNK - 7 * PAGE, 2)
    );
    assert_eq!(m.small_subpages.len(), 1);
    let sp = &m.small_subpages[0];
    assert_eq!(
        (
            sp.element_size,
            sp.max_num_elements,
            sp.num_available,
            sp.page_size
        ),
        (112, 512, 511, PAGE)
    );
    let _ = huge;
}

#[test]
fn destroy_all_leaves_no_pool_linking_a_destroyed_chunk() {
    // Netty's finalizer destroys the chunks (`destroyPoolChunkLists`) and leaves the
    // subpages linked behind the heads (`destroyPoolSubPages` only destroys the heads,
    // which have no chunk): unobservable once the arena is unreachable. The model
    // unlinks them, so its state after finalization stays one the invariants accept.
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let _small = a.allocate(64, &mut s).unwrap();
    assert_eq!(a.subpage_pools().iter().count(), 1);
    assert_eq!(a.destroy_all(&mut s), 1);
    assert_eq!(a.subpage_pools().iter().count(), 0);
    check_arena(&a).unwrap();
}

#[test]
fn destroy_all_destroys_pooled_chunks_but_not_huge_ones() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let _x = a.allocate(3 * 1024 * 1024, &mut s).unwrap();
    let _y = a.allocate(3 * 1024 * 1024, &mut s).unwrap();
    let h = a.allocate(CHUNK + 1, &mut s).unwrap();
    assert_eq!(a.destroy_all(&mut s), 2);
    assert_eq!(s.used, CHUNK + 1);
    assert_eq!(
        a.chunks().map(|c| c.id()).collect::<Vec<_>>(),
        vec![h.chunk]
    );
    assert!(ChunkListId::ALL
        .iter()
        .all(|l| a.chunk_lists().get(*l).chunks().is_empty()));
    check_arena(&a).unwrap();
}

#[test]
fn unknown_chunk_free_is_an_error_value() {
    let (mut a, mut s) = arena(MemoryMode::Virtual, None);
    let e = a
        .free(crate::pool::ChunkId(99), 0, 16, false, &mut s)
        .unwrap_err();
    assert_eq!(e.class, JavaClass::Assertion);
    assert!(
        e.message.contains("chunk#63"),
        "names the chunk: {}",
        e.message
    );
}

/// The proofs' one thread on unaligned shapes cannot show an alignment fault or a
/// missing head lock: `sequential_unaligned` drops exactly those, so the proofs are not
/// asked to catch them (`PoolModel::touches_arena`).
#[test]
fn sequential_unaligned_drops_the_alignment_and_lock_faults_only() {
    let profile = AllocatorProfile::netty_4_1();
    let opts = |m| ArenaOptions::new(ArenaKind::Direct, 0, &profile, m);
    for m in [
        Mutant::OverlappingAlignedElements,
        Mutant::UnalignedElementLength,
        Mutant::SubpageListUnlocked,
    ] {
        assert_ne!(opts(m), opts(Mutant::None), "{m:?}");
        assert_eq!(opts(m).sequential_unaligned(), opts(Mutant::None), "{m:?}");
    }
    let kept = opts(Mutant::ChunkMovesOneList);
    assert_eq!(kept.sequential_unaligned(), kept);
}
