//! The forecast of one run: what `leakproof run --json` prints and what the text
//! report, the CSV and the plot are made from. Deterministic: simulated time only.

use super::engine::{Ending, SimResult};
use super::leak_watch::LeakEvent;
use super::ledger::StageTally;
use super::memory::MemorySample;
use super::resolve::{Plan, US_PER_DAY, US_PER_S};
use serde::Serialize;

/// A moment of simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct When {
    /// Seconds since start (whole seconds, rounded down).
    pub seconds: u64,
    /// Days since start.
    pub day: f64,
}

impl When {
    /// The moment `us` microseconds after start.
    pub fn at_us(us: u64) -> Self {
        When {
            seconds: us / US_PER_S,
            day: us as f64 / US_PER_DAY as f64,
        }
    }

    /// `6 d 14 h 09 min (6.59 days)`.
    pub fn long(&self) -> String {
        format!("{} ({:.2} days)", self.human(), self.day)
    }

    /// `6 d 14 h 09 min`.
    pub fn human(&self) -> String {
        let s = self.seconds;
        format!(
            "{} d {:02} h {:02} min",
            s / 86_400,
            (s % 86_400) / 3600,
            (s % 3600) / 60
        )
    }
}

/// The first `LEAK:` message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirstLeak {
    /// When it was printed.
    pub at: When,
    /// The stage whose buffer it reports.
    pub stage: String,
    /// The full message.
    pub text: String,
}

/// The run's settings as they were resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setup {
    /// Profile name.
    pub profile: String,
    /// The Netty release it pins.
    pub netty_version: String,
    /// `pageSize << maxOrder`.
    pub chunk_size: usize,
    /// Direct arenas.
    pub direct_arenas: usize,
    /// Heap arenas.
    pub heap_arenas: usize,
    /// Event loops.
    pub event_loops: u32,
    /// Netty's direct-memory limit (`maxDirectMemory()`), −1 without a counter.
    pub direct_limit: i64,
    /// Leak-detection level.
    pub leak_level: String,
    /// `samplingInterval`.
    pub sampling_interval: i32,
    /// Seconds between garbage collections (`None`: never).
    pub gc_interval_seconds: Option<f64>,
    /// Messages per day.
    pub messages_per_day: u64,
    /// Mean message length.
    pub mean_message_bytes: f64,
    /// The horizon in days.
    pub horizon_days: f64,
}

/// Memory at its peak, by source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Peak {
    /// The highest `usedDirectMemory()` after any allocation.
    pub direct_used: i64,
    /// When it was reached.
    pub at: When,
    /// The sample (hourly or final) with the highest direct usage: where it was.
    pub by_source: MemorySample,
}

/// A failure inside the run (a broken invariant), with where to find its trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailureReport {
    /// Steps run when it was found.
    pub step: u64,
    /// The invariant.
    pub invariant: String,
    /// What was seen.
    pub message: String,
}

/// The forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    /// Scenario name.
    pub scenario: String,
    /// Content hash of the effective scenario.
    pub scenario_hash: String,
    /// The run's seed.
    pub seed: u64,
    /// Resolved settings.
    pub setup: Setup,
    /// `out_of_memory`, `survived`, `failed` or `stopped`.
    pub outcome: &'static str,
    /// Days until the out-of-memory error (`None`: none within the horizon).
    pub oom_day: Option<f64>,
    /// The same in seconds.
    pub oom_seconds: Option<u64>,
    /// The exception, as Java prints it (`class: message`).
    pub oom_exception: Option<String>,
    /// Days until the first `LEAK:` (`None`: none would appear).
    pub first_leak_day: Option<f64>,
    /// The first `LEAK:` message.
    pub first_leak: Option<FirstLeak>,
    /// How many `LEAK:` messages appeared in all.
    pub leak_messages: usize,
    /// When each appeared and for which stage (texts in `first_leak`).
    pub leak_times: Vec<(When, String)>,
    /// Peak memory.
    pub peak: Peak,
    /// Per-stage counters (Netty's read buffers last, as `inbound`).
    pub stages: Vec<StageTally>,
    /// Messages that entered the pipeline.
    pub messages: u64,
    /// Steps (allocations, retained slices, releases, collections).
    pub steps: u64,
    /// Allocations.
    pub allocations: u64,
    /// Releases.
    pub releases: u64,
    /// Garbage collections.
    pub gc_runs: u64,
    /// Leak trackers made.
    pub trackers: u64,
    /// Structural checks run (all passed unless `failure` is set).
    pub checks_run: u64,
    /// A broken invariant.
    pub failure: Option<FailureReport>,
    /// Memory samples, the last at the end (not in the JSON summary).
    #[serde(skip)]
    pub samples: Vec<MemorySample>,
}

