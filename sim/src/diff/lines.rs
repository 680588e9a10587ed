//! The line form of a resolved program that the Java oracle (`oracle/src/Diff.java`)
//! reads: a header with the allocator's constructor arguments, one line per op, `end`.

use super::DiffError;
use leakproof_model::alloc::pooled::PooledConfig;
use leakproof_model::op::{Op, Step};
use std::collections::BTreeMap;
use std::fmt::Write;

fn flag(b: bool) -> u8 {
    u8::from(b)
}

/// `program NAME …` with `new PooledByteBufAllocator(preferDirect, nHeapArena,
/// nDirectArena, pageSize, maxOrder, tinyCacheSize, smallCacheSize, normalCacheSize,
/// useCacheForAllThreads, directMemoryCacheAlignment)`'s arguments and the barrier flag.
pub fn header(name: &str, a: &PooledConfig, tiny_cache_size: u32, barrier: bool) -> String {
    format!(
        "program {name} {} {} {} {} {} {tiny_cache_size} {} {} {} {} {}",
        flag(a.prefer_direct),
        a.heap_arenas,
        a.direct_arenas,
        a.page_size,
        a.max_order,
        a.small_cache_size,
        a.normal_cache_size,
        flag(a.use_cache_for_all_threads),
        a.direct_alignment,
        flag(barrier)
    )
}

/// One resolved single-thread step as an op line (`NAME CREATES ARGS…`); a read ends
/// with the `START END` ranges of its bytes that Java leaves `unspecified`.
pub fn op_line(
    index: usize,
    step: &Step,
    unspecified: &[(usize, usize)],
) -> Result<String, DiffError> {
    if step.thread != 0 {
        return Err(DiffError::Unsupported(format!(
            "step {index} runs on thread {}: the differential run is single-threaded",
            step.thread
        )));
    }
    let c = step
        .creates
        .map_or_else(|| "-".to_string(), |id| id.to_string());
    let mut s = format!("{} {c}", step.op.name());
    let args: Vec<i64> = match step.op {
        // The oracle runs one pooled allocator (the differential programs have no second).
        Op::Alloc {
            pooled,
            direct,
            size,
            max,
            ..
        } => vec![
            i64::from(flag(pooled)),
            i64::from(flag(direct)),
            i64::from(size.0),
            max.value(),
        ],
        Op::Write { buf, len, pattern } => {
            vec![i64::from(buf), i64::from(len.0), i64::from(pattern.0)]
        }
        Op::Read { buf, len } | Op::ReadSlice { buf, len } | Op::ReadRetainedSlice { buf, len } => {
            vec![i64::from(buf), i64::from(len.0)]
        }
        Op::SetCapacity { buf, capacity } => vec![i64::from(buf), i64::from(capacity.0)],
        Op::Retain { buf, k } | Op::Release { buf, k } => vec![i64::from(buf), i64::from(k.0)],
        Op::Copy { buf }
        | Op::Slice { buf }
        | Op::Duplicate { buf }
        | Op::RetainedSlice { buf }
        | Op::RetainedDuplicate { buf }
        | Op::AsReadOnly { buf }
        | Op::Unreleasable { buf }
        | Op::Drop { buf } => vec![i64::from(buf)],
        Op::Gc | Op::TrimCache | Op::FreeCache => Vec::new(),
        Op::HandOff { .. } | Op::StartThread { .. } | Op::ExitThread { .. } => {
            return Err(DiffError::Unsupported(format!(
                "step {index} is `{}`: the differential run is single-threaded",
                step.op.name()
            )))
        }
    };
    for a in args {
        let _ = write!(s, " {a}");
    }
    if let Op::Read { .. } = step.op {
        for (from, to) in unspecified {
            let _ = write!(s, " {from} {to}");
        }
    }
    Ok(s)
}

/// The whole program: header, op lines, `end`.
pub fn program(
    name: &str,
    a: &PooledConfig,
    tiny_cache_size: u32,
    barrier: bool,
    steps: &[Step],
    unspecified: &BTreeMap<usize, Vec<(usize, usize)>>,
) -> Result<String, DiffError> {
    let mut s = header(name, a, tiny_cache_size, barrier);
    s.push('\n');
    for (i, step) in steps.iter().enumerate() {
        let ranges = unspecified.get(&i).map_or(&[][..], Vec::as_slice);
        s.push_str(&op_line(i, step, ranges)?);
        s.push('\n');
    }
    s.push_str("end\n");
    Ok(s)
}
