//! `leakproof-proofs`: exhaustive bounded proofs over the model's step machines.
//!
//! The refcount algorithms are pure step machines (`leakproof_model::refcnt`); the
//! interpreter runs them on a plain cell, and `leakproof_model::explore` walks every
//! interleaving of a bounded scenario. A *proof* here is an exhaustive enumeration in
//! which no schedule is cut at the bound and none violates the property; a
//! *refutation* is the first violating schedule, which the interpreter replays.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod refcount;
