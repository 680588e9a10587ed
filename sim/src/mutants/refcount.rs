//! The refcount-interpreter checker: random interleavings of the proofs' misuse-free
//! thread programs (retain/read/release, retained derivatives, nested and sibling
//! slices) on the algorithm the mutant selects, judged by the protocol's invariants
//! after every micro-step. Seeded schedules, a fixed number of them.

use super::{Catch, Checker};
use crate::exec::ExecConfig;
use crate::trace::{ExpectedFailure, RefcountSchedule, Trace};
use leakproof_model::op::{Addressing, Program};
use leakproof_model::refcnt::interpreter::{self, Interpreter, Scenario, ScheduleEntry};
use leakproof_model::refcnt::{protocol, Algorithm};
use leakproof_model::{Mutant, Profile};
use leakproof_proofs::refcount::mixes;
use rand::{Rng, SeedableRng};

/// The scenarios tried in turn: the proofs' misuse-free mixes (2, 3 and 4 holders of
/// the root, each with its own program), then their misuse mixes (one holder, stale
/// handles around the final release), where only the always-invariants apply.
fn scenarios(algorithm: Algorithm) -> Vec<(Scenario, bool)> {
    [true, false]
        .into_iter()
        .flat_map(|misuse_free| {
            [2, 3, 4].into_iter().map(move |threads| {
                let model = mixes::case(algorithm, misuse_free, threads).model;
                (model.scenario, model.misuse_free)
            })
        })
        .collect()
}

/// One random schedule of `scenario` (seeded); the first violation ends it.
fn explore(
    scenario: &Scenario,
    misuse_free: bool,
    seed: u64,
) -> Option<(Vec<usize>, leakproof_model::Violation)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut interpreter = Interpreter::new(scenario);
    let mut order = Vec::new();
    loop {
        let runnable = interpreter.runnable();
        if runnable.is_empty() {
            return None;
        }
        let thread = runnable[rng.random_range(0..runnable.len())];
        interpreter.step(thread).ok()?;
        order.push(thread);
        if let Err(v) = protocol::check_all(interpreter.system(), scenario.algorithm, misuse_free) {
            return Some((order, v));
        }
    }
}

/// Tries `budget` seeded schedules of each scenario in turn under the algorithm
/// `mutant` selects for the default profile.
pub fn hunt(mutant: Mutant, budget: u64) -> Option<Catch> {
    let profile = Profile::default();
    let algorithm = Algorithm::select(&profile.refcount, mutant);
    let scenarios = scenarios(algorithm);
    for i in 0..budget {
        let (scenario, misuse_free) = &scenarios[(i % scenarios.len() as u64) as usize];
        let Some((order, violation)) = explore(scenario, *misuse_free, i) else {
            continue;
        };
        let log = interpreter::run(
            scenario,
            &order
                .iter()
                .map(|&thread| ScheduleEntry { thread, step: None })
                .collect::<Vec<_>>(),
        )
        .ok()?;
        let config = ExecConfig::small(profile.clone(), mutant, 0);
        let mut trace = Trace::new(
            &config,
            &Program {
                addressing: Addressing::Resolved,
                steps: Vec::new(),
            },
            Some(ExpectedFailure {
                invariant: violation.name().to_string(),
                message: violation.message.clone(),
            }),
        );
        trace.attachments.refcount_schedule = Some(RefcountSchedule {
            scenario: scenario.clone(),
            schedule: log.schedule(),
            misuse_free: *misuse_free,
        });
        return Some(Catch {
            checker: Checker::Interpreter,
            iterations: i + 1,
            trace,
        });
    }
    None
}

/// The schedule `s` follows under `algorithm`: the same thread order as far as it fits
/// (entries of finished threads skipped), then every thread run to its end in turn.
/// The root keeps its real count. Used to replay a refcount counterexample with its
/// mutant off.
pub fn refit(s: &RefcountSchedule, algorithm: Algorithm) -> RefcountSchedule {
    let mut scenario = s.scenario.clone();
    let count = scenario.algorithm.real_count(scenario.initial_raw);
    scenario.algorithm = algorithm;
    scenario.initial_raw = algorithm.raw_for_count(count);
    let mut interpreter = Interpreter::new(&scenario);
    for entry in &s.schedule {
        if interpreter.runnable().contains(&entry.thread) && interpreter.step(entry.thread).is_err()
        {
            break;
        }
    }
    while let Some(&thread) = interpreter.runnable().first() {
        if interpreter.step(thread).is_err() {
            break;
        }
    }
    RefcountSchedule {
        schedule: interpreter.log().schedule(),
        scenario,
        misuse_free: s.misuse_free,
    }
}
