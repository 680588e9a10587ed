//! Cross-algorithm tests: the #8563 race replayed and enumerated, the #2187 mutant, and
//! the interpreter's error values.

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

/// A protocol violation: anything but exactly one deallocation, a resurrection, or a
/// final cell that is still live.
fn protocol_broken(log: &Log) -> bool {
    log.deallocations != 1 || !log.resurrections.is_empty() || log.algorithm.is_live(log.final_raw)
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
fn exhaustive_enumeration_finds_8563_on_the_racy_algorithm() {
    let scenario = three_party(Algorithm::RacyGetAndAdd);
    let found = explore_scenario(&scenario, 20, |log| log.deallocations > 1);
    let v = found
        .violation
        .expect("the racy algorithm double-deallocates");
    // The counterexample's schedule replays, checking each recorded micro-step.
    let replay = run(&scenario, &v.schedule).unwrap();
    assert_eq!(&replay, v.state.log());
    assert_eq!(replay.deallocations, 2);
}

#[test]
fn even_odd_never_double_deallocates_or_resurrects_under_any_schedule() {
    let e = explore_scenario(&three_party(Algorithm::EvenOdd), 40, protocol_broken);
    assert!(
        e.is_proof(),
        "violation: {:?}",
        e.violation.map(|v| v.state.into_log().to_string())
    );
    assert!(e.schedules >= 20, "only {} schedules", e.schedules);
}

#[test]
fn cas_loop_is_also_safe_for_the_three_parties() {
    let e = explore_scenario(&three_party(Algorithm::CasLoop), 40, protocol_broken);
    assert!(e.is_proof());
}

#[test]
fn two_parties_do_not_expose_8563_but_resurrect_transiently() {
    let scenario = Scenario::new(
        Algorithm::RacyGetAndAdd,
        RefCountProfile::netty_4_1(),
        vec![vec![RefOp::Release(1)], vec![RefOp::Retain(1)]],
    );
    let e = explore_scenario(&scenario, 20, |log| log.deallocations > 1);
    assert!(e.is_proof());
    let e = explore_scenario(&scenario, 20, |log| !log.resurrections.is_empty());
    assert!(
        e.violation.is_some(),
        "the retain's add is visible before its undo"
    );
}

#[test]
fn even_odd_multi_op_threads_are_safe() {
    let scenario = Scenario::new(
        Algorithm::EvenOdd,
        RefCountProfile::netty_4_1(),
        vec![
            vec![RefOp::Retain(1), RefOp::Release(1)],
            vec![RefOp::Release(1)],
            vec![RefOp::Release(1)],
        ],
    );
    let e = explore_scenario(&scenario, 60, protocol_broken);
    assert!(e.is_proof());
}

#[test]
fn non_atomic_release_loses_updates() {
    let p = RefCountProfile::netty_4_1();
    let holders = Scenario::new(
        Algorithm::NonAtomicRelease,
        p.clone(),
        vec![vec![RefOp::Release(1)], vec![RefOp::Release(1)]],
    )
    .with_initial_raw(2);
    let e = explore_scenario(&holders, 20, |log| log.deallocations == 0);
    let leak = e.violation.expect("both holders store 1");
    assert_eq!(leak.state.log().final_raw, 1);
    let over = Scenario::new(
        Algorithm::NonAtomicRelease,
        p,
        vec![vec![RefOp::Release(1)]; 2],
    );
    let e = explore_scenario(&over, 20, |log| log.deallocations > 1);
    assert!(e.violation.is_some(), "both releases decide from count 1");
    let e = explore_scenario(
        &holders.with_algorithm(Algorithm::CasLoop),
        20,
        protocol_broken,
    );
    assert!(e.is_proof(), "the CAS loop has no such window");
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
fn exhaustive_counts_are_stable() {
    // Deterministic enumeration: the same scenario always yields the same number of
    // schedules (a change here means a machine's micro-steps changed).
    let counts: Vec<u64> = [
        Algorithm::EvenOdd,
        Algorithm::CasLoop,
        Algorithm::RacyGetAndAdd,
    ]
    .into_iter()
    .map(|a| explore_scenario(&three_party(a), 40, |_| false).schedules)
    .collect();
    assert_eq!(counts, vec![82, 266, 12]);
}
