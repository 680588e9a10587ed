//! Seeded generators of disciplined concurrent programs, one per scenario.
//!
//! A generator writes the program in its reference order through a [`Builder`], which
//! keeps the [`Ownership`] state, so every step it emits keeps the discipline (the
//! builder refuses any other: a refusal is a generator bug). The same seed always
//! gives the same program and configuration.

mod scenarios;

use super::ownership::{Ownership, PooledKinds};
use super::runner::pooled_kinds;
use crate::exec::ExecConfig;
use leakproof_model::leak::LeakLevel;
use leakproof_model::op::{Addressing, Amount, Op, Program, Step, ThreadKindOp};
use leakproof_model::{Mutant, Profile, ThreadId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;

/// The concurrent scenarios (issue 11 §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// 4–8 threads run random op programs on one allocator with thread caches, handing
    /// buffers and retained slices to each other and releasing them there.
    Mixed,
    /// Owners exit cleanly (`onRemoval` frees their caches) while other threads
    /// release the owners' buffers into those caches.
    ThreadExit,
    /// Plain threads (no caches) allocate and free buffers of 25–100 % of a chunk and
    /// beyond, so chunks are created and destroyed under contention.
    ArenaContention,
    /// Derived buffers of one root (retained slices and duplicates, retained plain
    /// duplicates) are shared by several threads that read, retain and release them.
    SharedDerived,
    /// #8563's pattern: the holder releases a buffer while other threads retain and
    /// release it through their duplicates of it.
    ReleasedHandles,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 5] = [
        Scenario::Mixed,
        Scenario::ThreadExit,
        Scenario::ArenaContention,
        Scenario::SharedDerived,
        Scenario::ReleasedHandles,
    ];

    /// Its kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Mixed => "mixed",
            Scenario::ThreadExit => "thread-exit",
            Scenario::ArenaContention => "arena-contention",
            Scenario::SharedDerived => "shared-derived",
            Scenario::ReleasedHandles => "released-handles",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A generated program and the configuration it runs under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The program (resolved; setup first).
    pub program: Program,
    /// Its configuration (`check_every` is the round length).
    pub config: ExecConfig,
}

impl Generated {
    /// The same program under `profile` and `mutant`.
    pub fn under(mut self, profile: &Profile, mutant: Mutant) -> Self {
        self.config.jvm.profile = profile.clone();
        self.config.jvm.mutant = mutant;
        self
    }
}

/// The program of `scenario` for `seed` under the default profile, no mutant.
pub fn generate(scenario: Scenario, seed: u64) -> Generated {
    let mut config = ExecConfig::small(Profile::default(), Mutant::None, seed);
    // The detector's sampling and records are not what these scenarios judge.
    config.jvm.leak = config.jvm.leak.clone().with_level(LeakLevel::Disabled);
    let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_c0c0_0000_0011);
    match scenario {
        Scenario::Mixed => scenarios::mixed(rng, config),
        Scenario::ThreadExit => scenarios::thread_exit(rng, config),
        Scenario::ArenaContention => scenarios::arena_contention(rng, config),
        Scenario::SharedDerived => scenarios::shared_derived(rng, config),
        Scenario::ReleasedHandles => scenarios::released_handles(rng, config),
    }
}

/// One thread's ops written ahead, with the handle ids they create.
pub(crate) type Script = Vec<(Op, Option<u32>)>;

/// Writes a program in its reference order, keeping the discipline.
pub(crate) struct Builder {
    pub rng: ChaCha8Rng,
    own: Ownership,
    steps: Vec<Step>,
    next_handle: u32,
    next_thread: u32,
}

impl Builder {
    pub fn new(rng: ChaCha8Rng, kinds: PooledKinds) -> Self {
        Builder {
            rng,
            own: Ownership::new(kinds),
            steps: Vec::new(),
            next_handle: 1,
            next_thread: 1,
        }
    }

    pub fn for_config(rng: ChaCha8Rng, config: &ExecConfig) -> Self {
        Self::new(rng, pooled_kinds(config))
    }

