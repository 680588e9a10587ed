//! Coverage of the executor-driven checkers, measured: each checker's fixed inputs are
//! run in-process and the model's event counters ([`leakproof_model::coverage`]) of
//! every run are merged per checker (`leakproof coverage`, `docs/coverage.md`).
//!
//! The inputs are exactly what the checkers run: the committed fuzz seed corpus,
//! quickcheck's fixed seed (`tests/properties.rs` takes its seed, sizes and
//! configuration from here), the committed regression traces, and the mutant
//! catalogue's control run (every program checker's seeds under its budget, no mutant).

mod claims;

pub use claims::{check_claims, claimed, Unmet, CLAIMS};

use crate::exec::{run, ExecConfig, Quiet, RunReport, CONFIG_BYTES};
use crate::fuzz_input;
use crate::mutants::{generate, Checker};
use crate::trace::{self, Attachments};
use leakproof_model::coverage::{Coverage, Event};
use leakproof_model::op::Program;
use leakproof_model::{Mutant, Profile};
use quickcheck::{Arbitrary, Gen};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// quickcheck's default seed in `tests/properties.rs` (`LEAKPROOF_QC_SEED` overrides it
/// there).
pub const QC_SEED: u64 = 0x1ea4_900f;
/// Tests per quickcheck property (`shadow_agreement_any_config` runs four times as many).
pub const QC_TESTS: u64 = 64;
/// quickcheck's size parameter.
pub const QC_SIZE: usize = 64;

/// The fixed configuration of the quickcheck properties over programs.
pub fn qc_config() -> ExecConfig {
    ExecConfig::small(Profile::netty_4_1(), Mutant::None, 7)
}

/// A checker whose fixed inputs are measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The committed seeds `fuzz/corpus/alloc_sequence/seed-*` through the fuzz
    /// target's decoder.
    FuzzCorpus,
    /// `shadow_agreement` (64 programs) and `shadow_agreement_any_config` (256 drawn
    /// configurations and programs) at quickcheck's fixed seed.
    Quickcheck,
    /// `tests/regressions/**/*.json` executor traces, each as committed.
    Regressions,
    /// The mutant catalogue's control run of the executor checker.
    ControlExecutor,
    /// The mutant catalogue's control run of the quickcheck checker.
    ControlQuickcheck,
    /// The mutant catalogue's control run of the fuzz checker.
    ControlFuzz,
}

impl Source {
    /// Every source, in table order.
    pub const ALL: [Source; 6] = [
        Source::FuzzCorpus,
        Source::Quickcheck,
        Source::Regressions,
        Source::ControlExecutor,
        Source::ControlQuickcheck,
        Source::ControlFuzz,
    ];

    /// Stable name (table column, claims).
    pub fn name(self) -> &'static str {
        match self {
            Source::FuzzCorpus => "fuzz-corpus",
            Source::Quickcheck => "quickcheck",
            Source::Regressions => "regressions",
            Source::ControlExecutor => "control-executor",
            Source::ControlQuickcheck => "control-quickcheck",
            Source::ControlFuzz => "control-fuzz",
        }
    }

    fn control(self) -> Option<Checker> {
        match self {
            Source::ControlExecutor => Some(Checker::Executor),
            Source::ControlQuickcheck => Some(Checker::Quickcheck),
            Source::ControlFuzz => Some(Checker::Fuzz),
            _ => None,
        }
    }
}

/// What one source reached.
#[derive(Clone, Debug, Serialize)]
pub struct Measured {
    /// The checker.
    pub source: Source,
    /// Programs run.
    pub runs: u64,
    /// Runs that ended in a violation (each as the checker expects: only mutant
    /// regression traces, which stop at their violation).
    pub violations: u64,
    /// The merged event counts.
    pub coverage: Coverage,
}

impl Measured {
    fn new(source: Source) -> Self {
        Measured {
            source,
            runs: 0,
            violations: 0,
            coverage: Coverage::default(),
        }
    }

    fn add(&mut self, report: &RunReport) {
        self.runs += 1;
        self.violations += u64::from(report.violation().is_some());
        self.coverage.merge(&report.coverage);
    }

    fn run(&mut self, program: &Program, config: &ExecConfig) {
        let report = run(program, config, &mut Quiet);
        self.add(&report);
    }
}

/// A committed input that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub message: String,
}

fn files(dir: &Path, json_only: bool) -> Result<Vec<PathBuf>, InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InputError {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !json_only || p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    std::fs::read(path).map_err(|e| InputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Runs `source`'s fixed inputs; `root` is the repository (for the committed files).
pub fn measure(source: Source, root: &Path) -> Result<Measured, InputError> {
    let mut m = Measured::new(source);
    match source {
        Source::FuzzCorpus => {
            // Only the committed seeds: libFuzzer adds its finds to the same directory.
            let corpus = files(&root.join("fuzz/corpus/alloc_sequence"), false)?;
            let seeds = corpus.iter().filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            });
            for path in seeds {
                if let Some((config, program)) = fuzz_input::decode(&read(path)?, Mutant::None) {
                    m.run(&program, &config);
                }
            }
        }
        Source::Quickcheck => {
            let mut g = Gen::from_size_and_seed(QC_SIZE, QC_SEED);
            for _ in 0..QC_TESTS {
                m.run(&Program::arbitrary(&mut g), &qc_config());
            }
            // A second property, so a fresh generator at the same seed.
            let mut g = Gen::from_size_and_seed(QC_SIZE, QC_SEED);
            for _ in 0..QC_TESTS * 4 {
                let knobs: Vec<u8> = (0..CONFIG_BYTES).map(|_| u8::arbitrary(&mut g)).collect();
                let program = Program::arbitrary(&mut g);
                m.run(&program, &ExecConfig::from_bytes(Mutant::None, &knobs));
            }
        }
        Source::Regressions => {
            let dir = root.join("tests/regressions");
            let mut paths = files(&dir, true)?;
            paths.extend(files(&dir.join("mutants"), true)?);
            for path in paths {
                let text = String::from_utf8_lossy(&read(&path)?).into_owned();
                let t = trace::parse(&text).map_err(|e| InputError {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
                // Shuttle, loom, workload and refcount-schedule traces are not
                // executor programs.
                if t.attachments == Attachments::default() {
                    m.run(&t.program(), &t.config);
                }
            }
        }
        _ => {
            let checker = source
                .control()
                .expect("the remaining sources are controls");
            for seed in 0..checker.budget() {
                if let Some((config, program)) = generate(checker, Mutant::None, seed) {
                    m.run(&program, &config);
                }
            }
        }
    }
    Ok(m)
}

/// Every source measured, in table order.
pub fn measure_all(root: &Path) -> Result<Vec<Measured>, InputError> {
    Source::ALL.iter().map(|&s| measure(s, root)).collect()
}

/// A Markdown table: one row per event, one column per source, counts in the cells
/// (`—` for never).
pub fn render_table(measured: &[Measured]) -> String {
    let mut s = String::from("| event |");
    for m in measured {
        let _ = write!(s, " {} |", m.source.name());
    }
    s.push_str("\n|---|");
    s.push_str(&"---:|".repeat(measured.len()));
    s.push_str("\n| *programs run* |");
    for m in measured {
        let _ = write!(s, " {} |", m.runs);
    }
    s.push('\n');
    for event in Event::ALL {
        let _ = write!(s, "| `{}` |", event.name());
        for m in measured {
            match m.coverage.times(event) {
                0 => s.push_str(" — |"),
                n => {
                    let _ = write!(s, " {n} |");
                }
            }
        }
        s.push('\n');
    }
    s
}
