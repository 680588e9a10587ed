//! Which threads get a real thread cache, and the cache Netty refuses to make
//! (`freeSweepAllocationThreshold` below 1, `AllocEnv::cache_refusal`).

use super::predict::{AllocEnv, Expected};
use leakproof_model::error::{JavaClass, JavaException};
use leakproof_model::{ThreadId, ThreadKind};
use std::collections::BTreeSet;

/// The program's threads as Netty's `PoolThreadLocalCache.initialValue` classifies
/// them, and the thread of the op being predicted.
#[derive(Clone, Debug, Default)]
pub struct Threads {
    /// Threads that get a real cache whatever `useCacheForAllThreads` says:
    /// `FastThreadLocalThread`s, event loops included (PooledByteBufAllocator.java:472
    /// of 4.1.48; :533–537 of 4.1.128). `main` is a plain thread.
    always_cached: BTreeSet<ThreadId>,
    /// The thread acting in the op being predicted (the executor sets it).
    pub acting: ThreadId,
}

impl Threads {
    /// The program started thread `id` of `kind`.
    pub fn started(&mut self, id: ThreadId, kind: ThreadKind) {
        if matches!(kind, ThreadKind::EventLoop | ThreadKind::FastThreadLocal) {
            self.always_cached.insert(id);
        }
    }

    /// `threadCache.get()` on the acting thread, as far as it can throw: a thread that
    /// gets a real cache has it refused by every construction (the failed one is never
    /// stored, so the next call constructs again).
    pub fn thread_cache(&self, env: &AllocEnv) -> Result<(), Expected> {
        let cached = env.cache_all_threads || self.always_cached.contains(&self.acting);
        match env.cache_refusal {
            Some(threshold) if cached => Err(Expected::exact(JavaException::new(
                JavaClass::IllegalArgument,
                format!("freeSweepAllocationThreshold: {threshold} (expected: > 0)"),
            ))),
            _ => Ok(()),
        }
    }
}
