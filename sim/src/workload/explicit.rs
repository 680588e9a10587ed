//! Explicit op lists of a workload: re-running a recorded (and shrunk) list of
//! [`WorkloadOp`]s on a fresh allocator with the same settings, and writing it in the
//! one op language (`leakproof_model::op`) that replay and minimize share.

use super::checks;
use super::ledger::{Leaked, Ledger, Place};
use super::ops::WorkloadOp;
use super::resolve::Plan;
use leakproof_model::alloc::pooled::{PooledAllocator, RawBuffer, RawThread};
use leakproof_model::invariant::MODEL_RAISED_NO_ASSERTION;
use leakproof_model::jvm::Jvm;
use leakproof_model::op::{Addressing, Amount, Capacity, Op, Program, Size, Step, ThreadKindOp};
use leakproof_model::pool::SizeKind;
use leakproof_model::{ThreadId, ThreadKind, Violation};
use std::collections::BTreeMap;

/// One buffer of the list: its memory (until released to 0), its references and the
/// buffer it slices.
struct Buffer {
    memory: Option<RawBuffer>,
    direct: bool,
    refs: u32,
    parent: Option<u64>,
    dropped: bool,
}

fn place(b: &RawBuffer) -> Place {
    match b.size_kind() {
        Some(SizeKind::Huge) => Place::Huge,
        Some(_) => Place::SmallOrNormal,
        None => Place::Unpooled,
    }
}

/// Runs `ops` on a fresh JVM and allocator configured like `plan` and then the
/// structural checks (`per_element`: also the one listing every used element); the
/// first violation (or model error) found, if any.
pub fn execute(plan: &Plan, ops: &[WorkloadOp], per_element: bool) -> Option<Violation> {
    let jvm = Jvm::new(plan.jvm.clone());
    let result = PooledAllocator::new(&jvm, plan.pooled.clone())
        .ok()
        .and_then(|allocator| run(&jvm, &allocator, ops, per_element).err());
    jvm.dispose();
    result
}

fn model_error(message: String) -> Violation {
    Violation {
        invariant: MODEL_RAISED_NO_ASSERTION,
        message,
    }
}

fn run(
    jvm: &Jvm,
    allocator: &PooledAllocator,
    ops: &[WorkloadOp],
    per_element: bool,
) -> Result<(), Violation> {
    let mut bound: BTreeMap<u32, RawThread> = BTreeMap::new();
    let mut buffers: BTreeMap<u64, Buffer> = BTreeMap::new();
    let mut ledger = Ledger::new(std::iter::once("explicit"));
    for op in ops {
        match *op {
            WorkloadOp::Alloc {
                id,
                thread: t,
                direct,
                size,
            } => {
                let raw = bind(jvm, allocator, &mut bound, t)?;
                match allocator.allocate_raw(&raw, direct, size) {
                    Ok(memory) => {
                        ledger.hold(place(&memory), direct, memory.footprint());
                        buffers.insert(
                            id,
                            Buffer {
                                memory: Some(memory),
                                direct,
                                refs: 1,
                                parent: None,
                                dropped: false,
                            },
                        );
                    }
                    Err(e) if e.class.is_jvm_error() => return Ok(()),
                    Err(e) => return Err(model_error(e.to_string())),
                }
            }
            WorkloadOp::RetainedSlice { id, parent, .. } => {
                let Some(p) = buffers.get_mut(&parent) else {
                    continue;
                };
                p.refs += 1;
                let direct = p.direct;
                buffers.insert(
                    id,
                    Buffer {
                        memory: None,
                        direct,
                        refs: 1,
                        parent: Some(parent),
                        dropped: false,
                    },
                );
            }
            WorkloadOp::Release { id, .. } => release(allocator, &mut buffers, &mut ledger, id)?,
            WorkloadOp::Drop { id } => {
                if let Some(b) = buffers.get_mut(&id) {
                    b.dropped = true;
                }
            }
            WorkloadOp::Gc => {}
        }
    }
    // Whatever is still held counts as leaked for the accounting checks.
    for b in buffers.values_mut() {
        if let Some(m) = b.memory.take() {
            let (p, bytes, direct) = (place(&m), m.footprint(), b.direct);
            ledger.unhold(p, direct, bytes);
            ledger.leak(
                0,
                Leaked {
                    requested: m.capacity(),
                    pool_bytes: bytes,
                    place: p,
                    direct,
                    tracked: false,
                },
            );
        }
    }
    checks::check(jvm, allocator, &ledger, per_element)
}

