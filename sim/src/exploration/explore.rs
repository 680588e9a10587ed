//! Exploring the schedules of one concurrent program with shuttle, and replaying one
//! schedule string.
//!
//! Each execution runs [`concurrent::run`] inside shuttle. The first execution that
//! violates an invariant (or panics) ends the exploration; its schedule string comes
//! from the [`Recorder`], and a trace of the failure is written in the common format.

use super::scheduler::{effective, encode, scheduler, Recorder, Recording};
use crate::concurrent::{self, PlanError};
use crate::exec::{ExecConfig, RunReport};
use crate::trace::{self, Exploration};
use leakproof_model::invariant::MODEL_RAISED_NO_ASSERTION;
use leakproof_model::op::Program;
use leakproof_model::Violation;
use shuttle::scheduler::{ReplayScheduler, Scheduler};
use shuttle::{Config, FailurePersistence, Runner};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The first failing execution of an exploration.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Its index (0-based) among the exploration's executions.
    pub iteration: u64,
    /// What it violated.
    pub violation: Violation,
    /// Its shuttle schedule string.
    pub schedule: String,
    /// Where its trace was written (`None` if writing failed).
    pub trace: Option<PathBuf>,
}

/// What an exploration found.
#[derive(Clone, Debug, Default)]
pub struct Explored {
    /// Executions run.
    pub iterations: u64,
    /// The first failure, which ended the exploration.
    pub failure: Option<Failure>,
    /// For each finding or known bug (by name), the executions that reported it.
    pub findings: BTreeMap<&'static str, u64>,
    /// Executions in which some op raised an `IllegalReferenceCountException`.
    pub with_misuse: u64,
    /// The model's event counts, merged over the executions (`docs/coverage.md`).
    pub coverage: leakproof_model::coverage::Coverage,
}

#[derive(Default)]
struct Shared {
    explored: Explored,
    failed: Option<Violation>,
}

fn shuttle_config() -> Config {
    let mut config = Config::new();
    // No shuttle panic hook output: failures are returned (and written as traces).
    config.failure_persistence = FailurePersistence::None;
    config.silence_warnings = true;
    config.stack_size = 0x40000;
    config
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a non-string panic".into())
}

/// Runs `scheduler`'s executions of `program` until one fails.
fn drive(
    program: &Program,
    config: &ExecConfig,
    scheduler: Box<dyn Scheduler + Send>,
) -> (Explored, Option<(Violation, String)>) {
    let recording = Arc::new(Mutex::new(Recording::default()));
    let shared = Arc::new(Mutex::new(Shared::default()));
    let recorder = Recorder {
        inner: scheduler,
        recording: recording.clone(),
    };
    let (program, exec_config) = (Arc::new(program.clone()), Arc::new(config.clone()));
    let body = {
        let (shared, recording) = (shared.clone(), recording.clone());
        move || {
            let report = concurrent::run(&program, &exec_config).expect("validated before");
            let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
            note(&mut s, &report);
            if s.failed.is_some() {
                recording.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
            }
        }
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Runner::new(recorder, shuttle_config()).run(body)
    }));
    let schedule = encode(&recording.lock().unwrap_or_else(|p| p.into_inner()).current);
    let mut s = std::mem::take(&mut *shared.lock().unwrap_or_else(|p| p.into_inner()));
    if let Err(payload) = outcome {
        s.explored.iterations += 1;
        s.failed = Some(Violation::new(
            MODEL_RAISED_NO_ASSERTION,
            format!("the execution panicked: {}", panic_text(payload.as_ref())),
        ));
    }
    (s.explored, s.failed.map(|v| (v, schedule)))
}

/// Counts one execution's report.
fn note(s: &mut Shared, report: &RunReport) {
    s.explored.iterations += 1;
    s.explored.coverage.merge(&report.coverage);
    let mut names: Vec<&'static str> = report.findings.iter().map(|f| f.name).collect();
    names.extend(report.known_bugs.iter().map(|k| k.invariant));
    names.sort_unstable();
    names.dedup();
    for name in names {
        *s.explored.findings.entry(name).or_default() += 1;
    }
    if !report.misuse.is_empty() {
        s.explored.with_misuse += 1;
    }
    if s.failed.is_none() {
        s.failed = report.violation().cloned();
    }
}

/// Runs `exploration` on a valid `program` until an execution fails: what it found,
/// and the failing violation with its schedule string. Writes nothing.
pub(super) fn find(
    program: &Program,
    config: &ExecConfig,
    exploration: Exploration,
) -> (Explored, Option<(Violation, String)>) {
    drive(program, config, scheduler(&effective(exploration)))
}

/// Explores `program` under `config` with `exploration`'s scheduler until an
/// execution fails or the iterations run out. A failure writes its trace (ops,
/// scheduler, seed, iterations, schedule string, shuttle version) to
/// [`trace::trace_dir`]. A program that cannot run concurrently is an error.
pub fn explore(
    program: &Program,
    config: &ExecConfig,
    exploration: Exploration,
) -> Result<Explored, PlanError> {
    concurrent::validate(program, config)?;
    let exploration = effective(exploration);
    let (mut explored, failed) = find(program, config, exploration);
    if let Some((violation, schedule)) = failed {
        let iteration = explored.iterations - 1;
        let failure = super::trace::failure_trace(
            program,
            config,
            exploration,
            (iteration, &violation, &schedule),
        );
        explored.failure = Some(Failure {
            iteration,
            violation,
            schedule,
            trace: trace::write_trace(&trace::trace_dir(), &failure).ok(),
        });
    }
    Ok(explored)
}

/// Runs `program` once along the schedule string `schedule` and returns the
/// violation it ends with, if any.
pub fn replay_schedule(
    program: &Program,
    config: &ExecConfig,
    schedule: &str,
) -> Result<Option<Violation>, PlanError> {
    concurrent::validate(program, config)?;
    let mut replay = ReplayScheduler::new_from_encoded(schedule);
    // A schedule a little off the program (an edited trace) still runs to the end.
    replay.set_allow_incomplete();
    let (_, failed) = drive(program, config, Box::new(replay));
    Ok(failed.map(|(v, _)| v))
}
