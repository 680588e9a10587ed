//! The executor's view of the program: the handles it holds (with stable ids) and the
//! running logical threads, and how step numbers resolve to them.

use leakproof_model::buffer::{AllocId, ByteBuf};
use leakproof_model::leak::TrackerId;
use leakproof_model::op::Addressing;
use leakproof_model::ThreadId;
use std::collections::BTreeMap;

/// One handle the program holds.
pub struct Held {
    /// Stable id (`#n`).
    pub id: u32,
    /// The Java reference.
    pub buf: ByteBuf,
    /// The generation it was obtained for.
    pub gen: AllocId,
    /// The thread holding it (its locals die with it).
    pub holder: ThreadId,
    /// It is an `UnreleasableByteBuf` (as the ops that made it say).
    pub unreleasable: bool,
}

/// Handles and threads.
#[derive(Default)]
pub struct Program {
    /// Held handles, in creation order.
    pub handles: Vec<Held>,
    /// Running threads, ascending (main first).
    pub threads: Vec<ThreadId>,
    /// Next handle id.
    pub next_handle: u32,
    /// Next thread id.
    pub next_thread: u32,
    /// The leak tracker each tracked generation got when it was created.
    pub trackers: BTreeMap<AllocId, TrackerId>,
}

impl Program {
    /// `main` running, no handles.
    pub fn new() -> Self {
        Program {
            handles: Vec::new(),
            threads: vec![ThreadId::MAIN],
            next_handle: 1,
            next_thread: 1,
            trackers: BTreeMap::new(),
        }
    }

    /// The position of the handle step number `n` names.
    pub fn handle(&self, addressing: Addressing, n: u32) -> Option<usize> {
        match addressing {
            Addressing::Modulo if self.handles.is_empty() => None,
            Addressing::Modulo => Some(n as usize % self.handles.len()),
            Addressing::Resolved => self.handles.iter().position(|h| h.id == n),
        }
    }

    /// The running thread step number `n` names.
    pub fn thread(&self, addressing: Addressing, n: u32) -> Option<ThreadId> {
        match addressing {
            Addressing::Modulo => Some(self.threads[n as usize % self.threads.len()]),
            Addressing::Resolved => self.threads.iter().copied().find(|t| t.0 == n),
        }
    }

    /// A fresh handle id (or the recorded one of a resolved step).
    pub fn new_handle_id(&mut self, recorded: Option<u32>) -> u32 {
        let id = recorded.unwrap_or(self.next_handle);
        self.next_handle = self.next_handle.max(id + 1);
        id
    }

    /// A fresh thread id (or the recorded one of a resolved step).
    pub fn new_thread_id(&mut self, recorded: Option<u32>) -> ThreadId {
        let id = recorded.unwrap_or(self.next_thread);
        self.next_thread = self.next_thread.max(id + 1);
        ThreadId(id)
    }
}
