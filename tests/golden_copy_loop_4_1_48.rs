#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! Golden tests of `copy-loop --profile netty-4.1.48` against what the real Netty
//! 4.1.48 printed on JDK 17 (`oracle/facts/copy-loop.tsv`, `docs/oracle-4.1.48.md` §4):
//! every kind, with and without release, in the oracle's `incident` (2 arenas each,
//! 16 MiB chunks), `formula` (Netty's arena formula: 0 arenas at 16 MiB) and
//! `maxorder9` (2 arenas, 4 MiB chunks) variants. The expected values are read from the
//! facts file, not restated here.

use leakproof_sim::cli::main_with_args;
use leakproof_sim::exit::Exit;
use serde_json::Value;

const FACTS: &str = include_str!("../oracle/facts/copy-loop.tsv");

/// The oracle's two texts the model words differently, each with its reason
/// (`docs/oracle-4.1.48.md` surprises): Netty's platform probing reserves one JDK byte
/// before the loop, and Unsafe heap chunks are allocated by reflection on JDK 17,
/// wrapping the OOM. Returns the text the model prints instead.
fn model_wording(exception: &str) -> String {
    if exception.contains("java.lang.reflect.InvocationTargetException") {
        return "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space".into();
    }
    const ALLOCATED: &str = "(allocated: ";
    let Some(at) = exception.find(ALLOCATED) else {
        return exception.to_string();
    };
    let start = at + ALLOCATED.len();
    let end = start + exception[start..].find(',').expect("allocated: N,");
    let probed: u64 = exception[start..end].parse().expect("a byte count");
    format!("{}{}{}", &exception[..start], probed - 1, &exception[end..])
}

fn flags(variant: &str) -> Option<&'static [&'static str]> {
    match variant {
        "incident" => Some(&["--direct-arenas", "2", "--heap-arenas", "2"]),
        "formula" => Some(&[]),
        "maxorder9" => Some(&[
            "--max-order",
            "9",
            "--direct-arenas",
            "2",
            "--heap-arenas",
            "2",
        ]),
        _ => None,
    }
}

fn run(args: &[&str]) -> (Exit, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("leakproof").chain(args.iter().copied());
    let exit = main_with_args(argv, &mut out, &mut err);
    assert!(
        err.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&err)
    );
    (exit, String::from_utf8(out).expect("UTF-8"))
}

#[test]
fn every_oracle_row_of_the_three_variants_is_reproduced() {
    let mut lines = FACTS.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (variant, kind, release, exit) = (col("variant"), col("kind"), col("release"), col("exit"));
    let (last, exception, used) = (col("last"), col("exception"), col("usedDirectMemory"));
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let Some(extra) = flags(f[variant]) else {
            continue;
        };
        let mut args = vec![
            "copy-loop",
            "--profile",
            "netty-4.1.48",
            "--jdk",
            "17",
            "--json",
            "--kind",
            f[kind],
        ];
        args.extend_from_slice(extra);
        if f[release] == "true" {
            args.push("--release");
        }
        let (got_exit, out) = run(&args);
        let json: Value = serde_json::from_str(&out).expect("JSON report");
        let context = format!("{args:?}");
        let want_exit = if f[exit] == "0" {
            Exit::Done
        } else {
            Exit::JavaDied
        };
        assert_eq!(got_exit, want_exit, "{context}");
        assert_eq!(json["last_allocate_line"], f[last], "{context}");
        if !f[exception].is_empty() {
            assert_eq!(json["last_line"], model_wording(f[exception]), "{context}");
        }
        let used_fact: i64 = f[used].parse().expect("usedDirectMemory");
        assert_eq!(
            json["metrics"]["used_direct_memory"], used_fact,
            "{context}"
        );
        checked += 1;
    }
    assert_eq!(checked, 3 * 9 * 2);
}

#[test]
fn the_incident_row_prints_the_incidents_chunk_failure() {
    let (exit, out) = run(&[
        "copy-loop",
        "--profile",
        "netty-4.1.48",
        "--kind",
        "pooled-unsafe-direct",
        "--direct-arenas",
        "2",
    ]);
    assert_eq!(exit, Exit::JavaDied);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[lines.len() - 2], "allocate - 14");
    assert_eq!(
        lines[lines.len() - 1],
        "Exception in thread \"main\" io.netty.util.internal.OutOfDirectMemoryError: \
         failed to allocate 16777216 byte(s) of direct memory (used: 16777216, max: 32440320)"
    );
}
