//! Misuse scenarios: application bugs, not allocator bugs (no mutant is on). Netty
//! cannot tell the application what it did wrong in any of them; the executor's shadow
//! model names the step, the owners and the bytes. Each asserts its expected report and
//! that no invariant fails (misuse is reported, never a violation; DESIGN.md).
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use leakproof_model::op::{Addressing, Amount, Op, Pattern, Program, Size, Step, ThreadKindOp};
use leakproof_model::{Mutant, Profile};
use leakproof_sim::exec::{run, ExecConfig, MisuseKind, Outcome, Quiet, RunReport};

/// `ThreadId::MAIN`.
const MAIN: u32 = 0;
/// The event loop the handler runs on.
const HANDLER: u32 = 1;

/// A step of `thread` that, when it creates a handle, creates `#creates`.
fn step(thread: u32, op: Op, creates: Option<u32>) -> Step {
    let mut s = Step::new(thread, op);
    s.creates = creates;
    s
}

fn alloc(size: u32, creates: u32) -> Step {
    step(
        MAIN,
        Op::Alloc {
            pooled: true,
            direct: true,
            size: Size(size),
            max: Default::default(),
            second: false,
        },
        Some(creates),
    )
}

fn release(thread: u32, buf: u32) -> Step {
    step(thread, Op::Release { buf, k: Amount(1) }, None)
}

fn run_resolved(steps: Vec<Step>) -> RunReport {
    run_resolved_on(Profile::default(), steps)
}

fn run_resolved_on(profile: Profile, steps: Vec<Step>) -> RunReport {
    let program = Program {
        addressing: Addressing::Resolved,
        steps,
    };
    let config = ExecConfig::small(profile, Mutant::None, 7);
    let report = run(&program, &config, &mut Quiet);
    assert_eq!(report.outcome, Outcome::Passed, "misuse is not a violation");
    report
}

fn kinds(report: &RunReport) -> Vec<(usize, MisuseKind)> {
    report.misuse.iter().map(|m| (m.step, m.kind)).collect()
}

/// #12387 (and #14223, turms #786, reactor-netty #3347): a handler keeps its
/// `retainedSlice` after releasing it; the recycler hands the same
/// `PooledSlicedByteBuf` object to the next `retainedSlice`, and the stale second
/// release succeeds in Netty: it releases the *new* owner's slice (ABA). leakproof
/// tracks ownership per allocation generation and names both owners.
#[test]
fn stale_double_release_after_recycling_names_both_owners() {
    for profile in [Profile::netty_4_1(), Profile::netty_4_1_48()] {
        // The first recycle of the slice class is kept by both Recyclers (4.1.128: the
        // first object gets a handle; 4.1.48: the first recycle passes `dropHandle`).
        let report = run_resolved_on(
            profile,
            vec![
                alloc(64, 1),
                step(MAIN, Op::RetainedSlice { buf: 1 }, Some(2)),
                release(MAIN, 2),
                step(MAIN, Op::RetainedSlice { buf: 1 }, Some(3)),
                release(MAIN, 2),
                release(MAIN, 1),
            ],
        );
        assert_stale_release_hit(&report, 4, 3);
    }
}

/// The same ABA across threads in 4.1.48: another thread releases the slice, so it
/// waits in a `WeakOrderQueue` until the owner's next `retainedSlice` finds its stack
/// empty and scavenges it.
#[test]
fn stale_release_of_a_slice_recycled_through_a_weak_order_queue() {
    let report = run_resolved_on(
        Profile::netty_4_1_48(),
        vec![
            alloc(64, 1),
            step(MAIN, Op::RetainedSlice { buf: 1 }, Some(2)),
            step(
                MAIN,
                Op::StartThread {
                    kind: ThreadKindOp::Plain,
                },
                Some(HANDLER),
            ),
            step(
                MAIN,
                Op::HandOff {
                    buf: 2,
                    to: HANDLER,
                },
                None,
            ),
            release(HANDLER, 2),
            step(MAIN, Op::RetainedSlice { buf: 1 }, Some(3)),
            release(HANDLER, 2),
            release(MAIN, 1),
        ],
    );
    assert_stale_release_hit(&report, 6, 5);
}

/// The only misuse is the stale release at `step`, naming handle #2 and the owner `#3`
/// created at `created`.
fn assert_stale_release_hit(report: &RunReport, step: usize, created: usize) {
    assert_eq!(kinds(report), vec![(step, MisuseKind::StaleReference)]);
    let message = &report.misuse[0].message;
    assert!(
        message.contains("stale handle #2") && message.contains(&format!("#3 (step {created})")),
        "the report names the stale handle and the owner it hit: {message}"
    );
}

/// A handler releases the buffer the pipeline handed it (as if it owned it), then the
/// pipeline's own release (`SimpleChannelInboundHandler`'s auto-release, or the
/// decoder's) fails. Netty's `IllegalReferenceCountException` is thrown at the second,
/// innocent release; leakproof reports the double release at that step with the
/// handle, so the handler's release before it is the one to look at.
#[test]
fn releasing_a_buffer_netty_handed_you_is_a_double_release() {
    let report = run_resolved(vec![
        alloc(200, 1),
        step(
            MAIN,
            Op::StartThread {
                kind: ThreadKindOp::EventLoop,
            },
            Some(HANDLER),
        ),
        step(
            MAIN,
            Op::HandOff {
                buf: 1,
                to: HANDLER,
            },
            None,
        ),
        release(HANDLER, 1),
        release(HANDLER, 1),
    ]);
    assert_eq!(kinds(&report), vec![(4, MisuseKind::DoubleRelease)]);
    assert!(report.leaked.is_empty(), "{:?}", report.leaked);
}

/// The incident (shared/reference/incident.md): the frame decoder copies the frame,
/// releases the frame, and forgets the copy. Under SIMPLE leak detection Netty samples
/// one allocation in 128, so this leak goes unreported; leakproof attributes the leaked
/// bytes to the `copy()` step exactly.
#[test]
fn forgetting_to_release_a_copy_is_a_leak_attributed_to_the_copy() {
    let report = run_resolved(vec![
        alloc(200, 1),
        step(
            MAIN,
            Op::Write {
                buf: 1,
                len: Size(200),
                pattern: Pattern(9),
            },
            None,
        ),
        step(MAIN, Op::Copy { buf: 1 }, Some(2)),
        release(MAIN, 1),
        step(MAIN, Op::Drop { buf: 2 }, None),
        step(MAIN, Op::Gc, None),
    ]);
    assert!(report.misuse.is_empty(), "{:?}", report.misuse);
    assert_eq!(report.leaked.len(), 1, "{:?}", report.leaked);
    let leak = &report.leaked[0];
    assert_eq!(
        (leak.step, leak.handle),
        (2, 2),
        "the copy leaked: {leak:?}"
    );
    assert_eq!(leak.bytes, 224, "200 bytes normalize to the 224-byte class");
    assert_eq!(report.leaked_bytes, 224);
    assert!(
        report.leak_reports.is_empty(),
        "SIMPLE sampling missed it, as in production: {:?}",
        report.leak_reports
    );
}
