//! The incident's Java program, run inside one simulated JVM:
//!
//! ```java
//! ByteBuf buf = ALLOCATOR.<kind>Buffer(size, size);   // filled with 0x01
//! ByteBuf ref;
//! for (int i = 0; i < copies; i++) {
//!     ref = buf.copy();
//!     System.out.println("allocate - " + i);
//!     if (release) ref.release();
//!     if (gcEvery > 0 && (i + 1) % gcEvery == 0) System.gc();
//! }
//! System.out.println("end");
//! ```
//!
//! `buf` and `ref` are locals: reassigning `ref` makes the previous copy unreachable
//! (its handle is dropped *after* the new copy exists, as Java assigns after `copy()`
//! returns), so the GC may collect it. The GC also runs when a heap or JDK direct
//! reservation fails (`Jvm::reserve_*`). An uncaught exception ends the program with
//! the line the JVM prints, `Exception in thread "main" <class>: <message>`.
//!
//! Output order: everything goes to one stream, in the order Java would produce it.
//! Netty logs `LEAK:` synchronously inside the allocation that drained the reference
//! queue, so a report found while making copy `i` is printed *before* that copy's
//! `allocate - i` line (right after `allocate - (i-1)`); in Java the report goes to
//! stderr and the lines to stdout, and a terminal shows them in this same order.
//! Reports carry no timestamps or logger prefix.

use super::copy_loop_config::{geometry_flag, ConfigEcho, CopyLoopConfig, Resolved};
use leakproof_model::alloc::pooled::{PooledAllocator, PooledAllocatorMetric};
use leakproof_model::alloc::{AllocRef, UnpooledAllocator, UnpooledMetricSnapshot};
use leakproof_model::buffer::ByteBuf;
use leakproof_model::jvm::Jvm;
use leakproof_model::{JavaException, ThreadId};
use serde::Serialize;
use std::sync::Arc;

pub use super::copy_loop_config::BadArgument;

/// The call site every leak record names: one stage, so records dedupe as Java's do
/// (every copy is made from the same line of the same stack).
pub const SITE: &str = "copy-loop";

/// How the program ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// `main` returned after printing `end`.
    End,
    /// `main` threw: the JVM printed the exception and exited with status 1.
    Exception {
        /// Fully qualified Java class name.
        class: String,
        /// The exception message.
        message: String,
    },
}

impl Outcome {
    fn died(e: &JavaException) -> Self {
        Outcome::Exception {
            class: e.class.java_name().to_string(),
            message: e.message.clone(),
        }
    }

    /// The program's final line: `end` or the JVM's uncaught-exception line.
    pub fn line(&self) -> String {
        match self {
            Outcome::End => "end".to_string(),
            Outcome::Exception { class, message } => {
                format!("Exception in thread \"main\" {class}: {message}")
            }
        }
    }

    /// True when the Java program died.
    pub fn is_exception(&self) -> bool {
        matches!(self, Outcome::Exception { .. })
    }
}

/// One `LEAK:` log event and where in the program it was printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeakEvent {
    /// The copy whose allocation logged it; `None` for the first buffer's allocation.
    pub during_copy: Option<u64>,
    /// The detector's report sequence number.
    pub seq: u64,
    /// The full log message (multi-line, no trailing newline).
    pub text: String,
}

/// The JDK's direct-memory ledger at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JdkDirect {
    /// Bytes reserved by Cleaner-backed buffers still alive.
    pub reserved: i64,
    /// `MaxDirectMemorySize`.
    pub limit: i64,
}

/// The heap at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HeapUse {
    /// Bytes of live buffer arrays.
    pub used: i64,
    /// `Runtime.maxMemory()`.
    pub max: i64,
}

/// What the program could observe (and the JVM knew) when it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndMetrics {
    /// `PlatformDependent.usedDirectMemory()`: −1 when Netty keeps no counter.
    pub used_direct_memory: i64,
    /// `PlatformDependent.maxDirectMemory()`.
    pub max_direct_memory: i64,
    /// The JDK's direct-memory ledger.
    pub jdk_direct: JdkDirect,
    /// The heap budget.
    pub heap: HeapUse,
    /// Garbage collections run (explicit and on failed reservations).
    pub gc_runs: u64,
    /// `PooledByteBufAllocator.metric()` (pooled kinds).
    pub pooled: Option<PooledAllocatorMetric>,
    /// `UnpooledByteBufAllocator.metric()` (unpooled kinds).
    pub unpooled: Option<UnpooledMetricSnapshot>,
}

/// Everything one run of the copy loop produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CopyLoopResult {
    /// The settings, with Netty's defaults filled in.
    pub config: ConfigEcho,
    /// `buf.getClass().getSimpleName()`-style name of the buffer made (`None` if even
    /// the first allocation failed); shows the unpooled fallback of 0-arena allocators.
    pub buffer_class: Option<String>,
    /// How the program ended.
    pub outcome: Outcome,
    /// Copies that completed (their `allocate - i` line was printed).
    pub copies_done: u64,
    /// The last `allocate - i` line, if any.
    pub last_allocate_line: Option<String>,
    /// The program's final line (`end` or the exception line).
    pub last_line: String,
    /// Metrics at the end.
    pub metrics: EndMetrics,
    /// Every `LEAK:` report, in order.
    pub leak_reports: Vec<LeakEvent>,
}

