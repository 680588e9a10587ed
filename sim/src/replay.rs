//! `replay`: re-executes a trace, printing each step with the state that matters, stops
//! at the violation and explains it; attributes each leaked buffer to its creating op
//! and to what pins it. Output is deterministic (byte-identical across runs).

use crate::exec::{self, ExecConfig, Observer, Outcome, RunReport, StepEvent};
use crate::exit::Exit;
use crate::trace::{RefcountSchedule, Trace};
use leakproof_model::check;
use leakproof_model::op::Program;
use leakproof_model::refcnt::protocol;
use leakproof_model::refcnt::Interpreter;
use std::io::Write;

struct Printer<'w> {
    out: &'w mut dyn Write,
}

impl Observer for Printer<'_> {
    fn detailed(&self) -> bool {
        true
    }

    fn metrics(&self) -> bool {
        true
    }

    fn on_step(&mut self, e: &StepEvent<'_>) {
        let step = e.step.map_or_else(String::new, |s| {
            serde_json::to_string(s).unwrap_or_default()
        });
        let _ = writeln!(
            self.out,
            "step {:>3} {step}\n          → {}\n          {}",
            e.index, e.result, e.state
        );
    }
}

/// Runs `program` under `config`, printing every step to `out`.
pub fn run_printed(program: &Program, config: &ExecConfig, out: &mut dyn Write) -> RunReport {
    let mut printer = Printer { out };
    exec::run(program, config, &mut printer)
}

/// Prints the report's summary: violation, misuse, findings, known bugs, leaks.
pub fn print_summary(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    for m in &report.misuse {
        writeln!(
            out,
            "misuse at step {}: {:?}: {}",
            m.step, m.kind, m.message
        )?;
    }
    for f in &report.findings {
        writeln!(out, "finding {}: {}", f.name, f.message)?;
    }
    for k in &report.known_bugs {
        writeln!(
            out,
            "known bug {} ({}): {}",
            k.issue, k.invariant, k.message
        )?;
    }
    for l in &report.leaked {
        write!(
            out,
            "leaked {} ({} bytes), created at step {} as #{}",
            l.id, l.bytes, l.step, l.handle
        )?;
        if l.pinned_by.is_empty() {
            writeln!(out, ", never released")?;
        } else {
            let pins: Vec<String> = l
                .pinned_by
                .iter()
                .map(|(g, s)| format!("{g} (step {s})"))
                .collect();
            writeln!(
                out,
                ", pinned by unreleased retained derivative(s) {}",
                pins.join(", ")
            )?;
        }
    }
    if report.leaked_bytes > 0 {
        writeln!(out, "leaked bytes: {}", report.leaked_bytes)?;
    }
    for r in &report.leak_reports {
        writeln!(out, "leak detector: {}", r.lines().next().unwrap_or(""))?;
    }
    if let Some(m) = &report.metrics {
        let sum = |f: fn(&leakproof_model::pool::ArenaMetrics) -> i64| -> i64 {
            m.pooled
                .heap_arenas
                .iter()
                .chain(&m.pooled.direct_arenas)
                .map(f)
                .sum()
        };
        writeln!(
            out,
            "metrics: allocations {} (small {}, normal {}, huge {}), deallocations {}, \
             active {}, thread caches {}, usedDirectMemory {}, unpooled used direct {} heap {}",
            sum(|a| a.num_allocations as i64),
            sum(|a| a.num_small_allocations as i64),
            sum(|a| a.num_normal_allocations as i64),
            sum(|a| a.num_huge_allocations as i64),
            sum(|a| a.num_deallocations as i64),
            sum(|a| a.num_active_allocations),
            m.pooled.num_thread_local_caches,
            m.used_direct_memory,
            m.unpooled.used_direct_memory,
            m.unpooled.used_heap_memory,
        )?;
    }
    match &report.outcome {
        Outcome::Passed => writeln!(
            out,
            "result: every invariant held ({} checks)",
            report.checks_run
        ),
        Outcome::Rejected { message } => writeln!(out, "result: configuration rejected: {message}"),
        Outcome::Violation { step, violation } => {
            let meaning = check::by_name(violation.name()).map_or("", |i| i.meaning);
            let at = step.map_or("the end-of-program phase".to_string(), |s| {
                format!("step {s}")
            });
            writeln!(
                out,
                "result: invariant {} violated at {at}: {}",
                violation.name(),
                violation.message
            )?;
            writeln!(out, "        ({}: {meaning})", violation.name())
        }
    }
}

/// Why this build cannot replay `trace` (read from `path`), naming the command that
/// can: `None` when it can.
pub fn needs_checker(trace: &Trace, path: &str) -> Option<String> {
    if trace.attachments.shuttle.is_some() && !cfg!(feature = "shuttle") {
        return Some(format!(
            "this trace needs a shuttle build; replay it with: {}",
            crate::trace::replay_command(path)
        ));
    }
    None
}

