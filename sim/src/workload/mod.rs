//! Workload simulation: a service's traffic over days against the model's pooled
//! allocator and leak detector, to forecast when it runs out of memory and when (if
//! ever) Netty's leak detector would first print `LEAK:`.
//!
//! A scenario (`sim/scenarios/*.toml`, [`scenario`]) is loaded ([`source`]), checked
//! ([`resolve`]) and run ([`engine`]): messages arrive on a timeline, pass pipeline
//! stages that copy, slice or allocate buffers and release them or not, on event-loop
//! threads with real thread caches. Memory is virtual; a leaked buffer is only its bit
//! or run in the model's chunks and a counter ([`ledger`]). Structural invariants run
//! every N operations and at the end ([`checks`]); a failure becomes a trace that
//! names the scenario's content hash, the seed and the step ([`trace`]).

pub mod checks;
pub mod engine;
pub mod error;
pub mod explicit;
pub mod leak_watch;
pub mod ledger;
pub mod memory;
mod message;
pub mod minimize;
pub mod ops;
pub mod output;
pub mod progress;
pub mod render;
pub mod report;
pub mod resolve;
pub mod scenario;
pub mod seeds;
pub mod sizes;
pub mod source;
pub mod timeline;
pub mod trace;

pub use engine::{simulate, Ending, Hooks, SimResult};
pub use error::ScenarioError;
pub use report::Forecast;
pub use resolve::Plan;

use leakproof_model::Mutant;

/// What to run: a scenario and the command line's what-ifs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSpec {
    /// A built-in scenario name or a path to a TOML file.
    pub scenario: String,
    /// `--set key=value` overrides, in order.
    pub sets: Vec<String>,
    /// `--level`: the leak-detection level (a `leak.level` override).
    pub level: Option<String>,
    /// `--seed` (default: the scenario's).
    pub seed: Option<u64>,
    /// A deliberately broken allocator (checker tests).
    pub mutant: Mutant,
}

/// Loads and checks the scenario of `spec`.
pub fn plan(spec: &RunSpec) -> Result<Plan, ScenarioError> {
    let mut sets = spec.sets.clone();
    if let Some(level) = &spec.level {
        sets.push(format!("leak.level={level}"));
    }
    let loaded = source::load(&spec.scenario, &sets)?;
    let seed = spec.seed.unwrap_or(loaded.scenario.seed);
    let mut plan = resolve::resolve(loaded, seed)?;
    plan.jvm.mutant = spec.mutant;
    Ok(plan)
}

/// Runs `plan` and makes its forecast.
pub fn forecast(plan: &Plan, hooks: Hooks<'_>) -> Result<Forecast, ScenarioError> {
    let result = simulate(plan, hooks)?;
    Ok(Forecast::new(plan, result))
}
