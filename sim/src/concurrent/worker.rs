//! One logical thread of a concurrent run: its own steps, on its own checker thread.
//!
//! The worker keeps the handles it holds; `hand_off` sends one (with the references
//! it carries) to the receiver's mailbox, tagged with the step that sent it. A step on
//! a handle the worker does not hold waits for the delivery the [`Plan`] names, or is
//! skipped when there is none. At the end of each round the worker reports to the
//! runner with clones of what it holds and waits for the word to go on.

use super::history::{Event, History, Observed};
use super::plan::{Plan, Planned};
use crate::exec::apply::{self, Applied};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{AllocId, ByteBuf};
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::TrackerId;
use leakproof_model::op::Op;
use leakproof_model::sync::mpsc::{Receiver, Sender};
use leakproof_model::sync::Arc;
use leakproof_model::ThreadId;
use std::collections::{BTreeMap, BTreeSet};

/// A handle a worker holds, with the generation it was obtained for.
#[derive(Debug)]
pub struct Local {
    /// The Java reference.
    pub buf: ByteBuf,
    /// Its generation when obtained.
    pub gen: AllocId,
}

/// A message to a worker.
pub enum Msg {
    /// Step `at` handed handle `buf` over (`None`: the sender did not hold it).
    Delivery {
        /// The `hand_off` step.
        at: usize,
        /// The handle.
        local: Option<Local>,
    },
    /// The quiescent checks passed: run the next round.
    Go,
    /// Stop now (a check failed).
    Stop,
}

/// A worker's report at the end of a round: what it holds now.
pub struct Done {
    /// `(id, handle clone, generation)` of every handle it holds.
    pub held: Vec<(u32, ByteBuf, AllocId)>,
}

/// What a worker leaves when it ends.
pub struct End {
    /// The worker.
    pub thread: ThreadId,
    /// Handles it still holds (empty once it exited).
    pub held: Vec<(u32, Local)>,
    /// Leak trackers of the generations it created.
    pub trackers: Vec<(AllocId, TrackerId)>,
    /// It ran `exit_thread`.
    pub exited: bool,
    /// Something the model refused that it never should (e.g. exiting a running thread).
    pub problem: Option<String>,
}

/// What every worker shares.
pub struct Shared {
    /// The JVM.
    pub jvm: Arc<Jvm>,
    /// The program's pooled allocator.
    pub pooled: Arc<PooledAllocator>,
    /// The program's unpooled allocator.
    pub unpooled: Arc<UnpooledAllocator>,
    /// The plan.
    pub plan: Plan,
    /// The event log.
    pub history: std::sync::Arc<History>,
    /// Every worker's mailbox.
    pub mailboxes: BTreeMap<ThreadId, Sender<Msg>>,
}

/// One logical thread's state.
pub struct Worker {
    t: ThreadId,
    shared: Arc<Shared>,
    inbox: Receiver<Msg>,
    done: Sender<Done>,
    held: BTreeMap<u32, Local>,
    /// Deliveries received and not yet taken, by sending step.
    arrived: BTreeMap<usize, Option<Local>>,
    taken: BTreeSet<usize>,
    trackers: Vec<(AllocId, TrackerId)>,
    exited: bool,
    problem: Option<String>,
}

impl Worker {
    /// Worker `t` reading `inbox` and reporting rounds on `done`.
    pub fn new(t: ThreadId, shared: Arc<Shared>, inbox: Receiver<Msg>, done: Sender<Done>) -> Self {
        Worker {
            t,
            shared,
            inbox,
            done,
            held: BTreeMap::new(),
            arrived: BTreeMap::new(),
            taken: BTreeSet::new(),
            trackers: Vec::new(),
            exited: false,
            problem: None,
        }
    }

    /// Runs every round of the thread's program.
    pub fn run(mut self) -> End {
        let shared = self.shared.clone();
        let steps = shared
            .plan
            .programs
            .get(&self.t)
            .cloned()
            .unwrap_or_default();
        let mut steps = steps.into_iter().peekable();
        for round in 0..shared.plan.rounds {
            while let Some(planned) = steps.next_if(|p| shared.plan.round_of(p.index) == round) {
                if !self.exited {
                    self.step(&planned);
                }
            }
            let held = self
                .held
                .iter()
                .map(|(id, l)| (*id, l.buf.clone(), l.gen))
                .collect();
            if self.done.send(Done { held }).is_err() || !self.wait_for_go() {
                break;
            }
        }
        End {
            thread: self.t,
            held: std::mem::take(&mut self.held).into_iter().collect(),
            trackers: std::mem::take(&mut self.trackers),
            exited: self.exited,
            problem: self.problem.take(),
        }
    }

