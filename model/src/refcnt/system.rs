//! The state of a refcount scenario between two micro-steps, as plain hashable data.
//!
//! [`System`] holds every object's cell and each thread's running step machine; its
//! transition [`System::step`] runs one micro-step of one thread. The interpreter wraps
//! it with a log (replay, traces), and the proofs use it as the state of their model
//! checker (`Hash`: the visited set stores fingerprints), so both execute one
//! definition. The scenario's programs are not part of the state: they never change.

use super::algorithm::{Algorithm, OpMachine};
use super::interpreter::{OpRecord, Scenario, ScheduleError, StepRecord};
use super::machine::{Action, MicroStep, OpOutcome, RefOp, StepMachine};
use super::program::{ObjectOp, ObjectRef, ThreadOp};
use crate::error::{JavaException, JavaResult};
use std::hash::{DefaultHasher, Hash, Hasher};

/// One object's reference count and what happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectState {
    raw: i32,
    born: bool,
    parent: Option<ObjectRef>,
    deallocations: u8,
    resurrected: bool,
    touched_after_deallocate: bool,
}

impl ObjectState {
    fn unborn() -> Self {
        ObjectState {
            raw: 0,
            born: false,
            parent: None,
            deallocations: 0,
            resurrected: false,
            touched_after_deallocate: false,
        }
    }

    fn born(raw: i32, parent: Option<ObjectRef>) -> Self {
        ObjectState {
            raw,
            born: true,
            parent,
            ..ObjectState::unborn()
        }
    }

    /// The raw cell value.
    pub fn raw(&self) -> i32 {
        self.raw
    }
    /// True once the object exists (the root always; a derivative once derived).
    pub fn is_born(&self) -> bool {
        self.born
    }
    /// How many releases returned "deallocate" for this object.
    pub fn deallocations(&self) -> u8 {
        self.deallocations
    }
    /// True when the cell read live again after a deallocation.
    pub fn resurrected(&self) -> bool {
        self.resurrected
    }
    /// True when some micro-step touched the cell after its deallocation (its memory
    /// may already belong to someone else).
    pub fn touched_after_deallocate(&self) -> bool {
        self.touched_after_deallocate
    }
}

/// What a thread is executing for its current operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Work {
    /// A retain or release machine on an object.
    Machine {
        object: ObjectRef,
        machine: OpMachine,
    },
    /// `ensureAccessible`'s plain read of an object's count.
    Access { object: ObjectRef },
}

/// The current operation of a thread.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Running {
    work: Work,
    /// The operation's result once its first machine finished (a derivative's release
    /// then continues with its parent's release).
    result: Option<JavaResult<OpOutcome>>,
}

/// One logical thread: its position in its program, its running operation and its own
/// derivatives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThreadState {
    next: usize,
    running: Option<Running>,
    own: Vec<ObjectState>,
}

/// Every object and thread of a scenario between two micro-steps.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct System {
    root: ObjectState,
    threads: Vec<ThreadState>,
}

impl System {
    /// The state before the first step; operations that finish without a micro-step (a
    /// rejected `k <= 0`) are reported to `finished` already.
    pub fn new(scenario: &Scenario, finished: &mut Vec<OpRecord>) -> Self {
        let threads = scenario
            .threads
            .iter()
            .map(|ops| {
                let slots = ops.iter().filter_map(ThreadOp::own_slot).max();
                ThreadState {
                    next: 0,
                    running: None,
                    own: vec![ObjectState::unborn(); slots.map_or(0, |s| s + 1)],
                }
            })
            .collect();
        let mut system = System {
            root: ObjectState::born(scenario.initial_raw, None),
            threads,
        };
        for t in 0..system.threads.len() {
            system.settle(scenario, t, None, finished);
        }
        system
    }

