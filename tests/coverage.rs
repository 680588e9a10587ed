//! Coverage, measured (`docs/coverage.md`): every executor-driven checker reaches the
//! model events it claims with its fixed inputs, the counts are deterministic, and the
//! refcount-error counters agree with the executor's own misuse classification.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use leakproof_model::coverage::Event;
use leakproof_model::op::Program;
use leakproof_sim::coverage::{
    check_claims, claimed, measure, measure_all, qc_config, render_table, Source, QC_SEED, QC_SIZE,
    QC_TESTS,
};
use leakproof_sim::exec::{run, MisuseKind, Quiet};
use quickcheck::{Arbitrary, Gen};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_checker_reaches_the_events_it_claims() {
    let measured = measure_all(root()).expect("the committed inputs are readable");
    println!("{}", render_table(&measured));
    let unmet = check_claims(&measured);
    assert!(
        unmet.is_empty(),
        "{}\n(run `leakproof coverage` to see the table; if the change is intended, update \
         sim/src/coverage/claims.rs and docs/coverage.md)",
        unmet
            .iter()
            .map(|u| u.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for m in &measured {
        assert!(m.runs > 0, "{} ran nothing", m.source.name());
        assert!(
            !claimed(m.source).is_empty(),
            "{} claims nothing",
            m.source.name()
        );
    }
}

#[test]
fn measuring_twice_gives_identical_counts() {
    let a = measure(Source::FuzzCorpus, root()).unwrap();
    let b = measure(Source::FuzzCorpus, root()).unwrap();
    assert_eq!(a.coverage, b.coverage);
    assert_eq!(a.runs, b.runs);
}

#[test]
fn a_missing_input_directory_is_an_error_naming_it() {
    let err = measure(Source::Regressions, Path::new("/nonexistent-leakproof")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent-leakproof/tests/regressions:"),
        "{err}"
    );
}

/// The counters sit in the model where Netty throws; the executor classifies what each
/// op returned. Over quickcheck's programs both must count the same refcount errors.
#[test]
fn refcount_error_counters_agree_with_the_executors_misuse() {
    let mut g = Gen::from_size_and_seed(QC_SIZE, QC_SEED);
    let mut total = 0;
    for i in 0..QC_TESTS {
        let program = Program::arbitrary(&mut g);
        let report = run(&program, &qc_config(), &mut Quiet);
        let kinds = |k: MisuseKind| report.misuse.iter().filter(|m| m.kind == k).count() as u64;
        let c = &report.coverage;
        let pairs = [
            (
                "double release",
                kinds(MisuseKind::DoubleRelease),
                c.times(Event::ReleaseAfterRelease),
            ),
            (
                "over-release",
                kinds(MisuseKind::OverRelease),
                c.times(Event::OverRelease),
            ),
            (
                "retain after release",
                kinds(MisuseKind::RetainAfterRelease),
                c.times(Event::RetainAfterRelease) + c.times(Event::RetainOverflow),
            ),
            (
                "use after release",
                kinds(MisuseKind::UseAfterRelease),
                c.times(Event::AccessAfterRelease),
            ),
        ];
        for (what, executor, counter) in pairs {
            assert_eq!(
                executor, counter,
                "program {i}: {what}: executor {executor}, counter {counter}\n{:?}",
                report.misuse
            );
            total += counter;
        }
    }
    assert!(total > 0, "the programs raise refcount errors at all");
}
