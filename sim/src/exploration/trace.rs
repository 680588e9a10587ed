//! Shuttle failures as traces in the common format, and reproducing them.

use super::explore::{explore, find, replay_schedule};
use super::minimize::minimize;
use crate::exec::ExecConfig;
use crate::trace::{ExpectedFailure, Exploration, ShuttleAttachment, Trace, SHUTTLE_VERSION};
use leakproof_model::op::Program;
use leakproof_model::Violation;

/// The trace of `program` failing in execution `iteration` of `exploration`, along
/// `schedule`, with `violation`.
pub(super) fn failure_trace(
    program: &Program,
    config: &ExecConfig,
    exploration: Exploration,
    (iteration, violation, schedule): (u64, &Violation, &str),
) -> Trace {
    let expected = ExpectedFailure {
        invariant: violation.name().to_string(),
        message: violation.message.clone(),
    };
    let mut trace = Trace::new(config, program, Some(expected));
    trace.attachments.shuttle = Some(ShuttleAttachment {
        exploration,
        failing_iteration: Some(iteration),
        schedule: Some(schedule.to_string()),
        shuttle_version: Some(SHUTTLE_VERSION.to_string()),
    });
    trace
}

/// What reproducing a shuttle trace gave.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The violation reproduced (`None`: every execution passed).
    pub violation: Option<Violation>,
    /// How: along the schedule string, or by re-running the exploration.
    pub how: String,
}

/// Reproduces a shuttle trace: along its schedule string when this shuttle version
/// wrote it and it still ends in the recorded violation, otherwise by re-running its
/// exploration (scheduler, seed, iterations). Errors name what is wrong with the trace.
pub fn replay_trace(trace: &Trace) -> Result<Replayed, String> {
    let shuttle = trace
        .attachments
        .shuttle
        .as_ref()
        .ok_or("the trace has no shuttle attachment")?;
    let program = trace.program();
    let expected = trace.expected.as_ref().map(|e| e.invariant.as_str());
    if let (Some(schedule), Some(version)) = (&shuttle.schedule, &shuttle.shuttle_version) {
        if version == SHUTTLE_VERSION && expected.is_some() {
            let violation =
                replay_schedule(&program, &trace.config, schedule).map_err(|e| e.to_string())?;
            if violation.as_ref().map(|v| v.name()) == expected {
                return Ok(Replayed {
                    violation,
                    how: "along its schedule string".into(),
                });
            }
        }
    }
    let explored =
        explore(&program, &trace.config, shuttle.exploration).map_err(|e| e.to_string())?;
    Ok(Replayed {
        violation: explored.failure.map(|f| f.violation),
        how: format!(
            "by re-running its exploration ({}; {} executions)",
            shuttle.exploration, explored.iterations
        ),
    })
}

/// Shrinks a shuttle trace's program while its exploration still finds the recorded
/// violation, and returns it in the form committed regressions keep: ops, scheduler,
/// seed and iterations, without the schedule string (which breaks whenever scheduling
/// points move).
pub fn minimize_trace(trace: &Trace) -> Result<Trace, String> {
    let shuttle = trace
        .attachments
        .shuttle
        .as_ref()
        .ok_or("the trace has no shuttle attachment")?;
    let target = trace
        .expected
        .as_ref()
        .ok_or("the trace records no violation to keep")?;
    let exploration = shuttle.exploration;
    let program = minimize(
        &trace.program(),
        &trace.config,
        exploration,
        &target.invariant,
    );
    let (explored, failed) = find(&program, &trace.config, exploration);
    let (violation, _) = failed.ok_or("the recorded violation does not reproduce")?;
    let expected = ExpectedFailure {
        invariant: violation.name().to_string(),
        message: violation.message,
    };
    let mut out = Trace::new(&trace.config, &program, Some(expected));
    out.attachments.shuttle = Some(ShuttleAttachment {
        exploration,
        failing_iteration: Some(explored.iterations - 1),
        schedule: None,
        shuttle_version: None,
    });
    Ok(out)
}
