#![cfg(feature = "shuttle")]
//! Shuttle traces: a failure writes a trace in the common format that reproduces it
//! (along its schedule string, or by re-running its scheduler, seed and iterations);
//! the minimizer shrinks the per-thread programs while the failure persists; every
//! committed regression in `tests/regressions/shuttle/` (ops, scheduler, seed,
//! iterations) still reproduces its recorded violation, or passes when it records none.
//!
//! To reproduce a failure's trace: `LEAKPROOF_SHUTTLE_TRACE=path/to/trace.json cargo
//! test --features shuttle --release --test shuttle_replay -- --nocapture`; add
//! `LEAKPROOF_SHUTTLE_MINIMIZE=1` to also shrink it (the shrunk trace, in regression
//! form, is written to `LEAKPROOF_TRACE_DIR`).

use leakproof_sim::commands::replay::{run, ReplayArgs};
use leakproof_sim::concurrent::generate::{generate, Scenario};
use leakproof_sim::exit::Exit;
use leakproof_sim::exploration::{explore, minimize_trace, replay_trace};
use leakproof_sim::model::{Mutant, Profile};
use leakproof_sim::trace::{self, Exploration, Trace};
use std::path::{Path, PathBuf};

fn replay_file(path: &Path) -> (Exit, String) {
    let mut out = Vec::new();
    let args = ReplayArgs {
        trace: Some(path.to_path_buf()),
        from_fuzz: None,
        mutant: None,
    };
    let exit = run(&args, &mut out);
    (exit, String::from_utf8(out).expect("UTF-8"))
}

fn read(path: &Path) -> Trace {
    let text = std::fs::read_to_string(path).expect("readable trace");
    trace::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_regressions_and_the_trace_named_in_the_environment_reproduce() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/shuttle");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/regressions/shuttle")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no committed shuttle regressions");
    if let Ok(extra) = std::env::var("LEAKPROOF_SHUTTLE_TRACE") {
        paths.push(PathBuf::from(extra));
    }
    for path in paths {
        let t = read(&path);
        let shuttle = t.attachments.shuttle.as_ref().expect("a shuttle trace");
        let (exit, out) = replay_file(&path);
        println!("{}: {out}", path.display());
        let want = if t.expected.is_some() {
            Exit::Violation
        } else {
            Exit::Done
        };
        assert_eq!(exit, want, "{}: {out}", path.display());
        if std::env::var_os("LEAKPROOF_SHUTTLE_MINIMIZE").is_some() && t.expected.is_some() {
            let shrunk = minimize_trace(&t).expect("minimizes");
            let written = trace::write_trace(&trace::trace_dir(), &shrunk).expect("writes");
            println!(
                "minimized {} ops to {} ({}): {}",
                t.ops.len(),
                shrunk.ops.len(),
                shuttle.exploration,
                written.display()
            );
        }
    }
}

#[test]
fn a_failure_writes_a_trace_that_replays_and_minimizes() {
    let g = generate(Scenario::ThreadExit, 0).under(&Profile::default(), Mutant::AddToFreedCache);
    let exploration = Exploration::random(0x12749, 200);
    let explored = explore(&g.program, &g.config, exploration).expect("valid");
    let failure = explored.failure.expect("#12749 is found");
    let path = failure.trace.expect("the failure's trace is written");
    let written = read(&path);
    let shuttle = written
        .attachments
        .shuttle
        .clone()
        .expect("shuttle attachment");
    assert_eq!(shuttle.exploration, exploration);
    assert_eq!(shuttle.failing_iteration, Some(failure.iteration));
    assert_eq!(shuttle.schedule.as_deref(), Some(failure.schedule.as_str()));
    assert_eq!(
        shuttle.shuttle_version.as_deref(),
        Some(trace::SHUTTLE_VERSION)
    );
    assert_eq!(
        written.program(),
        g.program,
        "the trace keeps every thread's ops"
    );

    // Along the schedule string.
    let replayed = replay_trace(&written).expect("replays");
    assert_eq!(
        replayed.violation.map(|v| v.name()),
        Some("add_to_freed_cache")
    );
    assert!(replayed.how.contains("schedule string"), "{}", replayed.how);
    // Without it: by re-running the exploration.
    let mut seeded = written.clone();
    seeded
        .attachments
        .shuttle
        .as_mut()
        .expect("shuttle")
        .schedule = None;
    let replayed = replay_trace(&seeded).expect("replays");
    assert_eq!(
        replayed.violation.map(|v| v.name()),
        Some("add_to_freed_cache")
    );
    assert!(replayed.how.contains("exploration"), "{}", replayed.how);
    // In process, as `leakproof replay` does in a shuttle build: exit 3.
    let (exit, out) = replay_file(&path);
    assert_eq!(exit, Exit::Violation, "{out}");

    let shrunk = minimize_trace(&written).expect("minimizes");
    assert!(
        shrunk.ops.len() < written.ops.len(),
        "{} ops shrink to {}",
        written.ops.len(),
        shrunk.ops.len()
    );
    let expected = shrunk.expected.as_ref().expect("keeps the violation");
    assert_eq!(expected.invariant, "add_to_freed_cache");
    let replayed = replay_trace(&shrunk).expect("replays");
    assert_eq!(
        replayed.violation.map(|v| v.name()),
        Some("add_to_freed_cache")
    );
    println!(
        "minimized {} ops to {}:\n{}",
        written.ops.len(),
        shrunk.ops.len(),
        shrunk.to_json()
    );
}
