//! Helpers shared by the shuttle suites (`tests/shuttle_*.rs`): fixed seeds, iteration
//! counts scaled by `LEAKPROOF_SHUTTLE_SCALE`, and a runner that explores many
//! generated programs of one scenario and prints executions per second.
//!
//! `LEAKPROOF_SHARD=i/N` splits every scenario's program seeds round robin across N CI
//! jobs (docs/scale-out.md). A shard asserts that nothing fails; what a suite claims to
//! *find* (a finding, misuse, an event) is asserted only by the whole run (`1/1`),
//! since one shard may hold none of the seeds that reach it. Mutant hunts are not
//! sharded: they stop at their first catch.
//!
//! Each suite includes this with `mod shuttle_support;`; not every suite uses every
//! helper.
#![allow(dead_code)]

use leakproof_sim::concurrent::generate::{generate, Generated, Scenario};
use leakproof_sim::exploration::{explore, Failure};
use leakproof_sim::model::coverage::{Coverage, Event};
use leakproof_sim::model::{Mutant, Profile};
use leakproof_sim::shard::Shard;
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

/// This job's shard of the program seeds (`LEAKPROOF_SHARD`, default `1/1`).
pub fn shard() -> Shard {
    leakproof_sim::shard::from_env().unwrap_or_else(|e| panic!("{e}"))
}

/// What exploring many programs of one scenario found.
#[derive(Debug, Default)]
pub struct Summary {
    /// True when this run explored every seed (no `LEAKPROOF_SHARD`, or `1/1`): only
    /// then are the suite's existence claims asserted.
    pub whole: bool,
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
    /// The model's event counts over every execution (`docs/coverage.md`).
    pub coverage: Coverage,
}

impl Summary {
    /// Executions per second of wall time.
    pub fn rate(&self) -> f64 {
        self.iterations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Panics naming every event of `events` no execution reached: what this suite
    /// claims in `docs/coverage.md`.
    pub fn assert_reaches(&self, events: &[Event]) -> &Self {
        if !self.whole {
            return self;
        }
        let missing = self.coverage.missing(events);
        assert!(
            missing.is_empty(),
            "no execution reached {missing:?} (docs/coverage.md claims them); reached: {:?}",
            self.coverage
                .iter()
                .filter(|&(_, n)| n > 0)
                .collect::<Vec<_>>()
        );
        self
    }

    /// Panics with the failure (and where its trace is) if there is one.
    pub fn assert_passed(&self) -> &Self {
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
        self
    }
}

/// Explores `programs` programs of `scenario` (seeds `first_seed..`, this job's
/// [`shard`] of them), each changed by `tweak` (profile, mutant, configuration) and
/// explored with `exploration(seed)`, stopping at the first failure. Prints one line
/// of figures under `name`.
pub fn explore_scenario(
    name: &str,
    scenario: Scenario,
    first_seed: u64,
    programs: u64,
    exploration: impl Fn(u64) -> Exploration,
    tweak: impl Fn(Generated) -> Generated,
) -> Summary {
    let seeds = Seeds {
        first: first_seed,
        programs,
        shard: shard(),
    };
    explore_seeds(name, scenario, seeds, exploration, tweak)
}

/// Which program seeds a run explores.
struct Seeds {
    first: u64,
    programs: u64,
    shard: Shard,
}

fn explore_seeds(
    name: &str,
    scenario: Scenario,
    Seeds {
        first: first_seed,
        programs,
        shard,
    }: Seeds,
    exploration: impl Fn(u64) -> Exploration,
    tweak: impl Fn(Generated) -> Generated,
) -> Summary {
    let start = Instant::now();
    let mut summary = Summary {
        whole: shard == Shard::ALL,
        ..Summary::default()
    };
    for seed in first_seed..first_seed + programs {
        if !shard.owns((seed - first_seed) as usize) {
            continue;
        }
        let g = tweak(generate(scenario, seed));
        let explored = explore(&g.program, &g.config, exploration(seed))
            .unwrap_or_else(|e| panic!("{scenario} seed {seed} cannot run concurrently: {e}"));
        summary.programs += 1;
        summary.iterations += explored.iterations;
        summary.with_misuse += explored.with_misuse;
        summary.coverage.merge(&explored.coverage);
        for (name, n) in explored.findings {
            *summary.findings.entry(name).or_default() += n;
        }
        if let Some(f) = explored.failure {
            summary.failure = Some((seed, f));
            break;
        }
    }
    summary.elapsed = start.elapsed();
    let reached: Vec<String> = summary
        .coverage
        .iter()
        .filter(|&(_, n)| n > 0)
        .map(|(e, n)| format!("{e}={n}"))
        .collect();
    println!(
        "shuttle {name} (shard {}/{}): {} executions of {} programs in {:.2?} ({:.0} executions/s); findings {:?}; executions with refcount misuse {}; events {}{}",
        shard.index,
        shard.total,
        summary.iterations,
        summary.programs,
        summary.elapsed,
        summary.rate(),
        summary.findings,
        summary.with_misuse,
        reached.join(" "),
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
    // Not sharded: the hunt stops at its first catch, and every job must make it.
    let seeds = Seeds {
        first: 0,
        programs,
        shard: Shard::ALL,
    };
    let summary = explore_seeds(&name, scenario, seeds, exploration, |g| {
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
