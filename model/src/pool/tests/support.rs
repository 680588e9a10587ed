//! Shared fixtures for the pool tests.

use crate::memory::MemoryMode;
use crate::mutant::Mutant;
use crate::pool::{
    ArenaCore, ArenaKind, ArenaOptions, PoolGeometry, SimpleChunkSource, SizeClasses,
};
use crate::profile::AllocatorProfile;

/// 8 KiB pages, maxOrder 9: 4 MiB chunks.
pub const CHUNK: usize = 4 << 20;
/// Page size.
pub const PAGE: usize = 8192;

/// Default 4.1.128 size classes.
pub fn sc() -> SizeClasses {
    PoolGeometry::netty_default().direct_size_classes()
}

/// Netty's sizing rules for [`sc`], as the checkers restate them.
pub fn sizes() -> crate::check::netty::NettySizes {
    use crate::profile::SizeClassScheme;
    crate::check::netty::NettySizes::new(SizeClassScheme::Jemalloc4, PAGE, 9, 0, 0)
}

/// A 4.1.128 arena of `kind` with `mutant`, and an unlimited virtual source.
pub fn arena_with(kind: ArenaKind, mutant: Mutant) -> (ArenaCore, SimpleChunkSource) {
    let opts = ArenaOptions::new(kind, 1, &AllocatorProfile::netty_4_1(), mutant);
    (
        ArenaCore::new(sc(), opts),
        SimpleChunkSource::new(MemoryMode::Virtual),
    )
}

/// A 4.1.128 direct arena without mutants.
pub fn direct() -> (ArenaCore, SimpleChunkSource) {
    arena_with(ArenaKind::Direct, Mutant::None)
}

/// A deterministic linear congruential generator for workload tests.
pub struct Lcg(pub u64);

impl Lcg {
    /// Next value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}
