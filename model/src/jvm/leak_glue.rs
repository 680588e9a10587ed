//! Interim leak-detector hooks: the buffer layer calls these; the detector model is
//! wired in behind them (until then no buffer is ever tracked).

use super::Jvm;
use crate::buffer::{BufObject, ByteBuf};
use crate::profile::RefCountAlgorithm;

impl Jvm {
    /// The refcount algorithm in force: the profile's, or the mutant's.
    pub fn refcount_algorithm(&self) -> RefCountAlgorithm {
        match self.mutant() {
            crate::mutant::Mutant::RacyRefcount => RefCountAlgorithm::RacyGetAndAdd,
            _ => self.profile().refcount.algorithm,
        }
    }

    /// Simple class name of the leak-aware wrapper at the current level.
    pub(crate) fn leak_wrapper_name(&self) -> &'static str {
        "SimpleLeakAwareByteBuf"
    }

    /// Records an access on `holder`'s tracker (ADVANCED/PARANOID).
    pub(crate) fn leak_record_access(&self, _holder: &BufObject, _what: &str) {}

    /// Records `touch(hint)` on `holder`'s tracker.
    pub(crate) fn leak_record_hint(&self, _holder: &BufObject, _hint: &str) {}

    /// Closes tracker `id` (the buffer was released to zero).
    pub(crate) fn leak_close(&self, _id: u64) {}

    /// Tracks a new pooled retained derivative as the profile's rule says.
    pub(crate) fn leak_track_derivative(&self, _derived: &ByteBuf) {}

    /// The GC found a tracked buffer unreachable; true when its tracker was enqueued.
    pub(crate) fn leak_referent_collected(&self, _id: u64) -> bool {
        false
    }
}
