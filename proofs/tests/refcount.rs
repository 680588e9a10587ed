//! The refcount models' own soundness: symmetry reduction changes the count, not the
//! verdict, and a model that reaches nothing interesting fails.

use leakproof_model::invariant::DEALLOCATE_AT_MOST_ONCE;
use leakproof_model::profile::RefCountProfile;
use leakproof_model::refcnt::{Algorithm, RefOp, Scenario, ThreadOp};
use leakproof_proofs::refcount::mixes;
use leakproof_proofs::refcount::{RcState, RefcountModel};
use leakproof_proofs::report::{check, Expect};

#[test]
fn symmetry_reduction_shrinks_the_state_space_without_changing_the_verdict() {
    let case = mixes::case(Algorithm::EvenOdd, true, 4);
    assert!(case.model.has_symmetry(), "two retainers and two derivers");
    let (full, _) = check("full", case.model.clone(), None, Expect::Holds);
    let rep = RcState::representative as fn(&RcState) -> RcState;
    let (reduced, _) = check("reduced", case.model.clone(), Some(rep), Expect::Holds);
    full.verdict().unwrap();
    reduced.verdict().unwrap();
    assert!(
        reduced.unique * 2 < full.unique,
        "{} vs {}",
        reduced.unique,
        full.unique
    );
    // The racy counterexample survives the reduction too.
    let racy = mixes::case(Algorithm::RacyGetAndAdd, false, 3);
    let (r, _) = check("racy", racy.model.clone(), Some(rep), racy.expect.clone());
    r.verdict().unwrap();
}

#[test]
fn a_vacuous_model_fails_its_sometimes_properties() {
    // Two threads that never release: the root is never deallocated, nothing races.
    let idle: Vec<Vec<ThreadOp>> = vec![vec![RefOp::Retain(1).into()]; 2];
    let scenario = Scenario::new(Algorithm::EvenOdd, RefCountProfile::netty_4_1(), idle);
    let (report, _) = check(
        "idle",
        RefcountModel::new(scenario, false),
        None,
        Expect::Holds,
    );
    let why = report.verdict().unwrap_err();
    assert!(why.contains("reach_root_deallocated"), "{why}");
}

#[test]
fn a_refutation_that_finds_nothing_fails() {
    let case = mixes::case(Algorithm::EvenOdd, false, 3);
    let (report, _) = check(
        "even-odd claimed racy",
        case.model,
        None,
        Expect::Refuted(vec![DEALLOCATE_AT_MOST_ONCE.name]),
    );
    assert!(report.verdict().unwrap_err().contains("no counterexample"));
}