    /// The shared root object.
    pub fn root(&self) -> &ObjectState {
        &self.root
    }
    /// Every thread, by index.
    pub fn threads(&self) -> &[ThreadState] {
        &self.threads
    }
    /// The root and every born derivative.
    pub fn objects(&self) -> impl Iterator<Item = &ObjectState> + '_ {
        std::iter::once(&self.root).chain(self.threads.iter().flat_map(|t| &t.own))
    }
    /// Object `object` as seen from `thread`.
    pub fn object(&self, thread: usize, object: ObjectRef) -> Option<&ObjectState> {
        match object {
            ObjectRef::Root => Some(&self.root),
            ObjectRef::Own(n) => self.threads.get(thread)?.own.get(n),
        }
    }
    fn object_mut(&mut self, thread: usize, object: ObjectRef) -> &mut ObjectState {
        match object {
            ObjectRef::Root => &mut self.root,
            ObjectRef::Own(n) => &mut self.threads[thread].own[n],
        }
    }

    /// The threads with a micro-step left, ascending.
    pub fn runnable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.threads.len()).filter(|&t| self.threads[t].running.is_some())
    }

    /// True when every thread finished its program.
    pub fn is_finished(&self) -> bool {
        self.threads.iter().all(|t| t.running.is_none())
    }

    /// The micro-step `thread` would run next, if it has one.
    pub fn next_step(&self, thread: usize) -> Option<MicroStep> {
        match &self.threads.get(thread)?.running.as_ref()?.work {
            Work::Machine { machine, .. } => match machine.action() {
                Action::Step(step) => Some(step),
                Action::Done(_) => None,
            },
            Work::Access { .. } => Some(MicroStep::Load { volatile: false }),
        }
    }

    /// Runs one micro-step of `thread` (index `step_index` in the run) and reports the
    /// operations it finished to `finished`.
    pub fn step(
        &mut self,
        scenario: &Scenario,
        thread: usize,
        step_index: usize,
        finished: &mut Vec<OpRecord>,
    ) -> Result<StepRecord, ScheduleError> {
        let threads = self.threads.len();
        if thread >= threads {
            return Err(ScheduleError::UnknownThread {
                entry: step_index,
                thread,
                threads,
            });
        }
        let Some(step) = self.next_step(thread) else {
            return Err(ScheduleError::FinishedThread {
                entry: step_index,
                thread,
            });
        };
        let algorithm = scenario.algorithm;
        let op_index = self.threads[thread].next;
        let running = self.threads[thread].running.take();
        let Some(mut running) = running else {
            unreachable!("next_step found a running operation")
        };
        let object = match &running.work {
            Work::Machine { object, .. } | Work::Access { object } => *object,
        };
        let cell = self.object_mut(thread, object);
        let raw_before = cell.raw;
        let (observed, raw_after) = step.apply(raw_before);
        if cell.deallocations > 0 {
            cell.touched_after_deallocate = true;
            if !algorithm.is_live(raw_before) && algorithm.is_live(raw_after) {
                cell.resurrected = true;
            }
        }
        cell.raw = raw_after;
        running.work = match running.work {
            Work::Machine { object, machine } => Work::Machine {
                object,
                machine: machine.advance(observed),
            },
            Work::Access { object } => {
                running.result = Some(if algorithm.is_accessible(observed) {
                    Ok(OpOutcome::Accessed)
                } else {
                    Err(JavaException::ref_cnt(0))
                });
                Work::Access { object }
            }
        };
        self.threads[thread].running = Some(running);
        self.settle(scenario, thread, Some(step_index), finished);
        Ok(StepRecord {
            thread,
            op_index,
            op: scenario.threads[thread][op_index],
            object,
            step,
            observed,
            raw_before,
            raw_after,
        })
    }

    /// Finishes what `thread` finished and starts its next work until a micro-step is
    /// pending or the program is over.
    fn settle(
        &mut self,
        scenario: &Scenario,
        thread: usize,
        after_step: Option<usize>,
        finished: &mut Vec<OpRecord>,
    ) {
        loop {
            let running = match self.threads[thread].running.take() {
                Some(running) => running,
                None => match scenario.threads[thread].get(self.threads[thread].next) {
                    Some(&op) => match self.start(scenario, thread, op) {
                        Ok(running) => running,
                        Err(e) => {
                            self.finish(scenario, thread, Err(e), after_step, finished);
                            continue;
                        }
                    },
                    None => return,
                },
            };
            let (object, outcome) = match running.work {
                Work::Machine {
                    object,
                    ref machine,
                } => match machine.action() {
                    Action::Step(_) => {
                        self.threads[thread].running = Some(running);
                        return;
                    }
                    Action::Done(outcome) => (object, outcome),
                },
                Work::Access { .. } => match running.result {
                    None => {
                        self.threads[thread].running = Some(running);
                        return;
                    }
                    Some(result) => {
                        self.finish(scenario, thread, result, after_step, finished);
                        continue;
                    }
                },
            };
            let result = match (running.result, &outcome) {
                (Some(first), Ok(_)) => first,
                (_, _) => outcome.clone(),
            };
            if let Some(child) = self.born_child(scenario, thread, &outcome) {
                let raw = scenario.algorithm.initial_raw();
                self.threads[thread].own[child] = ObjectState::born(raw, Some(object));
            }
            let cascade = if let Ok(OpOutcome::Released { deallocate: true }) = outcome {
                let cell = self.object_mut(thread, object);
                cell.deallocations = cell.deallocations.saturating_add(1);
                cell.parent
            } else {
                None
            };
            match cascade {
                // `deallocate()` of a derivative releases its parent.
                Some(parent) => {
                    let machine = scenario
                        .algorithm
                        .machine(RefOp::Release(1), &scenario.profile);
                    self.threads[thread].running = Some(Running {
                        work: Work::Machine {
                            object: parent,
                            machine,
                        },
                        result: Some(result),
                    });
                }
                None => self.finish(scenario, thread, result, after_step, finished),
            }
        }
    }

    /// The slot a finished `Derive` brings to life (its parent's retain succeeded).
    fn born_child(
        &self,
        scenario: &Scenario,
        thread: usize,
        outcome: &JavaResult<OpOutcome>,
    ) -> Option<usize> {
        let op = scenario.threads[thread].get(self.threads[thread].next)?;
        match (op, outcome) {
            (ThreadOp::Object(ObjectOp::Derive { child, .. }), Ok(OpOutcome::Retained)) => {
                Some(*child)
            }
            _ => None,
        }
    }

    /// The first work of `op`, or the error it finishes with before any micro-step.
    fn start(&self, scenario: &Scenario, thread: usize, op: ThreadOp) -> JavaResult<Running> {
        let algorithm: Algorithm = scenario.algorithm;
        let machine = |object, op| Work::Machine {
            object,
            machine: algorithm.machine(op, &scenario.profile),
        };
        let work = match op {
            ThreadOp::Root(op) => machine(ObjectRef::Root, op),
            ThreadOp::Object(ObjectOp::Derive { parent, .. }) => {
                self.require_born(thread, parent, 1)?;
                machine(parent, RefOp::Retain(1))
            }
            ThreadOp::Object(ObjectOp::ReleaseDerived(n)) => {
                self.require_born(thread, ObjectRef::Own(n), -1)?;
                machine(ObjectRef::Own(n), RefOp::Release(1))
            }
            ThreadOp::Object(ObjectOp::Access(object)) => {
                self.require_born(thread, object, 0)?;
                Work::Access { object }
            }
        };
        Ok(Running { work, result: None })
    }

    /// A derivative whose `Derive` failed was never handed out: acting on it is
    /// Netty's `IllegalReferenceCountException` on a count of 0.
    fn require_born(&self, thread: usize, object: ObjectRef, delta: i64) -> JavaResult<()> {
        match self.object(thread, object) {
            Some(o) if o.born => Ok(()),
            _ if delta == 0 => Err(JavaException::ref_cnt(0)),
            _ => Err(JavaException::ref_cnt_change(0, delta)),
        }
    }

    fn finish(
        &mut self,
        scenario: &Scenario,
        thread: usize,
        result: JavaResult<OpOutcome>,
        after_step: Option<usize>,
        finished: &mut Vec<OpRecord>,
    ) {
        let state = &mut self.threads[thread];
        finished.push(OpRecord {
            thread,
            op_index: state.next,
            op: scenario.threads[thread][state.next],
            result,
            after_step,
        });
        state.next += 1;
    }

    /// The same state with the threads of each class reordered canonically: threads of
    /// one class run the same program and own only their derivatives, so permuting them
    /// (with their derivatives) is a renaming. `classes[t]` must be non-decreasing in `t`.
    pub fn canonical(&self, classes: &[u8]) -> System {
        let key = |t: usize| {
            let mut h = DefaultHasher::new();
            self.threads[t].hash(&mut h);
            (classes.get(t).copied().unwrap_or(u8::MAX), h.finish())
        };
        let mut order: Vec<usize> = (0..self.threads.len()).collect();
        order.sort_by_key(|&t| key(t));
        System {
            root: self.root.clone(),
            threads: order.into_iter().map(|t| self.threads[t].clone()).collect(),
        }
    }
}
