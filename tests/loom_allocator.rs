#![cfg(feature = "loom")]
//! Loom: the pooled allocator's arena and thread caches under concurrent use.
//!
//! Run with `cargo test --features loom --release --test loom_allocator --
//! --nocapture --test-threads=1`; each model prints its iteration count and time.
//!
//! Every model states its bounds: page 4096 and max order 2 (a 16 KiB chunk, the
//! smallest with normal sizes), one direct arena, queues of two entries, virtual memory
//! (no bytes: these models check bookkeeping, not data), **preemption bound 2**, and
//! setup run before `loom::explore()` with `Builder::expect_explicit_explore`, so the
//! JVM's and allocator's construction (one thread, hundreds of lock operations) adds
//! no explored branches. Loom threads are mapped to logical ids by hand: loom's main
//! thread acts as `T1` after setup, the spawned thread as `T2`.

mod loom_support;

use leakproof_model::alloc::pooled::{PoolArena, PooledAllocator, ThreadCache};
use leakproof_model::buffer::ByteBuf;
use leakproof_model::coverage::Event::{self, *};
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::loom;
use leakproof_model::memory::MemoryMode;
use leakproof_model::pool::{invariants, ArenaKind};
use leakproof_model::sync::{thread, Arc};
use leakproof_model::{Mutant, ThreadId, ThreadKind};
use loom_support::{builder, run_model, tiny_jvm, tiny_pooled, Builder, Reached, CHUNK_SIZE};
use std::sync::atomic::{AtomicBool as StdAtomicBool, Ordering as StdOrdering};

/// Loom's main thread after setup.
const T1: ThreadId = ThreadId(1);
/// The spawned loom thread.
const T2: ThreadId = ThreadId(2);
/// A small size (the first size class).
const SMALL: usize = 16;

/// Preemption bound 2, setup unexplored (before `loom::explore()`), and room for the
/// setup's branches.
fn bounded() -> Builder {
    let mut builder = builder(Some(2), 20_000);
    builder.expect_explicit_explore = true;
    builder
}

/// The allocator's one direct arena.
fn arena(alloc: &PooledAllocator) -> &Arc<PoolArena> {
    &alloc.arenas(ArenaKind::Direct)[0]
}

/// Under the arena lock: every pool invariant holds and Netty's direct counter equals
/// the bytes of the chunks alive (chunks are created and destroyed under this lock).
fn check_pool(jvm: &Jvm, alloc: &PooledAllocator) {
    let core = arena(alloc).lock();
    if let Err(violation) = invariants::check_arena(&core) {
        panic!("pool invariant violated: {violation:?}");
    }
    let alive: usize = core.chunks().map(|c| c.chunk_size()).sum();
    assert_eq!(
        jvm.netty_direct().used(),
        alive as i64,
        "direct counter != bytes of the chunks alive"
    );
}

/// Setup shared by the models: a JVM with virtual memory, the tiny allocator, `T1` of
/// `t1_kind` and `T2` a plain thread.
fn setup(
    t1_kind: ThreadKind,
    tweak: impl FnOnce(&mut JvmConfig),
) -> (Arc<Jvm>, Arc<PooledAllocator>) {
    let jvm = tiny_jvm(MemoryMode::Virtual, tweak);
    let alloc = tiny_pooled(&jvm);
    jvm.start_thread(T1, t1_kind).expect("start T1");
    jvm.start_thread(T2, ThreadKind::Plain).expect("start T2");
    (jvm, alloc)
}

/// One thread's work: a small and a normal (whole-chunk) buffer, allocated, checked
/// and released; plain threads have zero-size caches, so every call reaches the arena.
fn small_and_normal(jvm: &Arc<Jvm>, alloc: &Arc<PooledAllocator>, t: ThreadId) {
    let small = alloc
        .new_buffer(t, true, SMALL as i64, SMALL as i64)
        .expect("small");
    let normal = alloc
        .new_buffer(t, true, CHUNK_SIZE as i64, CHUNK_SIZE as i64)
        .expect("normal");
    check_pool(jvm, alloc);
    assert!(small.release().expect("release small"));
    assert!(normal.release().expect("release normal"));
    check_pool(jvm, alloc);
}

