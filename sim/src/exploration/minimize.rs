//! Shrinking a concurrent program while a shuttle exploration still finds its
//! violation: whole threads first, then each thread's own program (delta debugging
//! over its steps, then simpler ops, as `Program::shrink_candidates` does for one
//! thread), pruning what no longer keeps the discipline after each cut.

use super::explore::find;
use crate::concurrent::ownership::prune;
use crate::concurrent::runner::pooled_kinds;
use crate::concurrent::validate;
use crate::exec::ExecConfig;
use crate::trace::Exploration;
use leakproof_model::op::{Addressing, Op, Program};
use std::collections::BTreeSet;

/// Shrinks `program` while `exploration` still finds a violation of `target` in it.
/// Returns the smallest program found (`program` itself when nothing smaller fails).
pub fn minimize(
    program: &Program,
    config: &ExecConfig,
    exploration: Exploration,
    target: &str,
) -> Program {
    let kinds = pooled_kinds(config);
    let fails = |p: &Program| {
        find(p, config, exploration)
            .1
            .is_some_and(|(violation, _)| violation.name() == target)
    };
    let mut best = program.clone();
    loop {
        let next = candidates(&best)
            .into_iter()
            .map(|c| prune(&c, kinds))
            .filter(|c| *c != best)
            .filter(|c| validate(c, config).is_ok())
            .find(|c| fails(c));
        match next {
            Some(smaller) => best = smaller,
            None => return best,
        }
    }
}

/// Index of the first step after the setup (the leading `start_thread`s).
fn body_start(p: &Program) -> usize {
    p.steps
        .iter()
        .position(|s| !matches!(s.op, Op::StartThread { .. }))
        .unwrap_or(p.steps.len())
}

fn candidates(p: &Program) -> Vec<Program> {
    let start = body_start(p);
    let threads: BTreeSet<u32> = p.steps[start..].iter().map(|s| s.thread).collect();
    let mut out = Vec::new();
    for &t in &threads {
        let steps = p
            .steps
            .iter()
            .filter(|s| {
                let starts_t = matches!(s.op, Op::StartThread { .. }) && s.creates == Some(t);
                s.thread != t && !starts_t
            })
            .cloned()
            .collect();
        out.push(Program {
            addressing: Addressing::Resolved,
            steps,
        });
    }
    for &t in &threads {
        let idx: Vec<usize> = (start..p.steps.len())
            .filter(|&i| p.steps[i].thread == t)
            .collect();
        let own = Program {
            addressing: Addressing::Resolved,
            steps: idx.iter().map(|&i| p.steps[i].clone()).collect(),
        };
        for c in own.shrink_candidates() {
            out.push(map_back(p, &idx, &own, &c));
        }
    }
    out
}

/// Applies a shrink of one thread's program (`own` → `shrunk`, steps at `idx` of `p`)
/// to the whole program: an op simplified in place, or steps removed.
fn map_back(p: &Program, idx: &[usize], own: &Program, shrunk: &Program) -> Program {
    let mut steps = p.steps.clone();
    let mut keep = vec![true; steps.len()];
    if shrunk.steps.len() == own.steps.len() {
        for (k, (a, b)) in own.steps.iter().zip(&shrunk.steps).enumerate() {
            if a != b {
                steps[idx[k]] = b.clone();
            }
        }
    } else {
        let mut j = 0;
        for (k, s) in own.steps.iter().enumerate() {
            if shrunk.steps.get(j) == Some(s) {
                j += 1;
            } else {
                keep[idx[k]] = false;
            }
        }
    }
    Program {
        addressing: Addressing::Resolved,
        steps: steps
            .into_iter()
            .zip(keep)
            .filter_map(|(s, k)| k.then_some(s))
            .collect(),
    }
}