/// Replays `trace` to `out` and classifies the result per the exit-code table.
pub fn replay_trace(trace: &Trace, out: &mut dyn Write) -> Exit {
    if let Some(why) = needs_checker(trace, "<TRACE>") {
        let _ = writeln!(out, "{why}");
        return Exit::NeedsChecker;
    }
    #[cfg(feature = "shuttle")]
    if trace.attachments.shuttle.is_some() {
        return replay_shuttle(trace, out);
    }
    if trace.attachments.loom_checkpoint.is_some() && !cfg!(feature = "loom") {
        let _ = writeln!(
            out,
            "this trace needs a loom build (cargo test --release --features loom)"
        );
        return Exit::NeedsChecker;
    }
    if let Some(w) = &trace.attachments.workload {
        return crate::workload::trace::replay(trace, w, out);
    }
    let _ = writeln!(
        out,
        "trace: profile {}, mutant {}, seed {}, {} ops",
        trace.profile(),
        trace.mutant(),
        trace.seed(),
        trace.ops.len()
    );
    if let Some(s) = &trace.attachments.refcount_schedule {
        let expected = trace.expected.as_ref().map(|e| e.invariant.as_str());
        if let Some(exit) = replay_refcount_schedule(s, expected, out) {
            return exit;
        }
    }
    let report = run_printed(&trace.program(), &trace.config, out);
    let _ = print_summary(&report, out);
    classify(
        &report,
        trace.expected.as_ref().map(|e| e.invariant.as_str()),
    )
}

/// Replays a refcount schedule, printing every micro-step, and checks the protocol's
/// invariants on the state it ends in. `None` when they hold (the trace's ops decide),
/// otherwise the exit: 3 for the expected (or any) violation, 4 for another, 2 for a
/// schedule that does not fit its scenario.
fn replay_refcount_schedule(
    s: &RefcountSchedule,
    expected: Option<&str>,
    out: &mut dyn Write,
) -> Option<Exit> {
    let mut interpreter = Interpreter::new(&s.scenario);
    for &entry in &s.schedule {
        match interpreter.apply(entry) {
            Ok(step) => {
                let _ = writeln!(
                    out,
                    "refcount {}",
                    serde_json::to_string(step).unwrap_or_default()
                );
            }
            Err(e) => {
                let _ = writeln!(out, "bad refcount schedule: {e}");
                return Some(Exit::BadInput);
            }
        }
    }
    let _ = write!(out, "{}", interpreter.log());
    let verdict = protocol::check_all(interpreter.system(), s.scenario.algorithm, s.misuse_free);
    let violation = verdict.err()?;
    let _ = writeln!(out, "{violation}");
    Some(match expected {
        Some(name) if name != violation.name() => Exit::DifferentViolation,
        _ => Exit::Violation,
    })
}

/// 0 passes, 3 the expected (or any, when none is recorded) violation, 4 another one.
pub fn classify(report: &RunReport, expected: Option<&str>) -> Exit {
    if let (None, Outcome::Rejected { .. }) = (report.violation(), &report.outcome) {
        return Exit::BadInput;
    }
    classify_found(report.violation().map(|v| v.name()), expected)
}

/// [`classify`] by the violated invariant's name alone.
pub fn classify_found(found: Option<&str>, expected: Option<&str>) -> Exit {
    match (found, expected) {
        (None, _) => Exit::Done,
        (Some(_), None) => Exit::Violation,
        (Some(v), Some(name)) if v == name => Exit::Violation,
        (Some(_), Some(_)) => Exit::DifferentViolation,
    }
}

/// Reproduces a shuttle trace (a shuttle build) and classifies the result.
#[cfg(feature = "shuttle")]
fn replay_shuttle(trace: &Trace, out: &mut dyn Write) -> Exit {
    let _ = writeln!(
        out,
        "shuttle trace: profile {}, mutant {}, {} ops",
        trace.profile(),
        trace.mutant(),
        trace.ops.len()
    );
    match crate::exploration::replay_trace(trace) {
        Err(e) => {
            let _ = writeln!(out, "error: {e}");
            Exit::BadInput
        }
        Ok(r) => {
            let _ = match &r.violation {
                Some(v) => writeln!(
                    out,
                    "result: invariant {} violated ({}): {}",
                    v.name(),
                    r.how,
                    v.message
                ),
                None => writeln!(out, "result: every execution passed ({})", r.how),
            };
            let expected = trace.expected.as_ref().map(|e| e.invariant.as_str());
            classify_found(r.violation.as_ref().map(|v| v.name()), expected)
        }
    }
}
