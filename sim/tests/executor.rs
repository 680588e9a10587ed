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

#[test]
fn read_only_views_and_unreleasable_wrappers_agree_with_the_shadow() {
    use leakproof_model::op::{Addressing, Amount, Capacity, Op, Pattern, Size, Step};
    // Handles by creation order (modulo addressing): 0 root, 1 unreleasable, 2 its
    // retained slice, 3 read-only, 4 read-only slice, 5 read-only again (the same).
    let ops = [
        Op::Alloc {
            pooled: true,
            direct: true,
            size: Size(16),
            max: Capacity::Unbounded,
            second: false,
        },
        Op::Write {
            buf: 0,
            len: Size(16),
            pattern: Pattern(3),
        },
        Op::Unreleasable { buf: 0 },
        Op::Release {
            buf: 1,
            k: Amount(1),
        },
        Op::RetainedSlice { buf: 1 },
        Op::AsReadOnly { buf: 0 },
        Op::Write {
            buf: 3,
            len: Size(1),
            pattern: Pattern(1),
        },
        Op::Read {
            buf: 3,
            len: Size(4),
        },
        Op::Slice { buf: 3 },
        Op::AsReadOnly { buf: 3 },
        Op::RetainedDuplicate { buf: 4 },
        Op::Release {
            buf: 6,
            k: Amount(1),
        },
        Op::Release {
            buf: 0,
            k: Amount(1),
        },
        Op::Read {
            buf: 3,
            len: Size(1),
        },
    ];
    let program = Program {
        addressing: Addressing::Modulo,
        steps: ops.into_iter().map(|op| Step::new(0, op)).collect(),
    };
    let config = ExecConfig::from_bytes(Mutant::None, &[0; CONFIG_BYTES]);
    let report = run(&program, &config, &mut Quiet);
    assert!(
        matches!(report.outcome, Outcome::Passed),
        "{:?}",
        report.outcome
    );
    assert_eq!(report.steps_run, 14);
    assert_eq!(
        report.misuse.len(),
        1,
        "only the read after the release: {:?}",
        report.misuse
    );
}

#[test]
fn a_read_only_view_of_a_recycled_derivative_acts_on_its_new_incarnation() {
    use leakproof_model::op::{Addressing, Amount, Capacity, Op, Size, Step};
    use leakproof_sim::exec::MisuseKind;
    // Handles: 0 root, 1 its retained duplicate (released: recycled), 2 a read-only view
    // of 1, 3 a retained duplicate reusing 1's object; 2's retained slice retains 3.
    let ops = [
        Op::Alloc {
            pooled: true,
            direct: true,
            size: Size(0),
            max: Capacity::Unbounded,
            second: false,
        },
        Op::RetainedDuplicate { buf: 0 },
        Op::Release {
            buf: 1,
            k: Amount(1),
        },
        Op::AsReadOnly { buf: 1 },
        Op::RetainedDuplicate { buf: 0 },
        Op::RetainedSlice { buf: 2 },
    ];
    let program = Program {
        addressing: Addressing::Modulo,
        steps: ops.into_iter().map(|op| Step::new(0, op)).collect(),
    };
    let config = ExecConfig::small(leakproof_model::Profile::default(), Mutant::None, 0);
    let report = run(&program, &config, &mut Quiet);
    assert!(
        matches!(report.outcome, Outcome::Passed),
        "{:?}",
        report.outcome
    );
    let stale: Vec<_> = report
        .misuse
        .iter()
        .filter(|m| m.kind == MisuseKind::StaleReference)
        .map(|m| m.step)
        .collect();
    assert_eq!(stale, [5], "{:?}", report.misuse);
}

#[test]
fn a_second_pooled_allocator_keeps_its_buffers_and_copies_apart() {
    use leakproof_model::op::{Addressing, Amount, Capacity, Op, Pattern, Size, Step};
    // Handles: 0 from the second allocator, 1 its copy (the same allocator), 2 from the
    // first after 0's object went back to a Recycler pool, 3 a copy of 2.
    let alloc = |second| Op::Alloc {
        pooled: true,
        direct: true,
        size: Size(16),
        max: Capacity::Unbounded,
        second,
    };
    let release = |buf| Op::Release { buf, k: Amount(1) };
    let ops = [
        alloc(true),
        Op::Write {
            buf: 0,
            len: Size(16),
            pattern: Pattern(5),
        },
        Op::Copy { buf: 0 },
        release(0),
        alloc(false),
        Op::Copy { buf: 2 },
        release(1),
        release(2),
        release(3),
    ];
    let program = Program {
        addressing: Addressing::Modulo,
        steps: ops.into_iter().map(|op| Step::new(0, op)).collect(),
    };
    let seconds = |config: &ExecConfig| {
        let report = run(&program, config, &mut Quiet);
        assert!(
            matches!(report.outcome, Outcome::Passed),
            "{:?}",
            report.outcome
        );
        report
            .resolved
            .steps
            .iter()
            .filter_map(|s| match s.op {
                Op::Alloc { second, .. } => Some(second),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let mut config = ExecConfig::small(leakproof_model::Profile::default(), Mutant::None, 0);
    // Without a second allocator every allocation is the first one's.
    assert_eq!(seconds(&config), [false, false]);
    config.second_allocator = true;
    assert_eq!(seconds(&config), [true, false]);
    // Without the Recycler nothing keeps either allocator once the handles are gone:
    // the end phase then requires both to be finalized.
    config
        .jvm
        .profile
        .allocator
        .recycler_max_capacity_per_thread = 0;
    assert_eq!(seconds(&config), [true, false]);
}
