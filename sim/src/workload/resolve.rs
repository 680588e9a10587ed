//! From a loaded scenario to a [`Plan`]: every value checked (the key named when it is
//! impossible), Netty's defaults filled in, the JVM and allocator configured.

use super::error::ScenarioError;
use super::scenario::{Creation, Release, Scenario, SimulationSettings};
use super::sizes::SizeSampler;
use super::source::LoadedScenario;
use super::timeline::Timeline;
use crate::scenarios::copy_loop_config::pooled_geometry;
use crate::shadow::refused_threshold;
use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::error::Argument;
use leakproof_model::jvm::{JdkVersion, JvmConfig};
use leakproof_model::leak::{LeakConfig, LeakLevel};
use leakproof_model::memory::MemoryMode;
use leakproof_model::Profile;

/// Microseconds per second.
pub const US_PER_S: u64 = 1_000_000;
/// Microseconds per day.
pub const US_PER_DAY: u64 = 86_400 * US_PER_S;

/// One stage, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct StagePlan {
    /// Its name (the site of its leak records).
    pub name: String,
    /// How it makes its buffer.
    pub creates: Creation,
    /// Share of messages for which it does.
    pub probability: f64,
    /// Probability that its buffer is released (0 never, 1 always).
    pub release: f64,
    /// `allocate` with a fixed capacity.
    pub size: Option<usize>,
    /// Direct (else heap).
    pub direct: bool,
}

/// A validated scenario: everything the simulation needs.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario as loaded (name, canonical text, content hash).
    pub loaded: LoadedScenario,
    /// The seed of this run.
    pub seed: u64,
    /// The JVM (profile, limits, leak detector, seed, virtual memory).
    pub jvm: JvmConfig,
    /// The `PooledByteBufAllocator`.
    pub pooled: PooledConfig,
    /// `pageSize << maxOrder`.
    pub chunk_size: usize,
    /// Event-loop threads.
    pub event_loops: u32,
    /// When messages arrive.
    pub timeline: Timeline,
    /// Message lengths.
    pub sizes: SizeSampler,
    /// Netty's read buffer per message, if modelled.
    pub inbound: Option<usize>,
    /// The stages in order.
    pub stages: Vec<StagePlan>,
    /// Microseconds between garbage collections (`None`: never).
    pub gc_interval_us: Option<u64>,
    /// Structural checks every this many buffer operations.
    pub check_every_ops: u64,
    /// One memory sample every this many microseconds.
    pub sample_every_us: u64,
}

impl Plan {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.loaded.scenario.name
    }
}

fn java_int(value: i64, key: &str) -> Result<i32, ScenarioError> {
    i32::try_from(value)
        .map_err(|_| ScenarioError::invalid(key, format!("{value} does not fit a Java int")))
}

fn non_negative_int(value: i64, key: &str) -> Result<usize, ScenarioError> {
    let v = java_int(value, key)?;
    usize::try_from(v).map_err(|_| ScenarioError::invalid(key, format!("{v} (expected: >= 0)")))
}

fn probability(value: f64, key: &str) -> Result<f64, ScenarioError> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(ScenarioError::invalid(
            key,
            format!("{value} is not a probability in [0, 1]"),
        ))
    }
}

/// Validates `loaded` for a run with `seed`.
pub fn resolve(loaded: LoadedScenario, seed: u64) -> Result<Plan, ScenarioError> {
    let s = &loaded.scenario;
    if s.name.trim().is_empty() {
        return Err(ScenarioError::invalid("name", "must not be empty"));
    }
    if !(s.duration_days.is_finite() && s.duration_days > 0.0 && s.duration_days <= 36_500.0) {
        return Err(ScenarioError::invalid(
            "duration_days",
            format!("{} (expected: 0 < days <= 36500)", s.duration_days),
        ));
    }
    let duration_us = (s.duration_days * US_PER_DAY as f64).round() as u64;
    let jvm = jvm_config(s, seed)?;
    let (pooled, chunk_size) = pooled_config(s, &jvm)?;
    let event_loops = match s.event_loops {
        None => 2 * jvm.cores,
        // MultithreadEventExecutorGroup: checkPositive(nThreads, "nThreads").
        Some(n) if (1..=65_536).contains(&n) => n as u32,
        Some(n) => {
            return Err(ScenarioError::invalid(
                "event_loops",
                format!("{n} (expected: 1..=65536)"),
            ))
        }
    };
    let timeline = Timeline::new(
        s.traffic.messages_per_day,
        s.traffic.daily_shape.as_deref(),
        duration_us,
    )?;
    let sizes = SizeSampler::new(&s.traffic.size)?;
    let inbound = match &s.inbound {
        None => None,
        Some(i) => Some(non_negative_int(i.buffer_size, "inbound.buffer_size")?),
    };
    let stages = stage_plans(s, inbound.is_some())?;
    let gc_interval_us = match s.jvm.gc_interval_seconds {
        None => None,
        Some(g) if g.is_finite() && g > 0.0 && g * US_PER_S as f64 >= 1.0 => {
            Some((g * US_PER_S as f64).round() as u64)
        }
        Some(g) => {
            return Err(ScenarioError::invalid(
                "jvm.gc_interval_seconds",
                format!("{g} (expected: a positive number of seconds)"),
            ))
        }
    };
    let (check_every_ops, sample_every_us) = simulation(&s.simulation)?;
    Ok(Plan {
        seed,
        jvm,
        pooled,
        chunk_size,
        event_loops,
        timeline,
        sizes,
        inbound,
        stages,
        gc_interval_us,
        check_every_ops,
        sample_every_us,
        loaded,
    })
}

