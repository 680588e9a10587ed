//! The model's side of a differential run: runs a program on the model through Netty's
//! API calls (the executor's [`apply`](crate::exec::apply), so the two cannot drift)
//! and prints, after each op, the same observation lines the Java oracle prints
//! (`oracle/src/DiffProgram.java`). Nothing here predicts: it only reads what the model
//! did, as the oracle reads what Netty did. A program that received bytes Java leaves
//! uninitialized runs twice, to tell which bytes its reads return are unspecified
//! ([`super::unspecified`]).

use super::unspecified::{differing_ranges, read_result, SECOND_FILL};
use super::DiffError;
use crate::exec::apply::{self, Applied};
use crate::exec::ExecConfig;
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::ByteBuf;
use leakproof_model::error::JavaResult;
use leakproof_model::jvm::Jvm;
use leakproof_model::op::{Addressing, Op, Program, Step};
use leakproof_model::pool::{ArenaKind, ArenaMetrics};
use leakproof_model::ThreadId;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the model printed for one program, and the program in resolved form.
#[derive(Clone, Debug)]
pub struct ModelRun {
    /// The resolved steps actually run (modulo steps that named nothing are dropped).
    pub resolved: Vec<Step>,
    /// The observation text (`program NAME` … `end NAME`).
    pub text: String,
    /// Per resolved read step, the `[start, end)` ranges of the bytes it returned that
    /// Java leaves unspecified ([`super::unspecified`]); reads without any are absent.
    pub unspecified: BTreeMap<usize, Vec<(usize, usize)>>,
}

/// One run of a program: the text with every successful read's result left out (at
/// `reads`' text offsets), the bytes read, and how many uninitialized bytes the model
/// handed out.
struct Pass {
    resolved: Vec<Step>,
    text: String,
    /// (offset in `text`, resolved step, bytes read).
    reads: Vec<(usize, usize, Vec<u8>)>,
    uninitialized: u64,
}

struct Held {
    id: u32,
    buf: ByteBuf,
}

/// The held handles and the ids new ones get.
struct Ids<'a> {
    held: &'a mut Vec<Held>,
    next: &'a mut u32,
    /// The id a resolved step recorded for what it creates.
    recorded: Option<u32>,
    /// The program is resolved (ids come from the steps).
    resolved: bool,
}

impl Ids<'_> {
    /// The result text of a creating op; a new handle is held under its id.
    fn created(&mut self, b: JavaResult<ByteBuf>, r: &mut Step) -> String {
        match b {
            // A resolved step that created nothing when it was recorded: the oracle
            // does not hold what it gets either.
            Ok(_) if self.resolved && self.recorded.is_none() => "ok new".to_string(),
            Ok(buf) => {
                let id = self.recorded.unwrap_or(*self.next);
                *self.next = (*self.next).max(id + 1);
                self.held.push(Held { id, buf });
                self.held.sort_by_key(|h| h.id);
                r.creates = Some(id);
                format!("ok #{id}")
            }
            Err(e) => format!("err {}", escape(&e.to_string())),
        }
    }
}

/// Runs `program` (single-threaded, modulo or resolved) under `config` on the model;
/// a program that received bytes Java leaves uninitialized runs a second time with
/// them filled otherwise, and what its reads returned differently is unspecified.
pub fn run(name: &str, program: &Program, config: &ExecConfig) -> Result<ModelRun, DiffError> {
    let first = pass(name, program, config, 0)?;
    let mut unspecified = BTreeMap::new();
    if first.uninitialized > 0 {
        let second = pass(name, program, config, SECOND_FILL)?;
        for ((_, step, a), (_, _, b)) in first.reads.iter().zip(&second.reads) {
            let ranges = differing_ranges(a, b);
            if !ranges.is_empty() {
                unspecified.insert(*step, ranges);
            }
        }
    }
    let mut text = String::with_capacity(first.text.len() + 40 * first.reads.len());
    let mut at = 0;
    for (offset, step, bytes) in &first.reads {
        text.push_str(&first.text[at..*offset]);
        let none = Vec::new();
        text.push_str(&read_result(bytes, unspecified.get(step).unwrap_or(&none)));
        at = *offset;
    }
    text.push_str(&first.text[at..]);
    Ok(ModelRun {
        resolved: first.resolved,
        text,
        unspecified,
    })
}

