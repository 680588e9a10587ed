#![cfg(feature = "loom")]
//! Loom: buffers shared between threads, on the model's real `ByteBuf` handles, pooled
//! and unpooled allocators, all inside one `Jvm` built in each model closure.
//!
//! Run with `cargo test --features loom --release --test loom_buffers --
//! --nocapture --test-threads=1`; each model prints its iteration count and time.
//!
//! Under loom every model lock and atomic is loom's, so every lock is a scheduling
//! point. The four protocol models are **exhaustive** (no preemption bound; the pooled
//! hand-off is the largest, about 6 000 executions); the mutant and negative controls,
//! which must fail, are bounded to **2 preemptions**. Each model states its bound. Buffer bytes live in materialized memory, which under
//! loom is one relaxed atomic per byte (`sync::ByteCells`): a read without a
//! happens-before edge to the write can see a stale byte. The pooled chunk is the
//! smallest with normal sizes (page 4096, max order 2: 16 KiB of loom atomics per
//! execution), which is why these models keep buffers to a few bytes.

mod loom_support;

use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::Jvm;
use leakproof_model::memory::MemoryMode;
use leakproof_model::pool::{invariants, ArenaKind};
use leakproof_model::sync::atomic::{AtomicBool, Ordering};
use leakproof_model::sync::{thread, Arc};
use leakproof_model::{Mutant, ThreadId, ThreadKind};
use loom_support::{builder, run_model, tiny_jvm, tiny_pooled};

/// The thread the models use for setup and as the first party (loom's main thread).
const MAIN: ThreadId = ThreadId::MAIN;
/// The logical id of the loom thread the models spawn.
const OTHER: ThreadId = ThreadId(2);
/// The bytes a writer hands over.
const DATA: [u8; 4] = [0xA1, 0xB2, 0xC3, 0xD4];

/// Preemption bound 2, and room for the setup's branches (the JVM, the allocator and
/// its caches take a few hundred scheduling points before any thread is spawned).
fn bounded() -> loom_support::Builder {
    builder(Some(2), 20_000)
}

/// No preemption bound (every interleaving), with the same room for setup branches.
fn exhaustive() -> loom_support::Builder {
    builder(None, 20_000)
}

/// The direct arena's `numActiveAllocations()`.
fn active_allocations(alloc: &PooledAllocator) -> i64 {
    alloc.arenas(ArenaKind::Direct)[0]
        .metrics()
        .num_active_allocations
}

/// How the memory of the models' buffers is observed: Netty's direct counter for
/// unpooled buffers, the arena's active allocations for pooled ones.
#[derive(Clone)]
enum Observed {
    Unpooled(Arc<Jvm>),
    Pooled(Arc<PooledAllocator>),
}

impl Observed {
    /// True while the buffer's memory has not been given back.
    fn held(&self, bytes: usize) -> bool {
        match self {
            Observed::Unpooled(jvm) => jvm.netty_direct().used() == bytes as i64,
            Observed::Pooled(alloc) => active_allocations(alloc) == 1,
        }
    }
}

/// Party `party` of a retained slice and its parent: writes its byte, checks the
/// memory is still held (nobody deallocated before this party let go), releases.
fn let_go(buf: &ByteBuf, party: i64, observed: &Observed, bytes: usize) -> bool {
    buf.set_byte(party, DATA[party as usize])
        .expect("a holder can write");
    assert!(
        observed.held(bytes),
        "the parent was deallocated before party {party} let go"
    );
    buf.release().expect("a holder's release succeeds")
}

/// Unpooled: `retainedSlice()` is `slice().retain()`, so slice and parent share one
/// count of 2; releasing both on two threads deallocates exactly once, after both.
fn unpooled_slice_and_parent(mutant: Mutant) {
    let jvm = tiny_jvm(MemoryMode::Materialized, |c| c.mutant = mutant);
    jvm.start_thread(OTHER, ThreadKind::Plain).expect("start");
    let alloc = UnpooledAllocator::new(&jvm);
    let parent = alloc.new_buffer(MAIN, true, 2, 2).expect("allocate");
    let slice = parent
        .retained_slice_range(MAIN, 0, 2)
        .expect("retainedSlice");
    assert_eq!(parent.ref_cnt(), 2, "the slice shares the parent's count");
    let observed = Observed::Unpooled(jvm.clone());
    let child = {
        let observed = observed.clone();
        thread::spawn(move || let_go(&slice, 1, &observed, 2))
    };
    let parent_final = let_go(&parent, 0, &observed, 2);
    let slice_final = child.join().expect("slice holder");
    assert!(
        parent_final ^ slice_final,
        "exactly one release is the final one: parent {parent_final}, slice {slice_final}"
    );
    assert_eq!(jvm.netty_direct().used(), 0, "the memory was freed once");
    assert_eq!(parent.ref_cnt(), 0);
}

