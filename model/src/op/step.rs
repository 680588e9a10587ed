//! [`Step`] and [`Program`]: ops on logical threads, in modulo or resolved form.

use super::ops::Op;
use arbitrary::{Arbitrary, Unstructured};
use serde::{Deserialize, Serialize};

/// How a program's handle and thread numbers are to be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressing {
    /// Indexes modulo the reachable handles / running threads (generated programs).
    #[default]
    Modulo,
    /// Stable ids assigned by the executor (traces).
    Resolved,
}

/// One op on one logical thread.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Step {
    /// The thread: an index modulo the running threads, or a `ThreadId` when resolved.
    pub thread: u32,
    /// The operation.
    #[serde(flatten)]
    pub op: Op,
    /// Resolved form only: the stable id of the handle (or thread) this step created,
    /// so removing an earlier step never renumbers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creates: Option<u32>,
}

impl Step {
    /// `op` on thread number `thread`.
    pub fn new(thread: u32, op: Op) -> Self {
        Step {
            thread,
            op,
            creates: None,
        }
    }
}

impl<'a> Arbitrary<'a> for Step {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        // Most steps run on `main` (index 0 is always a running thread).
        let t: u8 = u.arbitrary()?;
        let thread = if t < 160 { 0 } else { u32::from(t % 4) };
        Ok(Step::new(thread, u.arbitrary()?))
    }
}

/// A program: steps in order, in one addressing form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Program {
    /// How numbers in `steps` are read.
    pub addressing: Addressing,
    /// The steps.
    pub steps: Vec<Step>,
}

/// The most steps a generated program has (keeps one execution cheap).
pub const MAX_STEPS: usize = 96;

impl Program {
    /// A modulo-form program.
    pub fn modulo(steps: Vec<Step>) -> Self {
        Program {
            addressing: Addressing::Modulo,
            steps,
        }
    }
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        // A step takes at least two bytes (thread and op kind) while bytes remain.
        let mut steps = Vec::with_capacity(u.len().div_ceil(2).min(MAX_STEPS));
        while steps.len() < MAX_STEPS && !u.is_empty() {
            steps.push(u.arbitrary()?);
        }
        Ok(Program::modulo(steps))
    }
}
