//! The reference-count protocol as a stateright model over the model's own
//! [`System`] (netty.md §6.1, §9.9).
//!
//! A state is the model's `System` (every object's cell, every thread's running step
//! machine) plus the interesting events of the step that led to it; an action is "thread `t` runs its
//! next micro-step", exactly a schedule entry of the interpreter, so a counterexample
//! path *is* a replayable schedule ([`RefcountModel::schedule`]). The `always`
//! properties are the invariant functions of `refcnt::protocol` (their names come from
//! the invariant table); the `sometimes` properties make a vacuous model fail.

pub mod mixes;

use crate::invariant::holds;
use leakproof_model::error::JavaClass;
use leakproof_model::invariant::{
    DEALLOCATE_AT_MOST_ONCE, EVERY_REFERENCE_RELEASED, NO_ACCESS_AFTER_DEALLOCATE, PROTOCOL_PARITY,
    RELEASED_IS_TERMINAL,
};
use leakproof_model::refcnt::protocol;
use leakproof_model::refcnt::{
    Algorithm, MicroStep, ObjectOp, OpOutcome, OpRecord, Scenario, ScheduleEntry, StepRecord,
    System, ThreadOp,
};
use stateright::{Model, Property};

/// Events of the step that led to a state, as bits (only the last step's, so they
/// multiply the state space by little; a `sometimes` property is reached when some
/// state carries its bit).
pub mod seen {
    /// A CAS observed another value than it expected (two threads raced on a cell).
    pub const CAS_CONTENTION: u8 = 1;
    /// An operation ended with `IllegalReferenceCountException` (misuse rejected).
    pub const MISUSE_REJECTED: u8 = 2;
    /// A derivative's deallocation released its parent.
    pub const DERIVATIVE_DEALLOCATED: u8 = 4;
    /// The root's final release came from a derivative's deallocation.
    pub const ROOT_FREED_BY_DERIVATIVE: u8 = 8;
    /// A racy operation undid its addition (the #8563 window).
    pub const UNDONE: u8 = 16;
}

/// A state: the model's system plus what the path has shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RcState {
    /// Objects and threads.
    pub system: System,
    /// [`seen`] bits of the step that led here.
    pub seen: u8,
    /// Each thread's program class packed 4 bits per thread (for symmetry reduction):
    /// threads of one class run the same program.
    classes: u64,
}

impl RcState {
    /// The state with the threads of each class in canonical order.
    pub fn representative(&self) -> RcState {
        let classes: Vec<u8> = (0..self.system.threads().len())
            .map(|t| ((self.classes >> (4 * t)) & 0xf) as u8)
            .collect();
        RcState {
            system: self.system.canonical(&classes),
            seen: self.seen,
            classes: self.classes,
        }
    }
}

/// One refcount model: a scenario (algorithm + programs) and how to judge it.
#[derive(Clone, Debug)]
pub struct RefcountModel {
    /// The programs and the algorithm.
    pub scenario: Scenario,
    /// Per thread, its program's class (non-decreasing; equal ⇒ same program).
    pub classes: Vec<u8>,
    /// Every reference is released once by its holder: the stronger properties apply.
    pub misuse_free: bool,
}

impl RefcountModel {
    /// A model of `scenario` whose thread classes are derived from equal programs
    /// (threads must be ordered so that equal programs are adjacent).
    pub fn new(scenario: Scenario, misuse_free: bool) -> Self {
        let mut classes: Vec<u8> = Vec::new();
        for (t, ops) in scenario.threads.iter().enumerate() {
            let class = match t.checked_sub(1) {
                Some(prev) if scenario.threads[prev] == *ops => classes[prev],
                Some(prev) => classes[prev] + 1,
                None => 0,
            };
            classes.push(class);
        }
        assert!(
            classes.len() <= 16 && classes.iter().all(|&c| c < 16),
            "at most 16 threads and classes"
        );
        RefcountModel {
            scenario,
            classes,
            misuse_free,
        }
    }

    /// True when some thread's program derives.
    fn derives(&self) -> bool {
        self.scenario
            .threads
            .iter()
            .flatten()
            .any(|op| matches!(op, ThreadOp::Object(ObjectOp::Derive { .. })))
    }

    /// True when threads of the same class exist (symmetry reduction helps).
    pub fn has_symmetry(&self) -> bool {
        self.classes.windows(2).any(|w| w[0] == w[1])
    }

    /// A path's actions as the interpreter's schedule (with the micro-steps, so a
    /// replay checks them).
    pub fn schedule(&self, states: &[RcState], actions: &[usize]) -> Vec<ScheduleEntry> {
        states
            .iter()
            .zip(actions)
            .map(|(s, &thread)| ScheduleEntry {
                thread,
                step: s.system.next_step(thread),
            })
            .collect()
    }

