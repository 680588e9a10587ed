//! `leakproof-proofs`: exhaustive bounded proofs over the model's step machines.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