/// Pooled: a `PooledSlicedByteBuf` owns a count of 1 and holds one reference on its
/// direct parent. The slice's release on one thread (which releases the parent) and
/// the parent's own release on another deallocate the parent exactly once, after both.
/// The parent is allocated on `main`, a plain thread with a zero-size cache, so its
/// memory goes straight back to the arena and the arena's counters show every free.
fn pooled_slice_and_parent(mutant: Mutant) {
    let jvm = tiny_jvm(MemoryMode::Materialized, |c| c.mutant = mutant);
    jvm.start_thread(OTHER, ThreadKind::Plain).expect("start");
    let alloc = tiny_pooled(&jvm);
    let parent = alloc.new_buffer(MAIN, true, 2, 2).expect("allocate");
    let slice = parent
        .retained_slice_range(MAIN, 0, 2)
        .expect("retainedSlice");
    assert_eq!((parent.ref_cnt(), slice.ref_cnt()), (2, 1));
    let observed = Observed::Pooled(alloc.clone());
    let child = {
        let observed = observed.clone();
        thread::spawn(move || {
            assert!(
                let_go(&slice, 1, &observed, 2),
                "the slice's only reference is its final one"
            );
        })
    };
    let parent_final = let_go(&parent, 0, &observed, 2);
    child.join().expect("slice holder");
    assert_eq!(
        parent.ref_cnt(),
        0,
        "a release was lost: the parent was not deallocated exactly once"
    );
    let metrics = alloc.arenas(ArenaKind::Direct)[0].metrics();
    assert_eq!(
        (metrics.num_deallocations, metrics.num_active_allocations),
        (1, 0),
        "the parent was not deallocated exactly once (main's release final: {parent_final})"
    );
    invariants::check_arena(&alloc.arenas(ArenaKind::Direct)[0].lock()).expect("arena invariants");
}

#[test]
fn unpooled_retained_slice_and_parent_released_on_two_threads() {
    // Exhaustive: no preemption bound, max 20 000 branches, no permutation or time cut-off.
    run_model("unpooled retained slice vs parent", exhaustive(), || {
        unpooled_slice_and_parent(Mutant::None)
    })
    .unwrap();
}

#[test]
fn pooled_retained_slice_and_parent_released_on_two_threads() {
    // Exhaustive: no preemption bound, max 20 000 branches, no permutation or time cut-off.
    run_model("pooled retained slice vs parent", exhaustive(), || {
        pooled_slice_and_parent(Mutant::None)
    })
    .unwrap();
}

/// Where the hand-off model gets its buffers.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Unpooled,
    Pooled,
}

/// The writer (loom's main thread, logical `WRITER`, an event loop with a real cache)
/// writes [`DATA`], retains, hands the buffer to the reader (the spawn is the hand-off's
/// happens-before edge, as Netty's task queues give one) and releases. It then
/// allocates a buffer of the same size and overwrites it: a premature free would hand
/// it the reader's memory. The reader reads and releases. Whoever releases last frees
/// the memory, exactly once.
fn hand_off(kind: Kind, mutant: Mutant) {
    const WRITER: ThreadId = ThreadId(1);
    let jvm = tiny_jvm(MemoryMode::Materialized, |c| c.mutant = mutant);
    jvm.start_thread(WRITER, ThreadKind::EventLoop)
        .expect("start");
    jvm.start_thread(OTHER, ThreadKind::Plain).expect("start");
    let (pooled, new_buffer): (Option<Arc<PooledAllocator>>, Box<dyn Fn() -> ByteBuf>) = match kind
    {
        Kind::Unpooled => {
            let alloc = UnpooledAllocator::new(&jvm);
            (
                None,
                Box::new(move || alloc.new_buffer(WRITER, true, 4, 4).expect("allocate")),
            )
        }
        Kind::Pooled => {
            let alloc = tiny_pooled(&jvm);
            let for_writer = alloc.clone();
            (
                Some(alloc),
                Box::new(move || for_writer.new_buffer(WRITER, true, 4, 4).expect("allocate")),
            )
        }
    };
    let buf = new_buffer();
    buf.write_bytes(WRITER, &DATA).expect("write");
    buf.retain().expect("retain for the reader");
    let reader = {
        let buf = buf.clone();
        thread::spawn(move || {
            let seen = buf
                .get_bytes(0, DATA.len())
                .expect("the reader holds a reference");
            assert_eq!(seen, DATA, "the reader saw stale or reused bytes");
            buf.release().expect("reader's release")
        })
    };
    let writer_final = buf.release().expect("writer's release");
    let next = new_buffer();
    next.write_bytes(WRITER, &[0xEE; 4]).expect("write");
    let reader_final = reader.join().expect("reader");
    assert!(
        writer_final ^ reader_final,
        "exactly one release is final: writer {writer_final}, reader {reader_final}"
    );
    assert!(next.release().expect("release"));
    match pooled {
        None => assert_eq!(jvm.netty_direct().used(), 0, "every byte freed once"),
        Some(alloc) => {
            // Both handles are in the writer's cache (or were reused from it); its
            // clean exit drains the cache into the arena.
            jvm.exit_thread(WRITER, true).expect("exit");
            let arena = &alloc.arenas(ArenaKind::Direct)[0];
            let m = arena.metrics();
            assert_eq!(m.num_active_allocations, 0, "every handle freed: {m:?}");
            invariants::check_arena(&arena.lock()).expect("arena invariants");
        }
    }
}