/// One run of `program` with uninitialized memory reading as `fill`.
fn pass(name: &str, program: &Program, config: &ExecConfig, fill: u8) -> Result<Pass, DiffError> {
    let mut out = format!("program {name}\n");
    let jvm = Jvm::new(config.jvm.clone());
    jvm.fill_uninitialized(fill);
    let mut reads = Vec::new();
    let pooled = match PooledAllocator::new(&jvm, config.allocator.clone()) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(out, "rejected {}\nend {name}", escape(&e.to_string()));
            jvm.dispose();
            return Ok(Pass {
                resolved: Vec::new(),
                text: out,
                reads,
                uninitialized: 0,
            });
        }
    };
    let handle = pooled.handle();
    let unpooled = UnpooledAllocator::with_prefer_direct(&jvm, true);
    let mut held: Vec<Held> = Vec::new();
    let mut next_id = 1u32;
    let mut resolved = Vec::new();
    for (i, step) in program.steps.iter().enumerate() {
        if step.thread != 0 {
            jvm.dispose();
            return Err(DiffError::Unsupported(format!(
                "step {i} runs on thread {}: the differential run is single-threaded",
                step.thread
            )));
        }
        let pos = match step.op.handle() {
            None => None,
            Some(n) => match program.addressing {
                Addressing::Modulo if held.is_empty() => continue,
                Addressing::Modulo => Some(n as usize % held.len()),
                Addressing::Resolved => held.iter().position(|h| h.id == n),
            },
        };
        let mut r = Step::new(0, step.op.clone());
        if let Some(p) = pos {
            r.op = step.op.with_handle(held[p].id);
        }
        let recorded = match program.addressing {
            Addressing::Resolved => step.creates,
            Addressing::Modulo => None,
        };
        let mut ids = Ids {
            held: &mut held,
            next: &mut next_id,
            recorded,
            resolved: program.addressing == Addressing::Resolved,
        };
        let result = match (&step.op, pos) {
            (
                Op::Alloc {
                    pooled: p,
                    direct,
                    size,
                    max,
                    ..
                },
                _,
            ) => ids.created(
                apply::alloc(
                    &pooled,
                    &unpooled,
                    ThreadId::MAIN,
                    (*p, *direct, *size, max.value()),
                ),
                &mut r,
            ),
            (Op::Gc, _) => {
                let _ = jvm.gc();
                "ok".to_string()
            }
            (Op::TrimCache, _) => format!("ok {}", pooled.trim_thread_cache(ThreadId::MAIN)),
            (Op::FreeCache, _) => {
                pooled.free_thread_cache(ThreadId::MAIN);
                "ok".to_string()
            }
            (Op::HandOff { .. } | Op::StartThread { .. } | Op::ExitThread { .. }, _) => {
                jvm.dispose();
                return Err(DiffError::Unsupported(format!(
                    "step {i} is `{}`: the differential run is single-threaded",
                    step.op.name()
                )));
            }
            (_, None) => "skip".to_string(),
            (Op::Drop { .. }, Some(p)) => {
                ids.held.remove(p);
                "ok".to_string()
            }
            (op, Some(p)) => {
                let buf = ids.held[p].buf.clone();
                match apply::on_handle(op, &buf, ThreadId::MAIN) {
                    None => "skip".to_string(),
                    Some(Ok(Applied::New(b))) => ids.created(Ok(b), &mut r),
                    Some(Ok(Applied::Unit)) => "ok".to_string(),
                    Some(Ok(Applied::Released(b))) => format!("ok {b}"),
                    Some(Ok(Applied::Bytes(v))) => {
                        reads.push((0, resolved.len(), v));
                        String::new()
                    }
                    Some(Err(e)) => format!("err {}", escape(&e.to_string())),
                }
            }
        };
        let _ = writeln!(out, "step {} {} {result}", resolved.len(), step.op.name());
        // A read's result goes where its line ends, once both runs are known.
        if let Some(r) = reads.last_mut().filter(|r| r.1 == resolved.len()) {
            r.0 = out.len() - 1;
        }
        resolved.push(r);
        observe(&mut out, &held, &pooled, &unpooled, &jvm);
    }
    let _ = writeln!(out, "end {name}");
    held.clear();
    drop(handle);
    let uninitialized = jvm.uninitialized_bytes();
    jvm.dispose();
    Ok(Pass {
        resolved,
        text: out,
        reads,
        uninitialized,
    })
}

/// `Throwable.toString()` on one line, escaped as the oracle escapes it.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn observe(
    out: &mut String,
    held: &[Held],
    pooled: &PooledAllocator,
    unpooled: &UnpooledAllocator,
    jvm: &Jvm,
) {
    for h in held {
        let b = &h.buf;
        let _ = writeln!(
            out,
            " #{} ref={} cap={} max={} r={} w={}",
            h.id,
            b.ref_cnt(),
            b.capacity(),
            b.max_capacity(),
            b.reader_index(),
            b.writer_index()
        );
    }
    for (kind, name) in [(ArenaKind::Heap, "heap"), (ArenaKind::Direct, "direct")] {
        for (i, a) in pooled.arenas(kind).iter().enumerate() {
            arena_line(out, name, i, &a.metrics());
        }
    }
    let m = unpooled.metric().snapshot();
    let counter = jvm.netty_direct();
    let used = if counter.is_counting() {
        counter.used()
    } else {
        -1
    };
    let _ = writeln!(
        out,
        " unpooled heap={} direct={} counter={used}",
        m.used_heap_memory, m.used_direct_memory
    );
}

fn arena_line(out: &mut String, kind: &str, i: usize, m: &ArenaMetrics) {
    let lists: Vec<String> = m
        .chunk_lists
        .iter()
        .map(|l| {
            l.chunks
                .iter()
                .map(|c| format!("{}:{}", c.usage, c.free_bytes))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let (tiny_alloc, tiny_dealloc) = m.tiny.as_ref().map_or((0, 0), |t| {
        (t.num_tiny_allocations, t.num_tiny_deallocations)
    });
    let _ = writeln!(
        out,
        " {kind}{i} threads={} alloc={tiny_alloc}/{}/{}/{} dealloc={tiny_dealloc}/{}/{}/{} active={} bytes={} lists={}",
        m.num_thread_caches,
        m.num_small_allocations,
        m.num_normal_allocations,
        m.num_huge_allocations,
        m.num_small_deallocations,
        m.num_normal_deallocations,
        m.num_huge_deallocations,
        m.num_active_allocations,
        m.num_active_bytes,
        lists.join("|")
    );
}
