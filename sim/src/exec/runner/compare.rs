//! What the executor compares and checks after each step: the model against the
//! shadow (results, counts, indexes, bytes) and the invariant checker's sets.

use super::*;
use crate::exec::apply::Applied;
use crate::exec::report::{Exhaustion, KnownBug};
use crate::exec::tiny_pools::KNOWN_BUG_TINY_POOL_ALIGNMENT;
use crate::shadow::netty::write_grows;
use crate::shadow::Gen;
use leakproof_model::error::JavaException;
use leakproof_model::invariant::MODEL_RAISED_NO_ASSERTION;
use leakproof_model::leak;

impl Exec<'_> {
    /// A step's text, formatted only when the observer reads step texts.
    pub(in crate::exec) fn say(&self, text: std::fmt::Arguments<'_>) -> String {
        if self.detailed {
            text.to_string()
        } else {
            String::new()
        }
    }

    /// Handles, counts and indexes the shadow and the model must agree on after an op.
    pub(crate) fn compare_state(&mut self, i: usize, buf: &ByteBuf, e: AllocId) -> Checked<()> {
        self.report.checks_run += 1;
        let g = self.shadow.gen(e).expect("bound");
        let model = (
            buf.ref_cnt(),
            buf.reader_index(),
            buf.writer_index(),
            buf.capacity(),
        );
        let shadow = (
            self.shadow.ref_cnt(e),
            g.reader,
            g.writer,
            self.shadow.capacity(e),
        );
        if model != shadow {
            return Err(SHADOW_AGREEMENT.violated(format!("step {i}: (refCnt, readerIndex, writerIndex, capacity) of {e}: model {model:?}, shadow {shadow:?}"),
            ));
        }
        Ok(())
    }

    pub(in crate::exec) fn bytes_check(&mut self, root: AllocId) -> Checked<()> {
        let Some(g) = self.shadow.gen(root) else {
            return Ok(());
        };
        let Body::Root(r) = &g.body else {
            return Ok(());
        };
        if r.life != crate::shadow::Life::Live || self.shadow.current_of(g.object) != Some(root) {
            return Ok(());
        }
        let Some(obj) = self.jvm.object(g.object) else {
            return Ok(());
        };
        self.report.checks_run += 1;
        check::root_bytes_as_written(&root, &r.bytes, &obj, r.bytes.checked_len())
            .unwrap_or(Ok(()))?;
        Ok(())
    }

    pub(in crate::exec) fn arena_checks(&mut self) -> Checked<()> {
        self.report.checks_run += 1;
        for (watch, a) in self.watches.iter_mut().zip(&self.allocators) {
            watch.check_changed(a)?;
        }
        Ok(())
    }

    /// The full invariant set (the allocator checks on each pooled allocator, in the
    /// order of a single one's), the arena rules over the arenas and chunks changed
    /// since the last passing check (`check::ArenaWatch` says why that finds the same).
    pub(crate) fn full_checks(&mut self) -> Checked<()> {
        self.full_checks_over(false)
    }

    /// The full invariant set with the arena rules over every chunk (the end phase's).
    pub(crate) fn complete_checks(&mut self) -> Checked<()> {
        self.full_checks_over(true)
    }

    fn full_checks_over(&mut self, every_chunk: bool) -> Checked<()> {
        self.report.checks_run += 8;
        let allocators = &self.allocators[..];
        for (watch, a) in self.watches.iter_mut().zip(allocators) {
            watch.check_all(a, every_chunk)?;
            check::caches_freed_once(a)?;
            check::normal_caches_as_created(a, watch)?;
        }
        // Read once: nothing changes while the rules below run.
        let objects = check::HeapObjects::of(&self.jvm);
        check::refcount_parity(&objects)?;
        let shadow = &self.shadow;
        check::derived_keeps_parent_alive(&objects, |o| {
            shadow.current_of(o).is_none_or(|g| shadow.ref_cnt(g) == 0)
        })?;
        let live: Vec<check::LiveRegions> = allocators
            .iter()
            .map(|a| check::LiveRegions::of(a, &objects))
            .collect();
        for ((a, live), watch) in allocators.iter().zip(&live).zip(&self.watches) {
            check::live_handles_match_size_class(a, live, watch)?;
        }
        if self.ledger.is_complete(&self.jvm) {
            for (a, live) in allocators.iter().zip(&live) {
                check::handle_in_exactly_one_place(a, live, &self.ledger)?;
                check::pinned_memory_consistent(a, live, &self.ledger)?;
            }
            check::direct_counter_consistent(&self.jvm, &objects, &self.ledger)?;
        }
        let roots: Vec<AllocId> = self
            .shadow
            .gens()
            .filter(
                |(_, g)| matches!(&g.body, Body::Root(r) if r.life == crate::shadow::Life::Live),
            )
            .map(|(id, _)| *id)
            .collect();
        for r in roots {
            self.bytes_check(r)?;
        }
        Ok(())
    }

    /// Records the misuse behind `e` when it is an `IllegalReferenceCountException`.
    pub(crate) fn record_misuse(&mut self, i: usize, e: &JavaException) {
        if e.class == JavaClass::IllegalReferenceCount {
            // Every count exception the model raises is built from the call's arguments;
            // one with only a message is an access, as Netty's `(refCnt)` form.
            let kind = e
                .ref_cnt_fault()
                .map_or(MisuseKind::UseAfterRelease, MisuseKind::of);
            self.report.misuse.push(Misuse {
                step: i,
                kind,
                message: e.message.clone(),
            });
        }
    }

    /// A predicted `AssertionError` or `ArrayIndexOutOfBoundsException`: only the #11955
    /// rule (`shadow/tiny_pools.rs`) predicts them. Netty's pools, queues and pages now
    /// differ from the model's (it took the page, lost a chunk or a polled entry; the
    /// model changed nothing), so the program's op stream ends here and the end phase
    /// runs on the model's state, where every check still holds.
    fn record_tiny_pool_bug(&mut self, i: usize, e: &JavaException) {
        if matches!(
            e.class,
            JavaClass::Assertion | JavaClass::ArrayIndexOutOfBounds
        ) {
            self.report.known_bugs.push(KnownBug {
                issue: KNOWN_BUG_TINY_POOL_ALIGNMENT,
                invariant: MODEL_RAISED_NO_ASSERTION.name,
                message: format!(
                    "step {i}: a tiny pool met another size ({e}); the program ends here"
                ),
            });
            self.halted = Some(i);
        }
    }

    pub(in crate::exec) fn mismatch_or_error(
        &mut self,
        i: usize,
        pred: Prediction,
        model: JavaResult<()>,
    ) -> Checked<String> {
        match (pred, model) {
            (Err(p), Err(m)) if p.matches(&m) => {
                self.record_misuse(i, &m);
                self.record_tiny_pool_bug(i, &m);
                Ok(self.say(format_args!("{m}")))
            }
            (_, Err(m)) if m.class == JavaClass::Assertion => {
                check::model_raised_no_assertion(&m).map(|_| String::new())
            }
            (Ok(_), Err(m)) if m.class == JavaClass::OutOfDirectMemory => {
                self.accept_exhaustion(i, &m)
            }
            // A new subpage may need a new chunk first, which may not fit the limit.
            (Err(p), Err(m))
                if m.class == JavaClass::OutOfDirectMemory
                    && p.class == JavaClass::ArrayIndexOutOfBounds =>
            {
                self.accept_exhaustion(i, &m)
            }
            (p, m) => Err(SHADOW_AGREEMENT.violated(format!(
                "step {i}: model {}, shadow {}",
                match &m {
                    Ok(_) => "succeeded".to_string(),
                    Err(e) => format!("raised {e}"),
                },
                match &p {
                    Ok(_) => "expects success".to_string(),
                    Err(e) => format!("expects {e}"),
                }
            ))),
        }
    }

    /// An allocation failed with `OutOfDirectMemoryError`: acceptable only when Netty
    /// counts direct memory, the message names the limit Netty computes, and the
    /// request would have passed it (`used + N > max`, PlatformDependent
    /// `incrementMemoryCounter`); recorded as exhaustion, the op has no effect.
    pub(in crate::exec) fn accept_exhaustion(
        &mut self,
        i: usize,
        e: &JavaException,
    ) -> Checked<String> {
        let shortfall = match (self.env.direct_limit, e.direct_shortfall()) {
            (Some(limit), Some(d))
                if d.max == limit && d.requested > 0 && d.used + d.requested > d.max =>
            {
                d
            }
            _ => {
                return Err(SHADOW_AGREEMENT.violated(format!(
                    "step {i}: model raised {e}, the shadow expects success (limit {:?})",
                    self.env.direct_limit
                )))
            }
        };
        self.report
            .exhausted
            .push(Exhaustion { step: i, shortfall });
        Ok(self.say(format_args!("{e}")))
    }

    /// After pooled allocation `i` ran out of memory: tells the shadow which object the
    /// model's failed allocation took from the Recycler (an object whose generation
    /// changed without a new handle), for the shadow to check and predict its state.
    pub(in crate::exec) fn observe_claim(
        &mut self,
        i: usize,
        (pooled, direct, max): (u8, bool, i64),
    ) -> Checked<()> {
        let exhausted = self.report.exhausted.last().is_some_and(|x| x.step == i);
        if !exhausted && self.halted != Some(i) {
            return Ok(());
        }
        let moved: Vec<_> = self
            .shadow
            .objects()
            .filter_map(|(o, g)| {
                let now = self.jvm.object(o)?.alloc_id();
                (now != g).then_some((o, now))
            })
            .collect();
        if moved.len() > 1 {
            return Err(SHADOW_AGREEMENT.violated(format!(
                "step {i}: one failed allocation gave new generations to {moved:?}"
            )));
        }
        for (object, id) in moved {
            let max = usize::try_from(max).unwrap_or(0);
            self.shadow
                .claimed_by_failed_alloc((pooled, direct, max), object, id, i)
                .map_err(|e| SHADOW_AGREEMENT.violated(format!("step {i}: {e}")))?;
        }
        Ok(())
    }

    /// Under a direct-memory limit, the shadow's state of `e` before it predicts `op`,
    /// when `op` may allocate (restored since the model's allocation failed):
    /// `capacity(n)`, or a write that does not fit ([`write_grows`]; not `len >
    /// capacity − writerIndex`, as the writer index may be past the capacity). The
    /// shadow's writer index and capacity are the model's (compared after every op).
    pub(in crate::exec) fn save_if_may_allocate(
        &self,
        op: &Op,
        e: AllocId,
    ) -> Option<Vec<(AllocId, Gen)>> {
        self.env.direct_limit?;
        let may_allocate = match op {
            Op::Write { len, .. } => {
                let writer = self.shadow.gen(e).map_or(0, |g| g.writer);
                write_grows(writer, len.0 as usize, self.shadow.capacity(e))
            }
            Op::SetCapacity { .. } => true,
            _ => false,
        };
        may_allocate.then(|| self.shadow.save(e))
    }

    /// Restores what [`Exec::save_if_may_allocate`] saved when step `i` ran out of memory.
    pub(in crate::exec) fn restore_if_exhausted(
        &mut self,
        i: usize,
        saved: Option<Vec<(AllocId, Gen)>>,
    ) {
        let exhausted = self.report.exhausted.last().is_some_and(|x| x.step == i);
        if let (true, Some(saved)) = (exhausted, saved) {
            self.shadow.restore(saved);
        }
    }

    pub(in crate::exec) fn compare_unit(
        &mut self,
        i: usize,
        pred: Prediction,
        model: JavaResult<()>,
    ) -> Checked<String> {
        match (pred, model) {
            (Ok(_), Ok(())) => Ok(self.say(format_args!("ok"))),
            (p, m) => self.mismatch_or_error(i, p, m),
        }
    }

    pub(in crate::exec) fn compare_new(
        &mut self,
        i: usize,
        t: ThreadId,
        pred: Prediction,
        model: JavaResult<ByteBuf>,
        made: Made,
        resolved: &mut Step,
    ) -> Checked<String> {
        if let Ok(buf) = &model {
            if buf.is_unreleasable() != made.unreleasable {
                return Err(SHADOW_AGREEMENT.violated(format!(
                    "step {i}: the new handle is {}an UnreleasableByteBuf, expected {}",
                    if buf.is_unreleasable() { "" } else { "not " },
                    made.unreleasable
                )));
            }
        }
        let (id, buf, text) = match (pred, model) {
            // The same Java reference again: a stale one stays bound to its generation.
            (Ok(Pred::Same(gen)), Ok(buf)) if buf.object().alloc_id() == gen => {
                let id = self.live.new_handle_id(made.id);
                resolved.creates = Some(id);
                self.compare_state(i, &buf, gen)?;
                let text = self.say(format_args!(
                    "#{id} = {gen} again ({})",
                    buf.object().simple_name()
                ));
                (id, buf, text)
            }
            (Ok(Pred::New(new)), Ok(buf)) => {
                let gen = buf.alloc_id();
                if self.shadow.gen(gen).is_some() {
                    return Err(SHADOW_AGREEMENT
                        .violated(format!("step {i}: the new buffer reuses generation {gen}")));
                }
                let id = self.live.new_handle_id(made.id);
                self.shadow.bind(*new, gen, buf.object_id(), i, id);
                if let Some(tracker) = buf.leak_tracker() {
                    self.live.trackers.insert(gen, tracker);
                }
                resolved.creates = Some(id);
                self.compare_state(i, &buf, gen)?;
                self.bytes_check(gen)?;
                let text = self.say(format_args!(
                    "#{id} = {gen} ({})",
                    buf.object().simple_name()
                ));
                (id, buf, text)
            }
            (p, m) => return self.mismatch_or_error(i, p, m.map(|_| ())),
        };
        let gen = buf.alloc_id();
        self.live.handles.push(Held {
            id,
            buf,
            gen,
            holder: t,
            unreleasable: made.unreleasable,
        });
        Ok(text)
    }

    /// Compares what an op through handle `#id` returned with the shadow's prediction.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::exec) fn compare_applied(
        &mut self,
        i: usize,
        t: ThreadId,
        id: u32,
        pred: Prediction,
        model: JavaResult<Applied>,
        made: Made,
        resolved: &mut Step,
    ) -> Checked<String> {
        match (pred, model) {
            (pred, Ok(Applied::New(buf))) => self.compare_new(i, t, pred, Ok(buf), made, resolved),
            (Ok(Pred::Released(p)), Ok(Applied::Released(m))) if p == m => {
                Ok(self.say(format_args!("release → {m}")))
            }
            (Ok(Pred::Released(p)), Ok(Applied::Released(m))) => Err(SHADOW_AGREEMENT.violated(
                format!("step {i}: release returned {m}, the shadow expects {p}"),
            )),
            (Ok(Pred::Bytes(expected)), Ok(Applied::Bytes(actual))) => {
                check::bytes_as_written(
                    &format_args!("read of #{id} at step {i}"),
                    &expected,
                    &actual,
                )?;
                Ok(self.say(format_args!("read {} bytes", actual.len())))
            }
            (pred, Ok(Applied::Unit)) => self.compare_unit(i, pred, Ok(())),
            (pred, model) => self.mismatch_or_error(i, pred, model.map(|_| ())),
        }
    }

    /// §8 row 20 (#13436): the handle just created by `op` from a buffer with its own
    /// tracker (`source_tracked`) is tracked when it is a pooled retained derivative.
    pub(in crate::exec) fn derived_tracking(
        &self,
        i: usize,
        op: &Op,
        source_tracked: bool,
    ) -> Checked<()> {
        let retained = matches!(
            op,
            Op::RetainedSlice { .. } | Op::RetainedDuplicate { .. } | Op::ReadRetainedSlice { .. }
        );
        let Some(new) = self.live.handles.last() else {
            return Ok(());
        };
        if !retained
            || !source_tracked
            || !self.jvm.profile().leak.retained_derivatives_tracked
            || !new.buf.class().is_pooled_derivative()
        {
            return Ok(());
        }
        leak::checks::tracked_parent_tracks_derivative(
            new.buf.leak_tracker().is_some(),
            &format_args!("step {i}: #{}", new.id),
        )
    }

    /// The state that matters after a step: the touched buffer, chunk usage, counter.
    pub(in crate::exec) fn describe(&self, pos: Option<usize>) -> String {
        let mut out = String::new();
        if let Some(h) = pos.and_then(|p| self.live.handles.get(p)) {
            out.push_str(&format!(
                "#{} refCnt={} cap={} ridx={} widx={}; ",
                h.id,
                h.buf.ref_cnt(),
                h.buf.capacity(),
                h.buf.reader_index(),
                h.buf.writer_index()
            ));
        }
        for kind in [ArenaKind::Heap, ArenaKind::Direct] {
            for a in self.allocators.iter().flat_map(|p| p.arenas(kind)) {
                let core = a.lock();
                let used: usize = core.chunks().map(|c| c.chunk_size() - c.free_bytes()).sum();
                out.push_str(&format!(
                    "{kind:?}{}: {} chunks, {used} B used; ",
                    a.index(),
                    core.chunks().count()
                ));
            }
        }
        out.push_str(&format!(
            "direct counter {}",
            self.jvm.netty_direct().used()
        ));
        out
    }
}