/// The program's allocator and the handle that keeps it reachable (`static final`).
enum Allocator {
    Pooled(leakproof_model::alloc::pooled::PooledByteBufAllocator),
    Unpooled(Arc<UnpooledAllocator>),
}

impl Allocator {
    fn alloc_ref(&self) -> AllocRef {
        match self {
            Allocator::Pooled(handle) => AllocRef::Pooled(handle.inner().clone()),
            Allocator::Unpooled(a) => AllocRef::Unpooled(a.clone()),
        }
    }
}

/// The running program: its JVM, output sink and what it has printed so far.
struct Program<'a> {
    jvm: Arc<Jvm>,
    out: &'a mut dyn FnMut(&str),
    leaks: Vec<LeakEvent>,
    last_allocate_line: Option<String>,
    copies_done: u64,
    buffer_class: Option<String>,
}

impl Program<'_> {
    fn println(&mut self, line: &str) {
        (self.out)(line);
    }

    /// Prints the reports logged by the step just run (`during_copy`).
    fn drain_leaks(&mut self, during_copy: Option<u64>) {
        for report in self.jvm.take_leak_reports() {
            (self.out)(&report.text);
            self.leaks.push(LeakEvent {
                during_copy,
                seq: report.seq,
                text: report.text,
            });
        }
    }

    /// `main`'s body; an `Err` is the exception that escaped it.
    fn main(&mut self, r: &Resolved, alloc: &AllocRef) -> Result<(), JavaException> {
        let direct = r.kind.is_direct();
        let buf = alloc.buffer(ThreadId::MAIN, direct, r.size, r.size);
        self.drain_leaks(None);
        let buf = buf?;
        self.buffer_class = Some(buf.object().simple_name().to_string());
        buf.write_fill(ThreadId::MAIN, r.size, 0x01)?;
        let mut reference: Option<ByteBuf> = None;
        for i in 0..r.copies {
            let copy = buf.copy(ThreadId::MAIN);
            self.drain_leaks(Some(i));
            // `ref = …`: the previous copy becomes unreachable only now.
            reference = Some(copy?);
            let line = format!("allocate - {i}");
            self.println(&line);
            self.last_allocate_line = Some(line);
            self.copies_done = i + 1;
            if r.release {
                if let Some(copy) = &reference {
                    copy.release()?;
                }
            }
            if r.gc_every.is_some_and(|n| (i + 1) % n == 0) {
                self.jvm.gc();
            }
        }
        drop(reference);
        drop(buf);
        Ok(())
    }
}

/// Runs the copy loop. Each printed line (and each multi-line `LEAK:` report) is passed
/// to `out` as it happens; the result summarizes the run. Bad settings are an error
/// naming the flag; a Java exception is an outcome, not an error.
pub fn run_copy_loop(
    config: &CopyLoopConfig,
    out: &mut dyn FnMut(&str),
) -> Result<CopyLoopResult, BadArgument> {
    let resolved = config.resolve()?;
    run_resolved(&resolved, out)
}

/// Runs resolved settings (an allocator Netty would reject is a bad argument).
pub fn run_resolved(
    r: &Resolved,
    out: &mut dyn FnMut(&str),
) -> Result<CopyLoopResult, BadArgument> {
    let jvm = Jvm::new(r.jvm.clone());
    jvm.set_site(SITE);
    let allocator = if r.kind.is_pooled() {
        let pooled = PooledAllocator::new(&jvm, r.pooled.clone())
            .map_err(|e| BadArgument::netty(geometry_flag(&e), &e))?;
        Allocator::Pooled(pooled.handle())
    } else {
        Allocator::Unpooled(UnpooledAllocator::new(&jvm))
    };
    let alloc = allocator.alloc_ref();
    let mut program = Program {
        jvm: jvm.clone(),
        out,
        leaks: Vec::new(),
        last_allocate_line: None,
        copies_done: 0,
        buffer_class: None,
    };
    let outcome = match program.main(r, &alloc) {
        Ok(()) => Outcome::End,
        Err(e) => Outcome::died(&e),
    };
    let last_line = outcome.line();
    program.println(&last_line);
    let metrics = end_metrics(&jvm, &allocator);
    Ok(CopyLoopResult {
        config: r.echo(),
        buffer_class: program.buffer_class,
        outcome,
        copies_done: program.copies_done,
        last_allocate_line: program.last_allocate_line,
        last_line,
        metrics,
        leak_reports: program.leaks,
    })
}

fn end_metrics(jvm: &Arc<Jvm>, allocator: &Allocator) -> EndMetrics {
    let config = jvm.config();
    let max_direct_memory = if config.netty_max_direct_memory >= 1 {
        config.netty_max_direct_memory
    } else {
        config.netty_max_direct_estimate() as i64
    };
    EndMetrics {
        used_direct_memory: jvm.netty_direct().used(),
        max_direct_memory,
        jdk_direct: JdkDirect {
            reserved: jvm.jdk_direct().reserved(),
            limit: jvm.jdk_direct().limit(),
        },
        heap: HeapUse {
            used: jvm.heap().used(),
            max: jvm.heap().max(),
        },
        gc_runs: jvm.gc_runs(),
        pooled: match allocator {
            Allocator::Pooled(a) => Some(a.metric()),
            Allocator::Unpooled(_) => None,
        },
        unpooled: match allocator {
            Allocator::Unpooled(a) => Some(a.metric().snapshot()),
            Allocator::Pooled(_) => None,
        },
    }
}
