//! The model's pooled allocation beside a `Box<[u8]>` of the same size (docs/bench.md).
//!
//! Each group times one allocate+release+drop of a pooled direct buffer on an event-loop
//! thread and, in the same run, a zeroed `Box<[u8]>` alloc+drop of the same size. After
//! the groups the ratio pooled / Box is printed, from the median time per iteration of
//! each routine's timed calls in this run (never asserted: numbers depend on the
//! machine). Run with `cargo bench --bench alloc`.

mod support;

use criterion::{criterion_group, Criterion};
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::{setup, LOOP};

/// Per benchmark id (`group/function`): ns per iteration of every timed call (criterion's
/// warm-up calls and samples).
fn samples() -> &'static Mutex<BTreeMap<String, Vec<f64>>> {
    static SAMPLES: OnceLock<Mutex<BTreeMap<String, Vec<f64>>>> = OnceLock::new();
    SAMPLES.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Times `iters` runs of `op`, records ns per iteration under `id` and returns the time.
fn timed(id: &str, iters: u64, mut op: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    let elapsed = start.elapsed();
    let per_iter = elapsed.as_nanos() as f64 / iters.max(1) as f64;
    let mut samples = samples().lock().unwrap();
    samples.entry(id.to_string()).or_default().push(per_iter);
    elapsed
}

/// One pooled variant of a group.
struct Pooled {
    name: &'static str,
    mode: MemoryMode,
    level: LeakLevel,
}

/// Benchmarks `Box<[u8]>` of `size` bytes and each pooled variant in group `group`.
fn bench_size(c: &mut Criterion, group: &str, size: usize, variants: &[Pooled]) {
    let mut g = c.benchmark_group(group);
    let box_id = format!("{group}/box");
    g.bench_function("box", |b| {
        b.iter_custom(|iters| {
            timed(&box_id, iters, || {
                let boxed = vec![0u8; black_box(size)].into_boxed_slice();
                drop(black_box(boxed));
            })
        })
    });
    for variant in variants {
        let (_jvm, alloc) = setup(variant.mode, variant.level);
        let id = format!("{group}/{}", variant.name);
        let n = size as i64;
        g.bench_function(variant.name, |b| {
            b.iter_custom(|iters| {
                timed(&id, iters, || {
                    let buf = alloc.new_buffer(LOOP, true, black_box(n), n).unwrap();
                    black_box(buf.release().unwrap());
                    drop(black_box(buf));
                })
            })
        });
    }
    g.finish();
}

fn alloc_benches(c: &mut Criterion) {
    use LeakLevel::{Disabled, Simple};
    use MemoryMode::{Materialized, Virtual};
    let pooled = |name, mode, level| Pooled { name, mode, level };
    bench_size(
        c,
        "256B",
        256,
        &[
            pooled("pooled_virtual", Virtual, Disabled),
            pooled("pooled_materialized", Materialized, Disabled),
            pooled("pooled_virtual_leak_simple", Virtual, Simple),
        ],
    );
    bench_size(
        c,
        "32KiB",
        32 << 10,
        &[pooled("pooled_virtual", Virtual, Disabled)],
    );
    bench_size(
        c,
        "1MiB",
        1 << 20,
        &[pooled("pooled_virtual", Virtual, Disabled)],
    );
}

/// The median of `values` (which it sorts).
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Prints, for every pooled benchmark that ran, its median time per iteration over this
/// run's timed calls, its group's box median, and their ratio (the median shrugs off
/// calls that another process preempted).
fn print_ratios() {
    let mut samples = samples().lock().unwrap();
    let mut medians = BTreeMap::new();
    for (id, values) in samples.iter_mut() {
        if let Some(m) = median(values) {
            medians.insert(id.clone(), m);
        }
    }
    println!("\nratio pooled / Box<[u8]> of the same size (median ns per iteration, this run):");
    for (id, pooled) in medians.iter().filter(|(id, _)| !id.ends_with("/box")) {
        let group = id.split('/').next().unwrap_or_default();
        let Some(boxed) = medians.get(&format!("{group}/box")) else {
            continue;
        };
        println!(
            "  {id:<32} pooled {pooled:>9.1} ns  box {boxed:>9.1} ns  ratio {:>6.2}",
            pooled / boxed
        );
    }
}

criterion_group!(benches, alloc_benches);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_ratios();
}