fn simulation(sim: &SimulationSettings) -> Result<(u64, u64), ScenarioError> {
    let check = match sim.check_every_ops {
        None => 4_000_000,
        Some(n) if n >= 1 => n as u64,
        Some(n) => {
            return Err(ScenarioError::invalid(
                "simulation.check_every_ops",
                format!("{n} (expected: >= 1)"),
            ))
        }
    };
    let sample = match sim.sample_every_seconds {
        None => 3600,
        Some(n) if n >= 1 => n as u64,
        Some(n) => {
            return Err(ScenarioError::invalid(
                "simulation.sample_every_seconds",
                format!("{n} (expected: >= 1)"),
            ))
        }
    };
    Ok((check, sample * US_PER_S))
}

fn jvm_config(s: &Scenario, seed: u64) -> Result<JvmConfig, ScenarioError> {
    let profile = Profile::by_name(&s.allocator.profile)
        .map_err(|e| ScenarioError::invalid("allocator.profile", e.to_string()))?;
    let j = &s.jvm;
    let mut jvm = JvmConfig::for_profile(profile.clone());
    if j.max_heap <= 0 {
        return Err(ScenarioError::invalid(
            "jvm.max_heap",
            format!("{} (expected: > 0 bytes)", j.max_heap),
        ));
    }
    jvm.runtime_max_memory = j.max_heap as u64;
    jvm.max_direct_memory_size = match j.max_direct_memory {
        None => None,
        Some(m) if m >= 0 => Some(m as u64),
        Some(m) => {
            return Err(ScenarioError::invalid(
                "jvm.max_direct_memory",
                format!("{m} (expected: >= 0 bytes)"),
            ))
        }
    };
    jvm.netty_max_direct_memory = j.netty_max_direct_memory.unwrap_or(-1);
    jvm.has_unsafe = j.has_unsafe.unwrap_or(true);
    jvm.jdk = match j.jdk {
        8 => JdkVersion::Jdk8,
        17 => JdkVersion::Jdk17,
        n => {
            return Err(ScenarioError::invalid(
                "jvm.jdk",
                format!("{n} (expected: 8 or 17)"),
            ))
        }
    };
    let cores = java_int(j.cores, "jvm.cores")?;
    if cores <= 0 {
        // NettyRuntime.setAvailableProcessors: checkPositive.
        let e = profile.non_positive_amount("availableProcessors", cores);
        return Err(ScenarioError::invalid("jvm.cores", e.to_string()));
    }
    jvm.cores = cores as u32;
    jvm.seed = seed;
    jvm.memory_mode = MemoryMode::Virtual;
    jvm.leak = leak_config(s, &profile)?;
    Ok(jvm)
}

fn leak_config(s: &Scenario, profile: &Profile) -> Result<LeakConfig, ScenarioError> {
    let level = s.leak.level.trim();
    let known = [
        LeakLevel::Disabled,
        LeakLevel::Simple,
        LeakLevel::Advanced,
        LeakLevel::Paranoid,
    ];
    let Some(level) = known
        .into_iter()
        .find(|l| l.name().eq_ignore_ascii_case(level))
    else {
        return Err(ScenarioError::invalid(
            "leak.level",
            format!(
                "`{}` (expected: DISABLED, SIMPLE, ADVANCED or PARANOID; Netty itself would \
                 fall back to SIMPLE)",
                s.leak.level
            ),
        ));
    };
    let mut leak = LeakConfig::from_profile(&profile.leak).with_level(level);
    if let Some(n) = s.leak.sampling_interval {
        let n = java_int(n, "leak.sampling_interval")?;
        if n <= 0 && matches!(level, LeakLevel::Simple | LeakLevel::Advanced) {
            return Err(ScenarioError::invalid(
                "leak.sampling_interval",
                format!(
                    "{n}: every sampled allocation would throw \
                     java.lang.IllegalArgumentException: bound must be positive"
                ),
            ));
        }
        leak.sampling_interval = n;
    }
    if let Some(n) = s.leak.target_records {
        leak.target_records = java_int(n, "leak.target_records")?;
    }
    Ok(leak)
}

