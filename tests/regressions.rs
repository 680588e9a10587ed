//! Regression traces: every `tests/regressions/*.json` once found a bug and must pass
//! now (exit 0); every `tests/regressions/mutants/*.json` must still reproduce its
//! recorded violation under its mutant (exit 3) and pass with the mutant off (exit 0),
//! and every mutant the catalogue hunts in-process has one; every `tests/regressions/shuttle/*.json`
//! needs a shuttle build (exit 5, naming the command); the fuzz seed corpus runs clean.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use leakproof_model::Mutant;
use leakproof_sim::commands::mutants::parse_allowed;
use leakproof_sim::commands::replay::{run, ReplayArgs};
use leakproof_sim::exec::{run as exec, Quiet};
use leakproof_sim::exit::Exit;
use leakproof_sim::fuzz_input;
use leakproof_sim::mutants::{mutant_off, reach, Reach};
use leakproof_sim::replay::replay_trace;
use leakproof_sim::trace;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn traces(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "json"));
    out.sort();
    out
}

fn replay(path: &Path) -> (Exit, String) {
    let args = ReplayArgs {
        trace: Some(path.to_path_buf()),
        from_fuzz: None,
        mutant: None,
    };
    let mut out = Vec::new();
    let exit = run(&args, &mut out);
    (exit, String::from_utf8(out).unwrap())
}

#[test]
fn regression_traces_pass() {
    for path in traces("tests/regressions") {
        let (exit, out) = replay(&path);
        assert_eq!(exit, Exit::Done, "{}:\n{out}", path.display());
    }
}

#[test]
fn committed_traces_write_back_byte_identically() {
    for dir in [
        "tests/regressions",
        "tests/regressions/mutants",
        "tests/regressions/shuttle",
    ] {
        for path in traces(dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            let written = parsed(&path).to_json();
            assert_eq!(written.trim_end(), text.trim_end(), "{}", path.display());
        }
    }
}

#[test]
fn mutant_traces_reproduce_their_violation_byte_identically() {
    let paths = traces("tests/regressions/mutants");
    assert!(
        paths.len() >= 2,
        "the mutant regression traces are committed"
    );
    for path in paths {
        let (exit, out) = replay(&path);
        assert_eq!(exit, Exit::Violation, "{}:\n{out}", path.display());
        let (_, again) = replay(&path);
        assert_eq!(out, again, "replay is deterministic");
    }
}

fn parsed(path: &Path) -> trace::Trace {
    let text = std::fs::read_to_string(path).unwrap();
    trace::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn mutant_traces_pass_with_the_mutant_off() {
    for path in traces("tests/regressions/mutants") {
        let t = parsed(&path);
        assert_ne!(t.mutant(), Mutant::None, "{}", path.display());
        let mut out = Vec::new();
        let exit = replay_trace(&mutant_off(&t), &mut out);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            exit,
            Exit::Done,
            "{} with the mutant off:\n{out}",
            path.display()
        );
    }
}

#[test]
fn every_mutant_hunted_in_process_has_a_committed_trace() {
    let committed: BTreeSet<Mutant> = traces("tests/regressions/mutants")
        .iter()
        .map(|p| parsed(p).mutant())
        .collect();
    let allowed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/mutants/ALLOWED_SURVIVORS"),
    )
    .expect("the allowlist is committed (may be only comments)");
    let allowed = parse_allowed(&allowed).unwrap();
    for &m in Mutant::ALL {
        let hunted = matches!(reach(m), Reach::InProcess(_));
        if m != Mutant::None && hunted && !allowed.contains_key(&m) {
            assert!(
                committed.contains(&m),
                "no tests/regressions/mutants trace for {m}: `leakproof mutants --only {m} \
                 --traces tests/regressions/mutants` writes it"
            );
        }
    }
}

#[test]
fn shuttle_traces_in_a_default_build_exit_5_naming_the_command() {
    let paths = traces("tests/regressions/shuttle");
    assert!(
        !paths.is_empty(),
        "the shuttle regression traces are committed"
    );
    for path in paths {
        let (exit, out) = replay(&path);
        assert_eq!(exit, Exit::NeedsChecker, "{}:\n{out}", path.display());
        let command = format!(
            "LEAKPROOF_SHUTTLE_TRACE={} cargo test --features shuttle --release --test shuttle_replay",
            path.display()
        );
        assert!(out.contains(&command), "{}:\n{out}", path.display());
    }
}

#[test]
fn fuzz_seed_corpus_runs_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/alloc_sequence");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Some((config, program)) = fuzz_input::decode(&data, Mutant::None) {
            let report = exec(&program, &config, &mut Quiet);
            assert!(
                report.violation().is_none(),
                "{}: {:?}",
                path.display(),
                report.outcome
            );
            n += 1;
        }
    }
    assert!(n >= 4);
}
