//! The model's half of `oracle/bench.sh`: the same allocate+release loop as the Java
//! `oracle/bench/AllocBench.java`, on the model, with a `Box<[u8]>` loop of the same
//! size as the in-run baseline.
//!
//! `cargo bench --bench alloc_loop -- [WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...]`
//! (default `10 15 1000000 256 32768`). On the event-loop thread of a JVM with leak
//! detection disabled and virtual memory, for each size: WARMUP_ROUNDS untimed rounds,
//! then ROUNDS timed rounds of ITERATIONS times `new_buffer(size, size)`, `release()`
//! and drop on Netty's default pooled allocator (every allocation after the first is a
//! thread-cache hit); then the same rounds of a zeroed `Box<[u8]>` of `size`. Prints
//! `model.SIZE.ns_per_op` and `box.SIZE.ns_per_op` (medians over the timed rounds) as
//! key TAB value lines. Numbers are reported, never asserted. `--only=model` or
//! `--only=box` runs one side (for profilers: `perf stat -e task-clock`, callgrind).

mod support;

use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use std::hint::black_box;
use std::time::Instant;
use support::{setup, LOOP};

/// Loop shape: warm-up rounds, timed rounds, iterations per round, sizes.
struct Shape {
    only: Option<String>,
    warmup: usize,
    rounds: usize,
    iterations: usize,
    sizes: Vec<usize>,
}

/// Parses the positional arguments (cargo bench adds `--bench`, which is skipped).
fn shape() -> Result<Shape, String> {
    let only = std::env::args().find_map(|a| a.strip_prefix("--only=").map(str::to_string));
    if only.as_deref().is_some_and(|o| o != "model" && o != "box") {
        return Err("--only takes model or box".into());
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.is_empty() {
        return Ok(Shape {
            only,
            warmup: 10,
            rounds: 15,
            iterations: 1_000_000,
            sizes: vec![256, 32 << 10],
        });
    }
    let num = |s: &String| {
        s.parse::<usize>()
            .map_err(|_| format!("not a non-negative integer: {s}"))
    };
    if args.len() < 4 {
        return Err("usage: alloc_loop WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...".into());
    }
    let shape = Shape {
        only,
        warmup: num(&args[0])?,
        rounds: num(&args[1])?,
        iterations: num(&args[2])?,
        sizes: args[3..].iter().map(num).collect::<Result<_, _>>()?,
    };
    if shape.rounds == 0 || shape.iterations == 0 {
        return Err("ROUNDS and ITERATIONS must be at least 1".into());
    }
    Ok(shape)
}

/// Runs `round` warm-up then timed rounds; the median ns per iteration.
fn median_ns(shape: &Shape, mut round: impl FnMut(usize)) -> f64 {
    for _ in 0..shape.warmup {
        round(shape.iterations);
    }
    let mut ns: Vec<f64> = (0..shape.rounds)
        .map(|_| {
            let start = Instant::now();
            round(shape.iterations);
            start.elapsed().as_nanos() as f64 / shape.iterations as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    ns[ns.len() / 2]
}

fn main() {
    let shape = match shape() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let (_jvm, alloc) = setup(MemoryMode::Virtual, LeakLevel::Disabled);
    let runs = |side: &str| shape.only.as_deref().is_none_or(|o| o == side);
    for &size in &shape.sizes {
        let n = size as i64;
        if runs("model") {
            let model = median_ns(&shape, |iterations| {
                for _ in 0..iterations {
                    let buf = alloc.new_buffer(LOOP, true, black_box(n), n).unwrap();
                    black_box(buf.release().unwrap());
                    drop(black_box(buf));
                }
            });
            println!("model.{size}.ns_per_op\t{model:.1}");
        }
        if runs("box") {
            let boxed = median_ns(&shape, |iterations| {
                for _ in 0..iterations {
                    let b = vec![0u8; black_box(size)].into_boxed_slice();
                    drop(black_box(b));
                }
            });
            println!("box.{size}.ns_per_op\t{boxed:.1}");
        }
    }
}
