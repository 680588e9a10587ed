//! Helpers shared by the loom suites (`tests/loom_*.rs`): explicit builders, a runner
//! that reports iterations and time, and the tiny JVM/allocator every allocator model
//! sets up inside its closure (loom primitives must be created inside `loom::model`).
//!
//! Each suite includes this with `mod loom_support;`; not every suite uses every helper.
#![allow(dead_code)]

use leakproof_model::alloc::pooled::{PooledAllocator, PooledConfig};
use leakproof_model::coverage::{Coverage, Event};
use leakproof_model::jvm::{Jvm, JvmConfig};
use leakproof_model::leak::LeakLevel;
pub use leakproof_model::loom::model::Builder;
use leakproof_model::memory::MemoryMode;
use leakproof_model::profile::Profile;
use leakproof_model::sync::Arc;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};
use std::time::Instant;

/// A builder with every bound set explicitly (no `LOOM_*` variable changes what a CI
/// run explores, except the reproduction knobs of [`with_repro_env`]).
pub fn builder(preemption_bound: Option<usize>, max_branches: usize) -> Builder {
    let mut builder = Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.max_branches = max_branches;
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    builder.expect_explicit_explore = false;
    builder.log = false;
    builder.location = false;
    builder
}

/// Loom's reproduction knobs, read per model (bounds never come from the environment):
///
/// - `LOOM_CHECKPOINT_FILE=x.json` becomes `x.<model>.json`, so models in one process
///   do not overwrite each other's path (loom#271); it needs `--features
///   loom-checkpoint` (loom's own `checkpoint` feature).
/// - `LOOM_CHECKPOINT_INTERVAL`, `LOOM_LOG` and `LOOM_LOCATION` as in loom's
///   `Builder::new`; `LOOM_LOG`'s value is a tracing filter (`trace`), printed by
///   [`run_model`] through the test writer.
pub fn with_repro_env(mut builder: Builder, name: &str) -> Builder {
    if let Ok(file) = std::env::var("LOOM_CHECKPOINT_FILE") {
        if !cfg!(feature = "loom-checkpoint") {
            panic!(
                "LOOM_CHECKPOINT_FILE needs loom's checkpoint feature: \
                 cargo test --features loom-checkpoint --release --test <suite>"
            );
        }
        let slug: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = std::path::Path::new(&file);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("loom");
        let per_model = path.with_file_name(format!("{stem}.{slug}.json"));
        println!("loom model {name}: checkpoint file {}", per_model.display());
        builder.checkpoint_file(per_model.to_str().expect("utf-8 checkpoint path"));
    }
    if let Ok(interval) = std::env::var("LOOM_CHECKPOINT_INTERVAL") {
        builder.checkpoint_interval = interval.parse().expect("LOOM_CHECKPOINT_INTERVAL");
    }
    builder.log = std::env::var("LOOM_LOG").is_ok();
    builder.location = std::env::var("LOOM_LOCATION").is_ok();
    builder
}

/// Runs `model` under `builder` (plus [`with_repro_env`]), printing its iteration
/// count and wall time; returns the iteration count (or the panic payload of a failing
/// model). Iterations are counted with a std atomic outside the model.
pub fn run_model<F>(name: &str, builder: Builder, model: F) -> Result<usize, String>
where
    F: Fn() + Send + Sync + 'static,
{
    let builder = with_repro_env(builder, name);
    let _log = builder.log.then(|| {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("LOOM_LOG"))
            .with_test_writer()
            .without_time()
            .finish()
            .set_default()
    });
    let iterations = std::sync::Arc::new(StdAtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&iterations);
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            counter.fetch_add(1, StdOrdering::Relaxed);
            model();
        })
    }));
    let n = iterations.load(StdOrdering::Relaxed);
    let verdict = if outcome.is_ok() { "passed" } else { "FAILED" };
    println!(
        "loom model {name}: {verdict} after {n} iterations in {:.2?}",
        start.elapsed()
    );
    outcome.map(|()| n).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic>".into())
    })
}

/// The model's event counts merged over a loom model's executions (a std lock outside
/// the model: merging is no scheduling point), to assert what the model reaches
/// (`docs/coverage.md`).
#[derive(Clone, Debug, Default)]
pub struct Reached(std::sync::Arc<std::sync::Mutex<Coverage>>);

impl Reached {
    /// Adds what `jvm` counted (call at the end of an execution).
    pub fn add(&self, jvm: &Jvm) {
        let counted = jvm.coverage();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .merge(&counted);
    }

    /// Prints the events reached under `name` and panics naming any of `events` that
    /// no execution reached.
    pub fn assert_reaches(&self, name: &str, events: &[Event]) {
        let coverage = *self.0.lock().unwrap_or_else(|p| p.into_inner());
        let reached: Vec<String> = coverage
            .iter()
            .filter(|&(_, n)| n > 0)
            .map(|(e, n)| format!("{e}={n}"))
            .collect();
        println!("loom model {name}: events {}", reached.join(" "));
        let missing = coverage.missing(events);
        assert!(
            missing.is_empty(),
            "loom model {name} reached none of {missing:?} (docs/coverage.md claims them)"
        );
    }
}

/// The smallest pool with normal sizes: page 4096, max order 2 (a 16 KiB chunk).
pub const PAGE_SIZE: i32 = 4096;
/// See [`PAGE_SIZE`].
pub const MAX_ORDER: i32 = 2;
/// `pageSize << maxOrder`.
pub const CHUNK_SIZE: usize = (PAGE_SIZE as usize) << MAX_ORDER;

/// A JVM for loom models: the default (4.1.128) profile, `memory` for buffer bytes
/// and the leak detector off (its sampling RNG and registry would only add scheduling
/// points unrelated to what the models check), then `tweak` (profile fields, mutant).
pub fn tiny_jvm(memory: MemoryMode, tweak: impl FnOnce(&mut JvmConfig)) -> Arc<Jvm> {
    let mut config = JvmConfig::for_profile(Profile::default());
    config.memory_mode = memory;
    config.leak = config.leak.with_level(LeakLevel::Disabled);
    tweak(&mut config);
    Jvm::new(config)
}

/// A pooled allocator in `jvm` with one direct arena, no heap arena, page 4096, max
/// order 2 and queues of two entries per size class.
pub fn tiny_pooled(jvm: &Arc<Jvm>) -> Arc<PooledAllocator> {
    let mut config = PooledConfig::with_geometry(jvm.config(), PAGE_SIZE, MAX_ORDER);
    config.direct_arenas = 1;
    config.heap_arenas = 0;
    config.small_cache_size = 2;
    config.normal_cache_size = 2;
    config.max_cached_buffer_capacity = CHUNK_SIZE as i32;
    PooledAllocator::new(jvm, config).expect("tiny pooled allocator")
}
