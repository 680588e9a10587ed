//! `leakproof-model`: a faithful, safe-Rust model of Netty's pooled buffer allocator,
//! its reference-count protocol, its leak detector and the JVM memory they live in.
//!
//! Everything concurrent goes through [`sync`], which maps to `std`, `loom` or
//! `shuttle` by cargo feature. There is no process-global mutable state: what Netty
//! keeps JVM-wide lives in one [`jvm::Jvm`] value.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alloc;
pub mod buffer;
pub mod check;
pub mod coverage;
pub mod error;
pub mod invariant;
pub mod jvm;
pub mod leak;
pub mod memory;
pub mod mutant;
pub mod op;
pub mod pool;
pub mod profile;
pub mod refcnt;
pub mod sync;
pub mod thread;
pub mod violation;

/// The loom crate the model was built with, for the root loom test suites.
#[cfg(feature = "loom")]
pub use loom;

pub use error::{JavaClass, JavaException, JavaResult};
pub use mutant::Mutant;
pub use profile::Profile;
pub use thread::{ThreadId, ThreadKind};
pub use violation::Violation;