    /// Waits for the runner's word; deliveries arriving meanwhile are kept.
    fn wait_for_go(&mut self) -> bool {
        loop {
            match self.inbox.recv() {
                Ok(Msg::Go) => return true,
                Ok(Msg::Stop) | Err(_) => return false,
                Ok(Msg::Delivery { at, local, .. }) => {
                    self.arrived.insert(at, local);
                }
            }
        }
    }

    /// Makes sure the worker holds handle `buf` for its step at `index`: it holds it
    /// already, or it waits for the delivery the plan names. False: skip the step.
    fn obtain(&mut self, buf: u32, index: usize) -> bool {
        if self.held.contains_key(&buf) {
            return true;
        }
        let Some(at) = self.shared.plan.delivery(self.t, buf, index) else {
            return false;
        };
        if !self.taken.insert(at) {
            return false;
        }
        while !self.arrived.contains_key(&at) {
            match self.inbox.recv() {
                Ok(Msg::Delivery { at, local, .. }) => {
                    self.arrived.insert(at, local);
                }
                // The runner speaks only between rounds; a closed mailbox ends the wait.
                Ok(Msg::Go) | Ok(Msg::Stop) | Err(_) => return false,
            }
        }
        match self.arrived.remove(&at).flatten() {
            Some(local) => {
                self.held.insert(buf, local);
                true
            }
            None => false,
        }
    }

    fn step(&mut self, planned: &Planned) {
        let (t, index, step) = (self.t, planned.index, &planned.step);
        let shared = self.shared.clone();
        match &step.op {
            // From the first pooled allocator only (`second` is the sequential
            // executor's; the linearizability check predicts the same).
            Op::Alloc {
                pooled,
                direct,
                size,
                max,
                ..
            } => {
                let invoked = shared.history.tick();
                let result = apply::alloc(
                    &shared.pooled,
                    &shared.unpooled,
                    t,
                    (*pooled, *direct, *size, max.value()),
                );
                let responded = shared.history.tick();
                let outcome = result.map(|buf| self.keep(step.creates, buf));
                self.record(planned, None, invoked, responded, outcome);
            }
            Op::HandOff { buf, to } => {
                let local = if self.obtain(*buf, index) {
                    self.held.remove(buf)
                } else {
                    None
                };
                if let Some(mailbox) = shared.mailboxes.get(&ThreadId(*to)) {
                    // A receiver that already ended drops the handle with its mailbox.
                    let _ = mailbox.send(Msg::Delivery { at: index, local });
                }
            }
            Op::Drop { buf } => {
                if self.obtain(*buf, index) {
                    self.held.remove(buf);
                }
            }
            Op::TrimCache => {
                shared.pooled.trim_thread_cache(t);
            }
            Op::FreeCache => {
                shared.pooled.free_thread_cache(t);
            }
            Op::ExitThread { clean } => {
                if let Err(e) = shared.jvm.exit_thread(t, *clean) {
                    self.problem = Some(format!("step {index}: exit {t}: {e}"));
                }
                self.held.clear();
                self.exited = true;
            }
            op => {
                let Some(buf) = op.handle() else {
                    return;
                };
                if !self.obtain(buf, index) {
                    return;
                }
                let local = &self.held[&buf];
                let gen = local.gen;
                let invoked = shared.history.tick();
                let Some(result) = apply::on_handle(op, &local.buf, t) else {
                    return;
                };
                let responded = shared.history.tick();
                let outcome = result.map(|applied| match applied {
                    Applied::Unit => Observed::Unit,
                    Applied::Released(b) => Observed::Released(b),
                    Applied::Bytes(b) => Observed::Bytes(b),
                    Applied::New(new) => self.keep(step.creates, new),
                });
                self.record(planned, Some(gen), invoked, responded, outcome);
            }
        }
    }

    /// Holds a new handle under the id its step names.
    fn keep(&mut self, id: Option<u32>, buf: ByteBuf) -> Observed {
        let (gen, object) = (buf.alloc_id(), buf.object_id());
        if let Some(tracker) = buf.leak_tracker() {
            self.trackers.push((gen, tracker));
        }
        if let Some(id) = id {
            self.held.insert(id, Local { buf, gen });
        }
        Observed::New { gen, object }
    }

    fn record(
        &self,
        planned: &Planned,
        gen: Option<AllocId>,
        invoked: u64,
        responded: u64,
        outcome: Result<Observed, leakproof_model::JavaException>,
    ) {
        self.shared.history.record(Event {
            thread: self.t,
            index: planned.index,
            step: planned.step.clone(),
            gen,
            invoked,
            responded,
            outcome,
        });
    }
}
