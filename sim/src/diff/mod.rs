//! Differential testing against the real Netty 4.1.48 (`leakproof diff`).
//!
//! A program runs twice: on the model ([`observe`]) and on the real
//! `PooledByteBufAllocator`/`UnpooledByteBufAllocator` in a JVM ([`oracle`], the Java
//! side is `oracle/src/Diff*.java`). Both sides print the same observation lines after
//! every op (the op's result or exception, every held buffer's refCnt, capacity,
//! maxCapacity and indexes, every arena's metrics and chunk-list usage, the unpooled
//! metric and Netty's direct counter); [`compare`] finds the first step where they
//! differ. Programs sharing the JVM-wide settings ([`JvmKey`]) share one JVM, each on a
//! fresh thread with fresh allocators. The workflow is `docs/differential.md`.

pub mod compare;
pub mod expected;
pub mod filter;
pub mod lines;
pub mod observe;
pub mod oracle;
pub mod random;
pub mod setup;
pub mod unspecified;

pub use compare::{Disagreement, Verdict};
pub use expected::{Effect, KnownDifference};
pub use oracle::Oracle;
pub use setup::JvmKey;

use crate::exec::ExecConfig;
use leakproof_model::op::{Program, Step};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Why a differential run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The program uses something the differential run does not compare.
    #[error("not comparable: {0}")]
    Unsupported(String),
    /// The JDK, the jars or the oracle JVM failed.
    #[error("oracle: {0}")]
    Oracle(String),
}

/// One program to compare, with its configuration.
#[derive(Clone, Debug)]
pub struct Case {
    /// A name unique within the run (`[A-Za-z0-9_-]`).
    pub name: String,
    /// The program (single-threaded; modulo or resolved).
    pub program: Program,
    /// The model's configuration (normalized with [`setup::normalize`]).
    pub config: ExecConfig,
}

/// What one compared program gave.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// The program as run (resolved).
    pub resolved: Vec<Step>,
    /// The first disagreement, if any.
    pub disagreement: Option<Disagreement>,
    /// Where the program diverged as the profiles' known differences predict (then
    /// it was compared no further), if it did.
    pub diverged: Option<(Option<usize>, Effect)>,
    /// Both full observation texts (model, oracle), kept for disagreeing cases only.
    pub texts: Option<(String, String)>,
}

/// The release the oracle runs, as its JVM for `config` runs it: the Recycler's
/// capacity is the flag [`setup::JvmKey::java_flags`] passes, the model's own.
pub fn oracle_profile(config: &ExecConfig) -> leakproof_model::Profile {
    let mut p = leakproof_model::Profile::netty_4_1_48();
    p.allocator.recycler_max_capacity_per_thread = config
        .jvm
        .profile
        .allocator
        .recycler_max_capacity_per_thread;
    p
}

/// The comparison filter of case `c` whose resolved steps are `resolved`: the known
/// differences between its profile and the oracle's.
fn filter_of(c: &Case, resolved: &[Step]) -> filter::Filter {
    let effects = expected::effects(&expected::between(
        &c.config.jvm.profile,
        &oracle_profile(&c.config),
    ));
    let chunk =
        (c.config.allocator.page_size.max(0) as u64) << c.config.allocator.max_order.clamp(0, 30);
    filter::Filter::new(effects, chunk, resolved)
}

/// `tinyCacheSize` for the oracle's constructor: the model's own.
pub fn tiny_cache_size(config: &ExecConfig) -> u32 {
    config.allocator.tiny_cache_size.max(0) as u32
}

/// Runs every case on the model and on the oracle (programs grouped by JVM, `batch`
/// programs per JVM at most) and compares them, in the cases' order.
pub fn run_cases(
    oracle: &Oracle,
    cases: &[Case],
    batch: usize,
) -> Result<Vec<CaseResult>, DiffError> {
    let model: Vec<observe::ModelRun> = cases
        .par_iter()
        .map(|c| observe::run(&c.name, &c.program, &c.config))
        .collect::<Result<_, _>>()?;
    let mut by_key: BTreeMap<JvmKey, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        by_key.entry(JvmKey::of(&c.config)).or_default().push(i);
    }
    let mut results: Vec<Option<CaseResult>> = vec![None; cases.len()];
    for (key, idx) in &by_key {
        for chunk in idx.chunks(batch.max(1)) {
            let mut text = String::new();
            for &i in chunk {
                let c = &cases[i];
                text.push_str(&lines::program(
                    &c.name,
                    &c.config.allocator,
                    tiny_cache_size(&c.config),
                    key.needs_barrier(),
                    &model[i].resolved,
                    &model[i].unspecified,
                )?);
            }
            let observed = oracle.run(key, &text)?;
            for &i in chunk {
                let name = &cases[i].name;
                let java = observed.get(name).ok_or_else(|| {
                    DiffError::Oracle(format!("the oracle printed nothing for program {name}"))
                })?;
                let filter = filter_of(&cases[i], &model[i].resolved);
                let verdict = compare::judge(name, &model[i].text, java, &filter);
                let (disagreement, diverged) = match verdict {
                    Verdict::Agree => (None, None),
                    Verdict::Diverged { step, effect } => (None, Some((step, effect))),
                    Verdict::Disagree(d) => (Some(d), None),
                };
                results[i] = Some(CaseResult {
                    name: name.clone(),
                    resolved: model[i].resolved.clone(),
                    texts: disagreement
                        .is_some()
                        .then(|| (model[i].text.clone(), java.clone())),
                    disagreement,
                    diverged,
                });
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every case ran"))
        .collect())
}
