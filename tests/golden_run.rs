#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! Golden tests of `leakproof run`, the workload forecast, run in-process: the default
//! command on the incident (one full 7-day run), byte-identical JSON for the same
//! scenario and seed, results independent of the thread count with `--seeds`, every
//! bad scenario input naming its key, what each shipped variant answers (on shortened
//! horizons), and failure traces that replay and minimize.

use leakproof_sim::cli::main_with_args;
use leakproof_sim::exit::Exit;
use serde_json::Value;
use std::path::PathBuf;

/// Runs `leakproof ARGS…` in-process: (exit, stdout, stderr).
fn run(args: &[&str]) -> (Exit, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("leakproof").chain(args.iter().copied());
    let exit = main_with_args(argv, &mut out, &mut err);
    let text = |b: Vec<u8>| String::from_utf8(b).expect("output is UTF-8");
    (exit, text(out), text(err))
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "leakproof-golden-run-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `run ARGS --json --out DIR` parsed.
fn json(args: &[&str]) -> Value {
    let dir = out_dir("json");
    let mut all = args.to_vec();
    let d = dir.display().to_string();
    all.extend(["--json", "--out", &d]);
    let (exit, out, err) = run(&all);
    assert_eq!(exit, Exit::Done, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// A small, fast version of the incident: 100 k messages a day of ~200 B, 256 MiB of
/// direct memory (16 chunks of 16 MiB) and two event loops, dying within days.
const SMALL: &[&str] = &[
    "--set",
    "traffic.messages_per_day=100000",
    "--set",
    "jvm.max_direct_memory=268435456",
    "--set",
    "event_loops=2",
];

fn small(extra: &[&str]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = vec!["run", "jt809"];
    v.extend_from_slice(SMALL);
    for e in extra {
        v.push(Box::leak(e.to_string().into_boxed_str()));
    }
    v
}

#[test]
fn no_arguments_forecast_the_incident_and_exit_0() {
    // The one full run: 7 days of the incident (about 20 M messages).
    let (exit, out, err) = run(&[]);
    assert_eq!(exit, Exit::Done, "{err}");
    assert!(out.starts_with("leakproof run jt809 "), "{out}");
    assert!(
        out.contains(
            "io.netty.util.internal.OutOfDirectMemoryError: failed to allocate 16777216 byte(s) \
             of direct memory (used: 8589934592, max: 8589934592)"
        ),
        "{out}"
    );
    let oom = out
        .lines()
        .find(|l| l.starts_with("OutOfMemory after "))
        .expect("an OOM line");
    let days: f64 = oom
        .split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (6.0..8.0).contains(&days),
        "the incident died after 7–8 days: {oom}"
    );
    assert!(
        out.contains("First LEAK: after 0 d 00 h 01 min (0.00 days) (stage frame-decoder):"),
        "{out}"
    );
    assert!(
        out.contains("\tleakproof.Program.run(frame-decoder)"),
        "{out}"
    );
    assert!(out.contains("3 LEAK: message(s) in all"), "{out}");
    for file in ["leakproof-out/jt809.svg", "leakproof-out/jt809.csv"] {
        assert!(std::path::Path::new(file).exists(), "{file}");
    }
    let csv = std::fs::read_to_string("leakproof-out/jt809.csv").unwrap();
    assert!(csv.starts_with("time_s,day,direct_used,"), "{csv}");
    let svg = std::fs::read_to_string("leakproof-out/jt809.svg").unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("OutOfDirectMemoryError"),
        "{}",
        &svg[..200]
    );
}

#[test]
fn the_same_scenario_and_seed_give_byte_identical_json() {
    let dir = out_dir("determinism");
    let d = dir.display().to_string();
    let mut args = small(&["--json", "--seed", "7", "--out"]);
    args.push(Box::leak(d.into_boxed_str()));
    let first = run(&args);
    let second = run(&args);
    assert_eq!(first.0, Exit::Done, "{}", first.2);
    assert_eq!(first, second);
    let v: Value = serde_json::from_str(&first.1).unwrap();
    assert_eq!(v["outcome"], "out_of_memory");
    assert_eq!(v["seed"], 7);
    let day = v["oom_day"].as_f64().unwrap();
    assert_eq!(v["oom_seconds"].as_u64().unwrap(), (day * 86_400.0) as u64);
    // 256 MiB at ~44 MB a day (100 k messages × 2.05 copies × ~213 B).
    assert!((4.0..8.0).contains(&day), "{day}");
}

#[test]
fn seeds_spread_does_not_depend_on_the_thread_count() {
    let base = small(&[
        "--set",
        "duration_days=3",
        "--set",
        "jvm.max_direct_memory=67108864",
        "--seeds",
        "4",
        "--json",
    ]);
    let with = |threads: &str| {
        let dir = out_dir(&format!("seeds{threads}"));
        let mut a = base.clone();
        a.extend(["--threads", Box::leak(threads.to_string().into_boxed_str())]);
        a.extend([
            "--out",
            Box::leak(dir.display().to_string().into_boxed_str()),
        ]);
        run(&a)
    };
    let one = with("1");
    let two = with("2");
    assert_eq!(one.0, Exit::Done, "{}", one.2);
    assert_eq!(one.1, two.1);
    let v: Value = serde_json::from_str(&one.1).unwrap();
    assert_eq!(v["seeds"], 4);
    assert_eq!(v["runs"].as_array().unwrap().len(), 4);
    assert_eq!(v["oom_seeds"], 4, "64 MiB fill within 3 days: {v}");
    let spread = &v["oom_day"];
    assert!(spread["min"].as_f64() <= spread["median"].as_f64());
    assert!(spread["median"].as_f64() <= spread["max"].as_f64());
    assert_eq!(v["silent_seeds"], 0);
}

#[test]
fn bad_scenario_input_names_the_key_and_exits_2() {
    let missing =
        std::env::temp_dir().join(format!("leakproof-missing-{}.toml", std::process::id()));
    let text = include_str!("../sim/scenarios/jt809.toml").replace("cores = 4", "");
    std::fs::write(&missing, text).unwrap();
    let missing = missing.display().to_string();
    let cases: [(&[&str], &str); 10] = [
        (&["run", "--set", "traffic.bogus=1"], "scenario key `traffic.bogus`: unknown field `bogus`"),
        (&["run", &missing], "scenario key `jvm`: missing field `cores`"),
        (&["run", "--set", "traffic.messages_per_day=-5"], "scenario key `traffic.messages_per_day`: -5"),
        (&["run", "--set", "stages.unescape.probability=1.5"], "scenario key `stages[2].probability`: 1.5 is not a probability"),
        (&["run", "--set", "stages.unescape.release=sometimes"], "scenario key `stages[2].release`"),
        (&["run", "--set", "allocator.max_order=15"], "scenario key `allocator.max_order`: java.lang.IllegalArgumentException: maxOrder: 15 (expected: 0-14)"),
        (&["run", "--set", "allocator.cache_trim_interval=0"], "scenario key `allocator.cache_trim_interval`: freeSweepAllocationThreshold: 0 (expected: > 0)"),
        (&["run", "--level", "LOUD"], "scenario key `leak.level`: `LOUD`"),
        (&["run", "no-such-scenario"], "scenario `no-such-scenario` is neither a built-in scenario"),
        (&["run", "--set", "traffic"], "--set traffic: expected key=value"),
    ];
    for (args, message) in cases {
        let (exit, out, err) = run(args);
        assert_eq!(exit, Exit::BadInput, "{args:?}: {out}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn zero_is_legal_where_netty_accepts_it() {
    // No traffic, no direct arenas (Netty then hands out unpooled buffers): a forecast.
    let v = json(&[
        "run",
        "--set",
        "traffic.messages_per_day=0",
        "--set",
        "duration_days=0.1",
    ]);
    assert_eq!(v["outcome"], "survived");
    assert_eq!(v["messages"], 0);
    let v = json(&small(&[
        "--set",
        "allocator.direct_arenas=0",
        "--set",
        "duration_days=0.2",
        // A threshold of 0 where the caches have no array (PoolThreadCache accepts it).
        "--set",
        "allocator.cache_trim_interval=0",
        "--set",
        "allocator.small_cache_size=0",
        "--set",
        "allocator.normal_cache_size=0",
        "--set",
        "allocator.tiny_cache_size=0",
    ]));
    assert_eq!(v["setup"]["direct_arenas"], 0);
    assert!(v["stages"][0]["leaked"].as_u64().unwrap() > 0);
}

#[test]
fn the_variants_answer_their_what_ifs() {
    let short = ["--set", "duration_days=0.25"];
    // Copies released: direct memory stays at a few chunks, no LEAK.
    let released = json(&["run", "jt809-released", short[0], short[1]]);
    assert_eq!(released["outcome"], "survived");
    assert_eq!(released["leak_messages"], 0);
    assert!(released["peak"]["direct_used"].as_i64().unwrap() <= 16 * (16 << 20));
    // PARANOID tracks every allocation and reports no later than SIMPLE.
    let simple = json(&["run", "jt809", short[0], short[1]]);
    let paranoid = json(&["run", "jt809-paranoid", short[0], short[1]]);
    assert_eq!(paranoid["trackers"], paranoid["allocations"]);
    assert!(paranoid["first_leak_day"].as_f64() <= simple["first_leak_day"].as_f64());
    // Today's 4 MiB chunks: the error names 4 MiB.
    let four = json(&small(&[
        "--set",
        "allocator.max_order=9",
        "--set",
        "allocator.profile=\"netty-4.1\"",
    ]));
    assert_eq!(four["setup"]["chunk_size"], 4 << 20);
    assert!(four["oom_exception"]
        .as_str()
        .unwrap()
        .contains("failed to allocate 4194304 byte(s)"));
    let four_builtin = json(&["run", "jt809-4mib", short[0], short[1]]);
    assert_eq!(four_builtin["setup"]["chunk_size"], 4 << 20);
    // Only the rare unescape copy leaks: it still gets reported, at a fraction of the rate.
    let rare = json(&["run", "jt809-unescape-leak", short[0], short[1]]);
    let stages = rare["stages"].as_array().unwrap();
    assert_eq!(stages[0]["leaked"], 0);
    assert!(stages[2]["leaked"].as_u64().unwrap() > 0);
    assert_eq!(rare["leak_messages"], 1);
    assert_eq!(rare["first_leak"]["stage"], "unescape");
}

#[test]
fn a_broken_allocator_leaves_a_trace_that_replays_and_minimizes() {
    let traces = out_dir("traces");
    // Safe: no other test in this binary writes traces.
    std::env::set_var("LEAKPROOF_TRACE_DIR", &traces);
    let out = out_dir("mutant");
    let d = out.display().to_string();
    let (exit, _, err) = run(&[
        "run",
        "jt809-released",
        "--mutant",
        "collect-before-close",
        "--set",
        "duration_days=0.01",
        "--out",
        &d,
    ]);
    assert_eq!(exit, Exit::Violation, "{err}");
    assert!(
        err.contains("invariant released_never_reported violated at step"),
        "{err}"
    );
    let trace = std::fs::read_dir(&traces)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&trace).unwrap();
    let t: Value = serde_json::from_str(&text).unwrap();
    let w = &t["attachments"]["workload"];
    assert_eq!(w["scenario"], "jt809-released");
    assert_eq!(w["scenario_hash"].as_str().unwrap().len(), 16);
    assert!(w["step"].as_u64().unwrap() > 0);
    let path = trace.display().to_string();
    let (exit, out, _) = run(&["replay", &path]);
    assert_eq!(exit, Exit::Violation, "{out}");
    assert!(
        out.contains("result: invariant released_never_reported violated at step"),
        "{out}"
    );
    assert!(out.contains("{\"op\":\"alloc\""), "{out}");
    let min = traces.join("min.json").display().to_string();
    let (exit, out, _) = run(&["minimize", &path, "--out", &min]);
    assert!(matches!(exit, Exit::Violation | Exit::Done), "{out}");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&min).unwrap()).unwrap();
    assert!(m["attachments"]["workload"].is_null());
    assert!(!m["ops"].as_array().unwrap().is_empty());
}
