//! A deterministic interleaving interpreter for the reference-count machines.
//!
//! A [`Scenario`] gives the algorithm, the root's initial cell value and, per logical
//! thread, a program of [`ThreadOp`]s (retain/release of the root, retained derivatives,
//! reads). A schedule is a list of [`ScheduleEntry`]s, each running exactly one
//! micro-step of the named thread's current operation on a plain `i32` cell
//! (sequentially consistent: stale plain reads are loom's job). The state between
//! steps is a [`System`], which the proofs explore. The [`Log`] records every
//! step, every outcome, the deallocations and any resurrection; it serializes, so
//! counterexample traces attach schedules and `leakproof replay` prints logs.

use super::algorithm::Algorithm;
use super::machine::{MicroStep, OpOutcome};
use super::program::{ObjectRef, ThreadOp};
use super::system::System;
use crate::error::JavaResult;
use crate::profile::RefCountProfile;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What runs: an algorithm, a cell value and each logical thread's operations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// The algorithm every operation uses.
    pub algorithm: Algorithm,
    /// Supplies the `IllegalArgumentException` style for `k <= 0`.
    pub profile: RefCountProfile,
    /// The cell value before the first step.
    pub initial_raw: i32,
    /// Per logical thread (index = thread), its operations in program order.
    pub threads: Vec<Vec<ThreadOp>>,
}

impl Scenario {
    /// A scenario starting from a fresh object (real count 1).
    pub fn new<T: Into<ThreadOp>>(
        algorithm: Algorithm,
        profile: RefCountProfile,
        threads: Vec<Vec<T>>,
    ) -> Self {
        Scenario {
            algorithm,
            profile,
            initial_raw: algorithm.initial_raw(),
            threads: threads
                .into_iter()
                .map(|ops| ops.into_iter().map(Into::into).collect())
                .collect(),
        }
    }

    /// The same scenario starting from cell value `raw`.
    pub fn with_initial_raw(mut self, raw: i32) -> Self {
        self.initial_raw = raw;
        self
    }
}

/// One schedule entry: run one micro-step of `thread`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    /// The logical thread (index into [`Scenario::threads`]).
    pub thread: usize,
    /// The micro-step the schedule was recorded with; replay checks it when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<MicroStep>,
}

/// One executed micro-step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The logical thread.
    pub thread: usize,
    /// Index of the operation in the thread's queue.
    pub op_index: usize,
    /// The operation.
    pub op: ThreadOp,
    /// The object the step touched (the root unless a derivative's).
    #[serde(default, skip_serializing_if = "ObjectRef::is_root")]
    pub object: ObjectRef,
    /// The micro-step executed.
    pub step: MicroStep,
    /// The value the step observed.
    pub observed: i32,
    /// The cell before the step.
    pub raw_before: i32,
    /// The cell after the step.
    pub raw_after: i32,
}

/// One finished operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpRecord {
    /// The logical thread.
    pub thread: usize,
    /// Index of the operation in the thread's queue.
    pub op_index: usize,
    /// The operation.
    pub op: ThreadOp,
    /// Its outcome or Netty's exception.
    pub result: JavaResult<OpOutcome>,
    /// Index of the step that finished it; `None` when it finished before any step
    /// (a rejected `k <= 0`).
    pub after_step: Option<usize>,
}

/// Everything a run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The cell before the first step.
    pub initial_raw: i32,
    /// Every micro-step, in order.
    pub steps: Vec<StepRecord>,
    /// Every finished operation, in completion order.
    pub ops: Vec<OpRecord>,
    /// The root's cell after the last step.
    pub final_raw: i32,
    /// Releases that returned "deallocate" (any object).
    pub deallocations: usize,
    /// Steps after which a deallocated object's cell first read live again.
    pub resurrections: Vec<usize>,
    /// Steps that first touched an object's cell after its deallocation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touched_after_deallocate: Vec<usize>,
    /// True when every thread finished all its operations.
    pub complete: bool,
}

impl Log {
    /// The schedule that reproduces this log, with the recorded micro-steps.
    pub fn schedule(&self) -> Vec<ScheduleEntry> {
        self.steps
            .iter()
            .map(|s| ScheduleEntry {
                thread: s.thread,
                step: Some(s.step),
            })
            .collect()
    }

    /// The outcome of `thread`'s operation `op_index`, if it finished.
    pub fn result(&self, thread: usize, op_index: usize) -> Option<&JavaResult<OpOutcome>> {
        self.ops
            .iter()
            .find(|o| o.thread == thread && o.op_index == op_index)
            .map(|o| &o.result)
    }
}

