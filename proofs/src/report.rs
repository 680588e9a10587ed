//! Running one stateright model to completion and judging its discoveries.
//!
//! Every model is checked on one checker thread (the test harness runs models side by
//! side): breadth-first for shortest counterexamples, depth-first when the model uses
//! symmetry reduction (stateright 0.31 reduces only there). A [`Report`] carries
//! the counts the harness prints (states generated, unique states, depth, states/s) and
//! the verdict against the model's [`Expect`]ation.

use stateright::{Checker, Expectation, HasDiscoveries, Model, Path};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// What a model must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every `always` property holds in every reachable state and every `sometimes`
    /// property is reached.
    Holds,
    /// Each named `always` property has a counterexample (a known bug or a mutant);
    /// the others are not judged.
    Refuted(Vec<&'static str>),
    /// Some `always` property has a counterexample (a mutant the model must catch,
    /// whichever invariant notices first); checking stops at the first one.
    Broken,
}

/// One property's result.
#[derive(Clone, Debug)]
pub struct PropertyResult {
    /// The property's name (an invariant of the table, or a `reach_` goal).
    pub name: &'static str,
    /// `always` or `sometimes`.
    pub expectation: Expectation,
    /// The path that discovered it (counterexample or example), as readable steps.
    pub path: Option<Vec<String>>,
}

/// The result of checking one model.
#[derive(Clone, Debug)]
pub struct Report {
    /// The model's name.
    pub name: String,
    /// States generated (including revisits).
    pub states: usize,
    /// Unique states (after symmetry reduction, when the model uses it).
    pub unique: usize,
    /// Longest path explored.
    pub max_depth: usize,
    /// Wall-clock time of the check (reported, never asserted).
    pub elapsed: Duration,
    /// Every property, in the model's order.
    pub properties: Vec<PropertyResult>,
    /// What the model had to show.
    pub expect: Expect,
}

impl Report {
    /// Unique states per second.
    pub fn states_per_second(&self) -> f64 {
        self.unique as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The discovery of `name`, if any.
    pub fn discovery(&self, name: &str) -> Option<&[String]> {
        self.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.path.as_deref())
    }