fn pooled_config(s: &Scenario, jvm: &JvmConfig) -> Result<(PooledConfig, usize), ScenarioError> {
    let a = &s.allocator;
    let defaults = &jvm.profile.allocator;
    let page = match a.page_size {
        Some(p) => java_int(p, "allocator.page_size")?,
        None => defaults.default_page_size as i32,
    };
    let order = match a.max_order {
        Some(o) => java_int(o, "allocator.max_order")?,
        None => defaults.default_max_order as i32,
    };
    let mut pooled = PooledConfig::with_geometry(jvm, page, order);
    let ints: [(&Option<i64>, &str, &mut i32); 7] = [
        (
            &a.direct_arenas,
            "allocator.direct_arenas",
            &mut pooled.direct_arenas,
        ),
        (
            &a.heap_arenas,
            "allocator.heap_arenas",
            &mut pooled.heap_arenas,
        ),
        (
            &a.tiny_cache_size,
            "allocator.tiny_cache_size",
            &mut pooled.tiny_cache_size,
        ),
        (
            &a.small_cache_size,
            "allocator.small_cache_size",
            &mut pooled.small_cache_size,
        ),
        (
            &a.normal_cache_size,
            "allocator.normal_cache_size",
            &mut pooled.normal_cache_size,
        ),
        (
            &a.max_cached_buffer_capacity,
            "allocator.max_cached_buffer_capacity",
            &mut pooled.max_cached_buffer_capacity,
        ),
        (
            &a.cache_trim_interval,
            "allocator.cache_trim_interval",
            &mut pooled.cache_trim_interval,
        ),
    ];
    for (value, key, field) in ints {
        if let Some(v) = value {
            *field = java_int(*v, key)?;
        }
    }
    if pooled.max_cached_buffer_capacity < 0 {
        // PoolThreadCache: checkPositiveOrZero(maxCachedBufferCapacity).
        return Err(ScenarioError::invalid(
            "allocator.max_cached_buffer_capacity",
            format!("{} (expected: >= 0)", pooled.max_cached_buffer_capacity),
        ));
    }
    if let Some(b) = a.use_cache_for_all_threads {
        pooled.use_cache_for_all_threads = b;
    }
    if let Some(n) = refused_threshold(jvm.profile.allocator.size_classes, &pooled) {
        // The event loops' PoolThreadCache constructor throws on every allocation.
        return Err(ScenarioError::invalid(
            "allocator.cache_trim_interval",
            format!("freeSweepAllocationThreshold: {n} (expected: > 0) while the thread caches have queues: Netty's PoolThreadCache throws it on every allocation of an event loop"),
        ));
    }
    let geometry = pooled_geometry(jvm, &pooled).map_err(|e| {
        let key = match e.argument() {
            Some(Argument::HeapArenas) => "allocator.heap_arenas",
            Some(Argument::DirectArenas) => "allocator.direct_arenas",
            Some(Argument::MaxOrder) => "allocator.max_order",
            Some(Argument::PageSizeAndMaxOrder) => "allocator.page_size/allocator.max_order",
            Some(Argument::PageSize | Argument::Alignment) | None => "allocator.page_size",
        };
        ScenarioError::invalid(key, e.to_string())
    })?;
    Ok((pooled, geometry.chunk_size))
}

fn stage_plans(s: &Scenario, has_inbound: bool) -> Result<Vec<StagePlan>, ScenarioError> {
    let mut plans: Vec<StagePlan> = Vec::new();
    for (i, stage) in s.stages.iter().enumerate() {
        let key = |field: &str| format!("stages[{i}].{field}");
        if stage.name.trim().is_empty() {
            return Err(ScenarioError::invalid(key("name"), "must not be empty"));
        }
        if plans.iter().any(|p| p.name == stage.name) {
            return Err(ScenarioError::invalid(
                key("name"),
                format!("`{}` names two stages", stage.name),
            ));
        }
        let release = match &stage.release {
            Release::Word(w) if w == "always" => 1.0,
            Release::Word(w) if w == "never" => 0.0,
            Release::Word(w) => {
                return Err(ScenarioError::invalid(
                    key("release"),
                    format!("`{w}` (expected: \"always\", \"never\" or a probability)"),
                ))
            }
            Release::Probability(p) => probability(*p, &key("release"))?,
        };
        if stage.size.is_some() && stage.creates != Creation::Allocate {
            return Err(ScenarioError::invalid(
                key("size"),
                "only an `allocate` stage has its own size (copies take the message's)",
            ));
        }
        if stage.creates == Creation::RetainedSlice {
            if !has_inbound {
                return Err(ScenarioError::invalid(
                    key("creates"),
                    "a retained_slice needs the [inbound] buffer it slices",
                ));
            }
            if stage.direct.is_some() {
                return Err(ScenarioError::invalid(
                    key("direct"),
                    "a retained_slice shares the inbound buffer's memory",
                ));
            }
        }
        let size = match stage.size {
            None => None,
            Some(n) => Some(non_negative_int(n, &key("size"))?),
        };
        plans.push(StagePlan {
            name: stage.name.clone(),
            creates: stage.creates,
            probability: probability(stage.probability, &key("probability"))?,
            release,
            size,
            direct: stage.direct.unwrap_or(true),
        });
    }
    Ok(plans)
}
