//! quickcheck properties over the one `Op` language, executor and checker: leak-free ⇒
//! zero usage, leaked bytes exact, shadow agreement, copy independence, slices alias
//! their parent. A failure prints the seed (`LEAKPROOF_QC_SEED` to replay it) and
//! writes the shrunk trace to `LEAKPROOF_TRACE_DIR`.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use leakproof_model::op::{Amount, Op, Pattern, Program, Size, Step};
use leakproof_model::Mutant;
use leakproof_sim::coverage::{qc_config, QC_SEED, QC_SIZE, QC_TESTS};
use leakproof_sim::exec::{run, ExecConfig, Outcome, Quiet, RunReport, CONFIG_BYTES};
use leakproof_sim::trace::{trace_dir, write_trace, ExpectedFailure, Trace};
use quickcheck::{Gen, QuickCheck, TestResult};

// The seed, sizes and configuration are `leakproof coverage`'s too (its `quickcheck`
// column replays exactly these inputs).
const TESTS: u64 = QC_TESTS;

fn seed() -> u64 {
    match std::env::var("LEAKPROOF_QC_SEED") {
        Ok(s) => s.parse().expect("LEAKPROOF_QC_SEED is a u64"),
        Err(_) => QC_SEED,
    }
}

fn config() -> ExecConfig {
    qc_config()
}

fn check(name: &str, prop: fn(Program) -> TestResult) {
    let seed = seed();
    let result = std::panic::catch_unwind(|| {
        QuickCheck::new()
            .tests(TESTS)
            .max_tests(TESTS * 4)
            .rng(Gen::from_size_and_seed(QC_SIZE, seed))
            .quickcheck(prop);
    });
    if let Err(e) = result {
        eprintln!("[{name}] failed with LEAKPROOF_QC_SEED={seed}");
        std::panic::resume_unwind(e);
    }
}

/// Writes the trace of a failing (already shrunk) program and fails with its path.
fn failed(program: &Program, report: &RunReport, what: &str) -> TestResult {
    failed_under(&config(), program, report, what)
}

/// [`failed`] under configuration `c`.
fn failed_under(c: &ExecConfig, program: &Program, report: &RunReport, what: &str) -> TestResult {
    let t = Trace::new(
        c,
        &report.resolved,
        Some(ExpectedFailure {
            invariant: report
                .violation()
                .map_or("property", |v| v.name())
                .to_string(),
            message: what.to_string(),
        }),
    );
    let path = write_trace(&trace_dir(), &t).map(|p| p.display().to_string());
    TestResult::error(format!(
        "{what} ({} steps); trace {path:?}",
        program.steps.len()
    ))
}

/// Every run agrees with the shadow model and keeps every invariant.
fn shadow_agreement(p: Program) -> TestResult {
    let r = run(&p, &config(), &mut Quiet);
    match r.outcome {
        Outcome::Passed => TestResult::passed(),
        _ => failed(&p, &r, &format!("{:?}", r.outcome)),
    }
}

/// The bytes `ExecConfig::draw` turns into a configuration (every knob: profile, page
/// size, max order, alignment, arenas, caches, leak settings, limits …); shrinking
/// moves each byte toward 0, the first choice of its knob.
#[derive(Clone, Debug)]
struct Knobs(Vec<u8>);

impl quickcheck::Arbitrary for Knobs {
    fn arbitrary(g: &mut Gen) -> Self {
        Knobs(
            (0..CONFIG_BYTES)
                .map(|_| <u8 as quickcheck::Arbitrary>::arbitrary(g))
                .collect(),
        )
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let this = self.0.clone();
        Box::new((0..this.len()).filter(move |&i| this[i] != 0).map({
            let this = self.0.clone();
            move |i| {
                let mut b = this.clone();
                b[i] = 0;
                Knobs(b)
            }
        }))
    }
}

/// The same agreement under every configuration the generator draws.
fn shadow_agreement_any_config(knobs: Knobs, p: Program) -> TestResult {
    let c = ExecConfig::from_bytes(Mutant::None, &knobs.0);
    let r = run(&p, &c, &mut Quiet);
    match r.outcome {
        Outcome::Passed | Outcome::Rejected { .. } => TestResult::passed(),
        _ => failed_under(&c, &p, &r, &format!("{:?}", r.outcome)),
    }
}

/// A program that releases every buffer it allocates leaks nothing (usage 0 is
/// checked by name inside the executor's end phase; here: nothing leaked).
fn leak_free_zero_usage(p: Program) -> TestResult {
    // Keep allocations and writes only, then release each allocation once.
    let mut steps: Vec<Step> = p
        .steps
        .into_iter()
        .filter(|s| matches!(s.op, Op::Alloc { .. } | Op::Write { .. } | Op::Read { .. }))
        .map(|s| Step::new(0, s.op))
        .collect();
    let allocs = steps
        .iter()
        .filter(|s| matches!(s.op, Op::Alloc { .. }))
        .count();
    if allocs == 0 {
        return TestResult::discard();
    }
    // Releasing handle 0 `allocs` times in modulo form would retarget; release by
    // dropping after release: release index 0 then drop it, repeatedly.
    for _ in 0..allocs {
        steps.push(Step::new(
            0,
            Op::Release {
                buf: 0,
                k: Amount(1),
            },
        ));
        steps.push(Step::new(0, Op::Drop { buf: 0 }));
    }
    let prog = Program::modulo(steps);
    let r = run(&prog, &config(), &mut Quiet);
    if r.violation().is_some() || r.leaked_bytes != 0 {
        return failed(
            &prog,
            &r,
            &format!("leaked {} bytes: {:?}", r.leaked_bytes, r.outcome),
        );
    }
    TestResult::passed()
}

