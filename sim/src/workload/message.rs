//! One message through the pipeline, on one event loop: Netty's read buffer (when
//! modelled), each stage's buffer, then — when the message is done — the releases the
//! stages make, Netty's release of the read buffer, and everything else becomes
//! unreachable.

use super::engine::{Ending, Failure, Sim};
use super::leak_watch::{DrainContext, Drained, LeakWatch};
use super::ledger::{Leaked, Place, INBOUND};
use super::ops::WorkloadOp;
use super::scenario::Creation;
use leakproof_model::alloc::pooled::{RawBuffer, RawThread};
use leakproof_model::invariant::{Invariant, MODEL_RAISED_NO_ASSERTION};
use leakproof_model::jvm::Jvm;
use leakproof_model::leak::TrackerId;
use leakproof_model::pool::SizeKind;
use rand::Rng;

/// A stage's buffer (or retained slice), held until the message is done.
#[derive(Debug)]
pub struct Held {
    id: u64,
    /// `None` for a retained slice (it shares the read buffer's memory).
    memory: Option<RawBuffer>,
    tracker: Option<TrackerId>,
    /// The stage's index (32 bits keep a `Held` within 128 bytes, which the compiler
    /// moves inline: it is pushed and drained for every buffer).
    stage: u32,
    release: bool,
    direct: bool,
}

/// Netty's read buffer of the message and its reference count.
#[derive(Debug)]
pub(super) struct Inbound {
    id: u64,
    memory: RawBuffer,
    tracker: Option<TrackerId>,
    refs: u32,
    /// The first stage whose retained slice was never released, and whether that
    /// slice was tracked.
    leaked_by: Option<(usize, bool)>,
}

/// True with probability `p`; no draw for 0 and 1, so certain stages leave the stream
/// of the others untouched.
fn draw(rng: &mut impl Rng, p: f64) -> bool {
    p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p)
}

fn place(buf: &RawBuffer) -> Place {
    match buf.size_kind() {
        Some(SizeKind::Huge) => Place::Huge,
        Some(_) => Place::SmallOrNormal,
        None => Place::Unpooled,
    }
}

impl Sim<'_, '_> {
    /// The simulation ends: `invariant` broke (an allocation or release failing with
    /// anything but an out-of-memory error breaks `model_raised_no_assertion`).
    fn failed(&self, invariant: Invariant, message: String) -> Ending {
        Ending::Failed(Failure {
            step: self.steps,
            at_check: false,
            invariant: invariant.name.to_string(),
            message,
        })
    }

    fn tracked(
        &self,
        result: Result<Option<TrackerId>, Drained>,
    ) -> Result<Option<TrackerId>, Ending> {
        result.map_err(|d| match d {
            Drained::Violation(v) => Ending::Failed(Failure::from_violation(self.steps, &v, false)),
            Drained::Java(e) => self.failed(MODEL_RAISED_NO_ASSERTION, e.to_string()),
        })
    }

    /// Runs one message; `Some` ends the simulation (OOM or failure).
    pub fn message(&mut self) -> Option<Ending> {
        self.messages += 1;
        let n = self.threads.len();
        let loop_index = if n == 1 {
            0
        } else {
            self.rng.random_range(0..n)
        };
        let thread = match self.bind(loop_index) {
            Ok(t) => t,
            Err(ending) => return Some(ending),
        };
        let len = self.plan.sizes.sample(&mut self.rng);
        let mut held = std::mem::take(&mut self.held);
        let mut inbound = None;
        let result = match self.pipeline(&thread, len, &mut held, &mut inbound) {
            Err(ending) => Some(ending),
            Ok(()) => {
                let result = self.finish(&thread, &mut held, inbound).err();
                self.held = held;
                result
            }
        };
        self.threads[loop_index].1 = Some(thread);
        result
    }

    /// Event loop `i`'s cache binding (made at its first message), taken out of its
    /// slot for the message (which puts it back) instead of cloned.
    fn bind(&mut self, i: usize) -> Result<RawThread, Ending> {
        if let Some(t) = self.threads[i].1.take() {
            return Ok(t);
        }
        let id = self.threads[i].0;
        self.allocator
            .raw_thread(id)
            .map_err(|e| self.failed(MODEL_RAISED_NO_ASSERTION, e.to_string()))
    }

