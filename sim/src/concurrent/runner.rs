//! One concurrent run: the setup, one checker thread per logical thread, quiescent
//! points between rounds, and the end-of-program phase.
//!
//! At each quiescent point every worker waits, so the runner owns the model: it
//! linearizes the round's history from the shadow state the previous round left
//! (`history_linearizable`), compares every held handle's count and indexes with the
//! shadow state the order found, and runs the sequential executor's full invariant
//! set. After the last round it hands the model, the shadow and the surviving handles
//! to the executor's end-of-program phase ("leak-free ⇒ zero usage", stranded cache
//! entries, the allocator's destruction), exactly as a sequential run ends.
//!
//! Threads come from the sync facade, so the run is driven by whichever checker the
//! build selected (shuttle in the shuttle suites).

use super::history::History;
use super::linearize::{linearize, DEFAULT_BUDGET};
use super::ownership::{self, PooledKinds};
use super::plan::{Plan, PlanError};
use super::worker::{Done, End, Msg, Shared, Worker};
use crate::exec::{end_phase, Exec, ExecConfig, Held, Quiet, RunReport};
use leakproof_model::buffer::{AllocId, ByteBuf};
use leakproof_model::check;
use leakproof_model::error::JavaClass;
use leakproof_model::invariant::{MODEL_RAISED_NO_ASSERTION, SHADOW_AGREEMENT};
use leakproof_model::op::{Addressing, Program};
use leakproof_model::sync::mpsc::{self, Receiver};
use leakproof_model::sync::{thread, Arc};
use leakproof_model::{ThreadId, Violation};
use std::collections::BTreeMap;

/// A held handle as a worker reported it at a quiescent point.
type Snapshot = (u32, ByteBuf, AllocId);

/// Which pooled allocations of `config` are pooled roots.
pub fn pooled_kinds(config: &ExecConfig) -> PooledKinds {
    PooledKinds {
        heap: config.allocator.heap_arenas > 0,
        direct: config.allocator.direct_arenas > 0,
    }
}

/// Checks that `program` can run concurrently under `config`: it splits into
/// per-thread programs and keeps the ownership discipline.
pub fn validate(program: &Program, config: &ExecConfig) -> Result<Plan, PlanError> {
    let plan = Plan::new(program, config.check_every)?;
    ownership::check(program, pooled_kinds(config)).map_err(|b| PlanError {
        step: Some(b.step),
        message: b.message,
    })?;
    Ok(plan)
}

/// Runs `program` concurrently under `config` (one checker thread per logical
/// thread, quiescent checks every `config.check_every` steps of its reference order)
/// and reports as the sequential executor does. Must run inside the checker's model
/// (a shuttle execution) when the build selected one.
pub fn run(program: &Program, config: &ExecConfig) -> Result<RunReport, PlanError> {
    let plan = validate(program, config)?;
    let mut quiet = Quiet;
    let mut exec = match Exec::start(
        config,
        Addressing::Resolved,
        &mut quiet,
        &leakproof_model::pool::SizeTables::new(),
    ) {
        Ok(exec) => exec,
        Err(rejected) => return Ok(*rejected),
    };
    for (t, kind) in &plan.threads {
        if let Err(e) = exec.jvm.start_thread(*t, *kind) {
            exec.fail(None, SHADOW_AGREEMENT.violated(format!("start {t}: {e}")));
            return Ok(exec.finish());
        }
        exec.shadow.threads.started(*t, *kind);
        exec.live.threads.push(*t);
    }
    exec.live.threads.sort();
    let rounds = plan.rounds;
    let (done_tx, done_rx) = mpsc::channel();
    let mut inboxes = Vec::new();
    let mut mailboxes = BTreeMap::new();
    for t in plan.thread_ids() {
        let (tx, rx) = mpsc::channel();
        mailboxes.insert(t, tx);
        inboxes.push((t, rx));
    }
    let history = std::sync::Arc::new(History::new());
    let shared = Arc::new(Shared {
        jvm: exec.jvm.clone(),
        pooled: exec.pooled().clone(),
        unpooled: exec.unpooled.clone(),
        plan,
        history: history.clone(),
        mailboxes,
    });
    let workers: Vec<_> = inboxes
        .into_iter()
        .map(|(t, inbox)| {
            let worker = Worker::new(t, shared.clone(), inbox, done_tx.clone());
            thread::spawn(move || worker.run())
        })
        .collect();
    drop(done_tx);
    let mut failure = None;
    for round in 0..rounds {
        let verdict = match gather(&done_rx, workers.len()) {
            Some(snapshots) => quiescent(&mut exec, &history, round, &snapshots),
            None => Err(Violation::new(
                MODEL_RAISED_NO_ASSERTION,
                format!("round {round}: a thread ended before the quiescent point"),
            )),
        };
        for mailbox in shared.mailboxes.values() {
            let _ = mailbox.send(if verdict.is_ok() { Msg::Go } else { Msg::Stop });
        }
        if let Err(v) = verdict {
            failure = Some(v);
            break;
        }
    }
    let ends: Vec<End> = workers
        .into_iter()
        .map(|w| w.join().expect("a worker panicked"))
        .collect();
    drop(shared);
    if let Some(v) = failure.or_else(|| problem(&ends)) {
        exec.fail(None, v);
        return Ok(exec.finish());
    }
    adopt(&mut exec, ends);
    if let Err(v) = end_phase(&mut exec, false) {
        exec.fail(None, v);
    }
    Ok(exec.finish())
}

