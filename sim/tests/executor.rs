//! The executor agrees with the model on many generated programs (no mutant), and its
//! checks catch the mutants they are meant for.

use arbitrary::Unstructured;
use leakproof_model::op::Program;
use leakproof_model::Mutant;
use leakproof_sim::exec::{run, ExecConfig, Outcome, Quiet, CONFIG_BYTES};
use rand::{RngCore, SeedableRng};

const N_SEEDS: u64 = 3000;

fn program(seed: u64, len: usize) -> (Program, Vec<u8>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    let cfg = bytes[..CONFIG_BYTES].to_vec();
    let mut u = Unstructured::new(&bytes[CONFIG_BYTES..]);
    (u.arbitrary().unwrap(), cfg)
}

#[test]
fn generated_programs_pass_without_a_mutant() {
    for seed in 0..N_SEEDS {
        let (p, cfg) = program(seed, 400);
        let config = ExecConfig::from_bytes(Mutant::None, &cfg);
        if std::env::var("DBG").is_ok() {
            eprintln!(
                "seed {seed} {:?} {}",
                cfg,
                serde_json::to_string(&p).unwrap()
            );
        }
        let report = run(&p, &config, &mut Quiet);
        assert!(
            matches!(report.outcome, Outcome::Passed),
            "seed {seed}: {:?}\n{}",
            report.outcome,
            serde_json::to_string(
                &report.resolved.steps[report.resolved.steps.len().saturating_sub(8)..]
            )
            .unwrap()
        );
    }
}
