//! The step loop: resolve, predict, run, compare, check.

use super::end::end_phase;
use super::report::{Misuse, MisuseKind, Outcome, RunReport};
use super::state::{Held, Program as Live};
use super::{apply, ExecConfig, Observer, StepEvent};
use crate::shadow::{AllocEnv, Body, Pred, Prediction, Shadow, TinyView};
use leakproof_model::alloc::pooled::{PooledAllocator, PooledByteBufAllocator};
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{AllocId, ByteBuf};
use leakproof_model::check::{self, Ledger, SHADOW_AGREEMENT};
use leakproof_model::error::{JavaClass, JavaResult};
use leakproof_model::jvm::Jvm;
use leakproof_model::op::{Addressing, Op, Program, Step};
use leakproof_model::pool::{ArenaKind, SizeTables};
use leakproof_model::{ThreadId, Violation};
use std::collections::BTreeSet;
use std::sync::Arc;

mod compare;
mod start;

/// The running execution.
pub(crate) struct Exec<'o> {
    pub jvm: Arc<Jvm>,
    /// The program's pooled allocators: its own first, then a second one of the same
    /// configuration when the configuration has one.
    pub allocators: Vec<Arc<PooledAllocator>>,
    /// The program's references to them (dropped at the end: finalization).
    pub handles: Vec<PooledByteBufAllocator>,
    pub unpooled: Arc<UnpooledAllocator>,
    pub env: AllocEnv,
    pub shadow: Shadow,
    pub ledger: Ledger,
    /// What the per-op arena check saw last of each pooled allocator (it checks only
    /// what changed since).
    pub watches: Vec<check::ArenaWatch>,
    /// Whether the observer reads step texts (they are formatted only then).
    pub detailed: bool,
    pub live: Live,
    pub report: RunReport,
    pub observer: &'o mut dyn Observer,
    pub addr: Addressing,
    /// The step being executed, resolved so far (kept when it violates).
    pub pending: Option<Step>,
    /// The step after which the program's op stream ended (a known Netty bug left
    /// Netty's state apart from the model's, `record_tiny_pool_bug`).
    pub halted: Option<usize>,
}

type Checked<T> = Result<T, Violation>;

/// What the executor expects of a handle an op creates: the id a resolved step
/// recorded, and whether it is an `UnreleasableByteBuf`.
#[derive(Clone, Copy)]
pub(crate) struct Made {
    pub id: Option<u32>,
    pub unreleasable: bool,
}

/// Runs `program` under `config`, reporting to `observer`.
pub fn run(program: &Program, config: &ExecConfig, observer: &mut dyn Observer) -> RunReport {
    run_with_tables(program, config, observer, &SizeTables::new())
}

/// [`run`] with the allocator's size-class tables taken from `tables`: a harness that
/// runs many programs (the fuzz target, the benchmarks) builds each table once.
pub fn run_with_tables(
    program: &Program,
    config: &ExecConfig,
    observer: &mut dyn Observer,
    tables: &SizeTables,
) -> RunReport {
    let mut exec = match Exec::start(config, program.addressing, observer, tables) {
        Ok(exec) => exec,
        Err(rejected) => return *rejected,
    };
    // One allocation for the resolved program instead of one per doubling.
    exec.report
        .resolved
        .steps
        .reserve_exact(program.steps.len());
    let every = config.check_every.max(1) as usize;
    // Whether the full set last ran on the state the program ends in.
    let mut checked_last = false;
    for (i, step) in program.steps.iter().enumerate() {
        match exec.step(i, step, program.addressing) {
            Ok(Some(resolved)) => {
                exec.report.steps_run += 1;
                exec.report.resolved.steps.push(resolved);
                if exec.halted.is_some() {
                    exec.report.steps_skipped += program.steps.len() - i - 1;
                    checked_last = false;
                    break;
                }
            }
            Ok(None) => exec.report.steps_skipped += 1,
            Err(v) => {
                exec.report.steps_run += 1;
                if let Some(s) = exec.pending.take() {
                    exec.report.resolved.steps.push(s);
                }
                exec.fail(Some(exec.report.resolved.steps.len() - 1), v);
                return exec.finish();
            }
        }
        checked_last = (i + 1) % every == 0;
        if checked_last {
            if let Err(v) = exec.full_checks() {
                exec.fail(exec.report.resolved.steps.len().checked_sub(1), v);
                return exec.finish();
            }
        }
    }
    if let Err(v) = end_phase(&mut exec, checked_last) {
        exec.fail(None, v);
    }
    exec.finish()
}

