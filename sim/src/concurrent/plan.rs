//! A concurrent program as the runner executes it.
//!
//! A concurrent program is an ordinary resolved [`Program`] (so it is stored in the
//! common trace format): a setup of `start_thread` steps on `main`, then the steps of
//! the logical threads in a *reference order*, one sequential execution of the program
//! the generator had in mind. The runner splits it by thread: each logical thread runs
//! its own steps, in order, on its own checker thread. Handles move between threads
//! only through `hand_off` steps, delivered over channels; a thread acting on a handle
//! it does not hold waits for the latest hand-off to it that precedes the step in the
//! reference order (a later one, or none, skips the step), so waits only ever point
//! backwards in the reference order and never deadlock. Every `round` steps of the
//! reference order all threads meet at a quiescent point, where the checks run.

use leakproof_model::op::{Addressing, Op, Program, Step};
use leakproof_model::{ThreadId, ThreadKind};
use std::collections::BTreeMap;
use std::fmt;

/// Why a program cannot run concurrently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    /// The offending step's index in the program (`None`: the program as a whole).
    pub step: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(i) => write!(f, "step {i}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PlanError {}

fn err(step: Option<usize>, message: impl Into<String>) -> PlanError {
    PlanError {
        step,
        message: message.into(),
    }
}

/// One step of a thread's own program, with its index in the whole program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Index in [`Program::steps`] (its place in the reference order).
    pub index: usize,
    /// The step.
    pub step: Step,
}

/// A program split into per-thread programs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The logical threads the setup starts, in order, with their kinds.
    pub threads: Vec<(ThreadId, ThreadKind)>,
    /// Each started thread's steps, in program order (every started thread has an
    /// entry, possibly empty).
    pub programs: BTreeMap<ThreadId, Vec<Planned>>,
    /// Index of the first step after the setup.
    pub body_start: usize,
    /// Steps of the reference order between two quiescent points (≥ 1).
    pub round: usize,
    /// Quiescent points after the setup, the last one at the end of the program.
    pub rounds: usize,
    /// `hand_off` steps by receiver and handle: the indexes that deliver it.
    deliveries: BTreeMap<(ThreadId, u32), Vec<usize>>,
}

impl Plan {
    /// Splits a resolved `program` into per-thread programs meeting every `round`
    /// steps. The setup (leading `start_thread` steps on `main`, each naming the thread
    /// it starts in `creates`) may be empty; after it, no step runs on `main`, starts a
    /// thread or collects garbage (Java's collector stops the world: the runner
    /// collects at the end, at a quiescent point), and every step that creates a handle
    /// names its id.
    pub fn new(program: &Program, round: u32) -> Result<Plan, PlanError> {
        if program.addressing != Addressing::Resolved {
            return Err(err(None, "a concurrent program must be in resolved form"));
        }
        let mut threads = Vec::new();
        let mut programs = BTreeMap::new();
        let mut body_start = 0;
        for (i, step) in program.steps.iter().enumerate() {
            let Op::StartThread { kind } = step.op else {
                break;
            };
            let id = step
                .creates
                .ok_or_else(|| err(Some(i), "start_thread without the id it starts"))?;
            if step.thread != ThreadId::MAIN.0 || id == ThreadId::MAIN.0 {
                return Err(err(
                    Some(i),
                    "the setup runs on main and starts other threads",
                ));
            }
            if programs.insert(ThreadId(id), Vec::new()).is_some() {
                return Err(err(Some(i), format!("t{id} is started twice")));
            }
            threads.push((ThreadId(id), kind.into()));
            body_start = i + 1;
        }
        let mut deliveries: BTreeMap<(ThreadId, u32), Vec<usize>> = BTreeMap::new();
        for (i, step) in program.steps.iter().enumerate().skip(body_start) {
            let t = ThreadId(step.thread);
            match &step.op {
                Op::StartThread { .. } => {
                    return Err(err(Some(i), "threads are started in the setup only"))
                }
                Op::Gc => {
                    return Err(err(
                        Some(i),
                        "gc is not a concurrent op (the runner collects at the end)",
                    ))
                }
                op if op.creates_handle() && step.creates.is_none() => {
                    return Err(err(
                        Some(i),
                        "a creating step must name the handle it creates",
                    ))
                }
                Op::HandOff { buf, to } => {
                    deliveries.entry((ThreadId(*to), *buf)).or_default().push(i);
                }
                _ => {}
            }
            let Some(own) = programs.get_mut(&t) else {
                return Err(err(Some(i), format!("{t} is not started by the setup")));
            };
            own.push(Planned {
                index: i,
                step: step.clone(),
            });
        }
        let round = (round as usize).max(1);
        let body = program.steps.len() - body_start;
        Ok(Plan {
            threads,
            programs,
            body_start,
            round,
            rounds: body.div_ceil(round).max(1),
            deliveries,
        })
    }

