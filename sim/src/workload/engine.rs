//! The simulation loop: one JVM, one `PooledByteBufAllocator`, the event loops, and the
//! messages of the timeline in order, each through the pipeline stages
//! ([`super::message`]). Garbage collections, memory samples and structural checks
//! happen between messages at their scheduled times.
//!
//! Nothing is kept per buffer beyond its message: a leaked buffer is its bit or run in
//! the model's chunks (virtual memory) plus counters in the [`Ledger`].

use super::checks;
use super::error::ScenarioError;
use super::leak_watch::{LeakEvent, LeakWatch};
use super::ledger::Ledger;
use super::memory::{self, MemorySample};
use super::message::Held;
use super::ops::WorkloadOp;
use super::resolve::{Plan, US_PER_S};
use leakproof_model::alloc::pooled::{PooledAllocator, RawThread};
use leakproof_model::jvm::Jvm;
use leakproof_model::{JavaException, ThreadId, ThreadKind, Violation};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// Progress is reported every this many messages.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// Distinguishes the workload's random stream from the JVM's (which the leak detector
/// samples with), both seeded by the run's seed.
const WORKLOAD_STREAM: u64 = 0x776f_726b_6c6f_6164;

/// Receives every op with the step index it ran at.
pub type OpRecorder<'a> = &'a mut dyn FnMut(u64, &WorkloadOp);

/// Optional observers of a run.
#[derive(Default)]
pub struct Hooks<'a> {
    /// `(messages done, messages in the horizon)`, every [`PROGRESS_EVERY`] messages.
    pub progress: Option<&'a mut dyn FnMut(u64, u64)>,
    /// Every op with the step index it ran at.
    pub record: Option<OpRecorder<'a>>,
    /// Stop cleanly once this many steps ran (at the next message boundary).
    pub stop_after_step: Option<u64>,
    /// Check at the first message boundary at or after each multiple of `.1` steps
    /// from step `.0` on, instead of the plan's interval (replay narrows a failure).
    pub checks: Option<(u64, u64)>,
}

/// A check that failed inside the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Steps run when it was found.
    pub step: u64,
    /// Found by a periodic structural check (at a message boundary, possibly long after
    /// the op that broke it) rather than by the op itself.
    pub at_check: bool,
    /// The invariant's stable name.
    pub invariant: String,
    /// What was seen.
    pub message: String,
}

