//! The model's pooled allocation beside a `Box<[u8]>` of the same size (docs/bench.md).
//!
//! Each group times one allocate+release+drop of a pooled direct buffer on an event-loop
//! thread and, in the same run, a zeroed `Box<[u8]>` alloc+drop of the same size. After
//! the groups the ratio pooled / Box is printed, computed from the time each routine
//! spent over all its iterations in this run (never asserted: numbers depend on the
//! machine). Run with `cargo bench --bench alloc`.

use criterion::{criterion_group, Criterion};
use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::leak::LeakLevel;
use leakproof_model::memory::MemoryMode;
use leakproof_model::{ThreadId, ThreadKind};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The event-loop thread every pooled benchmark allocates on.
const LOOP: ThreadId = ThreadId(1);

/// Total time and iterations per benchmark id (`group/function`), over all calls.
fn totals() -> &'static Mutex<BTreeMap<String, (Duration, u64)>> {
    static TOTALS: OnceLock<Mutex<BTreeMap<String, (Duration, u64)>>> = OnceLock::new();
    TOTALS.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Times `iters` runs of `op`, adds them to the totals of `id` and returns the time.
fn timed(id: &str, iters: u64, mut op: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    let elapsed = start.elapsed();
    let mut totals = totals().lock().unwrap();
    let entry = totals.entry(id.to_string()).or_default();
    entry.0 += elapsed;
    entry.1 += iters;
    elapsed
}

/// A JVM with a 1 GiB heap/direct budget, `mode` memory and leak `level`, its thread 1
/// an event loop, and Netty's default pooled allocator in it.
fn setup(mode: MemoryMode, level: LeakLevel) -> (Arc<Jvm>, Arc<PooledAllocator>) {
    let mut config = JvmConfig::default();
    config.runtime_max_memory = 1 << 30;
    config.memory_mode = mode;
    config.leak.level = level;
    let jvm = Jvm::new(config);
    jvm.start_thread(LOOP, ThreadKind::EventLoop).unwrap();
    let alloc = PooledAllocator::new(&jvm, PooledConfig::netty_default(jvm.config())).unwrap();
    (jvm, alloc)
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

/// Prints `pooled / box` for every pooled benchmark that ran beside its group's box.
fn print_ratios() {
    let totals = totals().lock().unwrap();
    let per_iter = |id: &str| {
        totals
            .get(id)
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| t.as_nanos() as f64 / *n as f64)
    };
    println!("\nratio pooled / Box<[u8]> (mean ns per iteration over this run):");
    for id in totals.keys().filter(|id| !id.ends_with("/box")) {
        let group = id.split('/').next().unwrap_or_default();
        let (Some(pooled), Some(boxed)) = (per_iter(id), per_iter(&format!("{group}/box"))) else {
            continue;
        };
        println!(
            "  {id:<32} {pooled:>10.1} ns  box {boxed:>8.1} ns  ratio {:>6.2}",
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