    fn pipeline(
        &mut self,
        thread: &RawThread,
        len: usize,
        held: &mut Vec<Held>,
        inbound: &mut Option<Inbound>,
    ) -> Result<(), Ending> {
        let plan = self.plan;
        if let Some(cap) = plan.inbound {
            let stage = self.ledger.inbound();
            let (id, memory, tracker) = self.allocate(thread, true, cap, stage)?;
            *inbound = Some(Inbound {
                id,
                memory,
                tracker,
                refs: 1,
                leaked_by: None,
            });
        }
        for (stage, s) in plan.stages.iter().enumerate() {
            if !draw(&mut self.rng, s.probability) {
                continue;
            }
            let (id, memory, tracker, direct) = match s.creates {
                Creation::Copy | Creation::Allocate => {
                    let cap = s.size.unwrap_or(len);
                    let (id, memory, tracker) = self.allocate(thread, s.direct, cap, stage)?;
                    (id, Some(memory), tracker, s.direct)
                }
                Creation::RetainedSlice => {
                    // Validation guarantees the inbound buffer exists.
                    let Some(parent) = inbound.as_mut() else {
                        continue;
                    };
                    parent.refs += 1;
                    let id = self.id();
                    let parent_id = parent.id;
                    let parent_tracker = parent.tracker;
                    self.emit(WorkloadOp::RetainedSlice {
                        id,
                        parent: parent_id,
                        thread: thread.id().0,
                    });
                    self.ledger.tally_mut(stage).created += 1;
                    let tracker = self.track(|leaks, jvm, ctx| {
                        leaks.track_slice(jvm, parent_tracker, &s.name, ctx)
                    })?;
                    (id, None, tracker, true)
                }
            };
            let release = draw(&mut self.rng, s.release);
            held.push(Held {
                id,
                stage: stage as u32,
                memory,
                tracker,
                release,
                direct,
            });
        }
        Ok(())
    }

    fn track(
        &mut self,
        f: impl FnOnce(
            &mut LeakWatch,
            &Jvm,
            &mut DrainContext<'_>,
        ) -> Result<Option<TrackerId>, Drained>,
    ) -> Result<Option<TrackerId>, Ending> {
        let mut ctx = DrainContext {
            now_us: self.now_us,
            ledger: &mut self.ledger,
        };
        let result = f(&mut self.leaks, &self.jvm, &mut ctx);
        self.tracked(result)
    }

    /// `directBuffer(cap)`/`heapBuffer(cap)` on `thread` for `stage`, then its leak
    /// tracking (which may print `LEAK:` for earlier buffers).
    fn allocate(
        &mut self,
        thread: &RawThread,
        direct: bool,
        cap: usize,
        stage: usize,
    ) -> Result<(u64, RawBuffer, Option<TrackerId>), Ending> {
        let memory = match self.allocator.allocate_raw(thread, direct, cap) {
            Ok(m) => m,
            Err(e) if e.class.is_jvm_error() => return Err(Ending::OutOfMemory(e)),
            Err(e) => return Err(self.failed(MODEL_RAISED_NO_ASSERTION, e.to_string())),
        };
        let id = self.id();
        self.emit(WorkloadOp::Alloc {
            id,
            thread: thread.id().0,
            direct,
            size: cap,
        });
        self.allocations += 1;
        let used = self.jvm.netty_direct().used();
        if used > self.peak_direct.0 {
            self.peak_direct = (used, self.now_us);
        }
        self.ledger.hold(place(&memory), direct, memory.footprint());
        self.ledger.tally_mut(stage).created += 1;
        let method = if direct {
            "newDirectBuffer"
        } else {
            "newHeapBuffer"
        };
        let plan = self.plan;
        let site = plan.stages.get(stage).map_or(INBOUND, |s| s.name.as_str());
        let tracker = self.track(|leaks, jvm, ctx| leaks.track_root(jvm, method, site, ctx))?;
        Ok((id, memory, tracker))
    }