    /// Starts a thread in the setup (call before any other step).
    pub fn start(&mut self, kind: ThreadKindOp) -> ThreadId {
        let t = ThreadId(self.next_thread);
        self.next_thread += 1;
        self.steps.push(Step {
            thread: ThreadId::MAIN.0,
            op: Op::StartThread { kind },
            creates: Some(t.0),
        });
        self.own.start(t);
        t
    }

    /// A fresh handle id for a creating op written ahead (see [`Builder::merge`]).
    pub fn reserve(&mut self) -> u32 {
        let id = self.next_handle;
        self.next_handle += 1;
        id
    }

    /// Appends `op` on `t`; returns the handle it creates, if any.
    pub fn push(&mut self, t: ThreadId, op: Op) -> Option<u32> {
        let creates = op.creates_handle().then(|| self.reserve());
        self.push_as(t, op, creates);
        creates
    }

    /// Appends `op` on `t`, creating handle `creates` (from [`Builder::reserve`]).
    pub fn push_as(&mut self, t: ThreadId, op: Op, creates: Option<u32>) {
        let step = Step {
            thread: t.0,
            op,
            creates,
        };
        if let Err(b) = self.own.step(self.steps.len(), &step) {
            panic!("generator bug: {} ({step:?})", b.message);
        }
        self.steps.push(step);
    }

    /// Appends per-thread scripts (ops with the ids they create, from
    /// [`Builder::reserve`]) in a random interleaving: each time, one thread whose next
    /// op acts on nothing or on a handle it holds by then goes next.
    pub fn merge(&mut self, scripts: Vec<(ThreadId, Script)>) {
        let mut queues: Vec<(ThreadId, VecDeque<_>)> = scripts
            .into_iter()
            .filter(|(_, ops)| !ops.is_empty())
            .map(|(t, ops)| (t, ops.into()))
            .collect();
        while !queues.is_empty() {
            let ready: Vec<usize> = (0..queues.len())
                .filter(|&i| {
                    let (t, q) = &queues[i];
                    q[0].0
                        .handle()
                        .is_none_or(|h| self.own.holder(h) == Some(*t))
                })
                .collect();
            let i = self
                .pick(&ready)
                .expect("generator bug: every script waits for a handle");
            let t = queues[i].0;
            let (op, creates) = queues[i].1.pop_front().expect("non-empty");
            self.push_as(t, op, creates);
            if queues[i].1.is_empty() {
                queues.remove(i);
            }
        }
    }

    pub fn own(&self) -> &Ownership {
        &self.own
    }

    /// A uniformly drawn element of `items` (`None` when empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.rng.random_range(0..items.len())])
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    /// Releases every reference `t` owns, handle by handle (at most three a call).
    pub fn release_all(&mut self, t: ThreadId) {
        for id in self.own.held_by(t) {
            loop {
                let owned = self.own.owned(t, id).min(3);
                if owned == 0 {
                    break;
                }
                let k = Amount(owned as u8);
                self.push(t, Op::Release { buf: id, k });
            }
        }
    }

    /// The program, resolved.
    pub fn finish(self) -> Program {
        Program {
            addressing: Addressing::Resolved,
            steps: self.steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concurrent::validate;

    #[test]
    fn every_scenario_is_deterministic_and_disciplined() {
        for scenario in Scenario::ALL {
            for seed in 0..20 {
                let a = generate(scenario, seed);
                assert_eq!(a, generate(scenario, seed), "{scenario} seed {seed}");
                if let Err(e) = validate(&a.program, &a.config) {
                    panic!("{scenario} seed {seed}: {e}");
                }
            }
        }
    }

    #[test]
    fn the_reference_order_passes_the_sequential_executor() {
        for scenario in Scenario::ALL {
            for seed in 0..10 {
                let g = generate(scenario, seed);
                let report = crate::exec::run(&g.program, &g.config, &mut crate::exec::Quiet);
                assert!(
                    report.violation().is_none(),
                    "{scenario} seed {seed}: {:?}",
                    report.outcome
                );
            }
        }
    }
}