/// Waits for every worker's end-of-round report; `None` if one ended early.
fn gather(done: &Receiver<Done>, workers: usize) -> Option<Vec<Snapshot>> {
    let mut held = Vec::new();
    for _ in 0..workers {
        held.extend(done.recv().ok()?.held);
    }
    Some(held)
}

fn problem(ends: &[End]) -> Option<Violation> {
    ends.iter()
        .find_map(|e| e.problem.clone())
        .map(|p| SHADOW_AGREEMENT.violated(p))
}

/// The checks of one quiescent point (every worker is waiting).
fn quiescent(
    exec: &mut Exec<'_>,
    history: &History,
    round: usize,
    held: &[Snapshot],
) -> Result<(), Violation> {
    let events = history.drain();
    for e in &events {
        if let Err(x) = &e.outcome {
            if x.class == JavaClass::Assertion {
                check::model_raised_no_assertion(x)?;
            }
        }
    }
    let what = format!("round {round}");
    let found = linearize(&exec.shadow, &exec.env, &events, DEFAULT_BUDGET, &what)?;
    exec.report.checks_run += 1;
    for &i in &found.order {
        let e = &events[i];
        if let Err(x) = &e.outcome {
            exec.record_misuse(e.index, x);
        }
    }
    exec.shadow = found.state;
    let at = events.iter().map(|e| e.index).max().unwrap_or(0);
    for (_, buf, gen) in held {
        if buf.object().alloc_id() != *gen {
            continue;
        }
        // As the executor does after each op: a released derivative whose fields the
        // recycler cleared (#14250) views nothing now.
        if buf.object().is_recycled_body() {
            exec.shadow.observe_recycled(*gen);
        }
        exec.compare_state(at, buf, *gen)?;
    }
    exec.full_checks()
}

/// Gives the executor what the threads left: the handles of threads still running
/// (the others died with their thread) and the leak trackers.
fn adopt(exec: &mut Exec<'_>, ends: Vec<End>) {
    for end in ends {
        exec.live.trackers.extend(end.trackers);
        if end.exited {
            exec.live.threads.retain(|t| *t != end.thread);
            continue;
        }
        for (id, local) in end.held {
            exec.live.handles.push(Held {
                id,
                buf: local.buf,
                gen: local.gen,
                holder: end.thread,
                unreleasable: false,
            });
        }
    }
    exec.live.handles.sort_by_key(|h| h.id);
    debug_assert!(exec.live.threads.contains(&ThreadId::MAIN));
}