    fn events(&self, record: &StepRecord, finished: &[OpRecord]) -> u8 {
        let mut bits = 0;
        if let MicroStep::CompareExchange { expected, .. } = record.step {
            if record.observed != expected {
                bits |= seen::CAS_CONTENTION;
            }
        }
        let undo = matches!(record.step, MicroStep::GetAndAdd(d) if d < 0)
            && self.scenario.algorithm == Algorithm::RacyGetAndAdd
            && matches!(
                record.op,
                ThreadOp::Root(leakproof_model::refcnt::RefOp::Retain(_))
            );
        if undo {
            bits |= seen::UNDONE;
        }
        for op in finished {
            match (&op.op, &op.result) {
                (_, Err(e)) if e.class == JavaClass::IllegalReferenceCount => {
                    bits |= seen::MISUSE_REJECTED
                }
                (
                    ThreadOp::Object(ObjectOp::ReleaseDerived(_)),
                    Ok(OpOutcome::Released { deallocate: true }),
                ) => bits |= seen::DERIVATIVE_DEALLOCATED,
                _ => {}
            }
        }
        bits
    }
}

impl Model for RefcountModel {
    type State = RcState;
    type Action = usize;

    fn init_states(&self) -> Vec<RcState> {
        let classes = self
            .classes
            .iter()
            .enumerate()
            .fold(0u64, |acc, (t, &c)| acc | (u64::from(c) << (4 * t)));
        vec![RcState {
            system: System::new(&self.scenario, &mut Vec::new()),
            seen: 0,
            classes,
        }]
    }

    fn actions(&self, state: &RcState, actions: &mut Vec<usize>) {
        actions.extend(state.system.runnable());
    }

    fn next_state(&self, state: &RcState, thread: usize) -> Option<RcState> {
        let mut next = state.clone();
        let mut finished = Vec::new();
        let record = next
            .system
            .step(&self.scenario, thread, 0, &mut finished)
            .ok()?;
        next.seen = self.events(&record, &finished);
        if state.system.root().deallocations() == 0
            && next.system.root().deallocations() > 0
            && matches!(record.op, ThreadOp::Object(ObjectOp::ReleaseDerived(_)))
        {
            next.seen |= seen::ROOT_FREED_BY_DERIVATIVE;
        }
        Some(next)
    }

    fn format_action(&self, thread: &usize) -> String {
        format!("t{thread}")
    }

    fn format_step(&self, state: &RcState, thread: usize) -> Option<String> {
        let mut system = state.system.clone();
        let mut finished = Vec::new();
        let r = system.step(&self.scenario, thread, 0, &mut finished).ok()?;
        let mut line = format!(
            "t{thread} {} {} on {}: observed {}, raw {} -> {}",
            r.op, r.step, r.object, r.observed, r.raw_before, r.raw_after
        );
        for op in &finished {
            match &op.result {
                Ok(outcome) => line.push_str(&format!(" => {}: {outcome}", op.op)),
                Err(e) => line.push_str(&format!(" => {}: {e}", op.op)),
            }
        }
        Some(line)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut p = vec![
            Property::always(DEALLOCATE_AT_MOST_ONCE.name, |_, s: &RcState| {
                holds(protocol::deallocate_at_most_once(&s.system))
            }),
            Property::always(RELEASED_IS_TERMINAL.name, |_, s: &RcState| {
                holds(protocol::released_is_terminal(&s.system))
            }),
        ];
        if self.scenario.algorithm == Algorithm::EvenOdd {
            p.push(Property::always(
                PROTOCOL_PARITY.name,
                |m: &Self, s: &RcState| {
                    holds(protocol::protocol_parity(&s.system, m.scenario.algorithm))
                },
            ));
        }
        if self.misuse_free {
            p.push(Property::always(
                NO_ACCESS_AFTER_DEALLOCATE.name,
                |_, s: &RcState| holds(protocol::no_access_after_deallocate(&s.system)),
            ));
            // A terminal-state check: on a finished program, every reference is gone.
            p.push(Property::always(
                EVERY_REFERENCE_RELEASED.name,
                |_, s: &RcState| {
                    !s.system.is_finished() || holds(protocol::every_reference_released(&s.system))
                },
            ));
        }
        p.push(Property::sometimes(
            "reach_root_deallocated",
            |_, s: &RcState| s.system.root().deallocations() > 0,
        ));
        if self.scenario.threads.len() > 1 && self.scenario.algorithm != Algorithm::RacyGetAndAdd {
            p.push(Property::sometimes(
                "reach_cas_contention",
                |_, s: &RcState| s.seen & seen::CAS_CONTENTION != 0,
            ));
        }
        if self.derives() {
            p.push(Property::sometimes(
                "reach_derivative_deallocated",
                |_, s: &RcState| s.seen & seen::DERIVATIVE_DEALLOCATED != 0,
            ));
            if self.misuse_free {
                p.push(Property::sometimes(
                    "reach_root_freed_by_derivative",
                    |_, s: &RcState| s.seen & seen::ROOT_FREED_BY_DERIVATIVE != 0,
                ));
            }
        }
        if !self.misuse_free {
            p.push(Property::sometimes(
                "reach_misuse_rejected",
                |_, s: &RcState| s.seen & seen::MISUSE_REJECTED != 0,
            ));
        }
        if self.scenario.algorithm == Algorithm::RacyGetAndAdd && !self.misuse_free {
            p.push(Property::sometimes("reach_racy_undo", |_, s: &RcState| {
                s.seen & seen::UNDONE != 0
            }));
        }
        p
    }
}
