//! A workload scenario as written in TOML (`sim/scenarios/*.toml`): serde types only.
//!
//! Every table denies unknown keys; required keys have no default, so a missing one is
//! an error naming it. Numbers are read as TOML integers (`i64`) or floats and checked
//! by [`super::resolve`], which names the key of every impossible value.

use serde::{Deserialize, Serialize};

/// One scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (`jt809`).
    pub name: String,
    /// One paragraph: what the scenario is and what it asks.
    pub description: String,
    /// Seed of the run (leak sampling, sizes, stage draws); `--seed` overrides it.
    pub seed: u64,
    /// How long to simulate if the service does not die first, in days.
    pub duration_days: f64,
    /// Event-loop threads serving the connections (default: 2 × `jvm.cores`, as
    /// `NioEventLoopGroup` sizes itself).
    #[serde(default)]
    pub event_loops: Option<i64>,
    /// The messages arriving.
    pub traffic: Traffic,
    /// Netty's own read buffer per message, released by Netty (optional).
    #[serde(default)]
    pub inbound: Option<Inbound>,
    /// The pipeline stages each message passes, in order.
    pub stages: Vec<Stage>,
    /// The `PooledByteBufAllocator` and its profile.
    pub allocator: AllocatorSettings,
    /// The JVM's memory limits, cores and GC cadence.
    pub jvm: JvmSettings,
    /// The leak detector.
    pub leak: LeakSettings,
    /// How often the simulation checks itself and samples memory.
    #[serde(default)]
    pub simulation: SimulationSettings,
}

/// Message arrivals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Messages per day.
    pub messages_per_day: i64,
    /// The message (frame) length distribution, in bytes.
    pub size: SizeDistribution,
    /// Optional relative weights of the 24 hours of a day (hour 0 first); without it
    /// messages arrive evenly.
    #[serde(default)]
    pub daily_shape: Option<Vec<f64>>,
}

/// Message lengths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum SizeDistribution {
    /// Every message has `bytes` bytes.
    Fixed {
        /// The length.
        bytes: i64,
    },
    /// Uniform over `min..=max`.
    Uniform {
        /// Smallest length.
        min: i64,
        /// Largest length.
        max: i64,
    },
    /// Normal, rounded to whole bytes and clamped to `min..=max`.
    Normal {
        /// Mean length.
        mean: f64,
        /// Standard deviation.
        stddev: f64,
        /// Smallest length.
        min: i64,
        /// Largest length.
        max: i64,
    },
    /// `sizes[i]` with relative weight `weights[i]`.
    Weighted {
        /// The lengths.
        sizes: Vec<i64>,
        /// Their relative weights.
        weights: Vec<f64>,
    },
}

/// Netty's read buffer: allocated from the event loop's cache before the pipeline
/// runs, released by Netty after it (the parent of `retained_slice` stages).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// Its capacity (the receive-buffer allocator's guess).
    pub buffer_size: i64,
}

/// How a stage makes its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Creation {
    /// `buf.copy()` of the message: a new pooled buffer of the message's length.
    Copy,
    /// `buf.retainedSlice()` of the inbound buffer: no new memory, one more reference
    /// that keeps the inbound buffer alive until released.
    RetainedSlice,
    /// `alloc.directBuffer(size)` (or `heapBuffer`): a new pooled buffer.
    Allocate,
}

/// Whether a stage releases its buffer: `"always"`, `"never"` or a probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Release {
    /// `"always"` or `"never"`.
    Word(String),
    /// Released with this probability.
    Probability(f64),
}

/// One pipeline stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Its name (the call site its leak records name).
    pub name: String,
    /// How it makes its buffer.
    pub creates: Creation,
    /// The share of messages for which it does.
    pub probability: f64,
    /// Whether the buffer is released when the message is done.
    pub release: Release,
    /// `allocate` only: a fixed capacity instead of the message's length.
    #[serde(default)]
    pub size: Option<i64>,
    /// `copy`/`allocate`: a direct buffer (default) or a heap buffer.
    #[serde(default)]
    pub direct: Option<bool>,
}

/// `PooledByteBufAllocator` settings; absent ones take the profile's (Netty's) default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocatorSettings {
    /// The pinned Netty release (`netty-4.1`, …).
    pub profile: String,
    /// `io.netty.allocator.pageSize`.
    #[serde(default)]
    pub page_size: Option<i64>,
    /// `io.netty.allocator.maxOrder`.
    #[serde(default)]
    pub max_order: Option<i64>,
    /// `io.netty.allocator.numDirectArenas` (default: Netty's formula).
    #[serde(default)]
    pub direct_arenas: Option<i64>,
    /// `io.netty.allocator.numHeapArenas` (default: Netty's formula).
    #[serde(default)]
    pub heap_arenas: Option<i64>,
    /// `io.netty.allocator.tinyCacheSize` (4.1.48's tiny classes).
    #[serde(default)]
    pub tiny_cache_size: Option<i64>,
    /// `io.netty.allocator.smallCacheSize`.
    #[serde(default)]
    pub small_cache_size: Option<i64>,
    /// `io.netty.allocator.normalCacheSize`.
    #[serde(default)]
    pub normal_cache_size: Option<i64>,
    /// `io.netty.allocator.maxCachedBufferCapacity`.
    #[serde(default)]
    pub max_cached_buffer_capacity: Option<i64>,
    /// `io.netty.allocator.cacheTrimInterval`.
    #[serde(default)]
    pub cache_trim_interval: Option<i64>,
    /// `io.netty.allocator.useCacheForAllThreads`.
    #[serde(default)]
    pub use_cache_for_all_threads: Option<bool>,
}

/// The JVM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JvmSettings {
    /// `Runtime.maxMemory()` in bytes (`-Xmx`).
    pub max_heap: i64,
    /// `-XX:MaxDirectMemorySize` in bytes (default: `max_heap`, as the JDK does).
    #[serde(default)]
    pub max_direct_memory: Option<i64>,
    /// `io.netty.maxDirectMemory` (default −1: Netty's counter with the JDK's limit).
    #[serde(default)]
    pub netty_max_direct_memory: Option<i64>,
    /// Whether Netty finds `sun.misc.Unsafe` (default true).
    #[serde(default)]
    pub has_unsafe: Option<bool>,
    /// The JDK (8 or 17): the wording of its direct-memory error.
    pub jdk: i64,
    /// `Runtime.availableProcessors()`.
    pub cores: i64,
    /// Seconds between garbage collections that collect unreachable buffer objects
    /// (absent: none ever runs, so no leak is ever reported).
    #[serde(default)]
    pub gc_interval_seconds: Option<f64>,
}

/// The leak detector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeakSettings {
    /// `io.netty.leakDetection.level`: `DISABLED`, `SIMPLE`, `ADVANCED` or `PARANOID`.
    pub level: String,
    /// `io.netty.leakDetection.samplingInterval` (default: the profile's, 128).
    #[serde(default)]
    pub sampling_interval: Option<i64>,
    /// `io.netty.leakDetection.targetRecords` (default: the profile's, 4).
    #[serde(default)]
    pub target_records: Option<i64>,
}

/// Self-checks and sampling of the simulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSettings {
    /// Run the structural invariants every this many buffer operations (and at the
    /// end); default 4,000,000.
    #[serde(default)]
    pub check_every_ops: Option<i64>,
    /// Record one memory sample (CSV row, plot point) every this many simulated
    /// seconds; default 3600.
    #[serde(default)]
    pub sample_every_seconds: Option<i64>,
}
