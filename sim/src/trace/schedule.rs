//! The shuttle part of a trace: which scheduler explored the program (what committed
//! regressions keep, since schedule strings break whenever scheduling points move) and,
//! for a fresh failure, its schedule string and the shuttle version that wrote it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The shuttle version the suites are pinned to (`Cargo.toml`: `shuttle = "=0.9.9"`).
/// A schedule string is replayed only by the version that wrote it.
pub const SHUTTLE_VERSION: &str = "0.9.9";

/// A scheduling strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum Strategy {
    /// `RandomScheduler` (`check_random`): a random runnable task at every point.
    Random,
    /// `PctScheduler` (`check_pct`, probabilistic concurrency testing).
    Pct {
        /// Bug depth: priority change points + 1.
        depth: usize,
    },
    /// `UncontrolledNondeterminismCheckScheduler` over a random scheduler
    /// (`check_uncontrolled_nondeterminism`): each schedule runs twice and must take
    /// the same decisions.
    NondeterminismCheck,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct (depth {depth})"),
            Strategy::NondeterminismCheck => f.write_str("uncontrolled-nondeterminism check"),
        }
    }
}

/// A scheduler, its seed and how many executions it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exploration {
    /// The scheduler.
    pub strategy: Strategy,
    /// Its seed.
    pub seed: u64,
    /// Executions.
    pub iterations: u64,
}

impl Exploration {
    /// `check_random` with a fixed seed.
    pub fn random(seed: u64, iterations: u64) -> Self {
        Exploration {
            strategy: Strategy::Random,
            seed,
            iterations,
        }
    }

    /// `check_pct` with a fixed seed.
    pub fn pct(seed: u64, depth: usize, iterations: u64) -> Self {
        Exploration {
            strategy: Strategy::Pct { depth },
            seed,
            iterations,
        }
    }
}

impl fmt::Display for Exploration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, seed {}, {} iterations",
            self.strategy, self.seed, self.iterations
        )
    }
}

/// A shuttle run to reproduce (needs a `shuttle` build).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShuttleAttachment {
    /// The exploration that found the failure (rerun it to reproduce).
    pub exploration: Exploration,
    /// The failing execution's index among them, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_iteration: Option<u64>,
    /// The failing execution's schedule string (`shuttle::replay`'s input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The shuttle version that wrote `schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuttle_version: Option<String>,
}

/// The command that replays the trace at `path` in a shuttle build.
pub fn replay_command(path: &str) -> String {
    format!(
        "LEAKPROOF_SHUTTLE_TRACE={path} cargo test --features shuttle --release --test shuttle_replay -- --nocapture"
    )
}

#[cfg(test)]
mod tests {
    use super::SHUTTLE_VERSION;

    #[test]
    fn the_recorded_version_is_the_pinned_one() {
        let manifest = include_str!("../../../Cargo.toml");
        assert!(
            manifest.contains(&format!("shuttle = \"={SHUTTLE_VERSION}\"")),
            "Cargo.toml must pin shuttle to exactly {SHUTTLE_VERSION}"
        );
    }
}