impl fmt::Display for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "algorithm {}, initial raw {}",
            self.algorithm, self.initial_raw
        )?;
        let done = |f: &mut fmt::Formatter<'_>, o: &OpRecord| match &o.result {
            Ok(outcome) => writeln!(f, "      => t{} {}: {outcome}", o.thread, o.op),
            Err(e) => writeln!(f, "      => t{} {}: {e}", o.thread, o.op),
        };
        for o in self.ops.iter().filter(|o| o.after_step.is_none()) {
            done(f, o)?;
        }
        for (i, s) in self.steps.iter().enumerate() {
            let on = if s.object.is_root() {
                String::new()
            } else {
                format!(" on {}", s.object)
            };
            writeln!(
                f,
                "  #{i:<3} t{} {:<12} {:<22} observed {:>11}   raw {} -> {}{on}",
                s.thread,
                s.op.to_string(),
                s.step.to_string(),
                s.observed,
                s.raw_before,
                s.raw_after
            )?;
            for o in self.ops.iter().filter(|o| o.after_step == Some(i)) {
                done(f, o)?;
            }
            if self.resurrections.contains(&i) {
                writeln!(f, "      !! resurrected after deallocation")?;
            }
            if self.touched_after_deallocate.contains(&i) {
                writeln!(f, "      !! touched after deallocation")?;
            }
        }
        writeln!(
            f,
            "final raw {} (refCnt {}), deallocations {}, resurrections {}{}",
            self.final_raw,
            self.algorithm.real_count(self.final_raw),
            self.deallocations,
            self.resurrections.len(),
            if self.complete { "" } else { ", unfinished" }
        )
    }
}

/// Why a schedule cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ScheduleError {
    /// The entry names a thread the scenario does not have.
    #[error("schedule entry {entry}: unknown thread {thread} (the scenario has {threads})")]
    UnknownThread {
        /// Index of the entry.
        entry: usize,
        /// The thread named.
        thread: usize,
        /// How many threads exist.
        threads: usize,
    },
    /// The entry names a thread with no operation left.
    #[error("schedule entry {entry}: thread {thread} has already finished")]
    FinishedThread {
        /// Index of the entry.
        entry: usize,
        /// The thread named.
        thread: usize,
    },
    /// The recorded micro-step differs from the one the thread would take.
    #[error("schedule entry {entry}: thread {thread} would run {actual}, the schedule recorded {recorded}")]
    Diverged {
        /// Index of the entry.
        entry: usize,
        /// The thread named.
        thread: usize,
        /// The step in the schedule.
        recorded: MicroStep,
        /// The step the machine names.
        actual: MicroStep,
    },
}

/// The interpreter: a [`System`] plus the log of everything it did.
#[derive(Clone, Debug)]
pub struct Interpreter {
    scenario: Scenario,
    system: System,
    log: Log,
}

impl Interpreter {
    /// The state before the first step (operations rejected before any micro-step are
    /// already finished).
    pub fn new(scenario: &Scenario) -> Self {
        let mut ops = Vec::new();
        let system = System::new(scenario, &mut ops);
        let mut interpreter = Interpreter {
            scenario: scenario.clone(),
            system,
            log: Log {
                algorithm: scenario.algorithm,
                initial_raw: scenario.initial_raw,
                steps: Vec::new(),
                ops,
                final_raw: scenario.initial_raw,
                deallocations: 0,
                resurrections: Vec::new(),
                touched_after_deallocate: Vec::new(),
                complete: false,
            },
        };
        interpreter.log.complete = interpreter.system.is_finished();
        interpreter
    }

    /// The threads with an operation in progress, ascending.
    pub fn runnable(&self) -> Vec<usize> {
        self.system.runnable().collect()
    }

    /// The micro-step `thread` would run next, if it has one.
    pub fn next_step(&self, thread: usize) -> Option<MicroStep> {
        self.system.next_step(thread)
    }

    /// The objects and threads now.
    pub fn system(&self) -> &System {
        &self.system
    }

    /// The log so far.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// Consumes the interpreter, returning its log.
    pub fn into_log(self) -> Log {
        self.log
    }

    /// Runs one schedule entry (checking its recorded micro-step, if any).
    pub fn apply(&mut self, entry: ScheduleEntry) -> Result<&StepRecord, ScheduleError> {
        let index = self.log.steps.len();
        if let (Some(recorded), Some(actual)) = (entry.step, self.next_step(entry.thread)) {
            if recorded != actual {
                return Err(ScheduleError::Diverged {
                    entry: index,
                    thread: entry.thread,
                    recorded,
                    actual,
                });
            }
        }
        let before = self.counts();
        let record = self
            .system
            .step(&self.scenario, entry.thread, index, &mut self.log.ops)?;
        let after = self.counts();
        if record.object.is_root() {
            self.log.final_raw = record.raw_after;
        }
        self.log.deallocations += after.0 - before.0;
        if after.1 > before.1 {
            self.log.resurrections.push(index);
        }
        if after.2 > before.2 {
            self.log.touched_after_deallocate.push(index);
        }
        self.log.steps.push(record);
        self.log.complete = self.system.is_finished();
        Ok(&self.log.steps[index])
    }

    /// Deallocations, resurrected objects and objects touched after deallocation.
    fn counts(&self) -> (usize, usize, usize) {
        self.system.objects().fold((0, 0, 0), |(d, r, t), o| {
            (
                d + o.deallocations() as usize,
                r + usize::from(o.resurrected()),
                t + usize::from(o.touched_after_deallocate()),
            )
        })
    }

    /// Runs one micro-step of `thread`.
    pub fn step(&mut self, thread: usize) -> Result<&StepRecord, ScheduleError> {
        self.apply(ScheduleEntry { thread, step: None })
    }
}

/// Replays `schedule` on `scenario`. The log may be unfinished when the schedule stops
/// early ([`Log::complete`] says).
pub fn run(scenario: &Scenario, schedule: &[ScheduleEntry]) -> Result<Log, ScheduleError> {
    let mut interpreter = Interpreter::new(scenario);
    for &entry in schedule {
        interpreter.apply(entry)?;
    }
    Ok(interpreter.into_log())
}
