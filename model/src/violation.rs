//! Invariant violations: a named invariant that does not hold, with what was seen.
//!
//! A violation carries its invariant as a value ([`Invariant`]); the name it prints is
//! the table's, so traces and reports spell every name from one place.

use crate::invariant::Invariant;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// A broken invariant: a bug in the model or a switched-on mutant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub struct Violation {
    /// The invariant.
    pub invariant: Invariant,
    /// What was observed.
    pub message: String,
}

impl Violation {
    /// A violation of `invariant` (also [`Invariant::violated`]).
    pub fn new(invariant: Invariant, message: impl Into<String>) -> Self {
        Violation {
            invariant,
            message: message.into(),
        }
    }

    /// The invariant's stable name, e.g. `free_runs_coalesced`.
    pub fn name(&self) -> &'static str {
        self.invariant.name
    }
}

impl Serialize for Violation {
    /// `{ "name": …, "message": … }`: the invariant by its stable name.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = s.serialize_struct("Violation", 2)?;
        v.serialize_field("name", self.name())?;
        v.serialize_field("message", &self.message)?;
        v.end()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant {} violated: {}", self.name(), self.message)
    }
}
