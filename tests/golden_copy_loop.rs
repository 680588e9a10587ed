#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! Golden tests of `leakproof copy-loop`, run in-process (the CLI surface and `sizes`
//! are in `golden_cli.rs`).
//!
//! Every expected line is derived by chunk arithmetic below and checked against the
//! real Netty 4.1.48 on JDK 17 (`docs/oracle-4.1.48.md` §4, branch `oracle`). The
//! model's default profile is netty-4.1 (4.1.128: jemalloc size classes, default
//! `maxOrder` 9 = 4 MiB chunks) with JDK 8 wording; the oracle ran 4.1.48 with 16 MiB
//! chunks (`maxOrder` 11) on JDK 17. For a 1 MiB request the two allocator
//! generations agree (a 1 MiB run, `chunk / 1 MiB` per chunk, a new chunk when all
//! are full), so with `--max-order 11` every line equals the oracle's `incident`
//! column, with `--max-order 9` its `maxorder9` column, and with no arena flags and
//! `--max-order 11` its `formula` column. Where the JDK wording differs it is said.
//!
//! Arithmetic (limit L = `Runtime.maxMemory()` = 32440320 = 30.94 MiB, also the
//! direct limit of Netty's counter and of the JDK):
//! - 4 MiB chunks: ⌊L / 4 MiB⌋ = 7 chunks fit, 7 × 4 = 28 slots of 1 MiB; `buf` takes
//!   one, so copies 0..=26 fit and copy 27 needs an 8th chunk: last line
//!   `allocate - 26`, used 7 × 4194304 = 29360128.
//! - 16 MiB chunks: 1 chunk fits (2 × 16 MiB > L), 16 slots; `buf` + copies 0..=14:
//!   `allocate - 14`, used 16777216.
//! - unpooled no-Cleaner: ⌊L / 1 MiB⌋ = 30 buffers fit; `buf` + copies 0..=28:
//!   `allocate - 28`, used 30 × 1048576 = 31457280.
//! - Cleaner-backed and heap unpooled buffers: a failed reservation runs the GC, which
//!   reclaims the unreachable copies, so all 30 copies succeed: `allocate - 29`, `end`.
//! - Netty's arena formula: min(2·cores, L / chunk / 2 / 3) = 1 arena at 4 MiB
//!   (7 / 6 = 1) and 0 at 16 MiB (1 / 6 = 0): 0 arenas make `PooledByteBufAllocator`
//!   hand out unpooled buffers, exactly as the oracle's `formula` column shows.
//! - With `--release` every kind runs to `allocate - 29` / `end`.

use leakproof_sim::cli::main_with_args;
use leakproof_sim::exit::Exit;
use serde_json::Value;

const ODM: &str = "Exception in thread \"main\" io.netty.util.internal.OutOfDirectMemoryError";
const HEAP_OOM: &str = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space";
const JDK8_DIRECT_OOM: &str =
    "Exception in thread \"main\" java.lang.OutOfMemoryError: Direct buffer memory";

const KINDS: [&str; 9] = [
    "pooled-unsafe-direct",
    "pooled-direct",
    "pooled-unsafe-heap",
    "pooled-heap",
    "unpooled-direct",
    "unpooled-unsafe-direct",
    "unpooled-unsafe-nocleaner-direct",
    "unpooled-heap",
    "unpooled-unsafe-heap",
];

/// Runs `leakproof ARGS…` in-process: (exit, stdout, stderr).
fn run(args: &[&str]) -> (Exit, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("leakproof").chain(args.iter().copied());
    let exit = main_with_args(argv, &mut out, &mut err);
    let text = |b: Vec<u8>| String::from_utf8(b).expect("output is UTF-8");
    (exit, text(out), text(err))
}

/// The last `allocate - N` line and the final line of a copy-loop transcript.
fn tail(out: &str) -> (Option<&str>, &str) {
    let lines: Vec<&str> = out.lines().collect();
    let last_allocate = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("allocate - "))
        .copied();
    (last_allocate, lines.last().copied().unwrap_or(""))
}

fn odm(bytes: u64, used: u64) -> String {
    format!(
        "{ODM}: failed to allocate {bytes} byte(s) of direct memory (used: {used}, max: 32440320)"
    )
}

