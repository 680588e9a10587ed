//! `--seeds N`: the same scenario over N seeds, in parallel (rayon), and the spread of
//! the OOM day and the first-`LEAK:` day — what sampling misses. Each seed's run is
//! independent and results are collected in seed order, so the report does not
//! depend on the number of threads.

use super::engine::Hooks;
use super::error::ScenarioError;
use super::report::{FailureReport, Forecast};
use super::resolve::Plan;
use crate::exit::Exit;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// One seed's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedRun {
    /// The seed.
    pub seed: u64,
    /// `out_of_memory`, `survived` or `failed`.
    pub outcome: &'static str,
    /// Day of the OOM.
    pub oom_day: Option<f64>,
    /// Day of the first `LEAK:`.
    pub first_leak_day: Option<f64>,
    /// No `LEAK:` before the OOM (or before the end, without one).
    pub silent_until_death: bool,
    /// A broken invariant.
    pub failure: Option<FailureReport>,
}

/// Minimum, median and maximum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Smallest.
    pub min: f64,
    /// Median (the mean of the two middle values for an even count).
    pub median: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (`None` when empty).
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Spread {
            min: values[0],
            median,
            max: values[n - 1],
        })
    }
}

/// The spread over seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedSpread {
    /// Scenario name.
    pub scenario: String,
    /// Content hash of the effective scenario.
    pub scenario_hash: String,
    /// The first seed; the others follow it.
    pub first_seed: u64,
    /// How many seeds.
    pub seeds: u64,
    /// Seeds that ran out of memory within the horizon.
    pub oom_seeds: u64,
    /// Their OOM days.
    pub oom_day: Option<Spread>,
    /// Seeds with at least one `LEAK:`.
    pub leak_seeds: u64,
    /// Their first-`LEAK:` days.
    pub first_leak_day: Option<Spread>,
    /// Seeds with no `LEAK:` before the OOM (or the end).
    pub silent_seeds: u64,
    /// Their share of all seeds.
    pub silent_share: f64,
    /// Every seed, in order.
    pub runs: Vec<SeedRun>,
}

/// Runs `n` seeds from `plan.seed` on `threads` workers (default: one per core),
/// calling `done` after each seed.
pub fn run_seeds(
    plan: &Plan,
    n: u64,
    threads: Option<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<(SeedSpread, Vec<Forecast>), ScenarioError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ScenarioError::invalid("--threads", e.to_string()))?;
    let forecasts: Vec<Forecast> = pool.install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let mut p = plan.clone();
                p.seed = plan.seed.wrapping_add(i);
                p.jvm.seed = p.seed;
                let f = super::forecast(&p, Hooks::default());
                done();
                f
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let runs: Vec<SeedRun> = forecasts
        .iter()
        .map(|f| SeedRun {
            seed: f.seed,
            outcome: f.outcome,
            oom_day: f.oom_day,
            first_leak_day: f.first_leak_day,
            silent_until_death: f.silent_until_death(),
            failure: f.failure.clone(),
        })
        .collect();
    let silent = runs.iter().filter(|r| r.silent_until_death).count() as u64;
    let spread = SeedSpread {
        scenario: plan.name().to_string(),
        scenario_hash: plan.loaded.hash.clone(),
        first_seed: plan.seed,
        seeds: n,
        oom_seeds: runs.iter().filter(|r| r.oom_day.is_some()).count() as u64,
        oom_day: Spread::of(runs.iter().filter_map(|r| r.oom_day).collect()),
        leak_seeds: runs.iter().filter(|r| r.first_leak_day.is_some()).count() as u64,
        first_leak_day: Spread::of(runs.iter().filter_map(|r| r.first_leak_day).collect()),
        silent_seeds: silent,
        silent_share: silent as f64 / n.max(1) as f64,
        runs,
    };
    Ok((spread, forecasts))
}

