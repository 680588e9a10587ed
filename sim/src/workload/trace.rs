//! A failure inside a long simulation as a trace: the effective scenario (its text and
//! content hash), the seed and the step index instead of millions of explicit ops.
//! `leakproof replay` re-runs the scenario to that step and expands the ops around
//! it; `leakproof minimize` turns it into an explicit op list
//! ([`super::minimize`]).

use super::engine::{simulate, Ending, Failure, Hooks};
use super::error::ScenarioError;
use super::ops::WorkloadOp;
use super::report::{FailureReport, Forecast};
use super::resolve::{resolve, Plan};
use super::source;
use crate::exec::ExecConfig;
use crate::exit::Exit;
use crate::trace::fnv1a;
use crate::trace::{trace_dir, write_trace, ExpectedFailure, Trace, FORMAT_VERSION};
use leakproof_model::op::Program;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;

/// Ops shown before the failing step on replay.
pub const CONTEXT_OPS: usize = 24;

/// The workload a trace reproduces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadAttachment {
    /// Scenario name.
    pub scenario: String,
    /// FNV-1a 64 of `scenario_toml`, 16 hex digits.
    pub scenario_hash: String,
    /// The effective scenario (after `extends` and `--set`), canonical TOML.
    pub scenario_toml: String,
    /// The run's seed.
    pub seed: u64,
    /// The step at which the failure was found.
    pub step: u64,
}

/// The executor configuration that matches `plan` (for an explicit op list).
pub fn exec_config(plan: &Plan) -> ExecConfig {
    ExecConfig {
        jvm: plan.jvm.clone(),
        allocator: plan.pooled.clone(),
        check_every: u32::try_from(plan.check_every_ops).unwrap_or(u32::MAX),
        second_allocator: false,
    }
}

/// The trace of `failure` in a run of `plan`.
pub fn failure_trace(plan: &Plan, failure: &FailureReport) -> Trace {
    let mut trace = Trace::new(
        &exec_config(plan),
        &Program::default(),
        Some(ExpectedFailure {
            invariant: failure.invariant.clone(),
            message: failure.message.clone(),
        }),
    );
    trace.format_version = FORMAT_VERSION;
    trace.attachments.workload = Some(WorkloadAttachment {
        scenario: plan.name().to_string(),
        scenario_hash: plan.loaded.hash.clone(),
        scenario_toml: plan.loaded.text.clone(),
        seed: plan.seed,
        step: failure.step,
    });
    trace
}

/// Writes the trace of `failure` into the trace directory.
pub fn write_failure_trace(plan: &Plan, failure: &FailureReport) -> std::io::Result<PathBuf> {
    write_trace(&trace_dir(), &failure_trace(plan, failure))
}

