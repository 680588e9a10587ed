//! Helpers shared by the shuttle suites (`tests/shuttle_*.rs`): fixed seeds, iteration
//! counts scaled by `LEAKPROOF_SHUTTLE_SCALE`, and a runner that explores many
//! generated programs of one scenario and prints executions per second.
//!
//! Each suite includes this with `mod shuttle_support;`; not every suite uses every
//! helper.
#![allow(dead_code)]

use leakproof_sim::concurrent::generate::{generate, Generated, Scenario};
use leakproof_sim::exploration::{explore, Failure};
use leakproof_sim::model::{Mutant, Profile};
pub use leakproof_sim::trace::Exploration;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// `LEAKPROOF_SHUTTLE_SCALE` (default 1): multiplies every suite's program count, so
/// `LEAKPROOF_SHUTTLE_SCALE=20` explores twenty times as many programs and schedules.
pub fn scale() -> u64 {
    match std::env::var("LEAKPROOF_SHUTTLE_SCALE") {
        Err(_) => 1,
        Ok(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => panic!("LEAKPROOF_SHUTTLE_SCALE must be a whole number ≥ 1, got `{s}`"),
        },
    }
}

/// What exploring many programs of one scenario found.
#[derive(Debug, Default)]
pub struct Summary {
    /// Programs explored.
    pub programs: u64,
    /// Executions run.
    pub iterations: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Executions that reported each finding or known bug.
    pub findings: BTreeMap<&'static str, u64>,
    /// Executions in which some op raised `IllegalReferenceCountException`.
    pub with_misuse: u64,
    /// The first failure: the program seed and what failed.
    pub failure: Option<(u64, Failure)>,
}

impl Summary {
    /// Executions per second of wall time.
    pub fn rate(&self) -> f64 {
        self.iterations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Panics with the failure (and where its trace is) if there is one.
    pub fn assert_passed(&self) {
        if let Some((seed, f)) = &self.failure {
            panic!(
                "program seed {seed}, execution {}: {} violated: {}\ntrace: {}",
                f.iteration,
                f.violation.name(),
                f.violation.message,
                f.trace
                    .as_ref()
                    .map_or("(not written)".into(), |p| p.display().to_string())
            );
        }
    }
}

/// Explores `programs` programs of `scenario` (seeds `first_seed..`), each changed by
/// `tweak` (profile, mutant, configuration) and explored with `exploration(seed)`,
/// stopping at the first failure. Prints one line of figures under `name`.
pub fn explore_scenario(
    name: &str,
    scenario: Scenario,
    first_seed: u64,
    programs: u64,
    exploration: impl Fn(u64) -> Exploration,
    tweak: impl Fn(Generated) -> Generated,
) -> Summary {
    let start = Instant::now();
    let mut summary = Summary::default();
    for seed in first_seed..first_seed + programs {
        let g = tweak(generate(scenario, seed));
        let explored = explore(&g.program, &g.config, exploration(seed))
            .unwrap_or_else(|e| panic!("{scenario} seed {seed} cannot run concurrently: {e}"));
        summary.programs += 1;
        summary.iterations += explored.iterations;
        summary.with_misuse += explored.with_misuse;
        for (name, n) in explored.findings {
            *summary.findings.entry(name).or_default() += n;
        }
        if let Some(f) = explored.failure {
            summary.failure = Some((seed, f));
            break;
        }
    }
    summary.elapsed = start.elapsed();
    println!(
        "shuttle {name}: {} executions of {} programs in {:.2?} ({:.0} executions/s); findings {:?}; executions with refcount misuse {}{}",
        summary.iterations,
        summary.programs,
        summary.elapsed,
        summary.rate(),
        summary.findings,
        summary.with_misuse,
        summary.failure.as_ref().map_or(String::new(), |(seed, f)| format!(
            "; FAILED at program seed {seed}, execution {}: {}",
            f.iteration, f.violation.name()
        )),
    );
    summary
}

/// Explores programs of `scenario` under `mutant` until shuttle catches it: the
/// program seed and the failure. Prints how many executions and how long it took.
pub fn find_mutant(
    scenario: Scenario,
    programs: u64,
    exploration: impl Fn(u64) -> Exploration,
    mutant: Mutant,
) -> (u64, Failure) {
    let start = Instant::now();
    let name = format!("{scenario}, {mutant} ({})", mutant.netty_reference());
    let summary = explore_scenario(&name, scenario, 0, programs, exploration, |g| {
        g.under(&Profile::default(), mutant)
    });
    let (seed, failure) = summary
        .failure
        .unwrap_or_else(|| panic!("shuttle must catch {name}"));
    println!(
        "{name} caught at program seed {seed}, execution {} ({} executions in all, {:.2?}): {}: {}",
        failure.iteration,
        summary.iterations,
        start.elapsed(),
        failure.violation.name(),
        failure.violation.message
    );
    (seed, failure)
}
