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

struct Print;
impl leakproof_sim::exec::Observer for Print {
    fn detailed(&self) -> bool {
        true
    }
    fn on_step(&mut self, e: &leakproof_sim::exec::StepEvent<'_>) {
        eprintln!(
            "{} {} => {} | {}",
            e.index,
            serde_json::to_string(&e.step).unwrap(),
            e.result,
            e.state
        );
    }
}

#[test]
#[ignore]
fn debug_seed() {
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let (p, cfg) = program(seed, 400);
    let config = ExecConfig::from_bytes(Profile::netty_4_1(), Mutant::None, cfg);
    let report = run(&p, &config, &mut Print);
    eprintln!("{:?}", report.outcome);
}

#[test]
#[ignore]
fn replay_env_trace() {
    let args = leakproof_sim::commands::replay::ReplayArgs {
        trace: Some(std::env::var("TRACE").unwrap().into()),
        from_fuzz: None,
        mutant: None,
    };
    let mut out = Vec::new();
    let exit = leakproof_sim::commands::replay::run(&args, &mut out);
    eprintln!("{}\nexit {:?}", String::from_utf8(out).unwrap(), exit);
}

#[test]
#[ignore]
fn from_fuzz_env_then_minimize() {
    let args = leakproof_sim::commands::replay::ReplayArgs {
        trace: None,
        from_fuzz: Some(std::env::var("ARTIFACT").unwrap().into()),
        mutant: None,
    };
    let mut out = Vec::new();
    let exit = leakproof_sim::commands::replay::run(&args, &mut out);
    let text = String::from_utf8(out).unwrap();
    eprintln!(
        "{}\nexit {:?}",
        text.lines().rev().take(4).collect::<Vec<_>>().join("\n"),
        exit
    );
    let path = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("wrote ")
        .to_string();
    let margs = leakproof_sim::commands::minimize::MinimizeArgs {
        trace: path.into(),
        out: Some(std::env::var("OUT").unwrap().into()),
        invariant: None,
    };
    let mut out = Vec::new();
    let exit = leakproof_sim::commands::minimize::run(&margs, &mut out);
    eprintln!("{}exit {:?}", String::from_utf8(out).unwrap(), exit);
}

#[test]
#[ignore]
fn write_seed_regression() {
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let (p, cfg) = program(seed, 400);
    let config = ExecConfig::from_bytes(Profile::netty_4_1(), Mutant::None, cfg);
    let report = run(&p, &config, &mut Quiet);
    assert!(report.violation().is_none());
    let t = leakproof_sim::trace::Trace::new(&config, &report.resolved, None);
    std::fs::write(std::env::var("OUT").unwrap(), t.to_json()).unwrap();
}
