//! `leakproof-proofs`: exhaustive bounded proofs over the model's step machines and
//! plain-data cores, checked with stateright.
//!
//! Each model's state is the model's own data (the refcount [`System`], the pool's
//! `ArenaCore`), each action one of its own transitions, and each `always` property
//! an invariant function from the model's one invariant table, so proofs, code and
//! traces cannot drift. `sometimes` properties make a vacuous model fail. See
//! `docs/proofs.md`.
//!
//! [`System`]: leakproof_model::refcnt::System
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
pub mod invariant;
pub mod pool;
pub mod refcount;
pub mod report;