/// Expected (last allocate index, final line) without release for one variant.
fn expected(kind: &str, variant: Variant) -> (u32, String) {
    use Variant::*;
    let pooled_fail = |chunk_mib: u64| -> u32 {
        if chunk_mib == 4 {
            26
        } else {
            14
        }
    };
    let chunk = match variant {
        Arenas2Chunk16 => Some(16),
        Arenas2Chunk4 | FormulaChunk4 => Some(4),
        FormulaChunk16 => None, // 0 arenas: the unpooled fallback
    };
    let nocleaner = (28, odm(1 << 20, 31_457_280));
    let end = (29, "end".to_string());
    match (kind, chunk) {
        ("pooled-unsafe-direct", Some(c)) => (
            pooled_fail(c),
            odm(c << 20, if c == 4 { 29_360_128 } else { 16_777_216 }),
        ),
        ("pooled-unsafe-direct", None) => nocleaner,
        ("pooled-direct", Some(c)) => (pooled_fail(c), JDK8_DIRECT_OOM.to_string()),
        ("pooled-unsafe-heap" | "pooled-heap", Some(c)) => (pooled_fail(c), HEAP_OOM.to_string()),
        ("unpooled-unsafe-nocleaner-direct", _) => nocleaner,
        _ => end,
    }
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    /// The oracle's `incident`: numDirectArenas=2, numHeapArenas=2, 16 MiB chunks.
    Arenas2Chunk16,
    /// The oracle's `maxorder9`: 2 arenas, 4 MiB chunks.
    Arenas2Chunk4,
    /// Netty's formula at 4 MiB chunks (the 4.1.128 default): 1 arena.
    FormulaChunk4,
    /// The oracle's `formula`: 16 MiB chunks, 0 arenas.
    FormulaChunk16,
}

impl Variant {
    const ALL: [Variant; 4] = [
        Variant::Arenas2Chunk16,
        Variant::Arenas2Chunk4,
        Variant::FormulaChunk4,
        Variant::FormulaChunk16,
    ];

    fn flags(self) -> &'static [&'static str] {
        match self {
            Variant::Arenas2Chunk16 => &[
                "--max-order",
                "11",
                "--direct-arenas",
                "2",
                "--heap-arenas",
                "2",
            ],
            Variant::Arenas2Chunk4 => &[
                "--max-order",
                "9",
                "--direct-arenas",
                "2",
                "--heap-arenas",
                "2",
            ],
            Variant::FormulaChunk4 => &[],
            Variant::FormulaChunk16 => &["--max-order", "11"],
        }
    }
}

#[test]
fn nine_kinds_without_release_fail_where_the_chunk_arithmetic_says() {
    for kind in KINDS {
        for variant in Variant::ALL {
            let mut args = vec!["copy-loop", "--kind", kind];
            args.extend_from_slice(variant.flags());
            let (exit, out, err) = run(&args);
            let (index, last) = expected(kind, variant);
            let context = format!("{kind} {variant:?}");
            assert!(err.is_empty(), "{context}: {err}");
            let allocate = format!("allocate - {index}");
            assert_eq!(
                tail(&out),
                (Some(allocate.as_str()), last.as_str()),
                "{context}"
            );
            let want_exit = if last == "end" {
                Exit::Done
            } else {
                Exit::JavaDied
            };
            assert_eq!(exit, want_exit, "{context}");
            assert_eq!(out.lines().count(), index as usize + 2, "{context}: {out}");
        }
    }
}

#[test]
fn nine_kinds_with_release_run_to_the_end() {
    for kind in KINDS {
        for variant in Variant::ALL {
            let mut args = vec!["copy-loop", "--kind", kind, "--release"];
            args.extend_from_slice(variant.flags());
            let (exit, out, _) = run(&args);
            let context = format!("{kind} {variant:?}");
            assert_eq!(exit, Exit::Done, "{context}");
            assert_eq!(tail(&out), (Some("allocate - 29"), "end"), "{context}");
        }
    }
}

#[test]
fn formula_fallback_hands_out_the_oracles_unpooled_classes() {
    // Oracle §4 "formula": 0 arenas at 16 MiB chunks give these non-instrumented classes.
    for (kind, class) in [
        (
            "pooled-unsafe-direct",
            "UnpooledUnsafeNoCleanerDirectByteBuf",
        ),
        ("pooled-direct", "UnpooledDirectByteBuf"),
        ("pooled-unsafe-heap", "UnpooledUnsafeHeapByteBuf"),
        ("pooled-heap", "UnpooledHeapByteBuf"),
    ] {
        let (_, out, _) = run(&["copy-loop", "--kind", kind, "--max-order", "11", "--json"]);
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["buffer_class"], class, "{kind}");
        assert_eq!(json["config"]["direct_arenas"], 0);
        assert_eq!(json["config"]["heap_arenas"], 0);
    }
    let (_, out, _) = run(&["copy-loop", "--kind", "pooled-unsafe-direct", "--json"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["buffer_class"], "PooledUnsafeDirectByteBuf");
    assert_eq!(json["config"]["direct_arenas"], 1);
    assert_eq!(json["config"]["chunk_size"], 4_194_304);
}

