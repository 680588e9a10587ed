//! The mutant catalogue: every [`Mutant`] hunted by the checkers that can reach it,
//! cheapest first, each within a fixed budget of seeds (never of seconds), stopping
//! at the first catch. A catch is minimized into a trace that `leakproof replay`
//! reproduces with the mutant on and that passes with it off. Mutants only real
//! interleavings reach name their loom or shuttle test instead (`leakproof mutants`).

mod programs;
mod reach;
mod refcount;
mod render;

pub use programs::generate;
pub use reach::{reach, FeatureTest, Reach};
pub use render::{render_json, render_table};

use crate::trace::Trace;
use leakproof_model::refcnt::Algorithm;
use leakproof_model::Mutant;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A checker the catalogue can run in-process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checker {
    /// The executor + shadow on generated programs, small fixed configuration.
    Executor = 1,
    /// quickcheck's program generator under drawn configuration knobs.
    Quickcheck = 2,
    /// The fuzz target's decoder (`fuzz_input::decode`) on random bytes.
    Fuzz = 3,
    /// The refcount interpreter's random interleavings.
    Interpreter = 4,
}

impl Checker {
    /// Stable name, as the table prints it.
    pub fn name(self) -> &'static str {
        match self {
            Checker::Executor => "executor",
            Checker::Quickcheck => "quickcheck",
            Checker::Fuzz => "fuzz",
            Checker::Interpreter => "interpreter",
        }
    }

    /// Seeds tried before giving up: the budget is iterations, so runs are identical
    /// on any machine.
    pub fn budget(self) -> u64 {
        match self {
            Checker::Executor => 1500,
            Checker::Quickcheck => 600,
            Checker::Fuzz => 3000,
            Checker::Interpreter => 3000,
        }
    }

    fn hunt(self, mutant: Mutant) -> Option<Catch> {
        match self {
            Checker::Interpreter => refcount::hunt(mutant, self.budget()),
            _ => programs::hunt(self, mutant, self.budget()),
        }
    }
}

/// A checker's first counterexample, minimized.
#[derive(Clone, Debug)]
pub struct Catch {
    /// Who found it.
    pub checker: Checker,
    /// Seeds tried up to and including the failing one.
    pub iterations: u64,
    /// The minimized trace (with the violation it records).
    pub trace: Trace,
}

/// One row of the catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The mutant's name.
    pub mutant: String,
    /// The Netty issue it re-introduces.
    pub issue: String,
    /// The invariant the counterexample violated (empty when none was found).
    pub invariant: String,
    /// The checker that caught it; for feature-only mutants `loom` or `shuttle`.
    pub checker: String,
    /// True when an in-process checker caught it.
    pub caught: bool,
    /// Seeds tried until the first counterexample (all budgets when none).
    pub iterations: u64,
    /// Wall time of the hunt (reported, never asserted).
    pub seconds: f64,
    /// Steps of the minimized trace (micro-steps for refcount schedules).
    pub trace_len: usize,
    /// Where the minimized trace was written.
    pub trace: Option<PathBuf>,
    /// For feature-only mutants: the command that runs their test.
    pub command: Option<String>,
}

impl Row {
    /// True for a real mutant that no in-process checker caught (feature-only
    /// mutants are their tests' business).
    pub fn survived(&self) -> bool {
        self.mutant != Mutant::None.name() && self.command.is_none() && !self.caught
    }

    /// True when the control run (no mutant) found a violation.
    pub fn control_failed(&self) -> bool {
        self.mutant == Mutant::None.name() && self.caught
    }
}

/// `trace` with its mutant switched off everywhere it is recorded (the JVM, which the
/// trace and the leak detector derive theirs from, and a refcount schedule's algorithm, whose interleaving is refit
/// to the algorithm the profile selects): replaying it must then pass.
pub fn mutant_off(trace: &Trace) -> Trace {
    let mut t = trace.clone();
    t.config.jvm.mutant = Mutant::None;
    if let Some(s) = &trace.attachments.refcount_schedule {
        let algorithm = Algorithm::select(&t.config.jvm.profile.refcount, Mutant::None);
        t.attachments.refcount_schedule = Some(refcount::refit(s, algorithm));
    }
    t
}

/// The trace's length: ops, or the refcount schedule's micro-steps.
fn trace_len(trace: &Trace) -> usize {
    match &trace.attachments.refcount_schedule {
        Some(s) => s.schedule.len(),
        None => trace.ops.len(),
    }
}

/// Hunts `mutant` and writes its minimized trace to `traces/<name>.json`.
pub fn hunt(mutant: Mutant, traces: &Path) -> Row {
    let start = Instant::now();
    let mut row = Row {
        mutant: mutant.name().to_string(),
        issue: mutant.netty_reference().to_string(),
        invariant: String::new(),
        checker: String::new(),
        caught: false,
        iterations: 0,
        seconds: 0.0,
        trace_len: 0,
        trace: None,
        command: None,
    };
    match reach(mutant) {
        Reach::Feature(test) => {
            row.checker = test.feature.to_string();
            row.command = Some(test.command());
        }
        Reach::InProcess(checkers) => {
            for &checker in checkers {
                match checker.hunt(mutant) {
                    Some(catch) => {
                        row.iterations += catch.iterations;
                        record(&mut row, &catch, traces);
                        break;
                    }
                    None => row.iterations += checker.budget(),
                }
            }
        }
    }
    row.seconds = start.elapsed().as_secs_f64();
    row
}

fn record(row: &mut Row, catch: &Catch, traces: &Path) {
    row.caught = true;
    row.checker = catch.checker.name().to_string();
    row.trace_len = trace_len(&catch.trace);
    if let Some(e) = &catch.trace.expected {
        row.invariant = e.invariant.clone();
    }
    let path = traces.join(format!("{}.json", row.mutant));
    let written =
        std::fs::create_dir_all(traces).and_then(|()| std::fs::write(&path, catch.trace.to_json()));
    row.trace = written.ok().map(|()| path);
}
