//! The executor: the single entry point fuzz targets, quickcheck properties, replay
//! and minimize use. It runs a [`Program`] against the model, predicts every op with
//! the [shadow model](crate::shadow), checks invariants incrementally after each op and
//! fully every `check_every` ops and at the end, then runs the end-of-program phase
//! (issue §4). Outcomes fall into the three kinds of DESIGN.md: a [`Violation`] fails
//! the run; [`Misuse`] and known bugs are reported, never failures.

pub mod apply;
mod config;
mod draw;
mod end;
mod report;
mod runner;
mod state;
mod tiny_pools;

pub use config::ExecConfig;
pub use draw::{CONFIG_BYTES, MATERIALIZED_CHUNK_LIMIT};
pub(crate) use end::end_phase;
pub use report::{Exhaustion, Finding, KnownBug, Misuse, MisuseKind, Outcome, RunReport};
pub(crate) use runner::Exec;
pub use runner::{run, run_with_tables};
pub(crate) use state::Held;
pub use tiny_pools::KNOWN_BUG_TINY_POOL_ALIGNMENT;

use leakproof_model::op::Step;

/// What one step did, for observers that print (replay).
#[derive(Clone, Debug)]
pub struct StepEvent<'a> {
    /// Step index in the program.
    pub index: usize,
    /// The resolved step (`None` when it was skipped).
    pub step: Option<&'a Step>,
    /// What the op returned or raised.
    pub result: String,
    /// The state that matters after it (refcounts, chunk usage, direct counter).
    pub state: String,
}

/// Watches a run. Only observers that answer `detailed()` make the executor format
/// per-step text, so fuzzing pays nothing for it.
pub trait Observer {
    /// True to receive [`StepEvent`]s.
    fn detailed(&self) -> bool {
        false
    }
    /// True to have the report carry the allocators' final metrics
    /// ([`RunReport::metrics`]): reading every arena once more is a few percent of a
    /// fuzz-sized run, which the fuzz loop never reads.
    fn metrics(&self) -> bool {
        false
    }
    /// One step ran.
    fn on_step(&mut self, _event: &StepEvent<'_>) {}
}

/// An observer that wants nothing: the report carries the verdict, no final metrics.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {}

/// An observer that wants the report's final metrics and nothing else.
#[derive(Clone, Copy, Debug, Default)]
pub struct WithMetrics;

impl Observer for WithMetrics {
    fn metrics(&self) -> bool {
        true
    }
}
