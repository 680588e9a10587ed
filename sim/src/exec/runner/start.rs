//! Building an execution: a fresh JVM with the program's allocators, or the report of
//! the configuration Netty's constructor rejects.

use super::Exec;
use crate::exec::report::{Outcome, RunReport};
use crate::exec::state::Program as Live;
use crate::exec::{ExecConfig, Observer};
use crate::shadow::{AllocEnv, Shadow};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::check::{self, Ledger};
use leakproof_model::jvm::Jvm;
use leakproof_model::op::{Addressing, Program};
use leakproof_model::pool::SizeTables;

impl<'o> Exec<'o> {
    /// A fresh JVM with the program's allocators under `config`, nothing run yet; a
    /// configuration Netty's constructor rejects gives its report instead.
    pub(crate) fn start(
        config: &ExecConfig,
        addr: Addressing,
        observer: &'o mut dyn Observer,
        tables: &SizeTables,
    ) -> Result<Self, Box<RunReport>> {
        let jvm = Jvm::new(config.jvm.clone());
        let mut report = RunReport {
            outcome: Outcome::Passed,
            resolved: Program {
                addressing: Addressing::Resolved,
                steps: Vec::new(),
            },
            steps_run: 0,
            steps_skipped: 0,
            checks_run: 0,
            misuse: Vec::new(),
            known_bugs: Vec::new(),
            findings: Vec::new(),
            exhausted: Vec::new(),
            leaked: Vec::new(),
            leaked_bytes: 0,
            leak_reports: Vec::new(),
            metrics: None,
            coverage: Default::default(),
        };
        let count = if config.second_allocator { 2 } else { 1 };
        let mut allocators = Vec::with_capacity(count);
        for _ in 0..count {
            match PooledAllocator::with_tables(&jvm, config.allocator.clone(), tables) {
                Ok(p) => allocators.push(p),
                Err(e) => {
                    report.outcome = Outcome::Rejected {
                        message: e.to_string(),
                    };
                    return Err(Box::new(report));
                }
            }
        }
        let env = AllocEnv::from_config(&config.jvm, &config.allocator);
        let detailed = observer.detailed();
        Ok(Exec {
            detailed,
            handles: allocators.iter().map(|a| a.handle()).collect(),
            watches: allocators
                .iter()
                .map(|a| check::ArenaWatch::new(a))
                .collect(),
            unpooled: UnpooledAllocator::new(&jvm),
            shadow: Shadow::new(
                jvm.profile().refcount.clone(),
                jvm.profile().derived.clone(),
            ),
            ledger: Ledger::default(),
            live: Live::new(),
            report,
            observer,
            addr,
            pending: None,
            halted: None,
            env,
            allocators,
            jvm,
        })
    }
}
