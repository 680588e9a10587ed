//! `minimize`: shrinks a trace while it keeps failing with the same invariant —
//! delta debugging over steps (halves, quarters … single steps), then simplifying
//! ops (sizes toward 0/1, amounts toward 1, derivatives toward plain slices). The
//! trace is resolved, so removing a step never re-targets another.

use crate::exec::{self, Quiet};
use crate::trace::{ExpectedFailure, Trace};
use leakproof_model::op::Program;

/// The invariant name `program` violates under the trace's configuration, if any.
fn violated(trace: &Trace, program: &Program) -> Option<String> {
    let report = exec::run(program, &trace.config, &mut Quiet);
    report.violation().map(|v| v.name().to_string())
}

/// Shrinks `trace`, keeping the violation `target` (its recorded one by default).
/// Returns `None` when the trace does not violate `target` to begin with.
pub fn minimize(trace: &Trace, target: Option<&str>) -> Option<Trace> {
    let target = target
        .map(str::to_string)
        .or_else(|| trace.expected.as_ref().map(|e| e.invariant.clone()))
        .or_else(|| violated(trace, &trace.program()))?;
    let mut best = trace.program();
    if violated(trace, &best).as_deref() != Some(target.as_str()) {
        return None;
    }
    loop {
        let next = best
            .shrink_candidates()
            .into_iter()
            .find(|c| violated(trace, c).as_deref() == Some(target.as_str()));
        match next {
            Some(c) => best = c,
            None => break,
        }
    }
    let report = exec::run(&best, &trace.config, &mut Quiet);
    let v = report.violation()?;
    let mut out = Trace::new(
        &trace.config,
        &report.resolved,
        Some(ExpectedFailure {
            invariant: v.name().to_string(),
            message: v.message.clone(),
        }),
    );
    out.attachments = trace.attachments.clone();
    Some(out)
}