impl Exec<'_> {
    /// The program's own pooled allocator (the first).
    pub(crate) fn pooled(&self) -> &Arc<PooledAllocator> {
        &self.allocators[0]
    }

    pub(crate) fn fail(&mut self, step: Option<usize>, violation: Violation) {
        self.report.outcome = Outcome::Violation { step, violation };
    }

    pub(crate) fn finish(mut self) -> RunReport {
        self.report.leak_reports = self
            .jvm
            .leak_detector()
            .reports()
            .iter()
            .map(|r| r.text.clone())
            .collect();
        if self.observer.metrics() {
            self.report.metrics = Some(super::report::RunMetrics {
                pooled: self.pooled().metric(),
                unpooled: self.unpooled.metric().snapshot(),
                used_direct_memory: self.jvm.netty_direct().used(),
            });
        }
        self.live.handles.clear();
        self.handles.clear();
        self.report.coverage = self.jvm.coverage();
        self.jvm.dispose();
        self.report
    }

    fn step(&mut self, i: usize, step: &Step, addr: Addressing) -> Checked<Option<Step>> {
        let Some(t) = self.live.thread(addr, step.thread) else {
            return Ok(None);
        };
        let target = match step.op.handle() {
            None => None,
            Some(n) => match self.live.handle(addr, n) {
                None => return Ok(None),
                Some(pos) => Some(pos),
            },
        };
        let mut resolved = Step::new(t.0, step.op.clone());
        if let Some(pos) = target {
            resolved.op = step.op.with_handle(self.live.handles[pos].id);
        }
        self.pending = Some(resolved.clone());
        self.shadow.threads.acting = t;
        if self.env.tiny_pools_by_request() {
            self.shadow.tiny_pools = if super::tiny_pools::may_allocate(&step.op) {
                let buf = target.map(|pos| &self.live.handles[pos].buf);
                TinyView::Observed(super::tiny_pools::observe(&self.allocators, t, buf))
            } else {
                TinyView::Skipped
            };
        }
        let result = match (&step.op, target) {
            (op, Some(pos)) => self.on_handle(i, t, op, pos, step.creates, &mut resolved)?,
            (op, None) => match self.global(i, t, op, step, addr, &mut resolved)? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        if self.observer.detailed() {
            let state =
                self.describe(target.map(|p| p.min(self.live.handles.len().saturating_sub(1))));
            self.observer.on_step(&StepEvent {
                index: i,
                step: Some(&resolved),
                result,
                state,
            });
        }
        Ok(Some(resolved))
    }

    fn global(
        &mut self,
        i: usize,
        t: ThreadId,
        op: &Op,
        step: &Step,
        addr: Addressing,
        resolved: &mut Step,
    ) -> Checked<Option<String>> {
        let out = match op {
            Op::Alloc {
                pooled,
                direct,
                size,
                max,
                second,
            } => {
                let index: u8 = match self.allocators.get(1) {
                    Some(_) if *pooled && *second => 1,
                    _ => 0,
                };
                let allocator = &self.allocators[usize::from(index)];
                let pred = self.shadow.alloc(
                    &self.env,
                    pooled.then_some(index),
                    *direct,
                    size.0 as i64,
                    max.value(),
                );
                let model = apply::alloc(
                    allocator,
                    &self.unpooled,
                    t,
                    (*pooled, *direct, *size, max.value()),
                );
                if let Op::Alloc { second, .. } = &mut resolved.op {
                    *second = index == 1;
                }
                let made = Made {
                    id: step.creates,
                    unreleasable: false,
                };
                let text = self.compare_new(i, t, pred, model, made, resolved)?;
                if *pooled {
                    self.observe_claim(i, (index, *direct, max.value()))?;
                    self.arena_checks()?;
                }
                text
            }
            Op::Gc => {
                self.gc(i)?;
                self.arena_checks()?;
                self.say(format_args!("gc"))
            }
            Op::TrimCache => {
                for a in &self.allocators {
                    a.trim_thread_cache(t);
                }
                self.arena_checks()?;
                self.say(format_args!("trimmed"))
            }
            Op::FreeCache => {
                let n = self.pooled().free_thread_cache(t);
                let m = self.allocators.get(1).map(|s| s.free_thread_cache(t));
                self.arena_checks()?;
                match m {
                    None => self.say(format_args!("freed {n:?}")),
                    Some(m) => self.say(format_args!("freed {n:?} and {m:?}")),
                }
            }
            Op::StartThread { kind } => {
                let id = self.live.new_thread_id(match addr {
                    Addressing::Resolved => step.creates,
                    Addressing::Modulo => None,
                });
                if let Err(e) = self.jvm.start_thread(id, (*kind).into()) {
                    return Err(SHADOW_AGREEMENT.violated(format!("step {i}: start {id}: {e}")));
                }
                self.shadow.threads.started(id, (*kind).into());
                self.live.threads.push(id);
                self.live.threads.sort();
                resolved.creates = Some(id.0);
                self.say(format_args!("started {id}"))
            }
            Op::ExitThread { clean } => {
                if t == ThreadId::MAIN {
                    return Ok(None);
                }
                self.exit_thread(t, *clean)?;
                self.arena_checks()?;
                self.say(format_args!("{t} exited"))
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }

    pub(crate) fn exit_thread(&mut self, t: ThreadId, clean: bool) -> Checked<()> {
        if let Err(e) = self.jvm.exit_thread(t, clean) {
            return Err(SHADOW_AGREEMENT.violated(format!("exit {t}: {e}")));
        }
        self.live.threads.retain(|x| *x != t);
        self.live.handles.retain(|h| h.holder != t);
        Ok(())
    }

    /// A collection: the shadow predicts which generations leak, the model collects.
    pub(crate) fn gc(&mut self, i: usize) -> Checked<()> {
        let held: BTreeSet<_> = self
            .live
            .handles
            .iter()
            .map(|h| h.buf.object_id())
            .collect();
        let jvm = self.jvm.clone();
        let pred = self.shadow.predict_gc(&held, |o| jvm.in_recycler_pool(o));
        let report = self.ledger.gc(&self.jvm);
        let leaked: BTreeSet<AllocId> = report.leaked.iter().copied().collect();
        if leaked == pred.leaked {
            return Ok(());
        }
        check::shadow_agreement(
            i,
            "generations leaked by the collection",
            &format!("{leaked:?}"),
            &format!("{:?}", pred.leaked),
        )
    }

    fn on_handle(
        &mut self,
        i: usize,
        t: ThreadId,
        op: &Op,
        pos: usize,
        creates: Option<u32>,
        resolved: &mut Step,
    ) -> Checked<String> {
        let (buf, gen, id, unreleasable) = {
            let h = &self.live.handles[pos];
            (h.buf.clone(), h.gen, h.id, h.unreleasable)
        };
        let obj = buf.object_id();
        let reached = buf.object().alloc_id();
        if self.shadow.current_of(obj) != Some(reached) {
            return Err(SHADOW_AGREEMENT.violated(format!(
                "step {i}: handle #{id} reaches generation {reached}, the shadow expects {:?}",
                self.shadow.current_of(obj)
            )));
        }
        if reached != gen {
            let (old, new) = (
                self.shadow.gen(gen).cloned(),
                self.shadow.gen(reached).cloned(),
            );
            let owner = |g: Option<crate::shadow::Gen>| {
                g.map_or("?".into(), |g| format!("#{} (step {})", g.handle, g.step))
            };
            self.report.misuse.push(Misuse {
                step: i,
                kind: MisuseKind::StaleReference,
                message: format!(
                    "stale handle #{id} of {gen}, owned by {}, acted on {reached}, owned by {}",
                    owner(old),
                    owner(new)
                ),
            });
        }
        if let Some((wrapped, now)) = self.shadow.stale_wrapped(reached) {
            self.report.misuse.push(Misuse {
                step: i,
                kind: MisuseKind::StaleReference,
                message: format!(
                    "read-only view #{id} wraps the object of released {wrapped}, which the Recycler gave to {now}: it acts on {now}"
                ),
            });
        }
        let e = reached;
        self.shadow.deallocated.clear();
        let text = match op {
            Op::Drop { .. } => {
                self.live.handles.remove(pos);
                return Ok(self.say(format_args!("dropped #{id}")));
            }
            Op::HandOff { to, .. } => {
                let Some(to) = self.live.thread(self.addr, *to) else {
                    return Ok(self.say(format_args!("receiver not running")));
                };
                self.live.handles[pos].holder = to;
                resolved.op = Op::HandOff { buf: id, to: to.0 };
                return Ok(self.say(format_args!("#{id} handed to {to}")));
            }
            _ => {
                // The prediction reads the shadow only, so it may follow the model's op:
                // then the shadow's state needs saving (to restore, `restore_if_exhausted`)
                // only when a write or `capacity(n)` did run out of memory, not before
                // every one that may.
                let model = apply::on_handle(op, &buf, t);
                let saved = match &model {
                    Some(Err(m)) if m.class == JavaClass::OutOfDirectMemory => {
                        self.save_if_may_allocate(op, e)
                    }
                    _ => None,
                };
                let pred = apply::predict(&mut self.shadow, &self.env, op, e, unreleasable);
                let (Some(pred), Some(model)) = (pred, model) else {
                    return Ok(String::new());
                };
                let (handles, tracked) =
                    (self.live.handles.len(), self.live.trackers.contains_key(&e));
                let made = Made {
                    id: creates,
                    unreleasable: apply::creates_unreleasable(op, unreleasable),
                };
                let text = self.compare_applied(i, t, id, pred, model, made, resolved)?;
                if let (Op::Copy { .. }, Some(a)) = (op, self.shadow.copy_allocation(e)) {
                    self.observe_claim(i, a)?;
                }
                if self.live.handles.len() > handles {
                    self.derived_tracking(i, op, tracked)?;
                }
                self.restore_if_exhausted(i, saved);
                text
            }
        };
        // Tell the shadow what the recycler did with derivatives released just now.
        for g in std::mem::take(&mut self.shadow.deallocated) {
            if let Some(gen) = self.shadow.gen(g) {
                if matches!(gen.body, Body::View(_))
                    && self
                        .jvm
                        .object(gen.object)
                        .is_some_and(|o| o.is_recycled_body())
                {
                    self.shadow.observe_recycled(g);
                }
            }
        }
        self.compare_state(i, &buf, e)?;
        if !matches!(
            op,
            Op::Read { .. } | Op::Slice { .. } | Op::Duplicate { .. } | Op::ReadSlice { .. }
        ) {
            self.arena_checks()?;
        }
        // Only writes and resizes change a buffer's bytes; every other buffer's bytes
        // (what an overlap would corrupt) are compared in the full checks.
        if matches!(op, Op::Write { .. } | Op::SetCapacity { .. }) {
            if let Some(root) = self.shadow.root(e) {
                self.bytes_check(root)?;
            }
        }
        Ok(text)
    }
}
