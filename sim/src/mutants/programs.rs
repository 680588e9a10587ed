//! The program checkers: the executor + shadow on generated programs under a fixed
//! small configuration, quickcheck's generator under drawn knobs, and the fuzz entry
//! point's decoder on random bytes. Each tries a fixed number of seeds (never a time
//! limit) and stops at the first violation.

use super::{Catch, Checker};
use crate::coverage::QC_SIZE;
use crate::exec::{run, ExecConfig, Quiet, RunReport, CONFIG_BYTES};
use crate::fuzz_input;
use crate::trace::{ExpectedFailure, Trace};
use arbitrary::Unstructured;
use leakproof_model::op::Program;
use leakproof_model::{Mutant, Profile};
use quickcheck::{Arbitrary, Gen};
use rand::{RngCore, SeedableRng};

/// Bytes of one generated input (configuration header included): programs of a few
/// dozen steps, what the executor's own tests and the fuzz smoke run use.
const INPUT_BYTES: usize = 400;

fn random_bytes(checker: Checker, seed: u64) -> Vec<u8> {
    // Distinct streams per checker: the same seed never gives two checkers one input.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ ((checker as u64) << 56));
    let mut bytes = vec![0u8; INPUT_BYTES];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// The configuration and program `checker` generates for `seed` under `mutant`, or
/// `None` when the input does not decode to a program.
pub fn generate(checker: Checker, mutant: Mutant, seed: u64) -> Option<(ExecConfig, Program)> {
    match checker {
        Checker::Executor => {
            let bytes = random_bytes(checker, seed);
            let config = ExecConfig::small(Profile::default(), mutant, seed);
            let program = Unstructured::new(&bytes).arbitrary().ok()?;
            Some((config, program))
        }
        Checker::Quickcheck => {
            let mut g = Gen::from_size_and_seed(QC_SIZE, seed);
            let knobs: Vec<u8> = (0..CONFIG_BYTES).map(|_| u8::arbitrary(&mut g)).collect();
            let config = ExecConfig::from_bytes(mutant, &knobs);
            Some((config, Program::arbitrary(&mut g)))
        }
        Checker::Fuzz => fuzz_input::decode(&random_bytes(checker, seed), mutant),
        _ => None,
    }
}

/// The violation trace of a failed run.
pub fn violation_trace(config: &ExecConfig, report: &RunReport) -> Option<Trace> {
    let v = report.violation()?;
    Some(Trace::new(
        config,
        &report.resolved,
        Some(ExpectedFailure {
            invariant: v.name().to_string(),
            message: v.message.clone(),
        }),
    ))
}

/// Runs `checker`'s programs for seeds `0..budget` under `mutant`; the first violation
/// is minimized (`leakproof minimize`'s delta debugging) into the catch.
pub fn hunt(checker: Checker, mutant: Mutant, budget: u64) -> Option<Catch> {
    for seed in 0..budget {
        let Some((config, program)) = generate(checker, mutant, seed) else {
            continue;
        };
        let report = run(&program, &config, &mut Quiet);
        if let Some(found) = violation_trace(&config, &report) {
            let minimized = crate::minimize::minimize(&found, None).unwrap_or(found);
            return Some(Catch {
                checker,
                iterations: seed + 1,
                trace: minimized,
            });
        }
    }
    None
}
