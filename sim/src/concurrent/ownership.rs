//! The discipline a concurrent program keeps, so that every result it observes is
//! Netty's to explain (no data race of the application's own making).
//!
//! A `ByteBuf`'s indexes and bytes are not thread-safe in Netty; only its reference
//! count is. So a concurrent program follows the ownership rules Netty's users follow:
//!
//! - a thread acts on a buffer only through a handle it holds, and only while it owns
//!   at least one reference to the count that handle uses (references are owned per
//!   handle: an allocation, a `retain(k)` and a retained derivative each give the
//!   acting thread references; `hand_off` passes a handle with its references);
//! - it releases no more than it owns;
//! - only a root nobody else has seen yet (no derivative, never handed off) is written
//!   or resized, so shared memory is read-only.
//!
//! A family (a root and every derivative of it) may instead be *racy*: some thread
//! retains or releases it without owning references, the #8563 pattern. Then, from the
//! family's first hand-off on, nothing but refcount ops, hand-offs and drops touch it,
//! and no thread that created one of its objects creates anything after handing part
//! of it off (only its creator's later allocations could reuse a recycled object).
//! Every outcome of such a program is then linearizable in Netty's protocol.

use leakproof_model::op::{Op, Program, Step};
use leakproof_model::ThreadId;
use std::collections::{BTreeMap, BTreeSet};

/// A step that breaks the discipline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// The step's index in the program.
    pub step: usize,
    /// The rule it breaks.
    pub message: String,
}

#[derive(Clone, Debug)]
struct Handle {
    holder: ThreadId,
    /// The handle whose count this one uses.
    group: u32,
    family: u32,
    root: bool,
    /// References the holder owns through this handle.
    refs: u32,
}

#[derive(Clone, Debug)]
struct Family {
    /// No derivative was ever taken and it was never handed off.
    exclusive: bool,
    shared: bool,
    creators: BTreeSet<ThreadId>,
}

/// Which pooled allocations are pooled roots (an arena of that kind exists): their
/// retained derivatives have counts of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PooledKinds {
    /// A heap arena exists.
    pub heap: bool,
    /// A direct arena exists.
    pub direct: bool,
}

/// The ownership state of a program run in its reference order.
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    kinds: Option<PooledKinds>,
    running: BTreeSet<ThreadId>,
    exited: BTreeSet<ThreadId>,
    handles: BTreeMap<u32, Handle>,
    /// Count groups: whether each has its own count (a pooled retained derivative
    /// holding one reference on its parent group) and that parent.
    parents: BTreeMap<u32, Option<u32>>,
    families: BTreeMap<u32, Family>,
    /// Families found racy (refcount ops by threads that own no reference).
    racy: BTreeSet<u32>,
    /// Threads that may create nothing more (creators of a racy family after its
    /// hand-off).
    frozen: BTreeSet<ThreadId>,
    pooled_roots: BTreeSet<u32>,
}

impl Ownership {
    /// An empty state for an allocator with `kinds` of arenas.
    pub fn new(kinds: PooledKinds) -> Self {
        Ownership {
            kinds: Some(kinds),
            ..Default::default()
        }
    }

    /// A running thread (started by the setup, not exited).
    pub fn start(&mut self, t: ThreadId) {
        self.running.insert(t);
    }

