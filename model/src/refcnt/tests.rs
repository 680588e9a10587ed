//! Interpreter tests: the #8563 race replayed, derivatives releasing their parents, and
//! the interpreter's error values. Exhaustive exploration lives in the proofs crate.

use super::*;
use crate::profile::RefCountProfile;

/// The three parties of #8563/#8574: t0 holds the only reference and releases it, t1
/// retains the (soon) released buffer, t2 releases it again.
fn three_party(algorithm: Algorithm) -> Scenario {
    Scenario::new(
        algorithm,
        RefCountProfile::netty_4_1(),
        vec![
            vec![RefOp::Release(1)],
            vec![RefOp::Retain(1)],
            vec![RefOp::Release(1)],
        ],
    )
}

fn entries(threads: &[usize]) -> Vec<ScheduleEntry> {
    threads
        .iter()
        .map(|&thread| ScheduleEntry { thread, step: None })
        .collect()
}

#[test]
fn racy_8563_schedule_deallocates_twice() {
    // t0 final release (1 -> 0, deallocate); t1 retain adds on the released buffer
    // (0 -> 1); t2 release sees the transient 1 and deallocates again; t1 undoes.
    let log = run(
        &three_party(Algorithm::RacyGetAndAdd),
        &entries(&[0, 1, 2, 1]),
    )
    .unwrap();
    assert!(log.complete);
    assert_eq!(log.deallocations, 2);
    assert_eq!(log.resurrections, vec![1]);
    assert_eq!(log.final_raw, -1);
    assert_eq!(
        log.result(0, 0),
        Some(&Ok(OpOutcome::Released { deallocate: true }))
    );
    assert_eq!(
        log.result(2, 0),
        Some(&Ok(OpOutcome::Released { deallocate: true }))
    );
    let e = log.result(1, 0).unwrap().clone().unwrap_err();
    assert_eq!(e.message, "refCnt: 0, increment: 1");
    let steps: Vec<_> = log
        .steps
        .iter()
        .map(|s| (s.step, s.observed, s.raw_after))
        .collect();
    assert_eq!(
        steps,
        vec![
            (MicroStep::GetAndAdd(-1), 1, 0),
            (MicroStep::GetAndAdd(1), 0, 1),
            (MicroStep::GetAndAdd(-1), 1, 0),
            (MicroStep::GetAndAdd(-1), 0, -1),
        ]
    );
    let text = log.to_string();
    assert!(text.contains("!! resurrected after deallocation"), "{text}");
    assert!(text.contains("deallocations 2"), "{text}");
}

#[test]
fn schedule_errors_are_values() {
    let scenario = three_party(Algorithm::EvenOdd);
    assert_eq!(
        run(&scenario, &entries(&[3])),
        Err(ScheduleError::UnknownThread {
            entry: 0,
            thread: 3,
            threads: 3
        })
    );
    // t0 releases alone: plain load, CAS 2 -> 1; then t0 is finished.
    assert_eq!(
        run(&scenario, &entries(&[0, 0, 0])),
        Err(ScheduleError::FinishedThread {
            entry: 2,
            thread: 0
        })
    );
    let wrong = ScheduleEntry {
        thread: 1,
        step: Some(MicroStep::Yield),
    };
    assert_eq!(
        run(&scenario, &[wrong]),
        Err(ScheduleError::Diverged {
            entry: 0,
            thread: 1,
            recorded: MicroStep::Yield,
            actual: MicroStep::GetAndAdd(2),
        })
    );
    let partial = run(&scenario, &entries(&[0])).unwrap();
    assert!(!partial.complete);
    assert_eq!(partial.steps.len(), 1);
    assert!(ScheduleError::FinishedThread {
        entry: 2,
        thread: 0
    }
    .to_string()
    .contains("already finished"));
}

#[test]
fn rejected_amounts_finish_without_a_step() {
    let scenario = Scenario::new(
        Algorithm::EvenOdd,
        RefCountProfile::netty_4_1(),
        vec![vec![RefOp::Retain(0), RefOp::Release(1)]],
    );
    let interpreter = Interpreter::new(&scenario);
    assert_eq!(
        interpreter.next_step(0),
        Some(MicroStep::Load { volatile: false })
    );
    let log = interpreter.log();
    assert_eq!(log.ops.len(), 1);
    assert_eq!(log.ops[0].after_step, None);
    assert_eq!(
        log.ops[0].result.clone().unwrap_err().message,
        "increment : 0 (expected: > 0)"
    );
    let log = run(&scenario, &entries(&[0, 0])).unwrap();
    assert!(log.complete);
    assert_eq!(log.deallocations, 1);
    assert!(log
        .to_string()
        .contains("retain(0): java.lang.IllegalArgumentException"));
}

#[test]
fn logs_replay_from_their_own_schedule() {
    let scenario = three_party(Algorithm::EvenOdd);
    let log = run(&scenario, &entries(&[1, 0, 2, 0, 2, 2, 2])).unwrap();
    assert!(log.complete);
    assert_eq!(run(&scenario, &log.schedule()).unwrap(), log);
}