    fn release(
        &mut self,
        thread: &RawThread,
        id: u64,
        memory: RawBuffer,
        direct: bool,
    ) -> Result<(), Ending> {
        self.emit(WorkloadOp::Release {
            id,
            thread: thread.id().0,
        });
        self.releases += 1;
        self.ledger
            .unhold(place(&memory), direct, memory.footprint());
        self.allocator
            .release_raw(memory)
            .map_err(|e| self.failed(MODEL_RAISED_NO_ASSERTION, e.to_string()))
    }

    /// The message is done: releases, then everything becomes unreachable.
    fn finish(
        &mut self,
        thread: &RawThread,
        held: &mut Vec<Held>,
        mut inbound: Option<Inbound>,
    ) -> Result<(), Ending> {
        for h in held.drain(..) {
            let stage = h.stage as usize;
            if h.release {
                match h.memory {
                    Some(memory) => self.release(thread, h.id, memory, h.direct)?,
                    None => {
                        self.emit(WorkloadOp::Release {
                            id: h.id,
                            thread: thread.id().0,
                        });
                        self.releases += 1;
                        if let Some(parent) = inbound.as_mut() {
                            parent.refs -= 1;
                        }
                    }
                }
                if let Some(t) = h.tracker {
                    self.leaks.close(&self.jvm, t);
                }
                self.ledger.tally_mut(stage).released += 1;
                self.emit(WorkloadOp::Drop { id: h.id });
                continue;
            }
            self.emit(WorkloadOp::Drop { id: h.id });
            let tracked = h.tracker.is_some();
            match h.memory {
                Some(memory) => {
                    let (place, bytes) = (place(&memory), memory.footprint());
                    self.ledger.unhold(place, h.direct, bytes);
                    let leak = Leaked {
                        requested: memory.capacity(),
                        pool_bytes: bytes,
                        place,
                        direct: h.direct,
                        tracked,
                    };
                    self.ledger.leak(stage, leak);
                }
                None => match inbound.as_mut() {
                    // The first leaked slice is charged the read buffer when Netty's
                    // release leaves it alive; later ones only count.
                    Some(parent) if parent.leaked_by.is_none() => {
                        parent.leaked_by = Some((stage, tracked))
                    }
                    _ => self
                        .ledger
                        .leak(stage, Leaked::counted_only(h.direct, tracked)),
                },
            }
            if let Some(t) = h.tracker {
                self.leaks.unreachable(t, stage);
            }
        }
        if let Some(ib) = inbound {
            self.finish_inbound(thread, ib)?;
        }
        Ok(())
    }

    /// Netty releases its read buffer; a leaked retained slice keeps it alive.
    fn finish_inbound(&mut self, thread: &RawThread, mut ib: Inbound) -> Result<(), Ending> {
        let tally = self.ledger.inbound();
        ib.refs -= 1;
        if ib.refs == 0 {
            self.release(thread, ib.id, ib.memory, true)?;
            if let Some(t) = ib.tracker {
                self.leaks.close(&self.jvm, t);
            }
            self.ledger.tally_mut(tally).released += 1;
            self.emit(WorkloadOp::Drop { id: ib.id });
            return Ok(());
        }
        self.emit(WorkloadOp::Release {
            id: ib.id,
            thread: thread.id().0,
        });
        self.releases += 1;
        self.emit(WorkloadOp::Drop { id: ib.id });
        let (place, bytes) = (place(&ib.memory), ib.memory.footprint());
        self.ledger.unhold(place, true, bytes);
        let (charged, tracked) = ib.leaked_by.unwrap_or((tally, false));
        let leak = Leaked {
            requested: ib.memory.capacity(),
            pool_bytes: bytes,
            place,
            direct: true,
            tracked,
        };
        self.ledger.leak(charged, leak);
        if let Some(t) = ib.tracker {
            self.leaks.unreachable(t, tally);
        }
        Ok(())
    }
}
