//! Trace reading, replay exit codes and determinism.

use leakproof_sim::commands::replay::{run, ReplayArgs};
use leakproof_sim::exit::Exit;
use leakproof_sim::replay::replay_trace;
use leakproof_sim::trace::{parse, Exploration, ShuttleAttachment, Trace};
use std::path::Path;

fn mutant_trace() -> Trace {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/regressions/mutants/uncoalesced-free-runs.json");
    parse(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn malformed_traces_name_the_field() {
    let good = mutant_trace().to_json();
    let newer = good.replacen("\"format_version\": 1", "\"format_version\": 2", 1);
    assert_eq!(parse(&newer).unwrap_err().field, "format_version");
    let truncated = &good[..good.len() / 2];
    assert_eq!(parse(truncated).unwrap_err().field, "$");
    let bad_op = good.replacen("\"op\": \"alloc\"", "\"op\": \"allocate\"", 1);
    assert_eq!(parse(&bad_op).unwrap_err().field, "ops[0]");
    let no_seed = good.replacen("\"seed\":", "\"sead\":", 1);
    assert!(parse(&no_seed).is_err());
    assert_eq!(parse(&good).unwrap(), mutant_trace(), "round trip");
}

#[test]
fn top_level_copies_must_agree_with_the_config() {
    let good = mutant_trace().to_json();
    let m = "\"mutant\": \"uncoalesced-free-runs\"";
    let top_mutant = good.replacen(m, "\"mutant\": \"none\"", 1);
    let e = parse(&top_mutant).unwrap_err();
    assert_eq!(e.field, "mutant");
    assert!(
        e.message
            .contains("`config.jvm.mutant` is `uncoalesced-free-runs`"),
        "{e}"
    );
    let leak_mutant = {
        let last = good.rfind(m).unwrap();
        format!(
            "{}\"mutant\": \"none\"{}",
            &good[..last],
            &good[last + m.len()..]
        )
    };
    let e = parse(&leak_mutant).unwrap_err();
    assert_eq!(e.field, "config");
    assert!(e.message.contains("`leak.mutant` is `none`"), "{e}");
    let seed = mutant_trace().seed();
    let top_seed = good.replacen(&format!("\"seed\": {seed}"), "\"seed\": 99", 1);
    assert_eq!(parse(&top_seed).unwrap_err().field, "seed");
    let top_profile = good.replacen(
        "\"profile\": \"netty-4.1\"",
        "\"profile\": \"netty-4.1.48\"",
        1,
    );
    assert_eq!(parse(&top_profile).unwrap_err().field, "profile");
}

#[test]
fn replay_exit_codes_follow_the_table() {
    let t = mutant_trace();
    let mut out = Vec::new();
    assert_eq!(replay_trace(&t, &mut out), Exit::Violation);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("invariant free_runs_coalesced violated"),
        "{text}"
    );
    let mut other = t.clone();
    other.expected.as_mut().unwrap().invariant = "chunk_in_list_by_usage".into();
    assert_eq!(
        replay_trace(&other, &mut Vec::new()),
        Exit::DifferentViolation
    );
    let mut fixed = t.clone();
    fixed.config.jvm.mutant = leakproof_model::Mutant::None;
    assert_eq!(replay_trace(&fixed, &mut Vec::new()), Exit::Done);
    let mut shuttle = t.clone();
    shuttle.attachments.shuttle = Some(ShuttleAttachment {
        exploration: Exploration::random(1, 10),
        failing_iteration: None,
        schedule: None,
        shuttle_version: None,
    });
    let mut why = Vec::new();
    assert_eq!(replay_trace(&shuttle, &mut why), Exit::NeedsChecker);
    let why = String::from_utf8(why).unwrap();
    assert!(
        why.contains("cargo test --features shuttle --release"),
        "{why}"
    );
    let parsed = parse(&shuttle.to_json()).unwrap();
    assert_eq!(parsed, shuttle, "the shuttle attachment round-trips");
    let missing = ReplayArgs {
        trace: Some("/nonexistent/trace.json".into()),
        from_fuzz: None,
        mutant: None,
    };
    assert_eq!(run(&missing, &mut Vec::new()), Exit::BadInput);
}

#[test]
fn replaying_twice_prints_identical_bytes() {
    let t = mutant_trace();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    replay_trace(&t, &mut a);
    replay_trace(&t, &mut b);
    assert_eq!(a, b);
}