#[test]
fn schedules_and_logs_round_trip_through_json() {
    let scenario = three_party(Algorithm::RacyGetAndAdd);
    let log = run(&scenario, &entries(&[0, 1, 2, 1])).unwrap();
    let json = serde_json::to_string(&log).unwrap();
    let back: Log = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    let schedule = serde_json::to_string(&log.schedule()).unwrap();
    assert!(
        schedule.starts_with(r#"[{"thread":0,"step":{"get-and-add":-1}}"#),
        "{schedule}"
    );
    let bare: Vec<ScheduleEntry> = serde_json::from_str(r#"[{"thread":0}]"#).unwrap();
    assert_eq!(bare, entries(&[0]));
    let scenario_json = serde_json::to_string(&scenario).unwrap();
    assert_eq!(
        serde_json::from_str::<Scenario>(&scenario_json).unwrap(),
        scenario
    );
}

#[test]
fn a_derivative_releases_its_parent_when_deallocated() {
    // t0: d0 = root.retainedSlice(); d1 = d0.retainedSlice(); read d1; release d1 and
    // d0 (each deallocation releases the parent); then the root.
    let scenario = Scenario::new(
        Algorithm::EvenOdd,
        RefCountProfile::netty_4_1(),
        vec![vec![
            ThreadOp::from(ObjectOp::Derive {
                parent: ObjectRef::Root,
                child: 0,
            }),
            ObjectOp::Derive {
                parent: ObjectRef::Own(0),
                child: 1,
            }
            .into(),
            ObjectOp::Access(ObjectRef::Own(1)).into(),
            ObjectOp::ReleaseDerived(1).into(),
            ObjectOp::ReleaseDerived(0).into(),
            RefOp::Release(1).into(),
        ]],
    );
    let mut interpreter = Interpreter::new(&scenario);
    while interpreter.step(0).is_ok() {}
    let log = interpreter.log();
    assert!(log.complete, "{log}");
    assert_eq!(log.deallocations, 3, "{log}");
    assert!(log.touched_after_deallocate.is_empty(), "{log}");
    let system = interpreter.system();
    assert_eq!((system.threads().len(), system.objects().count()), (1, 3));
    assert!(system.objects().all(|o| o.deallocations() == 1));
    assert_eq!(system.root().raw(), 1);
    assert_eq!(log.result(0, 2), Some(&Ok(OpOutcome::Accessed)));
    assert_eq!(
        log.result(0, 3),
        Some(&Ok(OpOutcome::Released { deallocate: true }))
    );
    // Steps on a derivative name it; the root's steps do not. Each of the six ops'
    // outcomes is printed once, after the step that finished it.
    assert!(log.to_string().contains("on derived1"), "{log}");
    assert_eq!(log.to_string().matches("      => t0 ").count(), 6, "{log}");
    assert_eq!(run(&scenario, &log.schedule()).unwrap(), *log);
}

#[test]
fn acting_on_a_derivative_that_was_never_made_is_an_irce() {
    let scenario = Scenario::new(
        Algorithm::EvenOdd,
        RefCountProfile::netty_4_1(),
        vec![vec![
            ThreadOp::from(RefOp::Release(1)),
            ObjectOp::Derive {
                parent: ObjectRef::Root,
                child: 0,
            }
            .into(),
            ObjectOp::ReleaseDerived(0).into(),
            ObjectOp::Access(ObjectRef::Root).into(),
            ObjectOp::Access(ObjectRef::Own(0)).into(),
        ]],
    );
    let mut interpreter = Interpreter::new(&scenario);
    while interpreter.step(0).is_ok() {}
    let log = interpreter.log();
    assert!(log.complete);
    let err = |i| log.result(0, i).unwrap().clone().unwrap_err().message;
    assert_eq!(err(1), "refCnt: 0, increment: 1");
    assert_eq!(err(2), "refCnt: 0, decrement: 1");
    assert_eq!(err(3), "refCnt: 0");
    assert_eq!(err(4), "refCnt: 0", "an access names no amount");
    assert_eq!(log.touched_after_deallocate.len(), 1, "{log}");
    assert!(
        log.resurrections.is_empty(),
        "a stale touch is no resurrection: {log}"
    );
    // Netty never handed the derivative out: no step touches a cell of it, and it
    // was never born (the protocol's checks skip it).
    assert!(!log.to_string().contains("on derived0"), "{log}");
    let born: Vec<bool> = interpreter
        .system()
        .objects()
        .map(|o| o.is_born())
        .collect();
    assert_eq!(
        born,
        [true, false],
        "the root and the derivative never made"
    );
}

#[test]
fn a_live_object_keeps_its_raw_count_in_each_algorithms_encoding() {
    // Even/odd stores twice the count (AbstractReferenceCountedByteBuf's `refCnt = 2`,
    // ReferenceCountUpdater: retain adds 2k, a non-final release subtracts 2k); the
    // older algorithms store the count itself.
    for (algorithm, raw) in [
        (Algorithm::EvenOdd, 4),
        (Algorithm::CasLoop, 2),
        (Algorithm::RacyGetAndAdd, 2),
    ] {
        let scenario = Scenario::new(
            algorithm,
            RefCountProfile::netty_4_1(),
            vec![vec![RefOp::Retain(2), RefOp::Release(1)]],
        );
        let mut interpreter = Interpreter::new(&scenario);
        while interpreter.step(0).is_ok() {}
        assert!(interpreter.log().complete, "{algorithm:?}");
        assert_eq!(interpreter.system().root().raw(), raw, "{algorithm:?}");
        protocol::check_always(interpreter.system(), algorithm).unwrap();
    }
}
