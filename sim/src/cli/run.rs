//! `leakproof run [SCENARIO]`: simulate a scenario over days and forecast the OOM and
//! the first `LEAK:`; with `--seeds N`, the spread over N seeds.

use super::bad_input;
use crate::exit::Exit;
use crate::workload::{self, output, progress, seeds, trace, Forecast, Hooks, RunSpec};
use clap::Args;
use leakproof_model::Mutant;
use std::io::Write;
use std::path::PathBuf;

/// Flags of `run`.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct RunArgs {
    /// A built-in scenario (`jt809`, `jt809-released`, `jt809-paranoid`, `jt809-4mib`,
    /// `jt809-unescape-leak`) or a path to a scenario TOML file.
    #[arg(value_name = "SCENARIO", default_value = workload::source::DEFAULT_SCENARIO)]
    pub scenario: String,
    /// The seed (default: the scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// The leak-detection level (`DISABLED`, `SIMPLE`, `ADVANCED`, `PARANOID`).
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Override a scenario key: `--set traffic.messages_per_day=5000000`,
    /// `--set stages.unescape.probability=0.2` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// The pinned Netty release (`netty-4.1` or `netty-4.1.48`; default: the
    /// scenario's `allocator.profile`); same as `--set allocator.profile=P`.
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// Run N seeds (from the seed on) in parallel and report the spread.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Worker threads for `--seeds` (default: one per core); results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Where the plot (SVG) and the samples (CSV) go.
    #[arg(long, value_name = "DIR", default_value = "leakproof-out")]
    pub out: PathBuf,
    /// Print a JSON summary instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Run against a deliberately broken allocator (checks the checkers).
    #[arg(long, value_name = "NAME", hide = true)]
    pub mutant: Option<String>,
}

impl RunArgs {
    /// `run jt809` with every flag at its default (what `leakproof` alone runs).
    pub fn incident() -> Self {
        RunArgs {
            scenario: workload::source::DEFAULT_SCENARIO.to_string(),
            seed: None,
            level: None,
            sets: Vec::new(),
            profile: None,
            seeds: None,
            threads: None,
            out: PathBuf::from("leakproof-out"),
            json: false,
            mutant: None,
        }
    }

    fn spec(&self) -> Result<RunSpec, String> {
        let mutant = match &self.mutant {
            None => Mutant::None,
            Some(name) => {
                Mutant::by_name(name).ok_or_else(|| format!("unknown mutant `{name}`"))?
            }
        };
        let mut sets = self.sets.clone();
        if let Some(profile) = &self.profile {
            sets.push(format!("allocator.profile={profile}"));
        }
        Ok(RunSpec {
            scenario: self.scenario.clone(),
            sets,
            level: self.level.clone(),
            seed: self.seed,
            mutant,
        })
    }
}

/// Runs `run`: 0 with a forecast (an OOM is a result), 2 on a bad scenario, 3 when a
/// check failed inside the simulation (its trace is written).
pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let spec = match args.spec() {
        Ok(s) => s,
        Err(m) => return bad_input(err, "--mutant", &m),
    };
    let plan = match workload::plan(&spec) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::BadInput;
        }
    };
    if let Some(n) = args.seeds {
        return seeds::run_command(&plan, n, args.threads, args.json, &args.out, out, err);
    }
    let bar = progress::bar(plan.timeline.total(), &format!("{} messages", plan.name()));
    let mut tick = |done: u64, _total: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let hooks = Hooks {
        progress: match bar {
            Some(_) => Some(&mut tick as &mut dyn FnMut(u64, u64)),
            None => None,
        },
        ..Hooks::default()
    };
    let result = workload::forecast(&plan, hooks);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let forecast = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::BadInput;
        }
    };
    report(&plan, &forecast, args, out, err)
}

fn report(
    plan: &workload::Plan,
    forecast: &Forecast,
    args: &RunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let files = output::write_files(forecast, &args.out);
    if args.json {
        let _ = out.write_all(forecast.to_json().as_bytes());
    } else {
        let _ = out.write_all(workload::render::render(forecast).as_bytes());
    }
    match files {
        Ok(paths) if !args.json => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            let _ = writeln!(out, "Wrote {}.", names.join(" and "));
        }
        Ok(_) => {}
        Err(e) => {
            let _ = writeln!(
                err,
                "warning: cannot write into {}: {e}",
                args.out.display()
            );
        }
    }
    match &forecast.failure {
        None => Exit::Done,
        Some(f) => {
            match trace::write_failure_trace(plan, f) {
                Ok(path) => {
                    let _ = writeln!(
                        err,
                        "invariant {} violated at step {}; trace: {} (leakproof replay / minimize)",
                        f.invariant,
                        f.step,
                        path.display()
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "invariant {} violated; cannot write the trace: {e}",
                        f.invariant
                    );
                }
            }
            Exit::Violation
        }
    }
}
