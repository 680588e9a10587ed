//! Checks every model of the catalog (or the shard `LEAKPROOF_SHARD=i/N` names) and
//! prints states explored, unique states and states/s per model, plus the totals.
//! Custom harness: one line per model in a fixed order, even when cargo captures
//! test output.

use leakproof_proofs::catalog::{self, Shard};
use leakproof_proofs::report::Report;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The whole catalog must explore at least this many unique states (issue 15).
const MIN_UNIQUE_TOTAL: usize = 1_000_000;

/// Models checked at once: `LEAKPROOF_PROOF_JOBS`, else the available cores (at most 2
/// by default, the CI machine's size).
fn workers() -> usize {
    std::env::var("LEAKPROOF_PROOF_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(2)
        })
}

fn main() -> ExitCode {
    let shard = match std::env::var("LEAKPROOF_SHARD") {
        Ok(text) => match Shard::parse(&text) {
            Ok(shard) => shard,
            Err(e) => {
                eprintln!("LEAKPROOF_SHARD: {e}");
                return ExitCode::from(2);
            }
        },
        Err(_) => Shard::ALL,
    };
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let proofs: Vec<_> = catalog::shard(shard)
        .into_iter()
        .filter(|p| filter.as_deref().is_none_or(|f| p.name().contains(f)))
        .collect();
    println!(
        "running {} proof models (shard {}/{})",
        proofs.len(),
        shard.index,
        shard.total
    );
    let started = Instant::now();
    // Two models at a time (one checker thread each): the CI machine has two cores.
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; proofs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers() {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(proof) = proofs.get(i) else { return };
                let report = proof.check();
                println!("{report}");
                reports.lock().unwrap()[i] = Some(report);
            });
        }
    });
    let (mut states, mut unique, mut failed) = (0usize, 0usize, Vec::new());
    for (proof, report) in proofs.iter().zip(reports.into_inner().unwrap()) {
        let report = report.expect("every model was checked");
        states += report.states;
        unique += report.unique;
        if let Err(why) = report.verdict() {
            println!("FAILED: {why}");
            failed.push(proof.name().to_string());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "total: {} models, states {states}, unique {unique}, {:.1} s, {:.0} states/s",
        proofs.len(),
        secs,
        unique as f64 / secs.max(1e-9)
    );
    let whole = shard == Shard::ALL && filter.is_none();
    if whole && unique < MIN_UNIQUE_TOTAL {
        println!("  FAILED: only {unique} unique states (at least {MIN_UNIQUE_TOTAL} required)");
        failed.push("total".to_string());
    }
    println!(
        "test result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        proofs.len() - failed.len().min(proofs.len()),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
