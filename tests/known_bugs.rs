#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! A *known bug of the profile* (DESIGN's third kind of outcome) end to end: #12749, a
//! release into a freed thread cache, is Netty 4.1.48's own behaviour (its
//! `PoolThreadCache.add` never reads `freed`, PoolThreadCache.java:203–210), so on
//! `netty-4.1.48` it is reported with its issue number and the run passes — in the
//! executor's report, in `replay`'s output and exit code, and in a fuzz trace (none is
//! written). The same program on `netty-4.1` (which checks `freed`, #12897) strands
//! nothing; with the #12749 mutant it is the violation `add_to_freed_cache`.

use leakproof_model::op::Program;
use leakproof_model::profile::Profile;
use leakproof_model::Mutant;
use leakproof_sim::cli::main_with_args;
use leakproof_sim::exec::{run, ExecConfig, Quiet, RunReport};
use leakproof_sim::exit::Exit;
use leakproof_sim::trace::{self, Trace};

/// The #12749 program: t2 (a FastThreadLocal thread, so it has real queues) allocates
/// a 0-byte buffer (size 0 is its own tiny class in 4.1.48) and hands the buffer to t4, exits cleanly (its cache is freed), then t4
/// releases the buffer, which Netty offers to t2's cache.
fn program() -> Program {
    let recorded = include_str!("regressions/shuttle/mutant-12749-add-to-freed-cache.json");
    trace::parse(recorded)
        .expect("the committed trace parses")
        .program()
}

fn config(profile: Profile, mutant: Mutant) -> ExecConfig {
    let mut c = ExecConfig::small(profile, mutant, 0);
    c.allocator.use_cache_for_all_threads = false;
    c
}

fn report(profile: Profile, mutant: Mutant) -> RunReport {
    run(&program(), &config(profile, mutant), &mut Quiet)
}

#[test]
fn on_4_1_48_the_add_to_a_freed_cache_is_known_bug_12749_and_the_run_passes() {
    let r = report(Profile::netty_4_1_48(), Mutant::None);
    assert!(r.violation().is_none(), "{:?}", r.violation());
    assert_eq!(r.known_bugs.len(), 1, "{:?}", r.known_bugs);
    let k = &r.known_bugs[0];
    assert_eq!((k.issue, k.invariant), ("#12749", "add_to_freed_cache"));
    assert_eq!(
        k.message,
        "a 0-byte entry was queued into the freed cache of t2"
    );
}

#[test]
fn on_4_1_the_same_program_strands_nothing_and_the_mutant_is_a_violation() {
    let r = report(Profile::netty_4_1(), Mutant::None);
    assert!(r.violation().is_none() && r.known_bugs.is_empty(), "{r:?}");
    let r = report(Profile::netty_4_1(), Mutant::AddToFreedCache);
    assert_eq!(r.violation().map(|v| v.name()), Some("add_to_freed_cache"));
    assert!(r.known_bugs.is_empty());
}

#[test]
fn replay_prints_the_known_bug_with_its_number_and_exits_0() {
    let c = config(Profile::netty_4_1_48(), Mutant::None);
    let r = run(&program(), &c, &mut Quiet);
    let t = Trace::new(&c, &r.resolved, None);
    let dir = std::env::temp_dir().join(format!("leakproof-known-bug-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("known-bug-12749.json");
    std::fs::write(&path, serde_json::to_string_pretty(&t).unwrap()).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = ["leakproof", "replay", path.to_str().unwrap()];
    let exit = main_with_args(argv, &mut out, &mut err);
    let out = String::from_utf8(out).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(exit, Exit::Done, "{out}");
    assert!(
        out.contains(
            "known bug #12749 (add_to_freed_cache): a 0-byte entry was queued into the freed cache of t2"
        ),
        "{out}"
    );
    assert!(out.contains("result: every invariant held"), "{out}");
}