/// Writes `forecast`'s failure trace and says where on `err`; exit 3.
pub fn report_failure(plan: &Plan, forecast: &Forecast, err: &mut dyn Write) -> Exit {
    let Some(f) = &forecast.failure else {
        return Exit::Done;
    };
    match write_failure_trace(plan, f) {
        Ok(path) => {
            let _ = writeln!(
                err,
                "invariant {} violated at step {} (seed {}); trace: {} (leakproof replay / minimize)",
                f.invariant,
                f.step,
                plan.seed,
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

/// The plan a workload trace names, after checking the text against its hash.
pub fn plan_of(trace: &Trace, w: &WorkloadAttachment) -> Result<Plan, ScenarioError> {
    let hash = format!("{:016x}", fnv1a(w.scenario_toml.as_bytes()));
    if hash != w.scenario_hash {
        return Err(ScenarioError::invalid(
            "attachments.workload.scenario_hash",
            format!(
                "{} does not match the scenario text (its hash is {hash})",
                w.scenario_hash
            ),
        ));
    }
    let loaded = source::parse(&w.scenario_toml)?;
    let mut plan = resolve(loaded, w.seed)?;
    plan.jvm.mutant = trace.mutant();
    Ok(plan)
}

/// A failure pinned down: the last step at which the checks passed, the failure, and
/// the ops in between (with a little context before).
#[derive(Clone, Debug)]
pub struct Located {
    /// Steps run at the last passing check.
    pub passed_at: u64,
    /// The failure at the first failing check (or the failing op).
    pub failure: Failure,
    /// Simulated µs at the failure.
    pub end_us: u64,
    /// `(step, op)` from a few ops before `passed_at` to the failure.
    pub ops: Vec<(u64, WorkloadOp)>,
}

fn run_to(
    plan: &Plan,
    stop: u64,
    checks: Option<(u64, u64)>,
    from: Option<u64>,
) -> Result<(super::engine::SimResult, Vec<(u64, WorkloadOp)>), ScenarioError> {
    let mut ops = Vec::new();
    let mut keep = |step: u64, op: &WorkloadOp| {
        if from.is_some_and(|f| step >= f) {
            ops.push((step, op.clone()));
        }
    };
    let hooks = Hooks {
        record: from.map(|_| &mut keep as &mut dyn FnMut(u64, &WorkloadOp)),
        stop_after_step: Some(stop),
        checks,
        ..Hooks::default()
    };
    let result = simulate(plan, hooks)?;
    Ok((result, ops))
}

/// Re-runs `plan` to `step` and, when a periodic check found the failure, narrows it
/// to the first message boundary at which the checks fail by re-running with ever
/// finer check intervals (the runs are deterministic). `None`: no failure by `step`.
pub fn locate(plan: &Plan, step: u64) -> Result<Option<Located>, ScenarioError> {
    let (first, _) = run_to(plan, step + 1, None, None)?;
    let Ending::Failed(mut failure) = first.ending else {
        return Ok(None);
    };
    let mut passed_at = first.last_passing_check;
    while failure.at_check && failure.step > passed_at + 1 {
        let stride = ((failure.step - passed_at) / 16).max(1);
        let (r, _) = run_to(
            plan,
            failure.step + 1,
            Some((passed_at + stride, stride)),
            None,
        )?;
        match r.ending {
            Ending::Failed(f) if f.step < failure.step || r.last_passing_check > passed_at => {
                passed_at = passed_at.max(r.last_passing_check);
                failure = f;
            }
            _ => break,
        }
        if stride == 1 {
            break;
        }
    }
    let from = passed_at.saturating_sub(CONTEXT_OPS as u64);
    let checks = failure.at_check.then_some((passed_at + 1, 1));
    let (last, ops) = run_to(plan, failure.step + 1, checks, Some(from))?;
    let (failure, end_us) = match last.ending {
        Ending::Failed(f) => (f, last.end_us),
        _ => (failure, last.end_us),
    };
    Ok(Some(Located {
        passed_at,
        failure,
        end_us,
        ops,
    }))
}

/// Every op of a run of `plan` up to `located`'s failure (which it reproduces), for an
/// explicit op list.
pub fn record_until(plan: &Plan, located: &Located) -> Result<Vec<WorkloadOp>, ScenarioError> {
    let f = &located.failure;
    let checks = f.at_check.then_some((located.passed_at + 1, 1));
    let (_, ops) = run_to(plan, f.step + 1, checks, Some(0))?;
    Ok(ops.into_iter().map(|(_, op)| op).collect())
}

/// `leakproof replay` of a workload trace: re-runs the scenario to the failing step,
/// pins the failure down and prints the ops that led to it; 3 when it reproduces, 4
/// when another invariant breaks, 0 when nothing does.
pub fn replay(trace: &Trace, w: &WorkloadAttachment, out: &mut dyn Write) -> Exit {
    let plan = match plan_of(trace, w) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(out, "error: {e}");
            return Exit::BadInput;
        }
    };
    let _ = writeln!(
        out,
        "workload trace: scenario {} ({}), seed {}, mutant {}, failure at step {}",
        w.scenario,
        w.scenario_hash,
        w.seed,
        trace.mutant(),
        w.step
    );
    let located = match locate(&plan, w.step) {
        Ok(Some(l)) => l,
        Ok(None) => {
            let _ = writeln!(
                out,
                "result: every check held up to step {} (the failure does not reproduce)",
                w.step
            );
            return Exit::Done;
        }
        Err(e) => {
            let _ = writeln!(out, "error: {e}");
            return Exit::BadInput;
        }
    };
    let f = &located.failure;
    if f.at_check {
        let _ = writeln!(
            out,
            "the checks pass at step {} and fail at step {}; the ops up to it:",
            located.passed_at, f.step
        );
    }
    for (step, op) in &located.ops {
        let _ = writeln!(
            out,
            "step {step:>10} {}",
            serde_json::to_string(op).unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "result: invariant {} violated at step {} (simulated {:.3} days): {}",
        f.invariant,
        f.step,
        located.end_us as f64 / super::resolve::US_PER_DAY as f64,
        f.message
    );
    match trace.expected.as_ref().map(|e| e.invariant.as_str()) {
        Some(name) if name != f.invariant => Exit::DifferentViolation,
        _ => Exit::Violation,
    }
}