#[test]
fn unpooled_hand_off_reader_sees_the_bytes_and_frees_once() {
    // Exhaustive: no preemption bound, max 20 000 branches, no permutation or time cut-off.
    run_model("unpooled hand-off", exhaustive(), || {
        hand_off(Kind::Unpooled, Mutant::None)
    })
    .unwrap();
}

#[test]
fn pooled_hand_off_reader_sees_the_bytes_and_frees_once() {
    // Exhaustive: no preemption bound, max 20 000 branches, no permutation or time cut-off.
    run_model("pooled hand-off", exhaustive(), || {
        hand_off(Kind::Pooled, Mutant::None)
    })
    .unwrap();
}

/// The models have teeth: with #2187's non-atomic release switched on, two concurrent
/// releases can both decide from the same count, so a release is lost.
#[test]
fn mutant_2187_non_atomic_release_is_caught_by_the_buffer_models() {
    // Preemption bound 2, max 20 000 branches; loom stops at the first failure.
    let models: [(&str, fn()); 3] = [
        ("#2187 pooled retained slice vs parent", || {
            pooled_slice_and_parent(Mutant::NonAtomicRelease)
        }),
        ("#2187 unpooled retained slice vs parent", || {
            unpooled_slice_and_parent(Mutant::NonAtomicRelease)
        }),
        ("#2187 pooled hand-off", || {
            hand_off(Kind::Pooled, Mutant::NonAtomicRelease)
        }),
    ];
    for (name, model) in models {
        let failure = run_model(name, bounded(), model)
            .expect_err("loom must find the lost release of the #2187 mutant");
        assert!(
            failure.contains("exactly one release is")
                || failure.contains("not deallocated exactly once"),
            "{name}: unexpected failure: {failure}"
        );
    }
}

/// The byte check has teeth: a "hand-off" through a relaxed flag gives the reader no
/// happens-before edge to the writer's bytes, and loom lets it read stale zeros.
#[test]
fn control_hand_off_without_happens_before_reads_stale_bytes() {
    // Preemption bound 2, max 20 000 branches; loom stops at the first failure.
    let failure = run_model("hand-off through a relaxed flag", bounded(), || {
        let jvm = tiny_jvm(MemoryMode::Materialized, |_| {});
        jvm.start_thread(OTHER, ThreadKind::Plain).expect("start");
        let alloc = UnpooledAllocator::new(&jvm);
        let buf = alloc.new_buffer(MAIN, true, 4, 4).expect("allocate");
        buf.retain().expect("retain for the reader");
        let ready = Arc::new(AtomicBool::new(false));
        let reader = {
            let (buf, ready) = (buf.clone(), ready.clone());
            thread::spawn(move || {
                while !ready.load(Ordering::Relaxed) {
                    thread::yield_now();
                }
                let seen = buf
                    .get_bytes(0, DATA.len())
                    .expect("the reader holds a reference");
                assert_eq!(seen, DATA, "the reader saw stale or reused bytes");
                buf.release().expect("reader's release")
            })
        };
        buf.set_bytes(0, &DATA).expect("write");
        ready.store(true, Ordering::Relaxed);
        let writer_final = buf.release().expect("writer's release");
        assert!(writer_final ^ reader.join().expect("reader"));
    })
    .expect_err("loom must let a reader without happens-before see stale bytes");
    assert!(failure.contains("stale"), "unexpected failure: {failure}");
}
