//! Invariant violations: a named invariant that does not hold, with what was seen.
//!
//! Every named invariant lives in exactly one checking function; its `name` is stable
//! and used in traces, reports and the mutant table.

use serde::Serialize;
use std::fmt;

/// A broken invariant: a bug in the model or a switched-on mutant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, thiserror::Error)]
pub struct Violation {
    /// The invariant's stable name, e.g. `free_runs_coalesced`.
    pub name: &'static str,
    /// What was observed.
    pub message: String,
}

impl Violation {
    /// A violation of invariant `name`.
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        Violation {
            name,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant {} violated: {}", self.name, self.message)
    }
}
