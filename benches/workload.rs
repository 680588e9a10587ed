//! The workload simulation's speed (docs/forecast.md): a tenth of a day of the JT809
//! incident (280,000 messages, about 574,000 allocations, leak sampling, GCs, hourly
//! samples, one structural check), beside the same number of bare `allocate_raw`
//! calls of 200 bytes on the same allocator settings, measured in the same run, so
//! the ratio shows what the simulation adds to the model's allocation path.
//!
//! `cargo bench --bench workload`; the full 7-day figures (wall time, ops/s, peak RSS)
//! come from `/usr/bin/time -v target/release/leakproof run`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::jvm::Jvm;
use leakproof_model::{ThreadId, ThreadKind};
use leakproof_sim::workload::{self, Hooks, RunSpec};
use std::hint::black_box;

fn plan() -> workload::Plan {
    workload::plan(&RunSpec {
        scenario: "jt809".into(),
        sets: vec!["duration_days=0.1".into()],
        ..RunSpec::default()
    })
    .expect("jt809 resolves")
}

fn bench(c: &mut Criterion) {
    let plan = plan();
    let probe = workload::simulate(&plan, Hooks::default()).expect("runs");
    let allocations = probe.allocations;
    let mut group = c.benchmark_group("jt809-0.1-day");
    group.sample_size(10);
    group.throughput(Throughput::Elements(allocations));
    group.bench_function("workload", |b| {
        b.iter(|| black_box(workload::simulate(&plan, Hooks::default()).expect("runs")))
    });
    group.bench_function("bare-allocate-raw", |b| {
        b.iter_batched(
            || {
                let jvm = Jvm::new(plan.jvm.clone());
                let allocator = PooledAllocator::new(&jvm, plan.pooled.clone()).expect("valid");
                let _ = jvm.start_thread(ThreadId(1), ThreadKind::EventLoop);
                (jvm, allocator)
            },
            |(jvm, allocator)| {
                let t = allocator.raw_thread(ThreadId(1)).expect("running");
                for _ in 0..allocations {
                    black_box(allocator.allocate_raw(&t, true, 200).expect("fits"));
                }
                drop(allocator);
                jvm.dispose();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
