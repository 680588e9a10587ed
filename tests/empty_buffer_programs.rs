//! Programs through Netty's shared `EmptyByteBuf` (`directBuffer(0, 0)`/`heapBuffer(0,
//! 0)`): the executor runs every op of the language on it, on read-only and
//! unreleasable views of it and next to ordinary buffers, and the shadow model
//! predicts each result; none is a violation, none a leak.
#![cfg(not(any(feature = "loom", feature = "shuttle")))]

use leakproof_model::op::{Amount, Capacity, Op, Pattern, Program, Size, Step};
use leakproof_model::{Mutant, Profile};
use leakproof_sim::exec::{run, ExecConfig, Outcome, Quiet};

fn empty_alloc(pooled: bool, direct: bool) -> Op {
    Op::Alloc {
        pooled,
        direct,
        size: Size(0),
        max: Capacity::Bounded(Size(0)),
        second: false,
    }
}

/// Every op through handle `buf` (modulo the handles held), with lengths 0 and 1.
fn ops(buf: u32) -> Vec<Op> {
    let mut out = vec![
        Op::Write {
            buf,
            len: Size(0),
            pattern: Pattern(1),
        },
        Op::Write {
            buf,
            len: Size(1),
            pattern: Pattern(2),
        },
        Op::Read { buf, len: Size(0) },
        Op::Read { buf, len: Size(1) },
        Op::SetCapacity {
            buf,
            capacity: Size(0),
        },
        Op::SetCapacity {
            buf,
            capacity: Size(8),
        },
        Op::Copy { buf },
        Op::Slice { buf },
        Op::Duplicate { buf },
        Op::ReadSlice { buf, len: Size(0) },
        Op::ReadSlice { buf, len: Size(2) },
        Op::RetainedSlice { buf },
        Op::RetainedDuplicate { buf },
        Op::ReadRetainedSlice { buf, len: Size(0) },
        Op::ReadRetainedSlice { buf, len: Size(1) },
        Op::AsReadOnly { buf },
        Op::Unreleasable { buf },
    ];
    for k in 0..3 {
        out.push(Op::Retain { buf, k: Amount(k) });
        out.push(Op::Release { buf, k: Amount(k) });
    }
    out
}

fn program() -> Program {
    let mut steps = vec![
        Step::new(0, empty_alloc(true, true)),
        Step::new(0, empty_alloc(false, false)),
        Step::new(0, empty_alloc(true, false)),
        Step::new(
            0,
            Op::Alloc {
                pooled: true,
                direct: true,
                size: Size(16),
                max: Capacity::Unbounded,
                second: false,
            },
        ),
    ];
    for round in 0..24u32 {
        for (i, op) in ops(round.wrapping_mul(7)).into_iter().enumerate() {
            steps.push(Step::new(0, op.with_handle(round * 5 + i as u32)));
        }
        if round % 6 == 5 {
            steps.push(Step::new(0, Op::Drop { buf: round }));
            steps.push(Step::new(0, Op::Gc));
            steps.push(Step::new(0, empty_alloc(round % 2 == 0, true)));
        }
    }
    Program::modulo(steps)
}

#[test]
fn the_shadow_predicts_every_op_through_the_empty_buffer() {
    for profile in [Profile::netty_4_1(), Profile::netty_4_1_48()] {
        for seed in 0..4 {
            let config = ExecConfig::small(profile.clone(), Mutant::None, seed);
            let program = program();
            let report = run(&program, &config, &mut Quiet);
            assert_eq!(
                report.outcome,
                Outcome::Passed,
                "{profile:?} seed {seed}: {report:?}"
            );
            assert_eq!(report.steps_run, program.steps.len());
        }
    }
}