/// Thread `t`'s cache binding: started and bound at its first allocation.
fn bind(
    jvm: &Jvm,
    allocator: &PooledAllocator,
    bound: &mut BTreeMap<u32, RawThread>,
    t: u32,
) -> Result<RawThread, Violation> {
    if let Some(r) = bound.get(&t) {
        return Ok(r.clone());
    }
    let _ = jvm.start_thread(ThreadId(t), ThreadKind::EventLoop);
    let r = allocator
        .raw_thread(ThreadId(t))
        .map_err(|e| model_error(e.to_string()))?;
    bound.insert(t, r.clone());
    Ok(r)
}

fn release(
    allocator: &PooledAllocator,
    buffers: &mut BTreeMap<u64, Buffer>,
    ledger: &mut Ledger,
    id: u64,
) -> Result<(), Violation> {
    let Some(b) = buffers.get_mut(&id) else {
        return Ok(());
    };
    if b.refs == 0 {
        return Ok(());
    }
    b.refs -= 1;
    if b.refs > 0 {
        return Ok(());
    }
    let parent = b.parent;
    if let Some(m) = b.memory.take() {
        ledger.unhold(place(&m), b.direct, m.footprint());
        allocator
            .release_raw(m)
            .map_err(|e| model_error(e.to_string()))?;
    }
    match parent {
        Some(p) => release(allocator, buffers, ledger, p),
        None => Ok(()),
    }
}

/// `ops` in the op language (resolved form): the event loops started from `main`,
/// then each op on its thread, handles numbered from 1 in creation order.
pub fn to_program(ops: &[WorkloadOp]) -> Program {
    let mut steps = Vec::new();
    // Workload id → (handle number, the thread that made it).
    let mut handles: BTreeMap<u64, (u32, u32)> = BTreeMap::new();
    let mut next_handle = 1u32;
    let mut threads: BTreeMap<u32, u32> = BTreeMap::new();
    let mut thread = |t: u32, steps: &mut Vec<Step>| -> u32 {
        let next = threads.len() as u32 + 1;
        *threads.entry(t).or_insert_with(|| {
            steps.push(Step {
                thread: 0,
                op: Op::StartThread {
                    kind: ThreadKindOp::EventLoop,
                },
                creates: Some(next),
            });
            next
        })
    };
    for op in ops {
        let (t, op, new) = match *op {
            WorkloadOp::Alloc {
                id,
                thread: t,
                direct,
                size,
            } => {
                let size = Size(u32::try_from(size).unwrap_or(u32::MAX));
                let op = Op::Alloc {
                    pooled: true,
                    direct,
                    size,
                    max: Capacity::Bounded(size),
                    second: false,
                };
                (thread(t, &mut steps), op, Some(id))
            }
            WorkloadOp::RetainedSlice {
                id,
                parent,
                thread: t,
            } => {
                let Some(&(buf, _)) = handles.get(&parent) else {
                    continue;
                };
                (thread(t, &mut steps), Op::RetainedSlice { buf }, Some(id))
            }
            WorkloadOp::Release { id, thread: t } => {
                let Some(&(buf, _)) = handles.get(&id) else {
                    continue;
                };
                (
                    thread(t, &mut steps),
                    Op::Release { buf, k: Amount(1) },
                    None,
                )
            }
            WorkloadOp::Drop { id } => {
                let Some((buf, holder)) = handles.remove(&id) else {
                    continue;
                };
                (holder, Op::Drop { buf }, None)
            }
            WorkloadOp::Gc => (0, Op::Gc, None),
        };
        let creates = new.map(|id| {
            let h = next_handle;
            next_handle += 1;
            handles.insert(id, (h, t));
            h
        });
        steps.push(Step {
            thread: t,
            op,
            creates,
        });
    }
    Program {
        addressing: Addressing::Resolved,
        steps,
    }
}