#[test]
fn two_threads_allocate_and_release_small_and_normal_on_one_arena() {
    // Page 4096, max order 2, one arena, virtual memory, setup before explore(),
    // preemption bound 2, max 20 000 branches.
    let reached = Reached::default();
    let counts = reached.clone();
    run_model(
        "two threads small+normal on one arena",
        bounded(),
        move || {
            let (jvm, alloc) = setup(ThreadKind::Plain, |_| {});
            loom::explore();
            let other = {
                let (jvm, alloc) = (jvm.clone(), alloc.clone());
                thread::spawn(move || small_and_normal(&jvm, &alloc, T2))
            };
            small_and_normal(&jvm, &alloc, T1);
            other.join().expect("T2");
            check_pool(&jvm, &alloc);
            let m = arena(&alloc).metrics();
            assert_eq!(m.num_active_allocations, 0, "every handle freed: {m:?}");
            assert_eq!(
                (m.num_allocations, m.num_deallocations),
                (4, 4),
                "each of the four buffers allocated and freed once"
            );
            counts.add(&jvm);
        },
    )
    .unwrap();
    reached.assert_reaches(
        "two threads small+normal on one arena",
        &[ChunkDestroyed, CacheAddRefused],
    );
}

/// How many entries of `cache` hold the slot at chunk offset `offset`.
fn cached_at(cache: &ThreadCache, offset: usize) -> usize {
    cache
        .queues()
        .flat_map(|q| q.entries())
        .filter(|e| e.region.allocation.offset == offset)
        .count()
}

#[test]
fn cross_thread_release_into_the_owners_cache_lands_in_exactly_one_place() {
    // Page 4096, max order 2, one arena, virtual memory, setup before explore(),
    // preemption bound 2, max 20 000 branches.
    let reached = Reached::default();
    let counts = reached.clone();
    run_model("cross-thread release into the owner's cache", bounded(), move || {
        let (jvm, alloc) = setup(ThreadKind::EventLoop, |_| {});
        let buf = alloc.new_buffer(T1, true, SMALL as i64, SMALL as i64).expect("owner's");
        let slot = buf.memory_offset().expect("allocated");
        let cache = alloc.cache_of(T1).expect("the owner has a cache");
        loom::explore();
        // T2 releases the owner's buffer: the handle is offered to T1's cache.
        let releaser = thread::spawn(move || assert!(buf.release().expect("release")));
        // Meanwhile the owner allocates the same size: it polls its own cache.
        let next = alloc.new_buffer(T1, true, SMALL as i64, SMALL as i64).expect("next");
        releaser.join().expect("T2");
        let reused = next.memory_offset() == Some(slot);
        let cached = cached_at(&cache, slot);
        assert_eq!(
            usize::from(reused) + cached,
            1,
            "the slot must be either reused by the owner or cached, once (reused: {reused}, cached: {cached})"
        );
        let m = arena(&alloc).metrics();
        assert_eq!(
            m.num_active_allocations,
            1 + cached as i64,
            "the arena sees the owner's buffer and the cached slot, nothing else"
        );
        check_pool(&jvm, &alloc);
        assert!(next.release().expect("release"));
        jvm.exit_thread(T1, true).expect("clean exit frees the cache");
        assert_eq!(arena(&alloc).metrics().num_active_allocations, 0);
        check_pool(&jvm, &alloc);
        counts.add(&jvm);
    })
    .unwrap();
    reached.assert_reaches(
        "cross-thread release into the owner's cache",
        &[CacheAdd, CachePoll, CacheFree],
    );
}

/// What one execution of [`free_races_add`] left in the freed cache.
#[derive(Clone, Copy, Debug, Default)]
struct Stranded {
    /// Entries whose `add` checked `freed` (and saw false) first: the add/free race
    /// that Netty's check cannot close (`stranded_by_add_free_race`).
    checked: bool,
    /// Entries whose `add` never checked `freed` (#12749, before 4.1.85).
    unchecked: bool,
}

/// The owner (`T1`, an event loop) exits cleanly (`onRemoval` frees its cache) while
/// `T2` releases the owner's buffer into that cache. Reports what was stranded.
fn free_races_add(tweak: impl FnOnce(&mut JvmConfig), reached: &Reached) -> Stranded {
    let (jvm, alloc) = setup(ThreadKind::EventLoop, tweak);
    let buf: ByteBuf = alloc
        .new_buffer(T1, true, SMALL as i64, SMALL as i64)
        .expect("owner's");
    let cache = alloc.cache_of(T1).expect("the owner has a cache");
    loom::explore();
    let releaser = thread::spawn(move || assert!(buf.release().expect("release")));
    jvm.exit_thread(T1, true).expect("onRemoval");
    releaser.join().expect("T2");
    assert!(cache.is_freed());
    let stranded = cache.stranded();
    // The slot is either back in the arena or stranded in the freed cache, once.
    let active = arena(&alloc).metrics().num_active_allocations;
    assert_eq!(
        active,
        stranded.len() as i64,
        "the slot is in exactly one place"
    );
    check_pool(&jvm, &alloc);
    reached.add(&jvm);
    Stranded {
        checked: stranded.iter().any(|e| e.checked_freed),
        unchecked: stranded.iter().any(|e| !e.checked_freed),
    }
}

