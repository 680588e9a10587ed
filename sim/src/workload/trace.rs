//! A failure inside a long simulation as a trace: the effective scenario (its text and
//! content hash), the seed and the step index instead of millions of explicit ops.
//! `leakproof replay` re-runs the scenario to that step and expands the ops around
//! it; `leakproof minimize` turns it into an explicit op list
//! ([`super::minimize`]).

use super::engine::{simulate, Ending, Hooks};
use super::error::ScenarioError;
use super::ops::WorkloadOp;
use super::report::{FailureReport, Forecast};
use super::resolve::{resolve, Plan};
use super::source;
use crate::exec::ExecConfig;
use crate::exit::Exit;
use crate::trace::{trace_dir, write_trace, ExpectedFailure, Trace, FORMAT_VERSION};
use leakproof_model::leak::report::fnv1a;
use leakproof_model::op::Program;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
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
            let _ = writeln!(err, "invariant {} violated; cannot write the trace: {e}", f.invariant);
        }
    }
    Exit::Violation
}

/// The plan a workload trace names, after checking the text against its hash.
pub fn plan_of(trace: &Trace, w: &WorkloadAttachment) -> Result<Plan, ScenarioError> {
    let hash = format!("{:016x}", fnv1a(&w.scenario_toml));
    if hash != w.scenario_hash {
        return Err(ScenarioError::invalid(
            "attachments.workload.scenario_hash",
            format!("{} does not match the scenario text (its hash is {hash})", w.scenario_hash),
        ));
    }
    let loaded = source::parse(&w.scenario_toml)?;
    let mut plan = resolve(loaded, w.seed)?;
    plan.jvm.mutant = trace.mutant;
    plan.jvm.leak.mutant = trace.mutant;
    Ok(plan)
}

/// `leakproof replay` of a workload trace: re-runs the scenario to the failing step,
/// prints the ops that led to it and the failure; 3 when it reproduces, 4 when another
/// invariant breaks, 0 when nothing does.
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
        w.scenario, w.scenario_hash, w.seed, trace.mutant, w.step
    );
    let mut recent: VecDeque<(u64, WorkloadOp)> = VecDeque::with_capacity(CONTEXT_OPS + 1);
    let mut keep = |step: u64, op: &WorkloadOp| {
        if recent.len() == CONTEXT_OPS {
            recent.pop_front();
        }
        recent.push_back((step, op.clone()));
    };
    let hooks = Hooks {
        record: Some(&mut keep),
        stop_after_step: Some(w.step + 1),
        ..Hooks::default()
    };
    let result = match simulate(&plan, hooks) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "error: {e}");
            return Exit::BadInput;
        }
    };
    for (step, op) in &recent {
        let _ = writeln!(out, "step {step:>10} {}", serde_json::to_string(op).unwrap_or_default());
    }
    let expected = trace.expected.as_ref().map(|e| e.invariant.as_str());
    match result.ending {
        Ending::Failed(f) => {
            let _ = writeln!(
                out,
                "result: invariant {} violated at step {} (simulated {:.3} days): {}",
                f.invariant,
                f.step,
                result.end_us as f64 / super::resolve::US_PER_DAY as f64,
                f.message
            );
            match expected {
                Some(name) if name != f.invariant => Exit::DifferentViolation,
                _ => Exit::Violation,
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "result: every check held up to step {} (the failure does not reproduce)",
                result.steps
            );
            Exit::Done
        }
    }
}