    /// The running threads.
    pub fn running(&self) -> impl Iterator<Item = ThreadId> + '_ {
        self.running.iter().copied()
    }

    /// Handles `t` holds, ascending.
    pub fn held_by(&self, t: ThreadId) -> Vec<u32> {
        self.handles
            .iter()
            .filter(|(_, h)| h.holder == t)
            .map(|(id, _)| *id)
            .collect()
    }

    /// The thread holding handle `id`, if it exists.
    pub fn holder(&self, id: u32) -> Option<ThreadId> {
        self.handles.get(&id).map(|h| h.holder)
    }

    /// References owned through handle `id` itself (what a hand-off passes on).
    pub fn refs(&self, id: u32) -> u32 {
        self.handles.get(&id).map_or(0, |h| h.refs)
    }

    /// References `t` owns on the count handle `id` uses.
    pub fn owned(&self, t: ThreadId, id: u32) -> u32 {
        let Some(group) = self.handles.get(&id).map(|h| h.group) else {
            return 0;
        };
        self.handles
            .values()
            .filter(|h| h.holder == t && h.group == group)
            .map(|h| h.refs)
            .sum()
    }

    /// True when handle `id` is a root nobody else has seen (writable, resizable).
    pub fn exclusive(&self, id: u32) -> bool {
        self.handles
            .get(&id)
            .is_some_and(|h| h.root && self.families[&h.family].exclusive)
    }

    /// True when the family of handle `id` was handed off (shared between threads).
    pub fn shared(&self, id: u32) -> bool {
        self.handles
            .get(&id)
            .is_some_and(|h| self.families[&h.family].shared)
    }

    /// Checks `step` (index `i`) against the discipline and applies it.
    pub fn step(&mut self, i: usize, step: &Step) -> Result<(), Breach> {
        let t = ThreadId(step.thread);
        let breach = |message: String| Breach { step: i, message };
        if !self.running.contains(&t) {
            return Err(breach(format!("{t} is not running")));
        }
        if step.op.creates_handle() && self.frozen.contains(&t) {
            return Err(breach(format!(
                "{t} creates a buffer after handing off part of a racy family it created (it could reuse a recycled object a stale handle still reaches)"
            )));
        }
        if let Some(id) = step.op.handle() {
            let Some(h) = self.handles.get(&id) else {
                return Err(breach(format!("#{id} does not exist")));
            };
            if h.holder != t {
                return Err(breach(format!(
                    "{t} acts on #{id}, which {} holds",
                    h.holder
                )));
            }
            let family = h.family;
            let shared = self.families[&family].shared;
            let owns = self.owned(t, id) >= 1;
            let refcount_only = matches!(
                step.op,
                Op::Retain { .. } | Op::Release { .. } | Op::HandOff { .. } | Op::Drop { .. }
            );
            if !refcount_only && self.racy.contains(&family) && shared {
                return Err(breach(format!(
                    "{} of #{id}: a shared racy family takes refcount ops only",
                    step.op.name()
                )));
            }
            if !refcount_only && !owns {
                return Err(breach(format!(
                    "{} of #{id}: {t} owns no reference to its count",
                    step.op.name()
                )));
            }
            if matches!(step.op, Op::Write { .. } | Op::SetCapacity { .. }) && !self.exclusive(id) {
                return Err(breach(format!(
                    "{} of #{id}: only a root nobody else has seen is written or resized",
                    step.op.name()
                )));
            }
        }
        self.apply(t, step).map_err(breach)
    }

    fn apply(&mut self, t: ThreadId, step: &Step) -> Result<(), String> {
        let created = step.creates;
        match step.op {
            Op::Alloc { pooled, direct, .. } => {
                let kinds = self.kinds.unwrap_or(PooledKinds {
                    heap: false,
                    direct: false,
                });
                let pooled_root = pooled && if direct { kinds.direct } else { kinds.heap };
                self.new_root(t, created, pooled_root)?;
            }
            Op::Copy { buf } => {
                let pooled_root = self.pooled_roots.contains(&self.handles[&buf].family);
                self.new_root(t, created, pooled_root)?;
            }
            Op::Slice { buf }
            | Op::Duplicate { buf }
            | Op::ReadSlice { buf, .. }
            | Op::AsReadOnly { buf }
            | Op::Unreleasable { buf } => {
                let h = self.handles[&buf].clone();
                self.new_view(created, t, h.group, h.family, 0)?;
            }
            Op::RetainedSlice { buf }
            | Op::RetainedDuplicate { buf }
            | Op::ReadRetainedSlice { buf, .. } => {
                let h = self.handles[&buf].clone();
                if self.pooled_roots.contains(&h.family) {
                    let id = self.new_view(created, t, 0, h.family, 1)?;
                    self.handles.get_mut(&id).expect("created").group = id;
                    self.parents.insert(id, Some(h.group));
                } else {
                    self.new_view(created, t, h.group, h.family, 1)?;
                }
            }
            Op::Retain { buf, k } => {
                if self.owned(t, buf) == 0 {
                    self.racy.insert(self.handles[&buf].family);
                } else {
                    self.handles.get_mut(&buf).expect("held").refs += u32::from(k.0);
                }
            }
            Op::Release { buf, k } => self.release(t, buf, u32::from(k.0)),
            Op::HandOff { buf, to } => {
                let to = ThreadId(to);
                if !self.running.contains(&to) && !self.exited.contains(&to) {
                    return Err(format!("hands #{buf} to {to}, which was never started"));
                }
                let family = self.handles[&buf].family;
                self.families.get_mut(&family).expect("family").shared = true;
                self.families.get_mut(&family).expect("family").exclusive = false;
                if self.racy.contains(&family) && self.families[&family].creators.contains(&t) {
                    self.frozen.insert(t);
                }
                self.handles.get_mut(&buf).expect("held").holder = to;
            }
            Op::Drop { buf } => {
                self.handles.remove(&buf);
            }
            Op::ExitThread { .. } => {
                if t == ThreadId::MAIN {
                    return Err("main does not exit".into());
                }
                self.running.remove(&t);
                self.exited.insert(t);
                self.handles.retain(|_, h| h.holder != t);
            }
            Op::Write { .. }
            | Op::Read { .. }
            | Op::SetCapacity { .. }
            | Op::TrimCache
            | Op::FreeCache => {}
            Op::Gc | Op::StartThread { .. } => {
                return Err(format!("{} is not a concurrent op", step.op.name()))
            }
        }
        Ok(())
    }

    fn new_root(&mut self, t: ThreadId, id: Option<u32>, pooled_root: bool) -> Result<(), String> {
        let id = self.fresh(id)?;
        self.handles.insert(
            id,
            Handle {
                holder: t,
                group: id,
                family: id,
                root: true,
                refs: 1,
            },
        );
        self.parents.insert(id, None);
        self.families.insert(
            id,
            Family {
                exclusive: true,
                shared: false,
                creators: BTreeSet::from([t]),
            },
        );
        if pooled_root {
            self.pooled_roots.insert(id);
        }
        Ok(())
    }

    fn new_view(
        &mut self,
        id: Option<u32>,
        t: ThreadId,
        group: u32,
        family: u32,
        refs: u32,
    ) -> Result<u32, String> {
        let id = self.fresh(id)?;
        let f = self.families.get_mut(&family).expect("family");
        f.exclusive = false;
        f.creators.insert(t);
        self.handles.insert(
            id,
            Handle {
                holder: t,
                group,
                family,
                root: false,
                refs,
            },
        );
        Ok(id)
    }

    fn fresh(&self, id: Option<u32>) -> Result<u32, String> {
        let id = id.ok_or("a creating step must name the handle it creates")?;
        if self.handles.contains_key(&id) || self.families.contains_key(&id) {
            return Err(format!("#{id} is created twice"));
        }
        Ok(id)
    }

    /// Releases `k` of `t`'s references through `buf` (its own first); releasing more
    /// than `t` owns makes the family racy.
    fn release(&mut self, t: ThreadId, buf: u32, k: u32) {
        let owned = self.owned(t, buf);
        let family = self.handles[&buf].family;
        if k > owned {
            self.racy.insert(family);
            return;
        }
        let group = self.handles[&buf].group;
        let mut left = k;
        let mut order: Vec<u32> = vec![buf];
        order.extend(
            self.handles
                .iter()
                .filter(|(id, h)| **id != buf && h.holder == t && h.group == group)
                .map(|(id, _)| *id),
        );
        for id in order {
            let h = self.handles.get_mut(&id).expect("held");
            let take = left.min(h.refs);
            h.refs -= take;
            left -= take;
        }
    }
}