#[test]
fn jdk17_wording_and_its_differences_from_the_oracle() {
    // The oracle says `(allocated: 16777217, …)`: one byte was reserved through the JDK
    // before the loop by Netty's platform probing, which the model does not simulate;
    // the reservation arithmetic is otherwise identical.
    let (exit, out, _) = run(&[
        "copy-loop",
        "--kind",
        "pooled-direct",
        "--jdk",
        "17",
        "--max-order",
        "11",
        "--direct-arenas",
        "2",
        "--heap-arenas",
        "2",
    ]);
    assert_eq!(exit, Exit::JavaDied);
    assert_eq!(
        tail(&out),
        (
            Some("allocate - 14"),
            "Exception in thread \"main\" java.lang.OutOfMemoryError: Cannot reserve 16777216 bytes of direct buffer memory (allocated: 16777216, limit: 32440320)"
        )
    );
    // On JDK 17 the oracle's pooled-unsafe-heap dies with `java.lang.Error:
    // java.lang.reflect.InvocationTargetException` (Netty allocates heap chunks through
    // `jdk.internal.misc.Unsafe.allocateUninitializedArray` by reflection, which wraps
    // the OOM; needs `--add-opens`). The model keeps the JDK 8 heap text for every JDK.
    let (_, out, _) = run(&["copy-loop", "--kind", "pooled-unsafe-heap", "--jdk", "17"]);
    assert_eq!(tail(&out), (Some("allocate - 26"), HEAP_OOM));
}

#[test]
fn end_metrics_match_the_oracle() {
    // Oracle §4: usedDirectMemory 16777216 for pooled-unsafe-direct (the chunk stays,
    // with or without release), 31457280 / 1048576 for no-Cleaner without / with
    // release, 0 for Unsafe heap kinds, −1 whenever Netty keeps no counter.
    let cases: [(&str, &[&str], i64); 6] = [
        (
            "pooled-unsafe-direct",
            &["--max-order", "11", "--direct-arenas", "2"],
            16_777_216,
        ),
        (
            "pooled-unsafe-direct",
            &["--max-order", "11", "--direct-arenas", "2", "--release"],
            16_777_216,
        ),
        ("unpooled-unsafe-nocleaner-direct", &[], 31_457_280),
        (
            "unpooled-unsafe-nocleaner-direct",
            &["--release"],
            1_048_576,
        ),
        ("unpooled-unsafe-heap", &[], 0),
        ("unpooled-unsafe-direct", &[], -1),
    ];
    for (kind, flags, used) in cases {
        let mut args = vec!["copy-loop", "--kind", kind, "--json"];
        args.extend_from_slice(flags);
        let (_, out, _) = run(&args);
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            json["metrics"]["used_direct_memory"], used,
            "{kind} {flags:?}"
        );
        assert_eq!(json["metrics"]["max_direct_memory"], 32_440_320, "{kind}");
    }
}

#[test]
fn json_report_has_the_documented_shape() {
    let (exit, out, _) = run(&["copy-loop", "--kind", "pooled-unsafe-direct", "--json"]);
    assert_eq!(exit, Exit::JavaDied);
    let json: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "config",
        "buffer_class",
        "outcome",
        "copies_done",
        "last_allocate_line",
        "last_line",
        "metrics",
        "leak_reports",
    ] {
        assert!(keys.contains(&key), "missing {key}: {keys:?}");
    }
    assert_eq!(json["copies_done"], 27);
    assert_eq!(json["last_allocate_line"], "allocate - 26");
    assert_eq!(
        json["outcome"]["class"],
        "io.netty.util.internal.OutOfDirectMemoryError"
    );
    assert_eq!(json["last_line"], odm(4 << 20, 29_360_128));
    let direct = &json["metrics"]["pooled"]["direct_arenas"][0];
    assert_eq!(direct["num_normal_allocations"], 28, "buf + 27 copies");
    assert_eq!(direct["num_active_bytes"], 29_360_128);
}

#[test]
fn the_incident_experiment_keeps_its_java_exit_code() {
    // `leakproof` alone now runs the workload forecast (tests/golden_run.rs); the
    // experiment itself still dies as `java` does.
    let (exit, out, _) = run(&["copy-loop", "--kind", "pooled-unsafe-direct"]);
    assert_eq!(exit, Exit::JavaDied);
    assert!(
        out.ends_with(&format!("{}\n", odm(4 << 20, 29_360_128))),
        "{out}"
    );
}

#[test]
fn same_arguments_give_byte_identical_output() {
    for args in [
        &["copy-loop", "--kind", "pooled-unsafe-direct", "--json"][..],
        &[
            "copy-loop",
            "--kind",
            "unpooled-unsafe-direct",
            "--copies",
            "300",
            "--leak-level",
            "paranoid",
            "--json",
        ],
        &[
            "copy-loop",
            "--kind",
            "pooled-heap",
            "--release",
            "--gc-every",
            "3",
        ],
        &["sizes", "--json"],
    ] {
        assert_eq!(run(args), run(args), "{args:?}");
    }
}