fn spread_text(s: Option<Spread>) -> String {
    s.map_or("-".to_string(), |s| {
        format!("min {:.3}, median {:.3}, max {:.3}", s.min, s.median, s.max)
    })
}

fn day(d: Option<f64>) -> String {
    d.map_or("-".to_string(), |d| format!("{d:.3}"))
}

/// The spread as text.
pub fn render(s: &SeedSpread) -> String {
    let mut o = String::new();
    let last = s.first_seed.wrapping_add(s.seeds.saturating_sub(1));
    let _ = writeln!(
        o,
        "leakproof run {} --seeds {} (scenario {}, seeds {}..={last})",
        s.scenario, s.seeds, s.scenario_hash, s.first_seed
    );
    let _ = writeln!(
        o,
        "  OOM in {} of {} seeds; day {}",
        s.oom_seeds,
        s.seeds,
        spread_text(s.oom_day)
    );
    let _ = writeln!(
        o,
        "  first LEAK: in {} of {} seeds; day {}",
        s.leak_seeds,
        s.seeds,
        spread_text(s.first_leak_day)
    );
    let _ = writeln!(
        o,
        "  no LEAK: before the OOM (or the end) in {} of {} seeds ({:.0}%)",
        s.silent_seeds,
        s.seeds,
        s.silent_share * 100.0
    );
    let _ = writeln!(
        o,
        "\n  {:>8}  {:<14} {:>10} {:>15}",
        "seed", "outcome", "OOM day", "first LEAK day"
    );
    for r in &s.runs {
        let _ = writeln!(
            o,
            "  {:>8}  {:<14} {:>10} {:>15}",
            r.seed,
            r.outcome,
            day(r.oom_day),
            day(r.first_leak_day)
        );
    }
    o
}

/// One row per seed.
pub fn csv(s: &SeedSpread) -> String {
    let mut o = String::from("seed,outcome,oom_day,first_leak_day,silent_until_death\n");
    for r in &s.runs {
        let _ = writeln!(
            o,
            "{},{},{},{},{}",
            r.seed,
            r.outcome,
            r.oom_day.map_or(String::new(), |d| d.to_string()),
            r.first_leak_day.map_or(String::new(), |d| d.to_string()),
            r.silent_until_death
        );
    }
    o
}

/// `run --seeds N`: prints the spread (or its JSON), writes `<scenario>-seeds.csv`.
pub fn run_command(
    plan: &Plan,
    n: u64,
    threads: Option<usize>,
    json: bool,
    out_dir: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    if n == 0 {
        return crate::cli::bad_input(err, "--seeds", "0 (expected: >= 1)");
    }
    let bar = super::progress::bar(n, &format!("{} seeds", plan.name()));
    let finished = AtomicU64::new(0);
    let tick = || {
        let k = finished.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(b) = &bar {
            b.set_position(k);
        }
    };
    let result = run_seeds(plan, n, threads, &tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let (spread, forecasts) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::BadInput;
        }
    };
    let written = std::fs::create_dir_all(out_dir).and_then(|()| {
        let path = out_dir.join(format!("{}-seeds.csv", spread.scenario));
        std::fs::write(&path, csv(&spread)).map(|()| path)
    });
    if json {
        let mut s = serde_json::to_string_pretty(&spread).unwrap_or_default();
        s.push('\n');
        let _ = out.write_all(s.as_bytes());
    } else {
        let _ = out.write_all(render(&spread).as_bytes());
    }
    match written {
        Ok(path) if !json => {
            let _ = writeln!(out, "Wrote {}.", path.display());
        }
        Ok(_) => {}
        Err(e) => {
            let _ = writeln!(err, "warning: cannot write into {}: {e}", out_dir.display());
        }
    }
    match forecasts.iter().find(|f| f.failure.is_some()) {
        None => Exit::Done,
        Some(f) => {
            let mut p = plan.clone();
            p.seed = f.seed;
            p.jvm.seed = f.seed;
            super::trace::report_failure(&p, f, err)
        }
    }
}
