//! What each checker claims to reach (`docs/coverage.md`), checked against what it
//! reaches: a change that stops a checker reaching a claimed event fails
//! `tests/coverage.rs` and `leakproof coverage --check`.

use super::{Measured, Source};
use leakproof_model::coverage::Event;
use leakproof_model::coverage::Event::*;

/// Per source, the events its fixed inputs must reach.
pub const CLAIMS: &[(Source, &[Event])] = &[
    (
        Source::FuzzCorpus,
        &[
            ListMoveUp,
            SubpageReleased,
            CacheAdd,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
            RetainAfterRelease,
            OverRelease,
        ],
    ),
    (
        Source::Quickcheck,
        &[
            OutOfDirectMemory,
            ChunkDestroyed,
            HugeChunkDestroyed,
            ListMoveUp,
            ListMoveDown,
            CacheAdd,
            CacheAddRefused,
            CachePoll,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
            RetainAfterRelease,
            ReleaseAfterRelease,
            OverRelease,
        ],
    ),
    (
        Source::Regressions,
        &[
            ChunkDestroyed,
            HugeChunkDestroyed,
            ListMoveUp,
            ListMoveDown,
            CacheAdd,
            CacheAddRefused,
            CachePoll,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
        ],
    ),
    (
        Source::ControlExecutor,
        &[
            ChunkDestroyed,
            HugeChunkDestroyed,
            ListMoveUp,
            ListMoveDown,
            SubpageReleased,
            CacheAdd,
            CacheAddRefused,
            CachePoll,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
            RetainAfterRelease,
            ReleaseAfterRelease,
            OverRelease,
        ],
    ),
    (
        Source::ControlQuickcheck,
        &[
            OutOfDirectMemory,
            ChunkDestroyed,
            ListMoveUp,
            CacheAdd,
            CacheAddRefused,
            CachePoll,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
            RetainAfterRelease,
            ReleaseAfterRelease,
            OverRelease,
        ],
    ),
    (
        Source::ControlFuzz,
        &[
            OutOfDirectMemory,
            ChunkDestroyed,
            HugeChunkDestroyed,
            ListMoveUp,
            ListMoveDown,
            CacheAdd,
            CacheAddRefused,
            CachePoll,
            CacheTrim,
            CacheFree,
            AccessAfterRelease,
            RetainAfterRelease,
            ReleaseAfterRelease,
            OverRelease,
        ],
    ),
];

/// The events `source` claims.
pub fn claimed(source: Source) -> &'static [Event] {
    CLAIMS
        .iter()
        .find(|(s, _)| *s == source)
        .map_or(&[], |(_, events)| events)
}

/// A claimed event a source did not reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmet {
    /// The checker.
    pub source: Source,
    /// The event it no longer reaches.
    pub event: Event,
}

impl std::fmt::Display for Unmet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} no longer reaches {} (claimed in sim/src/coverage/claims.rs and docs/coverage.md)",
            self.source.name(),
            self.event
        )
    }
}

/// Every claimed event the measured sources missed.
pub fn check_claims(measured: &[Measured]) -> Vec<Unmet> {
    measured
        .iter()
        .flat_map(|m| {
            m.coverage
                .missing(claimed(m.source))
                .into_iter()
                .map(move |event| Unmet {
                    source: m.source,
                    event,
                })
        })
        .collect()
}
