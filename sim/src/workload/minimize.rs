//! `leakproof minimize` of a workload trace: the failure is pinned to its step
//! ([`super::trace::locate`]), the run up to it is recorded as an explicit op list,
//! shrunk by delta debugging — whole event loops first, then buffers (an allocation
//! with its releases, slices and drop) — re-running each candidate on a fresh
//! allocator ([`super::explicit`]), and written in the op language, where the
//! executor's own minimizer takes over.

use super::explicit::{execute, to_program};
use super::ops::WorkloadOp;
use super::trace::{exec_config, locate, plan_of, WorkloadAttachment};
use crate::exec::{self, Quiet};
use crate::trace::{ExpectedFailure, Trace};
use leakproof_model::invariant::LIVE_RANGES_DISJOINT_IN_BOUNDS;

/// The longest prefix minimize records explicitly (a failure found later needs a
/// smaller `simulation.check_every_ops` or an earlier symptom).
pub const MAX_EXPLICIT_OPS: u64 = 4_000_000;
/// Candidate runs the delta debugging may spend.
pub const MAX_TESTS: usize = 400;
/// Programs up to this many steps go on to the executor's own minimizer.
pub const EXEC_MINIMIZE_LIMIT: usize = 2_000;

/// Whether candidates need the per-element check (only when it is the one that failed).
fn per_element(target: &str) -> bool {
    target == LIVE_RANGES_DISJOINT_IN_BOUNDS.name
}

/// Which buffer (or slice) an op is about, and the thread that made it.
fn owner(op: &WorkloadOp) -> Option<u64> {
    match *op {
        WorkloadOp::Alloc { id, .. }
        | WorkloadOp::RetainedSlice { id, .. }
        | WorkloadOp::Release { id, .. }
        | WorkloadOp::Drop { id } => Some(id),
        WorkloadOp::Gc => None,
    }
}

/// Delta debugging over `units`: removes ever smaller chunks while `fails` holds.
fn ddmin(
    mut units: Vec<u64>,
    fails: &mut dyn FnMut(&[u64]) -> bool,
    budget: &mut usize,
) -> Vec<u64> {
    let mut n = 2usize;
    while units.len() >= 2 && *budget > 0 {
        let chunk = units.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..units.len()).step_by(chunk) {
            if *budget == 0 {
                break;
            }
            *budget -= 1;
            let candidate: Vec<u64> = units[..start]
                .iter()
                .chain(units[(start + chunk).min(units.len())..].iter())
                .copied()
                .collect();
            if fails(&candidate) {
                units = candidate;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= units.len() {
                break;
            }
            n = (2 * n).min(units.len());
        }
    }
    units
}

/// The ops of `all` whose buffer is in `keep` (sorted), Gc kept.
fn filter(
    all: &[WorkloadOp],
    key: impl Fn(&WorkloadOp) -> Option<u64>,
    keep: &[u64],
) -> Vec<WorkloadOp> {
    all.iter()
        .filter(|op| key(op).is_none_or(|k| keep.binary_search(&k).is_ok()))
        .cloned()
        .collect()
}

/// Minimizes a workload trace into an explicit, resolved op-language trace.
pub fn minimize(trace: &Trace, w: &WorkloadAttachment) -> Result<Option<Trace>, String> {
    let plan = plan_of(trace, w).map_err(|e| e.to_string())?;
    let Some(located) = locate(&plan, w.step).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let f = &located.failure;
    if f.step > MAX_EXPLICIT_OPS {
        return Err(format!(
            "the failure is at step {}; recording more than {MAX_EXPLICIT_OPS} ops explicitly is \
             not supported (rerun with a smaller simulation.check_every_ops)",
            f.step
        ));
    }
    let all = super::trace::record_until(&plan, &located).map_err(|e| e.to_string())?;
    let target = f.invariant.clone();
    let mut budget = MAX_TESTS;
    let ops = if execute(&plan, &all, per_element(&target)).is_some_and(|v| v.name() == target) {
        shrink(&plan, all, &target, &mut budget)
    } else {
        // Leak-detector failures need the detector, which only the op language's
        // executor runs: hand it the whole list.
        all
    };
    let program = to_program(&ops);
    let mut config = exec_config(&plan);
    config.check_every = 1;
    let report = exec::run(&program, &config, &mut Quiet);
    // The executor's checks decide what the explicit trace records: a workload check
    // without a counterpart there leaves a trace that records no failure.
    let expected = report.violation().map(|v| ExpectedFailure {
        invariant: v.name().to_string(),
        message: v.message.clone(),
    });
    let explicit = Trace::new(&config, &report.resolved, expected);
    if report.violation().is_some() && explicit.ops.len() <= EXEC_MINIMIZE_LIMIT {
        if let Some(smaller) = crate::minimize::minimize(&explicit, None) {
            return Ok(Some(smaller));
        }
    }
    Ok(Some(explicit))
}

fn shrink(
    plan: &super::resolve::Plan,
    all: Vec<WorkloadOp>,
    target: &str,
    budget: &mut usize,
) -> Vec<WorkloadOp> {
    // Event loops: an op belongs to the thread that made its buffer.
    let mut made_by = std::collections::BTreeMap::new();
    for op in &all {
        if let WorkloadOp::Alloc { id, thread, .. } | WorkloadOp::RetainedSlice { id, thread, .. } =
            *op
        {
            made_by.insert(id, u64::from(thread));
        }
    }
    let thread_of = |op: &WorkloadOp| owner(op).and_then(|id| made_by.get(&id).copied());
    let mut threads: Vec<u64> = made_by.values().copied().collect();
    threads.sort_unstable();
    threads.dedup();
    let mut fails_threads = |keep: &[u64]| {
        execute(plan, &filter(&all, thread_of, keep), per_element(target))
            .is_some_and(|v| v.name() == target)
    };
    let threads = ddmin(threads, &mut fails_threads, budget);
    let mut ops = filter(&all, thread_of, &threads);
    let no_gc: Vec<WorkloadOp> = ops
        .iter()
        .filter(|o| **o != WorkloadOp::Gc)
        .cloned()
        .collect();
    if execute(plan, &no_gc, per_element(target)).is_some_and(|v| v.name() == target) {
        ops = no_gc;
    }
    // Buffers: a slice goes with its parent.
    let mut root = std::collections::BTreeMap::new();
    for op in &ops {
        match *op {
            WorkloadOp::Alloc { id, .. } => {
                root.insert(id, id);
            }
            WorkloadOp::RetainedSlice { id, parent, .. } => {
                let r = root.get(&parent).copied().unwrap_or(parent);
                root.insert(id, r);
            }
            _ => {}
        }
    }
    let root_of = |op: &WorkloadOp| owner(op).and_then(|id| root.get(&id).copied());
    let units: Vec<u64> = ops
        .iter()
        .filter_map(|op| match op {
            WorkloadOp::Alloc { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let mut sorted = units.clone();
    sorted.sort_unstable();
    let mut fails_buffers = |keep: &[u64]| {
        let mut keep = keep.to_vec();
        keep.sort_unstable();
        execute(plan, &filter(&ops, root_of, &keep), per_element(target))
            .is_some_and(|v| v.name() == target)
    };
    let mut kept = ddmin(units, &mut fails_buffers, budget);
    kept.sort_unstable();
    filter(&ops, root_of, &kept)
}
