#![cfg(not(any(feature = "loom", feature = "shuttle")))]
//! Golden tests of the CLI surface: `leakproof sizes` (JSON shape, row counts, text
//! table) and the bad-argument contract of every command (exit 2, one stderr line
//! naming the flag, Netty's own text where Netty rejects the value). Run in-process.

use leakproof_sim::cli::main_with_args;
use leakproof_sim::exit::Exit;
use serde_json::Value;

/// Runs `leakproof ARGS…` in-process: (exit, stdout, stderr).
fn run(args: &[&str]) -> (Exit, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("leakproof").chain(args.iter().copied());
    let exit = main_with_args(argv, &mut out, &mut err);
    let text = |b: Vec<u8>| String::from_utf8(b).expect("output is UTF-8");
    (exit, text(out), text(err))
}

#[test]
fn bad_arguments_exit_2_with_one_line_naming_the_flag() {
    let cases: [(&[&str], &str); 13] = [
        (&["copy-loop", "--kind", "pooled"], "'--kind <KIND>'"),
        (&["copy-loop"], "--kind"),
        (&["copy-loop", "--kind", "pooled-heap", "--size", "-1"],
         "error: invalid value for --size: java.lang.IllegalArgumentException: initialCapacity : -1 (expected: >= 0)"),
        (&["copy-loop", "--kind", "pooled-heap", "--size", "4294967296"],
         "error: invalid value for --size: 4294967296 does not fit a Java int"),
        (&["copy-loop", "--kind", "pooled-heap", "--copies", "-3"],
         "error: invalid value for --copies: -3 (expected: >= 0)"),
        (&["copy-loop", "--kind", "pooled-heap", "--page-size", "1000"],
         "error: invalid value for --page-size: java.lang.IllegalArgumentException: pageSize: 1000 (expected: 4096)"),
        (&["copy-loop", "--kind", "pooled-heap", "--max-order", "15"],
         "error: invalid value for --max-order: java.lang.IllegalArgumentException: maxOrder: 15 (expected: 0-14)"),
        (&["copy-loop", "--kind", "pooled-heap", "--direct-arenas", "-1"],
         "error: invalid value for --direct-arenas: java.lang.IllegalArgumentException: nDirectArena : -1 (expected: >= 0)"),
        (&["copy-loop", "--kind", "pooled-heap", "--profile", "netty-3"],
         "error: invalid value for --profile: unknown profile `netty-3`"),
        (&["copy-loop", "--kind", "pooled-heap", "--runtime-max-memory", "0"],
         "error: invalid value for --runtime-max-memory: 0 (expected: > 0)"),
        (&["sizes", "--max-order", "15"],
         "error: invalid value for --max-order: java.lang.IllegalArgumentException: maxOrder: 15 (expected: 0-14)"),
        (&["sizes", "--profile", "nope"], "error: invalid value for --profile: unknown profile `nope`"),
        (&["diff", "--random", "1", "--recycler", "--profile", "netty-4.1"],
         "error: invalid value for --recycler: the netty-4.1 profile's Recycler differs from the oracle's 4.1.48 one (recycler."),
    ];
    for (args, message) in cases {
        let (exit, out, err) = run(args);
        assert_eq!(exit, Exit::BadInput, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn sizes_json_has_the_documented_shape_and_row_counts() {
    for (flags, rows, last) in [
        (&[][..], 68, 4_194_304),
        (&["--max-order", "11"][..], 76, 16_777_216),
    ] {
        let mut args = vec!["sizes", "--json"];
        args.extend_from_slice(flags);
        let (exit, out, _) = run(&args);
        assert_eq!(exit, Exit::Done);
        let table: Value = serde_json::from_str(&out).unwrap();
        let table = table.as_array().unwrap();
        assert_eq!(table.len(), rows, "{flags:?}");
        for (i, row) in table.iter().enumerate() {
            let keys: Vec<&str> = row
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            // serde_json's `Value` sorts keys; the text keeps declaration order.
            assert_eq!(keys, ["elements", "index", "kind", "run_pages", "size"]);
            assert_eq!(row["index"], i);
            match row["kind"].as_str().unwrap() {
                "small" => assert!(row["elements"].as_u64().unwrap() >= 1),
                "normal" => assert!(row["elements"].is_null()),
                other => panic!("kind {other}"),
            }
        }
        assert_eq!(
            table[0],
            serde_json::json!({"index": 0, "size": 16, "kind": "small", "run_pages": 1, "elements": 512})
        );
        assert_eq!(table[rows - 1]["size"], last);
        let first_row = out.split('}').next().unwrap();
        let order: Vec<usize> = [
            "\"index\"",
            "\"size\"",
            "\"kind\"",
            "\"run_pages\"",
            "\"elements\"",
        ]
        .iter()
        .map(|k| first_row.find(k).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{first_row}");
        let mut text_args = vec!["sizes"];
        text_args.extend_from_slice(flags);
        let (_, text, _) = run(&text_args);
        assert_eq!(text.lines().count(), rows + 1, "header + rows");
    }
}