    /// `Ok` when the model showed what it had to; otherwise why not.
    pub fn verdict(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for p in &self.properties {
            let refuted = match &self.expect {
                Expect::Holds | Expect::Broken => false,
                Expect::Refuted(names) => names.contains(&p.name),
            };
            match (&p.expectation, &p.path, refuted) {
                (Expectation::Sometimes, None, _) => {
                    problems.push(format!("`{}` was never reached (vacuous model?)", p.name))
                }
                (Expectation::Always, Some(path), false) if self.expect == Expect::Holds => {
                    problems.push(format!("`{}` violated: {}", p.name, path.join(" ; ")))
                }
                (Expectation::Always | Expectation::Eventually, None, true) => {
                    problems.push(format!("`{}` has no counterexample", p.name))
                }
                _ => {}
            }
        }
        let broken = self
            .properties
            .iter()
            .any(|p| p.expectation == Expectation::Always && p.path.is_some());
        if self.expect == Expect::Broken {
            problems.retain(|p| !p.contains("never reached"));
            if !broken {
                problems.push("no invariant has a counterexample".to_string());
            }
        }
        if let Expect::Refuted(names) = &self.expect {
            for n in names {
                if !self.properties.iter().any(|p| p.name == *n) {
                    problems.push(format!("`{n}` is not a property of this model"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.name, problems.join("; ")))
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let refuted: Vec<&str> = self
            .properties
            .iter()
            .filter(|p| p.expectation == Expectation::Always && p.path.is_some())
            .map(|p| p.name)
            .collect();
        write!(
            f,
            "{:<44} states {:>10}  unique {:>9}  depth {:>3}  {:>9.0} states/s  {}",
            self.name,
            self.states,
            self.unique,
            self.max_depth,
            self.states_per_second(),
            if refuted.is_empty() {
                "all properties hold".to_string()
            } else {
                format!("counterexamples: {}", refuted.join(", "))
            }
        )
    }
}

/// Checks `model` to completion (one thread), with `symmetry` as the
/// representative function when given, and returns its report plus every discovery
/// path (for tests that replay them).
#[allow(clippy::type_complexity)]
pub fn check<M>(
    name: &str,
    model: M,
    symmetry: Option<fn(&M::State) -> M::State>,
    expect: Expect,
) -> (Report, BTreeMap<&'static str, Path<M::State, M::Action>>)
where
    M: Model + Send + Sync + 'static,
    M::State: Hash + Send + Sync + Clone + PartialEq + fmt::Debug + 'static,
    M::Action: Clone + PartialEq + fmt::Debug,
{
    check_to_depth(name, model, symmetry, expect, None)
}

/// [`check`], expanding no state deeper than `max_depth` when given (a bounded search
/// is exhaustive only up to that depth: a mutant hunt's first, cheap pass).
#[allow(clippy::type_complexity)]
pub fn check_to_depth<M>(
    name: &str,
    model: M,
    symmetry: Option<fn(&M::State) -> M::State>,
    expect: Expect,
    max_depth: Option<usize>,
) -> (Report, BTreeMap<&'static str, Path<M::State, M::Action>>)
where
    M: Model + Send + Sync + 'static,
    M::State: Hash + Send + Sync + Clone + PartialEq + fmt::Debug + 'static,
    M::Action: Clone + PartialEq + fmt::Debug,
{
    let properties: Vec<_> = model
        .properties()
        .iter()
        .map(|p| (p.name, p.expectation.clone()))
        .collect();
    let started = Instant::now();
    let mut builder = model.checker();
    if let Some(representative) = symmetry {
        builder = builder.symmetry_fn(representative);
    }
    if expect == Expect::Broken {
        builder = builder.finish_when(HasDiscoveries::AnyFailures);
    }
    if let Some(depth) = max_depth {
        builder = builder.target_max_depth(depth);
    }
    // stateright 0.31 applies symmetry reduction in its depth-first checker only; the
    // breadth-first one (shortest counterexamples) serves models without symmetry.
    if symmetry.is_some() {
        collect(
            name,
            builder.spawn_dfs().join(),
            started,
            properties,
            expect,
        )
    } else {
        collect(
            name,
            builder.spawn_bfs().join(),
            started,
            properties,
            expect,
        )
    }
}

#[allow(clippy::type_complexity)]
fn collect<M, C>(
    name: &str,
    checker: C,
    started: Instant,
    properties: Vec<(&'static str, Expectation)>,
    expect: Expect,
) -> (Report, BTreeMap<&'static str, Path<M::State, M::Action>>)
where
    M: Model,
    M::State: Hash + Clone + PartialEq + fmt::Debug,
    M::Action: Clone + PartialEq + fmt::Debug,
    C: Checker<M>,
{
    let elapsed = started.elapsed();
    let discoveries: BTreeMap<_, _> = checker.discoveries().into_iter().collect();
    let model = checker.model();
    let results = properties
        .into_iter()
        .map(|(name, expectation)| PropertyResult {
            name,
            expectation,
            path: discoveries.get(name).map(|path| describe(model, path)),
        })
        .collect();
    let report = Report {
        name: name.to_string(),
        states: checker.state_count(),
        unique: checker.unique_state_count(),
        max_depth: checker.max_depth(),
        elapsed,
        properties: results,
        expect,
    };
    (report, discoveries)
}

/// A path as one readable line per action (`Model::format_step`, else the action).
fn describe<M: Model>(model: &M, path: &Path<M::State, M::Action>) -> Vec<String>
where
    M::State: Clone + fmt::Debug,
    M::Action: Clone + fmt::Debug,
{
    path.clone()
        .into_vec()
        .into_iter()
        .filter_map(|(state, action)| {
            let action = action?;
            Some(
                model
                    .format_step(&state, action.clone())
                    .unwrap_or_else(|| model.format_action(&action)),
            )
        })
        .collect()
}