impl Forecast {
    /// The forecast of `result`, a run of `plan`.
    pub fn new(plan: &Plan, result: SimResult) -> Self {
        let (direct_arenas, heap_arenas) = result.arenas;
        let oom = match &result.ending {
            Ending::OutOfMemory(e) => Some((When::at_us(result.end_us), e.to_string())),
            _ => None,
        };
        let failure = match &result.ending {
            Ending::Failed(f) => Some(FailureReport {
                step: f.step,
                invariant: f.invariant.clone(),
                message: f.message.clone(),
            }),
            _ => None,
        };
        let outcome = match result.ending {
            Ending::Survived => "survived",
            Ending::OutOfMemory(_) => "out_of_memory",
            Ending::Failed(_) => "failed",
            Ending::Stopped => "stopped",
        };
        let first_leak = result.leaks.first().map(|e: &LeakEvent| FirstLeak {
            at: When::at_us(e.time_us),
            stage: e.stage.clone(),
            text: e.text.clone(),
        });
        let peak_sample = result
            .samples
            .iter()
            .fold(None::<&MemorySample>, |best, s| match best {
                Some(b) if b.direct_used > s.direct_used => Some(b),
                _ => Some(s),
            })
            .cloned()
            .unwrap_or_default();
        let jvm = &plan.jvm;
        let s = &plan.loaded.scenario;
        Forecast {
            scenario: s.name.clone(),
            scenario_hash: plan.loaded.hash.clone(),
            seed: plan.seed,
            setup: Setup {
                profile: jvm.profile.name.clone(),
                netty_version: jvm.profile.netty_version.clone(),
                chunk_size: plan.chunk_size,
                direct_arenas,
                heap_arenas,
                event_loops: plan.event_loops,
                direct_limit: jvm.netty_direct_limit().map_or(-1, |l| l as i64),
                leak_level: jvm.leak.level.name().to_string(),
                sampling_interval: jvm.leak.sampling_interval,
                gc_interval_seconds: s.jvm.gc_interval_seconds,
                messages_per_day: plan.timeline.per_day(),
                mean_message_bytes: plan.sizes.mean(),
                horizon_days: s.duration_days,
            },
            outcome,
            oom_day: oom.as_ref().map(|(w, _)| w.day),
            oom_seconds: oom.as_ref().map(|(w, _)| w.seconds),
            oom_exception: oom.map(|(_, e)| e),
            first_leak_day: first_leak.as_ref().map(|f| f.at.day),
            first_leak,
            leak_messages: result.leaks.len(),
            leak_times: result
                .leaks
                .iter()
                .map(|e| (When::at_us(e.time_us), e.stage.clone()))
                .collect(),
            peak: Peak {
                direct_used: result.peak_direct.0,
                at: When::at_us(result.peak_direct.1),
                by_source: peak_sample,
            },
            stages: result.ledger.tallies().to_vec(),
            messages: result.messages,
            steps: result.steps,
            allocations: result.allocations,
            releases: result.releases,
            gc_runs: result.gc_runs,
            trackers: result.trackers,
            checks_run: result.checks_run,
            failure,
            samples: result.samples,
        }
    }

    /// True when no `LEAK:` appeared before the OOM (or, without one, before the end).
    pub fn silent_until_death(&self) -> bool {
        match (self.first_leak_day, self.oom_day) {
            (None, _) => true,
            (Some(leak), Some(oom)) => leak > oom,
            (Some(_), None) => false,
        }
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }
}
