//! Invariant violations: a bug in the model (or a switched-on mutant) caught by a
//! named check.

/// A named invariant that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's stable name, as used in traces, reports and the mutant table.
    pub name: &'static str,
    /// What was wrong, concretely.
    pub message: String,
}