#[test]
fn materialized_memory_gives_the_same_transcript() {
    let virtual_run = run(&["copy-loop", "--kind", "pooled-unsafe-direct"]);
    let real = run(&[
        "copy-loop",
        "--kind",
        "pooled-unsafe-direct",
        "--materialized",
    ]);
    assert_eq!(virtual_run, real);
}

/// The first `LEAK:` of the seeded SIMPLE run: the copy whose `allocate` line follows it.
const FIRST_LEAK_COPY: u64 = 206;

#[test]
fn simple_leak_detector_reports_once_at_a_seeded_copy() {
    let args = [
        "copy-loop",
        "--kind",
        "unpooled-unsafe-direct",
        "--copies",
        "1000",
        "--seed",
        "0",
    ];
    let (exit, out, err) = run(&args);
    assert_eq!((exit, err.as_str()), (Exit::Done, ""));
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("LEAK: "))
        .expect("a LEAK line");
    // Logged inside copy 206's allocation: after `allocate - 205`, before `allocate - 206`.
    assert_eq!(lines[at - 1], format!("allocate - {}", FIRST_LEAK_COPY - 1));
    let after = lines[at..]
        .iter()
        .find(|l| l.starts_with("allocate - "))
        .unwrap();
    assert_eq!(*after, format!("allocate - {FIRST_LEAK_COPY}"));
    assert_eq!(
        lines[at],
        "LEAK: ByteBuf.release() was not called before it's garbage-collected. \
         See https://netty.io/wiki/reference-counted-objects.html for more information."
    );
    assert_eq!(lines[at + 1], "Recent access records: ");
    assert_eq!(lines[at + 2], "Created at:");
    // SIMPLE dedupes identical records: every copy is made at the same site.
    assert_eq!(out.matches("LEAK: ").count(), 1);
    assert_eq!(lines.last(), Some(&"end"));
    assert_eq!(run(&args), (exit, out.clone(), err));
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (_, json, _) = run(&json_args);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["leak_reports"][0]["during_copy"], FIRST_LEAK_COPY);
    assert!(json["metrics"]["gc_runs"].as_u64().unwrap() > 0);
    // Another seed samples other copies.
    let (_, other, _) = run(&[
        "copy-loop",
        "--kind",
        "unpooled-unsafe-direct",
        "--copies",
        "1000",
        "--seed",
        "1",
    ]);
    assert_ne!(other, out);
}

#[test]
fn paranoid_reports_in_the_allocation_after_the_first_collection() {
    // Like the oracle's PARANOID run (first LEAK in the first copy after the first GC):
    // here `System.gc()` after copy 1 collects copy 0, and copy 2's allocation reports.
    let (_, out, _) = run(&[
        "copy-loop",
        "--kind",
        "unpooled-unsafe-direct",
        "--leak-level",
        "paranoid",
        "--gc-every",
        "1",
        "--copies",
        "3",
    ]);
    let expected = "allocate - 0\nallocate - 1\n\
        LEAK: ByteBuf.release() was not called before it's garbage-collected. \
        See https://netty.io/wiki/reference-counted-objects.html for more information.\n\
        Recent access records: \nCreated at:\n";
    assert!(out.starts_with(expected), "{out}");
    assert!(out.ends_with("allocate - 2\nend\n"), "{out}");
    // Netty never wraps unpooled heap buffers, even at PARANOID (oracle surprise 7).
    let (_, heap, _) = run(&[
        "copy-loop",
        "--kind",
        "unpooled-heap",
        "--leak-level",
        "paranoid",
        "--copies",
        "300",
    ]);
    assert!(!heap.contains("LEAK"));
}

#[test]
fn zero_is_legal_where_netty_accepts_it() {
    assert_eq!(
        run(&[
            "copy-loop",
            "--kind",
            "pooled-unsafe-direct",
            "--copies",
            "0"
        ]),
        (Exit::Done, "end\n".to_string(), String::new())
    );
    let (exit, out, _) = run(&["copy-loop", "--kind", "pooled-heap", "--size", "0"]);
    assert_eq!(
        (exit, tail(&out)),
        (Exit::Done, (Some("allocate - 29"), "end"))
    );
    // 0 direct arenas: the unpooled no-Cleaner fallback.
    let (exit, out, _) = run(&[
        "copy-loop",
        "--kind",
        "pooled-unsafe-direct",
        "--direct-arenas",
        "0",
    ]);
    assert_eq!(exit, Exit::JavaDied);
    assert_eq!(
        tail(&out),
        (Some("allocate - 28"), odm(1 << 20, 31_457_280).as_str())
    );
}
