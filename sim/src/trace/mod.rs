//! Counterexample traces: one versioned JSON format for every failing check.
//!
//! ```json
//! { "format_version": 1, "profile": "netty-4.1", "mutant": "none", "seed": 7,
//!   "config": { "jvm": {…}, "allocator": {…}, "check_every": 16 },
//!   "ops": [ { "thread": 0, "op": "alloc", "pooled": true, …, "creates": 1 }, … ],
//!   "attachments": { "refcount_schedule": …, "shuttle": { "exploration": …,
//!     "schedule": …, "shuttle_version": "0.9.9" }, "loom_checkpoint": …,
//!     "workload": { "scenario": "jt809", "scenario_hash": …, "seed": 0, "step": … } },
//!   "expected": { "invariant": "free_runs_coalesced", "message": "…" } }
//! ```
//!
//! `ops` are resolved (stable handle ids, thread ids). Reading checks every field and
//! names the one that is wrong; a newer `format_version` is refused.

mod read;
mod schedule;
mod write;

pub use read::{parse, TraceError};
pub use schedule::{replay_command, Exploration, ShuttleAttachment, Strategy, SHUTTLE_VERSION};
pub use write::{fnv1a, trace_dir, write_trace};

use crate::exec::ExecConfig;
use leakproof_model::op::{Addressing, Program, Step};
use leakproof_model::refcnt::interpreter::{Scenario, ScheduleEntry};
use leakproof_model::Mutant;
use serde::{Deserialize, Serialize};

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// A refcount micro-step schedule that `refcnt::interpreter` replays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefcountSchedule {
    /// The threads and their ops.
    pub scenario: Scenario,
    /// `(thread, micro-step)` order.
    pub schedule: Vec<ScheduleEntry>,
    /// True when every reference is released once by its holder: replay then also
    /// checks that nothing touched a deallocated object and, when the schedule runs
    /// to the end, that every object was deallocated exactly once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub misuse_free: bool,
}

/// Optional extra reproduction data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachments {
    /// A refcount interleaving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refcount_schedule: Option<RefcountSchedule>,
    /// A shuttle schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuttle: Option<ShuttleAttachment>,
    /// A loom checkpoint file (needs a `loom` build).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loom_checkpoint: Option<String>,
    /// A failure inside a workload simulation: the scenario, seed and step to re-run
    /// (`ops` is then empty; `leakproof minimize` makes it explicit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<crate::workload::trace::WorkloadAttachment>,
}

impl Attachments {
    fn is_empty(&self) -> bool {
        *self == Attachments::default()
    }
}

/// The failure a trace records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFailure {
    /// The invariant's stable name.
    pub invariant: String,
    /// The violation message when it was written.
    pub message: String,
}

/// One counterexample (or regression) trace. The profile, mutant and seed it prints at
/// the top are those of `config.jvm`, written once for readability and checked on read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// JVM + allocator configuration.
    pub config: ExecConfig,
    /// Resolved steps.
    pub ops: Vec<Step>,
    /// Extra reproduction data.
    pub attachments: Attachments,
    /// The failure it reproduces (`None`: it must pass).
    pub expected: Option<ExpectedFailure>,
}

impl Serialize for Trace {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut t = s.serialize_struct("Trace", 8)?;
        t.serialize_field("format_version", &self.format_version)?;
        t.serialize_field("profile", self.profile())?;
        t.serialize_field("mutant", &self.mutant())?;
        t.serialize_field("seed", &self.seed())?;
        t.serialize_field("config", &self.config)?;
        t.serialize_field("ops", &self.ops)?;
        if !self.attachments.is_empty() {
            t.serialize_field("attachments", &self.attachments)?;
        }
        if let Some(expected) = &self.expected {
            t.serialize_field("expected", expected)?;
        }
        t.end()
    }
}

impl Trace {
    /// A trace of `program` (resolved) under `config`.
    pub fn new(config: &ExecConfig, program: &Program, expected: Option<ExpectedFailure>) -> Self {
        Trace {
            format_version: FORMAT_VERSION,
            config: config.clone(),
            ops: program.steps.clone(),
            attachments: Attachments::default(),
            expected,
        }
    }

    /// The profile's name.
    pub fn profile(&self) -> &str {
        &self.config.jvm.profile.name
    }

    /// The mutant switched on.
    pub fn mutant(&self) -> Mutant {
        self.config.jvm.mutant
    }

    /// The JVM seed.
    pub fn seed(&self) -> u64 {
        self.config.jvm.seed
    }

    /// The steps as a resolved program.
    pub fn program(&self) -> Program {
        Program {
            addressing: Addressing::Resolved,
            steps: self.ops.clone(),
        }
    }

    /// Pretty JSON (deterministic: struct field order, no maps with hash order).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("traces serialize");
        s.push('\n');
        s
    }
}
