//! What the threads of a concurrent run observed: one [`Event`] per op that reached
//! the model, with its invocation and response instants on one logical clock.
//!
//! The clock and the log are the harness's own bookkeeping (std primitives, never a
//! checker's scheduling point): an instant is taken just before the op's first call
//! into the model and just after its last, so `a.responded < b.invoked` means `a`
//! really finished before `b` started.

use leakproof_model::buffer::{AllocId, ObjectId};
use leakproof_model::error::JavaException;
use leakproof_model::op::Step;
use leakproof_model::ThreadId;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What a successful op returned, as far as linearizability judges it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// Nothing to compare (`write`, `capacity(n)`, `retain`).
    Unit,
    /// `release()`'s answer (true: this call deallocated).
    Released(bool),
    /// The bytes a read returned.
    Bytes(Vec<u8>),
    /// A new handle: the generation and object the model gave it.
    New {
        /// The new generation.
        gen: AllocId,
        /// The Java object carrying it (a recycled one, or a new one).
        object: ObjectId,
    },
}

/// One op of one thread, with what it returned or raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The logical thread.
    pub thread: ThreadId,
    /// Its index in the program (the reference order).
    pub index: usize,
    /// The step.
    pub step: Step,
    /// For ops through a handle: the generation the handle was obtained for.
    pub gen: Option<AllocId>,
    /// Logical instant before the op.
    pub invoked: u64,
    /// Logical instant after it.
    pub responded: u64,
    /// Its result or Netty's exception.
    pub outcome: Result<Observed, JavaException>,
}

/// The shared log of one run: a logical clock and the events recorded so far.
#[derive(Debug, Default)]
pub struct History {
    clock: AtomicU64,
    events: Mutex<Vec<Event>>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next logical instant.
    pub fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst)
    }

    /// Records a finished op.
    pub fn record(&self, event: Event) {
        self.lock().push(event);
    }

    /// Takes every event recorded so far, ordered by thread and program order.
    pub fn drain(&self) -> Vec<Event> {
        let mut events = std::mem::take(&mut *self.lock());
        events.sort_by_key(|e| (e.thread, e.index));
        events
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Event>> {
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }
}