/// Runs `program` (setup included) through `o`, stopping at the first breach unless
/// `skip` (then a breaching step is left out and the rest judged without it). Returns
/// the steps kept.
fn pass(o: &mut Ownership, program: &Program, skip: bool) -> Result<Vec<Step>, Breach> {
    let mut kept = Vec::new();
    for (i, step) in program.steps.iter().enumerate() {
        if let (Op::StartThread { .. }, Some(id), 0) = (&step.op, step.creates, step.thread) {
            o.start(ThreadId(id));
        } else if let Err(breach) = o.step(i, step) {
            if !skip {
                return Err(breach);
            }
            continue;
        }
        kept.push(step.clone());
    }
    Ok(kept)
}

/// Checks a whole concurrent program (setup included) against the discipline, in two
/// passes: the first learns which families are racy, the second enforces every rule.
pub fn check(program: &Program, kinds: PooledKinds) -> Result<(), Breach> {
    let mut first = Ownership::new(kinds);
    let _ = pass(&mut first, program, true);
    let mut second = Ownership::new(kinds);
    second.racy = first.racy;
    pass(&mut second, program, false).map(|_| ())
}

/// `program` without the steps that break the discipline, each judged after the steps
/// kept before it: what is left of a shrunk program that can still run.
pub fn prune(program: &Program, kinds: PooledKinds) -> Program {
    let mut first = Ownership::new(kinds);
    let _ = pass(&mut first, program, true);
    let mut second = Ownership::new(kinds);
    second.racy = first.racy;
    let steps = pass(&mut second, program, true).unwrap_or_default();
    Program {
        addressing: program.addressing,
        steps,
    }
}