/// Runs [`free_races_add`] under loom and reports what any explored execution
/// stranded (recorded in std flags outside the model; a stranded entry is a finding,
/// not a failure, so every execution is explored); the executions must reach the
/// events of `claims` (`docs/coverage.md`).
fn any_stranded(
    name: &str,
    builder: Builder,
    claims: &[Event],
    tweak: impl Fn(&mut JvmConfig) + Send + Sync + 'static,
) -> Stranded {
    let checked = std::sync::Arc::new(StdAtomicBool::new(false));
    let unchecked = std::sync::Arc::new(StdAtomicBool::new(false));
    let flags = (checked.clone(), unchecked.clone());
    let reached = Reached::default();
    let counts = reached.clone();
    run_model(name, builder, move || {
        let found = free_races_add(&tweak, &counts);
        if found.checked {
            flags.0.store(true, StdOrdering::Relaxed);
        }
        if found.unchecked {
            flags.1.store(true, StdOrdering::Relaxed);
        }
    })
    .unwrap();
    reached.assert_reaches(name, claims);
    Stranded {
        checked: checked.load(StdOrdering::Relaxed),
        unchecked: unchecked.load(StdOrdering::Relaxed),
    }
}

fn recheck(config: &mut JvmConfig) {
    config.profile.allocator.cache_add_rechecks_after_offer = true;
}

#[test]
fn cache_free_racing_add_strands_an_entry_on_netty_as_is() {
    // Page 4096, max order 2, one arena, virtual memory, setup before explore(),
    // preemption bound 2, max 20 000 branches.
    let found = any_stranded(
        "cache free vs add (Netty as is)",
        bounded(),
        &[CacheAdd, CacheAddRefused, CacheFree],
        |_| {},
    );
    assert!(
        found.checked,
        "loom must find stranded_by_add_free_race: add checked `freed`, then free drained, then add offered"
    );
    assert!(!found.unchecked, "4.1.128 checks `freed` in every add");
}

#[test]
fn cache_free_racing_add_strands_nothing_with_the_recheck() {
    // Same bounds; `cache_add_rechecks_after_offer = true`: no execution strands.
    let found = any_stranded(
        "cache free vs add (re-check after offer)",
        bounded(),
        &[CacheAdd, CacheAddRefused, CacheFree],
        recheck,
    );
    assert!(
        !found.checked && !found.unchecked,
        "the re-check after offer must leave nothing in a freed cache: {found:?}"
    );
    // The claim is negative, and this model is small enough to check without a
    // preemption bound (exhaustive, setup still unexplored): 224 executions.
    let mut exhaustive = builder(None, 20_000);
    exhaustive.expect_explicit_explore = true;
    let found = any_stranded(
        "cache free vs add (re-check, exhaustive)",
        exhaustive,
        &[CacheAdd, CacheAddRefused, CacheFree],
        recheck,
    );
    assert!(
        !found.checked && !found.unchecked,
        "the re-check after offer must leave nothing in a freed cache, in any interleaving: {found:?}"
    );
}

#[test]
fn mutant_12749_add_without_the_freed_check_strands_unchecked_entries() {
    // Same bounds. #12749 (before 4.1.85): `add` never looks at `freed`, so even a
    // release after the exit strands its entry; the classification tells it apart.
    // Without the `freed` check nothing is refused: every release is queued.
    let found = any_stranded(
        "cache free vs add (#12749 mutant)",
        bounded(),
        &[CacheAdd, CacheFree],
        |config| config.mutant = Mutant::AddToFreedCache,
    );
    assert!(found.unchecked, "loom must find #12749's unchecked add");
    assert!(!found.checked, "no add checked `freed` under the mutant");
}

/// #8108: `onRemoval` (the owner's clean exit) races the cache's finalizer, which read
/// `FreeOnFinalize.cache` before `free()` cleared it ("this can race with a
/// non-finalizer thread calling free", PoolThreadCache.java:486–494 at 4.1.128); the
/// `freed` compareAndSet (PoolThreadCache.java:204–207) lets exactly one of them free.
fn removal_races_finalizer(mutant: Mutant, reached: &Reached) {
    let (jvm, alloc) = setup(ThreadKind::EventLoop, |c| c.mutant = mutant);
    let buf = alloc
        .new_buffer(T1, true, SMALL as i64, SMALL as i64)
        .expect("owner's");
    assert!(buf.release().expect("release into the owner's cache"));
    let cache = alloc.cache_of(T1).expect("the owner has a cache");
    loom::explore();
    let finalizer = {
        let (jvm, cache) = (jvm.clone(), cache.clone());
        thread::spawn(move || {
            cache.free(&jvm, true);
        })
    };
    jvm.exit_thread(T1, true).expect("onRemoval");
    finalizer.join().expect("finalizer");
    reached.add(&jvm);
    if let Err(v) = leakproof_model::check::caches_freed_once(&alloc) {
        panic!("{v}");
    }
    check_pool(&jvm, &alloc);
}