impl Failure {
    pub(crate) fn from_violation(step: u64, v: &Violation, at_check: bool) -> Self {
        Failure {
            step,
            at_check,
            invariant: v.name().to_string(),
            message: v.message.clone(),
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The horizon was reached.
    Survived,
    /// An allocation threw an out-of-memory error: the service died.
    OutOfMemory(JavaException),
    /// A structural check or the model itself failed.
    Failed(Failure),
    /// [`Hooks::stop_after_step`] was reached.
    Stopped,
}

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct SimResult {
    /// How it ended.
    pub ending: Ending,
    /// When (simulated µs): the OOM's message, the failure's, or the horizon.
    pub end_us: u64,
    /// Messages that entered the pipeline.
    pub messages: u64,
    /// Steps (allocations, retained slices, releases, collections).
    pub steps: u64,
    /// Buffer allocations.
    pub allocations: u64,
    /// Releases.
    pub releases: u64,
    /// Garbage collections.
    pub gc_runs: u64,
    /// Structural checks run.
    pub checks_run: u64,
    /// Steps run at the last check that passed (0 before any).
    pub last_passing_check: u64,
    /// Per-stage counters.
    pub ledger: Ledger,
    /// Every `LEAK:` message.
    pub leaks: Vec<LeakEvent>,
    /// Leak trackers made.
    pub trackers: u64,
    /// Memory samples, the last one at `end_us`.
    pub samples: Vec<MemorySample>,
    /// Highest `usedDirectMemory()` seen after any allocation, and when.
    pub peak_direct: (i64, u64),
    /// Direct and heap arenas.
    pub arenas: (usize, usize),
}

/// The running simulation.
pub(super) struct Sim<'p, 'h> {
    pub plan: &'p Plan,
    pub jvm: Arc<Jvm>,
    pub allocator: Arc<PooledAllocator>,
    /// The event loops; each binds its cache at its first allocation, as Netty's
    /// `threadCache.get()` does.
    pub threads: Vec<(ThreadId, Option<RawThread>)>,
    pub rng: ChaCha8Rng,
    pub ledger: Ledger,
    pub leaks: LeakWatch,
    pub hooks: Hooks<'h>,
    pub now_us: u64,
    pub messages: u64,
    pub steps: u64,
    pub next_id: u64,
    pub allocations: u64,
    pub releases: u64,
    pub peak_direct: (i64, u64),
    /// The message's buffers (kept to reuse its allocation).
    pub held: Vec<Held>,
    pub samples: Vec<MemorySample>,
    pub checks_run: u64,
    pub last_passing_check: u64,
    pub gc_runs: u64,
}

impl Sim<'_, '_> {
    /// Records `op` (one step unless it is a `Drop`).
    pub fn emit(&mut self, op: WorkloadOp) {
        if op.is_step() {
            self.steps += 1;
        }
        if let Some(record) = self.hooks.record.as_mut() {
            record(self.steps, &op);
        }
    }

    /// A fresh buffer id.
    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Runs the structural checks now.
    fn check(&mut self) -> Result<(), Ending> {
        self.checks_run += 1;
        match checks::check(&self.jvm, &self.allocator, &self.ledger, true) {
            Ok(()) => {
                self.last_passing_check = self.steps;
                Ok(())
            }
            Err(v) => Err(Ending::Failed(Failure::from_violation(
                self.steps, &v, true,
            ))),
        }
    }

    fn sample(&mut self, time_s: u64) {
        let s = memory::sample(time_s, &self.jvm, &self.allocator, &self.ledger);
        self.samples.push(s);
    }
}

/// Runs `plan` to the OOM, the horizon or a failure. The only error is an allocator
/// Netty rejects (which [`super::resolve`] already rules out).
pub fn simulate(plan: &Plan, hooks: Hooks<'_>) -> Result<SimResult, ScenarioError> {
    let jvm = Jvm::new(plan.jvm.clone());
    let allocator = PooledAllocator::new(&jvm, plan.pooled.clone()).map_err(|e| {
        jvm.dispose();
        ScenarioError::invalid("allocator", e.to_string())
    })?;
    let threads: Vec<(ThreadId, Option<RawThread>)> = (1..=plan.event_loops)
        .map(|t| (ThreadId(t), None))
        .collect();
    for (t, _) in &threads {
        // Fresh ids on a fresh JVM: starting them cannot fail.
        let _ = jvm.start_thread(*t, ThreadKind::EventLoop);
    }
    let mut sim = Sim {
        plan,
        ledger: Ledger::new(plan.stages.iter().map(|s| s.name.as_str())),
        leaks: LeakWatch::new(plan.jvm.leak.level),
        rng: ChaCha8Rng::seed_from_u64(plan.seed ^ WORKLOAD_STREAM),
        jvm: jvm.clone(),
        allocator: allocator.clone(),
        threads,
        hooks,
        now_us: 0,
        messages: 0,
        steps: 0,
        next_id: 0,
        allocations: 0,
        releases: 0,
        peak_direct: (jvm.netty_direct().used(), 0),
        held: Vec::new(),
        samples: Vec::new(),
        checks_run: 0,
        last_passing_check: 0,
        gc_runs: 0,
    };
    let ending = run(&mut sim);
    let end_us = match ending {
        Ending::Survived => plan.timeline.duration_us(),
        _ => sim.now_us,
    };
    sim.sample(end_us / US_PER_S);
    let ending = match ending {
        // A last check of the final state; an OOM leaves the dying message in flight.
        Ending::Survived | Ending::OutOfMemory(_) | Ending::Stopped => match sim.check() {
            Ok(()) => ending,
            Err(failed) => failed,
        },
        failed => failed,
    };
    let result = SimResult {
        end_us,
        messages: sim.messages,
        steps: sim.steps,
        allocations: sim.allocations,
        releases: sim.releases,
        gc_runs: sim.gc_runs,
        checks_run: sim.checks_run,
        last_passing_check: sim.last_passing_check,
        leaks: sim.leaks.events().to_vec(),
        trackers: sim.leaks.trackers,
        samples: std::mem::take(&mut sim.samples),
        peak_direct: sim.peak_direct,
        arenas: (
            allocator
                .arenas(leakproof_model::pool::ArenaKind::Direct)
                .len(),
            allocator
                .arenas(leakproof_model::pool::ArenaKind::Heap)
                .len(),
        ),
        ledger: std::mem::take(&mut sim.ledger),
        ending,
    };
    drop(sim);
    drop(allocator);
    jvm.dispose();
    Ok(result)
}

fn run(sim: &mut Sim<'_, '_>) -> Ending {
    let plan = sim.plan;
    let total = if sim.hooks.progress.is_some() {
        plan.timeline.total()
    } else {
        0
    };
    let mut next_gc = plan.gc_interval_us;
    let mut next_sample = 0u64;
    let (mut next_check, check_every) = match sim.hooks.checks {
        Some((from, every)) => (from, every.max(1)),
        None => (plan.check_every_ops, plan.check_every_ops),
    };
    for (n, t) in plan.timeline.arrivals().enumerate() {
        while let Some(g) = next_gc.filter(|&g| g <= t) {
            sim.now_us = g;
            sim.emit(WorkloadOp::Gc);
            sim.leaks.collect(&sim.jvm);
            sim.gc_runs += 1;
            next_gc = plan.gc_interval_us.map(|i| g + i);
        }
        while next_sample <= t {
            sim.sample(next_sample / US_PER_S);
            next_sample += plan.sample_every_us;
        }
        if sim.steps >= next_check {
            if let Err(failed) = sim.check() {
                return failed;
            }
            next_check = sim.steps + check_every;
        }
        if sim.hooks.stop_after_step.is_some_and(|s| sim.steps >= s) {
            return Ending::Stopped;
        }
        sim.now_us = t;
        if let Some(ending) = sim.message() {
            return ending;
        }
        let done = n as u64 + 1;
        if done % PROGRESS_EVERY == 0 {
            if let Some(progress) = sim.hooks.progress.as_mut() {
                progress(done, total);
            }
        }
    }
    Ending::Survived
}
