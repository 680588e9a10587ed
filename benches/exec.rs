//! The executor on fuzz-sized generated programs (docs/bench.md).
//!
//! Programs are made exactly as the `alloc_sequence` fuzz target makes them: random
//! byte strings of 4–512 bytes (`-max_len=512`) decoded by `fuzz_input::decode` into a
//! configuration and a program, from a fixed seed, so every run times the same
//! programs. Each timed call runs one program through `exec::run_with_tables` (one
//! size-table cache for the whole set, as the fuzz target keeps one) with every check on,
//! cycling through the set. After criterion's report the bench prints
//!
//!     checked ops/s: N
//!     programs/s: N
//!
//! over every timed call of this run (criterion's warm-up included): steps the executor
//! ran and checked, and programs, per second. Never asserted. Run with
//! `cargo bench --bench exec`. `--each` skips criterion and runs every program of the
//! set once, for profilers (`valgrind --tool=callgrind <bench binary> --each`): the same
//! work each time, whatever the machine's load. `--corpus DIR` does the same for every
//! file of a libFuzzer corpus directory (e.g. one a seed-corpus campaign grew), decoded
//! as the fuzz target decodes it, in file-name order. `--digest` (with `--each` or
//! `--corpus DIR`) also prints one hash of every run's report as JSON: two builds that
//! print the same digest gave every program the same verdict, misuse, leaks and texts.

use criterion::{criterion_group, Criterion};
use leakproof_model::op::Program;
use leakproof_model::pool::SizeTables;
use leakproof_model::Mutant;
use leakproof_sim::exec::{run_with_tables, ExecConfig, Observer, Quiet, WithMetrics};
use leakproof_sim::fuzz_input;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many distinct programs the bench cycles through.
const PROGRAMS: usize = 2_000;
/// libFuzzer's `-max_len` in the README's fuzz command.
const MAX_LEN: usize = 512;

/// Totals over every timed call: programs run, steps run, nanoseconds.
static TOTALS: Mutex<(u64, u64, u128)> = Mutex::new((0, 0, 0));

/// The fixed set of fuzz-sized inputs, decoded (inputs too short to decode are skipped,
/// as the fuzz target skips them).
fn programs() -> Vec<(ExecConfig, Program)> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1ea4);
    let mut out = Vec::with_capacity(PROGRAMS);
    while out.len() < PROGRAMS {
        let len = rng.random_range(4..=MAX_LEN);
        let mut bytes = vec![0u8; len];
        rng.fill(&mut bytes[..]);
        if let Some(decoded) = fuzz_input::decode(&bytes, Mutant::None) {
            out.push(decoded);
        }
    }
    out
}

fn exec_benches(c: &mut Criterion) {
    let set = programs();
    let tables = SizeTables::new();
    let mut next = 0usize;
    c.bench_function("exec/fuzz_sized_program", |b| {
        b.iter_custom(|iters| {
            let mut steps = 0u64;
            let start = Instant::now();
            for _ in 0..iters {
                let (config, program) = &set[next % set.len()];
                next += 1;
                let report = run_with_tables(black_box(program), config, &mut Quiet, &tables);
                steps += report.steps_run as u64;
                black_box(report);
            }
            let elapsed = start.elapsed();
            let mut totals = TOTALS.lock().unwrap();
            totals.0 += iters;
            totals.1 += steps;
            totals.2 += elapsed.as_nanos();
            elapsed
        })
    });
}

/// Prints the throughput of this run's timed calls.
fn print_throughput() {
    let (programs, steps, nanos) = *TOTALS.lock().unwrap();
    let secs = Duration::from_nanos(nanos.min(u64::MAX as u128) as u64).as_secs_f64();
    if programs == 0 || secs == 0.0 {
        println!("no program ran (filtered out?)");
        return;
    }
    println!("\nexecutor on fuzz-sized programs ({programs} runs, {steps} steps, {secs:.2} s):");
    println!("checked ops/s: {:.0}", steps as f64 / secs);
    println!("programs/s: {:.0}", programs as f64 / secs);
}

criterion_group!(benches, exec_benches);

/// The inputs of a corpus directory, decoded, in file-name order.
fn corpus(dir: &str) -> Vec<(ExecConfig, Program)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("--corpus {dir}: {e}"))
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| fuzz_input::decode(&std::fs::read(p).expect("corpus file"), Mutant::None))
        .collect()
}

/// `--each` / `--corpus DIR`: every program once, outside criterion; with `digest`, a
/// hash of every report's JSON (then the time includes the hashing: not for timing).
fn run_each(set: Vec<(ExecConfig, Program)>, digest: bool) {
    let tables = SizeTables::new();
    let mut steps = 0u64;
    let mut hash = std::hash::DefaultHasher::new();
    let start = Instant::now();
    for (config, program) in &set {
        // The digest covers the final metrics too; timing runs as the fuzz target does.
        let observer: &mut dyn Observer = if digest { &mut WithMetrics } else { &mut Quiet };
        let report = run_with_tables(black_box(program), config, observer, &tables);
        steps += report.steps_run as u64;
        if digest {
            std::hash::Hash::hash(&serde_json::to_string(&report).expect("json"), &mut hash);
        }
    }
    *TOTALS.lock().unwrap() = (set.len() as u64, steps, start.elapsed().as_nanos());
    if digest {
        println!("report digest: {:016x}", std::hash::Hasher::finish(&hash));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let digest = args.iter().any(|a| a == "--digest");
    if let Some(i) = args.iter().position(|a| a == "--corpus") {
        let dir = args.get(i + 1).expect("--corpus needs a directory");
        run_each(corpus(dir), digest);
        print_throughput();
        return;
    }
    if args.iter().any(|a| a == "--each") {
        run_each(programs(), digest);
        print_throughput();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_throughput();
}
