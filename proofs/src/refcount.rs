//! Bounded proofs of the reference-count protocol (netty.md §6.1, §9 invariant 9).

use leakproof_model::explore::Exploration;
use leakproof_model::profile::RefCountProfile;
use leakproof_model::refcnt::interpreter::{
    explore_scenario, Interpreter, Log, Scenario, ScheduleEntry,
};
use leakproof_model::refcnt::{Algorithm, RefOp};

/// A property of a finished run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    /// `deallocate()` runs at most once per allocation generation.
    AtMostOneDeallocation,
    /// Once deallocated, the count never reads live again (released is terminal).
    NoResurrection,
    /// A misuse-free program (every holder releases its own reference once) ends
    /// deallocated exactly once.
    BalancedReleaseDeallocatesOnce,
}

impl Property {
    /// Every property.
    pub const ALL: [Property; 3] = [
        Property::AtMostOneDeallocation,
        Property::NoResurrection,
        Property::BalancedReleaseDeallocatesOnce,
    ];

    /// Stable name (as the invariant checker and traces use).
    pub fn name(self) -> &'static str {
        match self {
            Property::AtMostOneDeallocation => "deallocate_at_most_once",
            Property::NoResurrection => "released_is_terminal",
            Property::BalancedReleaseDeallocatesOnce => "balanced_release_deallocates_once",
        }
    }

    /// True when `log` (a finished run of `scenario`) violates the property.
    pub fn violated_by(self, scenario: &BoundedScenario, log: &Log) -> bool {
        match self {
            Property::AtMostOneDeallocation => log.deallocations > 1,
            Property::NoResurrection => !log.resurrections.is_empty(),
            Property::BalancedReleaseDeallocatesOnce => scenario.balanced && log.deallocations != 1,
        }
    }
}

/// A small scenario: a starting count and each thread's operations.
#[derive(Clone, Debug)]
pub struct BoundedScenario {
    /// Stable name.
    pub name: &'static str,
    /// The count before any step.
    pub initial_count: i32,
    /// Each logical thread's operations.
    pub threads: Vec<Vec<RefOp>>,
    /// True when the program is misuse-free and releases every reference exactly once.
    pub balanced: bool,
}

/// The scenarios every algorithm is checked on.
pub fn scenarios() -> Vec<BoundedScenario> {
    use RefOp::{Release, Retain};
    vec![
        BoundedScenario {
            name: "two holders release",
            initial_count: 2,
            threads: vec![vec![Release(1)], vec![Release(1)]],
            balanced: true,
        },
        BoundedScenario {
            name: "three holders release",
            initial_count: 3,
            threads: vec![vec![Release(1)], vec![Release(1)], vec![Release(1)]],
            balanced: true,
        },
        BoundedScenario {
            name: "retain and release racing the last release",
            initial_count: 1,
            threads: vec![vec![Release(1)], vec![Retain(1), Release(1)]],
            balanced: false,
        },
        BoundedScenario {
            name: "two threads over-release one reference",
            initial_count: 1,
            threads: vec![vec![Release(1)], vec![Release(1)]],
            balanced: false,
        },
        BoundedScenario {
            name: "#8563: final release, misuse retain, misuse release",
            initial_count: 1,
            threads: vec![vec![Release(1)], vec![Retain(1)], vec![Release(1)]],
            balanced: false,
        },
        BoundedScenario {
            name: "release(2) racing release(1) at count 3",
            initial_count: 3,
            threads: vec![vec![Release(2)], vec![Release(1)]],
            balanced: true,
        },
    ]
}

/// The outcome of checking one property of one scenario under one algorithm.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The scenario's name.
    pub scenario: &'static str,
    /// The property.
    pub property: Property,
    /// Complete schedules enumerated.
    pub schedules: u64,
    /// `None` when proved; otherwise the first violating schedule.
    pub counterexample: Option<Vec<ScheduleEntry>>,
}

impl Verdict {
    /// True when every schedule was enumerated and none violated.
    pub fn proved(&self) -> bool {
        self.counterexample.is_none()
    }
}

/// Micro-step bound: large enough that no scenario above is ever cut (checked).
pub const MAX_STEPS: usize = 64;

/// Checks `property` of `scenario` under `algorithm` over every interleaving.
pub fn check(algorithm: Algorithm, scenario: &BoundedScenario, property: Property) -> Verdict {
    let profile = RefCountProfile::netty_4_1();
    let initial_raw = algorithm.raw_for_count(scenario.initial_count);
    let model =
        Scenario::new(algorithm, profile, scenario.threads.clone()).with_initial_raw(initial_raw);
    let exploration: Exploration<Interpreter> =
        explore_scenario(&model, MAX_STEPS, |log| property.violated_by(scenario, log));
    assert_eq!(
        exploration.truncated, 0,
        "scenario `{}` exceeds the step bound",
        scenario.name
    );
    Verdict {
        algorithm,
        scenario: scenario.name,
        property,
        schedules: exploration.schedules,
        counterexample: exploration.violation.map(|c| c.state.log().schedule()),
    }
}

/// Every property of every scenario under `algorithm`.
pub fn check_all(algorithm: Algorithm) -> Vec<Verdict> {
    scenarios()
        .iter()
        .flat_map(|s| Property::ALL.map(|p| check(algorithm, s, p)))
        .collect()
}
