//! Netty's `ResourceLeakDetector` (netty.md §7) as a deterministic model.
//!
//! Plain data: the JVM value holds one [`LeakDetector`] behind its lock; buffers call
//! [`LeakDetector::track`], [`LeakDetector::record`] and
//! [`LeakDetector::close_on_release`] following the [`wrapper`] policy, the GC calls
//! [`LeakDetector::on_referent_collected`]. All randomness comes from the caller's RNG.

pub mod checks;
pub mod config;
pub mod detector;
pub mod level;
pub mod listener;
pub mod message;
pub mod record;
pub mod report;
pub mod tracker;
pub mod wrapper;

#[cfg(test)]
mod checks_tests;
#[cfg(test)]
mod detector_tests;

pub use config::LeakConfig;
pub use detector::LeakDetector;
pub use level::LeakLevel;
pub use listener::LeakListener;
pub use record::Record;
pub use report::{LeakOutcome, LeakReport, LeakStats};
pub use tracker::{RecordOutcome, TrackerId};
pub use wrapper::{
    derivative_tracking, records_access, wrapper_records, AccessKind, DerivativeTracking,
    WrapperKind,
};