    /// The round (quiescent interval) step `index` belongs to.
    pub fn round_of(&self, index: usize) -> usize {
        (index - self.body_start) / self.round
    }

    /// The `hand_off` that gives handle `buf` to `t` for its step at `index`: the
    /// latest one before it in the reference order, if any.
    pub fn delivery(&self, t: ThreadId, buf: u32, index: usize) -> Option<usize> {
        let all = self.deliveries.get(&(t, buf))?;
        all.iter().copied().filter(|&d| d < index).max()
    }

    /// The started thread ids.
    pub fn thread_ids(&self) -> impl Iterator<Item = ThreadId> + '_ {
        self.threads.iter().map(|(t, _)| *t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakproof_model::op::{Amount, Capacity, Size, ThreadKindOp};

    fn start(id: u32) -> Step {
        Step {
            thread: 0,
            op: Op::StartThread {
                kind: ThreadKindOp::EventLoop,
            },
            creates: Some(id),
        }
    }

    fn alloc(t: u32, id: u32) -> Step {
        Step {
            thread: t,
            op: Op::Alloc {
                pooled: true,
                direct: true,
                size: Size(16),
                max: Capacity::Unbounded,
                second: false,
            },
            creates: Some(id),
        }
    }

    fn resolved(steps: Vec<Step>) -> Program {
        Program {
            addressing: Addressing::Resolved,
            steps,
        }
    }

    #[test]
    fn splits_by_thread_and_finds_deliveries() {
        let release = Step::new(
            2,
            Op::Release {
                buf: 1,
                k: Amount(1),
            },
        );
        let program = resolved(vec![
            start(1),
            start(2),
            alloc(1, 1),
            Step::new(1, Op::HandOff { buf: 1, to: 2 }),
            release.clone(),
        ]);
        let plan = Plan::new(&program, 2).unwrap();
        assert_eq!(plan.body_start, 2);
        assert_eq!(plan.rounds, 2);
        assert_eq!(plan.programs[&ThreadId(1)].len(), 2);
        assert_eq!(plan.programs[&ThreadId(2)][0].step, release);
        assert_eq!(plan.delivery(ThreadId(2), 1, 4), Some(3));
        assert_eq!(plan.delivery(ThreadId(2), 1, 3), None);
        assert_eq!(plan.round_of(4), 1);
    }

    #[test]
    fn rejects_what_cannot_run_concurrently() {
        let gc = resolved(vec![start(1), Step::new(1, Op::Gc)]);
        assert!(Plan::new(&gc, 4).unwrap_err().message.contains("gc"));
        let unstarted = resolved(vec![start(1), alloc(2, 1)]);
        assert!(Plan::new(&unstarted, 4).unwrap_err().message.contains("t2"));
        let mut anonymous = alloc(1, 1);
        anonymous.creates = None;
        let program = resolved(vec![start(1), anonymous]);
        assert!(Plan::new(&program, 4).is_err());
        let modulo = Program::modulo(vec![]);
        assert!(Plan::new(&modulo, 4).is_err());
    }
}