#[test]
fn on_removal_racing_the_finalizer_frees_the_cache_once() {
    // Same bounds: page 4096, order 2, one arena, setup before explore(), preemption 2.
    let reached = Reached::default();
    let counts = reached.clone();
    run_model("onRemoval vs finalizer (#8108)", bounded(), move || {
        removal_races_finalizer(Mutant::None, &counts)
    })
    .unwrap();
    reached.assert_reaches("onRemoval vs finalizer (#8108)", &[CacheAdd, CacheFree]);
}

#[test]
fn mutant_8108_a_cache_freed_by_both_is_counted_out_twice() {
    let failure = run_model("onRemoval vs finalizer (#8108 mutant)", bounded(), || {
        removal_races_finalizer(Mutant::CacheFreedTwice, &Reached::default())
    })
    .expect_err("loom must find the second free of #8108's mutant");
    assert!(failure.contains("caches_freed_once"), "{failure}");
}

/// A small size whose subpage run is one page holding two elements (page 4096).
const TWO_PER_RUN: usize = 2048;

/// #4388's race. The pool of [`TWO_PER_RUN`] holds two subpages, the one at its head
/// with a single element in use; `T2` frees that element (the subpage is fully free and
/// not alone: `PoolChunk.free` destroys it and frees its run) while `T1` allocates the
/// size through the arena's fast path (head lock, `head.next`, then `s.allocate()`).
/// Netty's head lock orders the two; either way the pool stays consistent. Returns
/// whether `T1`'s buffer took the slot `first` left in the contended subpage (the
/// allocation came first) rather than one in the other subpage.
fn subpage_release_races_the_fast_path(mutant: Mutant, reached: &Reached) -> bool {
    let (jvm, alloc) = setup(ThreadKind::Plain, |c| c.mutant = mutant);
    let new = |t| {
        alloc
            .new_buffer(t, true, TWO_PER_RUN as i64, TWO_PER_RUN as i64)
            .expect("a two-per-run buffer")
    };
    let (first, last) = (new(T1), new(T1));
    let other = new(T1);
    // The first subpage is full (unlinked), the second was linked; freeing `first`
    // links the first subpage back at the pool's head, holding `last` only.
    let freed_slot = first.memory_offset();
    assert!(first.release().expect("release"));
    loom::explore();
    let releaser = thread::spawn(move || assert!(last.release().expect("release")));
    let next = new(T1);
    releaser.join().expect("T2");
    check_pool(&jvm, &alloc);
    let m = arena(&alloc).metrics();
    assert_eq!(m.num_active_allocations, 2, "`other` and `next`: {m:?}");
    let allocated_first = next.memory_offset() == freed_slot;
    assert!(next.release().expect("release"));
    assert!(other.release().expect("release"));
    check_pool(&jvm, &alloc);
    assert_eq!(arena(&alloc).metrics().num_active_allocations, 0);
    reached.add(&jvm);
    allocated_first
}

#[test]
fn subpage_release_racing_the_fast_path_keeps_the_pool_consistent() {
    // Same bounds: page 4096, order 2, one arena, setup before explore(), preemption 2.
    let seen = std::sync::Arc::new([StdAtomicBool::new(false), StdAtomicBool::new(false)]);
    let flags = seen.clone();
    let reached = Reached::default();
    let counts = reached.clone();
    run_model(
        "subpage release vs fast path (#4388)",
        bounded(),
        move || {
            let allocated_first = subpage_release_races_the_fast_path(Mutant::None, &counts);
            flags[usize::from(allocated_first)].store(true, StdOrdering::Relaxed);
        },
    )
    .unwrap();
    reached.assert_reaches(
        "subpage release vs fast path (#4388)",
        &[ListMoveUp, SubpageReleased, CacheAddRefused],
    );
    assert!(
        seen.iter().all(|f| f.load(StdOrdering::Relaxed)),
        "loom must explore both orders of the free and the fast path"
    );
}

#[test]
fn mutant_4388_a_subpage_freed_without_the_head_lock_is_allocated_from() {
    // #4198 → #4388: `PoolChunk.free` changed the subpage and its pool list without
    // the head lock, so the fast path could read `head.next`, lose the processor, and
    // allocate from a subpage destroyed meanwhile: Netty's assert (or an NPE then).
    let failure = run_model(
        "subpage release vs fast path (#4388 mutant)",
        bounded(),
        || {
            subpage_release_races_the_fast_path(Mutant::SubpageListUnlocked, &Reached::default());
        },
    )
    .expect_err("loom must find the fast path allocating from a destroyed subpage");
    assert!(failure.contains("doNotDestroy=false"), "{failure}");
}
