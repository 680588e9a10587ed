//! A deterministic interleaving interpreter for the reference-count machines.
//!
//! A [`Scenario`] gives the algorithm, the initial cell value and, per logical thread, a
//! queue of [`RefOp`]s. A schedule is a list of [`ScheduleEntry`]s, each running exactly
//! one micro-step of the named thread's current operation on a plain `i32` cell
//! (sequentially consistent: stale plain reads are loom's job). The [`Log`] records every
//! step, every outcome, the deallocations and any resurrection; it serializes, so
//! counterexample traces attach schedules and `leakproof replay` prints logs.

use super::algorithm::{Algorithm, OpMachine};
use super::machine::{Action, MicroStep, OpOutcome, RefOp, StepMachine};
use crate::error::JavaResult;
use crate::explore::{explore, Exploration, Interleaving};
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
    pub threads: Vec<Vec<RefOp>>,
}

impl Scenario {
    /// A scenario starting from a fresh object (real count 1).
    pub fn new(algorithm: Algorithm, profile: RefCountProfile, threads: Vec<Vec<RefOp>>) -> Self {
        Scenario {
            algorithm,
            profile,
            initial_raw: algorithm.initial_raw(),
            threads,
        }
    }

    /// The same scenario starting from cell value `raw`.
    pub fn with_initial_raw(mut self, raw: i32) -> Self {
        self.initial_raw = raw;
        self
    }

    /// The same operations and cell value under another algorithm.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
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
    pub op: RefOp,
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
    pub op: RefOp,
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
    /// The cell after the last step.
    pub final_raw: i32,
    /// Releases that returned "deallocate".
    pub deallocations: usize,
    /// Steps after which a deallocated object's cell read live again.
    pub resurrections: Vec<usize>,
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
            writeln!(
                f,
                "  #{i:<3} t{} {:<12} {:<22} observed {:>11}   raw {} -> {}",
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

#[derive(Clone, Debug)]
struct ThreadState {
    ops: Vec<RefOp>,
    /// Index of the current (or next) operation.
    next: usize,
    current: Option<OpMachine>,
}

/// The interpreter's state: the cell, each thread's current machine and the log so far.
#[derive(Clone, Debug)]
pub struct Interpreter {
    profile: RefCountProfile,
    raw: i32,
    threads: Vec<ThreadState>,
    log: Log,
}

impl Interpreter {
    /// The state before the first step (operations rejected before any micro-step are
    /// already finished).
    pub fn new(scenario: &Scenario) -> Self {
        let threads = scenario
            .threads
            .iter()
            .map(|ops| ThreadState {
                ops: ops.clone(),
                next: 0,
                current: None,
            })
            .collect();
        let mut interpreter = Interpreter {
            profile: scenario.profile.clone(),
            raw: scenario.initial_raw,
            threads,
            log: Log {
                algorithm: scenario.algorithm,
                initial_raw: scenario.initial_raw,
                steps: Vec::new(),
                ops: Vec::new(),
                final_raw: scenario.initial_raw,
                deallocations: 0,
                resurrections: Vec::new(),
                complete: false,
            },
        };
        for t in 0..interpreter.threads.len() {
            interpreter.settle(t, None);
        }
        interpreter.log.complete = interpreter.runnable().is_empty();
        interpreter
    }

    /// The threads with an operation in progress, ascending.
    pub fn runnable(&self) -> Vec<usize> {
        (0..self.threads.len())
            .filter(|&t| self.threads[t].current.is_some())
            .collect()
    }

    /// The micro-step `thread` would run next, if it has one.
    pub fn next_step(&self, thread: usize) -> Option<MicroStep> {
        match self.threads.get(thread)?.current.as_ref()?.action() {
            Action::Step(step) => Some(step),
            Action::Done(_) => None,
        }
    }

    /// The cell value now.
    pub fn raw(&self) -> i32 {
        self.raw
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
        let threads = self.threads.len();
        let thread = entry.thread;
        if thread >= threads {
            return Err(ScheduleError::UnknownThread {
                entry: index,
                thread,
                threads,
            });
        }
        let Some(actual) = self.next_step(thread) else {
            return Err(ScheduleError::FinishedThread {
                entry: index,
                thread,
            });
        };
        if let Some(recorded) = entry.step.filter(|r| *r != actual) {
            return Err(ScheduleError::Diverged {
                entry: index,
                thread,
                recorded,
                actual,
            });
        }
        let state = &mut self.threads[thread];
        let (observed, raw_after) = actual.apply(self.raw);
        let record = StepRecord {
            thread,
            op_index: state.next,
            op: state.ops[state.next],
            step: actual,
            observed,
            raw_before: self.raw,
            raw_after,
        };
        state.current = state.current.take().map(|m| m.advance(observed));
        let algorithm = self.log.algorithm;
        let was_live = algorithm.is_live(self.raw);
        let deallocated_before = self.log.deallocations > 0;
        self.raw = raw_after;
        self.log.final_raw = raw_after;
        self.log.steps.push(record);
        if deallocated_before && !was_live && algorithm.is_live(raw_after) {
            self.log.resurrections.push(index);
        }
        self.settle(thread, Some(index));
        self.log.complete = self.runnable().is_empty();
        Ok(&self.log.steps[index])
    }

    /// Runs one micro-step of `thread`.
    pub fn step(&mut self, thread: usize) -> Result<&StepRecord, ScheduleError> {
        self.apply(ScheduleEntry { thread, step: None })
    }

    /// Records finished operations of `thread` and starts its next ones until one has a
    /// micro-step to run or the queue is empty.
    fn settle(&mut self, thread: usize, after_step: Option<usize>) {
        let state = &mut self.threads[thread];
        loop {
            let machine = match state.current.take() {
                Some(machine) => machine,
                None => match state.ops.get(state.next) {
                    Some(&op) => self.log.algorithm.machine(op, &self.profile),
                    None => return,
                },
            };
            match machine.action() {
                Action::Step(_) => {
                    state.current = Some(machine);
                    return;
                }
                Action::Done(result) => {
                    if let Ok(OpOutcome::Released { deallocate: true }) = result {
                        self.log.deallocations += 1;
                    }
                    self.log.ops.push(OpRecord {
                        thread,
                        op_index: state.next,
                        op: state.ops[state.next],
                        result,
                        after_step,
                    });
                    state.next += 1;
                }
            }
        }
    }
}

impl Interleaving for Interpreter {
    type Entry = ScheduleEntry;

    fn runnable(&self) -> Vec<usize> {
        Interpreter::runnable(self)
    }

    fn step(&mut self, thread: usize) -> Option<ScheduleEntry> {
        let step = Interpreter::step(self, thread).ok()?.step;
        Some(ScheduleEntry {
            thread,
            step: Some(step),
        })
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

/// Every schedule of `scenario` up to `max_steps` micro-steps: the first whose finished
/// log `violates` returns, plus the counts (see [`Exploration`]).
pub fn explore_scenario(
    scenario: &Scenario,
    max_steps: usize,
    mut violates: impl FnMut(&Log) -> bool,
) -> Exploration<Interpreter> {
    explore(&Interpreter::new(scenario), max_steps, |s| {
        violates(s.log())
    })
}
