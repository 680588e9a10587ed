//! Logical threads: explicit ids instead of thread-locals.
//!
//! Netty keys its thread caches by the current thread and treats event-loop and
//! `FastThreadLocalThread`s differently from plain threads. The model names threads
//! explicitly; thin adapters map real, loom and shuttle threads to these ids.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A logical thread id. Id 0 is the program's `main` thread.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ThreadId(pub u32);

impl ThreadId {
    /// The program's main thread.
    pub const MAIN: ThreadId = ThreadId(0);
}

impl fmt::Display for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// How Netty classifies a thread when deciding whether it gets a real thread cache.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum ThreadKind {
    /// A thread backing an `EventExecutor` (an event loop): always gets a real cache.
    EventLoop,
    /// A `FastThreadLocalThread` that is not an event loop: always gets a real cache, and
    /// frees it through `FastThreadLocal.onRemoval` when it exits cleanly.
    FastThreadLocal,
    /// Any other thread (e.g. `main`): a real cache only with `useCacheForAllThreads`.
    #[default]
    Plain,
}

impl ThreadKind {
    /// True when Netty would give this thread a real cache regardless of
    /// `useCacheForAllThreads` (#12158).
    pub fn always_cached(self) -> bool {
        matches!(self, ThreadKind::EventLoop | ThreadKind::FastThreadLocal)
    }
}