/// A program that drops `n` unreleased pooled buffers leaks exactly their size classes.
fn leaked_bytes_exact(p: Program) -> TestResult {
    let sizes: Vec<u32> = p
        .steps
        .iter()
        .filter_map(|s| match s.op {
            Op::Alloc { size, .. } => Some(size.0 % 3000),
            _ => None,
        })
        .take(6)
        .collect();
    if sizes.is_empty() {
        return TestResult::discard();
    }
    let mut steps = Vec::new();
    for s in &sizes {
        steps.push(Step::new(
            0,
            Op::Alloc {
                pooled: true,
                direct: true,
                size: Size(*s),
                max: Default::default(),
                second: false,
            },
        ));
    }
    let prog = Program::modulo(steps);
    let r = run(&prog, &config(), &mut Quiet);
    let sc = leakproof_model::pool::PoolGeometry::validate(4096, 3, 0, || Ok(()))
        .expect("valid")
        .direct_size_classes();
    let expected: u64 = sizes
        .iter()
        .map(|&s| {
            sc.size_idx2size(sc.size2size_idx(s as usize))
                .unwrap_or(s as usize) as u64
        })
        .sum();
    if r.violation().is_some() || r.leaked_bytes != expected {
        return failed(
            &prog,
            &r,
            &format!("leaked {} bytes, expected {expected}", r.leaked_bytes),
        );
    }
    TestResult::passed()
}

/// Writing to a copy never changes the original, and vice versa.
fn copy_independence(p: Program) -> TestResult {
    let Some(size) = p.steps.iter().find_map(|s| match s.op {
        Op::Alloc { size, .. } => Some(size.0 % 2000 + 1),
        _ => None,
    }) else {
        return TestResult::discard();
    };
    let steps = vec![
        Step::new(
            0,
            Op::Alloc {
                pooled: true,
                direct: true,
                size: Size(size),
                max: Default::default(),
                second: false,
            },
        ),
        Step::new(
            0,
            Op::Write {
                buf: 0,
                len: Size(size),
                pattern: Pattern(3),
            },
        ),
        Step::new(0, Op::Copy { buf: 0 }),
        Step::new(
            0,
            Op::Write {
                buf: 1,
                len: Size(size),
                pattern: Pattern(9),
            },
        ),
        Step::new(
            0,
            Op::Read {
                buf: 0,
                len: Size(size),
            },
        ),
        Step::new(
            0,
            Op::Release {
                buf: 1,
                k: Amount(1),
            },
        ),
        Step::new(
            0,
            Op::Release {
                buf: 0,
                k: Amount(1),
            },
        ),
    ];
    let prog = Program::modulo(steps);
    let r = run(&prog, &config(), &mut Quiet);
    if r.violation().is_some() || r.leaked_bytes != 0 {
        return failed(&prog, &r, &format!("{:?}", r.outcome));
    }
    TestResult::passed()
}

/// Bytes written through a duplicate are read back through the parent (views alias).
fn slices_alias_parent(p: Program) -> TestResult {
    let n = (p.steps.len() as u32 % 500) + 1;
    let steps = vec![
        Step::new(
            0,
            Op::Alloc {
                pooled: true,
                direct: false,
                size: Size(n * 2),
                max: Default::default(),
                second: false,
            },
        ),
        Step::new(0, Op::Duplicate { buf: 0 }),
        Step::new(
            0,
            Op::Write {
                buf: 1,
                len: Size(n),
                pattern: Pattern(n as u8),
            },
        ),
        Step::new(
            0,
            Op::Write {
                buf: 0,
                len: Size(0),
                pattern: Pattern(0),
            },
        ),
        Step::new(0, Op::RetainedSlice { buf: 1 }),
        Step::new(
            0,
            Op::Read {
                buf: 2,
                len: Size(n),
            },
        ),
        Step::new(
            0,
            Op::Release {
                buf: 2,
                k: Amount(1),
            },
        ),
        Step::new(
            0,
            Op::Release {
                buf: 0,
                k: Amount(1),
            },
        ),
    ];
    let prog = Program::modulo(steps);
    let r = run(&prog, &config(), &mut Quiet);
    // The executor compares the read against the bytes written through the duplicate.
    if r.violation().is_some() {
        return failed(&prog, &r, &format!("{:?}", r.outcome));
    }
    TestResult::passed()
}

#[test]
fn prop_shadow_agreement() {
    check("shadow_agreement", shadow_agreement);
}

#[test]
fn prop_shadow_agreement_any_config() {
    let seed = seed();
    let result = std::panic::catch_unwind(|| {
        QuickCheck::new()
            .tests(TESTS * 4)
            .max_tests(TESTS * 16)
            .rng(Gen::from_size_and_seed(QC_SIZE, seed))
            .quickcheck(shadow_agreement_any_config as fn(Knobs, Program) -> TestResult);
    });
    if let Err(e) = result {
        eprintln!("[shadow_agreement_any_config] failed with LEAKPROOF_QC_SEED={seed}");
        std::panic::resume_unwind(e);
    }
}

#[test]
fn prop_leak_free_zero_usage() {
    check("leak_free_zero_usage", leak_free_zero_usage);
}

#[test]
fn prop_leaked_bytes_exact() {
    check("leaked_bytes_exact", leaked_bytes_exact);
}

#[test]
fn prop_copy_independence() {
    check("copy_independence", copy_independence);
}

#[test]
fn prop_slices_alias_parent() {
    check("slices_alias_parent", slices_alias_parent);
}
