//! The shuttle scheduler an [`Exploration`] names, and a wrapper that records the
//! schedule of the execution in progress, so a failure can name its schedule string
//! without shuttle's panic hook.

use crate::trace::{Exploration, Strategy};
use shuttle::scheduler::{
    PctScheduler, RandomScheduler, Schedule, Scheduler, Task, TaskId,
    UncontrolledNondeterminismCheckScheduler,
};
use shuttle_engine::scheduler::serialization::serialize_schedule;
use std::sync::{Arc, Mutex};

/// The scheduler `exploration` names.
pub(super) fn scheduler(exploration: &Exploration) -> Box<dyn Scheduler + Send> {
    let n = usize::try_from(exploration.iterations).unwrap_or(usize::MAX);
    let seed = exploration.seed;
    match exploration.strategy {
        Strategy::Random => Box::new(RandomScheduler::new_from_seed(seed, n)),
        Strategy::Pct { depth } => Box::new(PctScheduler::new_from_seed(seed, depth, n)),
        Strategy::NondeterminismCheck => Box::new(UncontrolledNondeterminismCheckScheduler::new(
            RandomScheduler::new_from_seed(seed, n),
        )),
    }
}

/// `exploration` with the seed shuttle really uses (`SHUTTLE_RANDOM_SEED` replaces
/// the given one inside shuttle's schedulers).
pub(super) fn effective(exploration: Exploration) -> Exploration {
    Exploration {
        seed: shuttle_engine::seed_from_env(exploration.seed),
        ..exploration
    }
}

/// What the recorder shares with the exploration loop.
#[derive(Debug, Default)]
pub(super) struct Recording {
    /// The schedule of the execution in progress (or of the last one).
    pub current: Schedule,
    /// Set to end the exploration before its next execution.
    pub stop: bool,
}

/// Wraps a scheduler, records every decision of the current execution, and ends the
/// exploration once [`Recording::stop`] is set.
pub(super) struct Recorder {
    pub inner: Box<dyn Scheduler + Send>,
    pub recording: Arc<Mutex<Recording>>,
}

impl Recorder {
    fn rec(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.recording.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Scheduler for Recorder {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.rec().stop {
            // Let the inner scheduler run out of iterations: a `RandomScheduler` dropped
            // early prints its seed as if the test had failed under shuttle's own runner.
            while self.inner.new_execution().is_some() {}
            return None;
        }
        let schedule = self.inner.new_execution()?;
        self.rec().current = schedule.clone();
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let next = self.inner.next_task(runnable, current, is_yielding);
        if let Some(task) = next {
            self.rec().current.push_task(task);
        }
        next
    }

    fn next_u64(&mut self) -> u64 {
        self.rec().current.push_random();
        self.inner.next_u64()
    }
}

/// The schedule string (`shuttle::replay`'s input) of `schedule`.
pub(super) fn encode(schedule: &Schedule) -> String {
    serialize_schedule(schedule)
}
