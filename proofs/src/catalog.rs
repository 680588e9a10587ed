//! Every proof model by name: what `cargo test -p leakproof-proofs` checks, what
//! `leakproof explore MODEL` serves, and how CI shards them.

use crate::pool;
use crate::refcount::mixes;
use crate::refcount::RcState;
use crate::report::{self, Expect, Report};
use stateright::Model;
use std::net::ToSocketAddrs;

/// One named model of the catalog.
pub trait Proof: Send + Sync {
    /// Stable name (`refcount/even-odd/misuse-free/4`, `pool/chunk/…`).
    fn name(&self) -> &str;
    /// Checks the model to completion.
    fn check(&self) -> Report;
    /// Serves stateright's web explorer for the model on `addr` (blocks forever).
    fn serve(&self, addr: &str) -> std::io::Result<()>;
}

struct RefcountProof(mixes::RefcountCase);

impl Proof for RefcountProof {
    fn name(&self) -> &str {
        &self.0.name
    }
    fn check(&self) -> Report {
        let model = self.0.model.clone();
        let symmetry = model
            .has_symmetry()
            .then_some(RcState::representative as fn(&RcState) -> RcState);
        report::check(&self.0.name, model, symmetry, self.0.expect.clone()).0
    }
    fn serve(&self, addr: &str) -> std::io::Result<()> {
        serve(self.0.model.clone(), addr)
    }
}

struct PoolProof(pool::cases::PoolCase, Expect);

impl Proof for PoolProof {
    fn name(&self) -> &str {
        &self.0.name
    }
    fn check(&self) -> Report {
        report::check(&self.0.name, self.0.model.clone(), None, self.1.clone()).0
    }
    fn serve(&self, addr: &str) -> std::io::Result<()> {
        serve(self.0.model.clone(), addr)
    }
}

/// A mutant that changes the arena, hunted across the pool shapes of its profile
/// until one of them breaks an invariant (the report is that shape's).
struct MutantHunt {
    name: String,
    shapes: Vec<pool::cases::PoolCase>,
}

/// The hunt's first pass searches every shape to this depth (the mutants' shortest
/// counterexamples take 7 or 8 steps), so a mutant that only one shape can show is not
/// found after exploring the others to completion; the second pass is exhaustive.
const HUNT_FIRST_DEPTH: usize = 10;

impl Proof for MutantHunt {
    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self) -> Report {
        let mut last = None;
        for depth in [Some(HUNT_FIRST_DEPTH), None] {
            for shape in &self.shapes {
                let model = shape.model.clone();
                let mut r =
                    report::check_to_depth(&shape.name, model, None, Expect::Broken, depth).0;
                if r.verdict().is_ok() {
                    r.name = format!("{} (by {})", self.name, shape.name);
                    return r;
                }
                last = Some(r);
            }
        }
        let mut r = last.expect("at least one shape");
        r.name = self.name.clone();
        r
    }
    fn serve(&self, addr: &str) -> std::io::Result<()> {
        serve(self.shapes[0].model.clone(), addr)
    }
}

/// Serves `model`'s explorer on `addr` until the process is stopped.
pub fn serve<M>(model: M, addr: &str) -> std::io::Result<()>
where
    M: Model + Send + Sync + 'static,
    M::State: std::fmt::Debug + std::hash::Hash + Send + Sync + Clone + PartialEq + 'static,
    M::Action: std::fmt::Debug + Send + Sync + Clone + PartialEq + 'static,
{
    let addrs: Vec<_> = addr.to_socket_addrs()?.collect();
    // stateright's server panics when it cannot bind: find that out first, as a value.
    drop(std::net::TcpListener::bind(addrs.as_slice())?);
    let _checker = model.checker().serve(addrs.as_slice());
    Ok(())
}

/// Every model, in a fixed order.
pub fn all() -> Vec<Box<dyn Proof>> {
    let mut all: Vec<Box<dyn Proof>> = Vec::new();
    for case in mixes::cases() {
        all.push(Box::new(RefcountProof(case)));
    }
    for (case, expect) in pool::cases::cases() {
        all.push(Box::new(PoolProof(case, expect)));
    }
    for (profile, mutant) in pool::cases::arena_mutants() {
        all.push(Box::new(MutantHunt {
            name: format!("pool/mutant/{profile}/{mutant}"),
            shapes: pool::cases::shapes(profile, mutant),
        }));
    }
    all
}

/// Looks a model up by name.
pub fn by_name(name: &str) -> Option<Box<dyn Proof>> {
    all().into_iter().find(|p| p.name() == name)
}

/// A `i/N` shard (1-based `i`), as `--shard` and `LEAKPROOF_SHARD` spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1..=total.
    pub index: usize,
    /// Number of shards.
    pub total: usize,
}

impl Shard {
    /// The whole catalog.
    pub const ALL: Shard = Shard { index: 1, total: 1 };

    /// Parses `i/N` with 1 ≤ i ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("shard `{text}`: expected i/N with 1 <= i <= N");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let total: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || total == 0 || index > total {
            return Err(bad());
        }
        Ok(Shard { index, total })
    }

    /// True when the `position`-th item (0-based) belongs to this shard (round robin).
    pub fn owns(&self, position: usize) -> bool {
        position % self.total == self.index - 1
    }
}

/// The models of `shard`.
pub fn shard(shard: Shard) -> Vec<Box<dyn Proof>> {
    all()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| shard.owns(*i))
        .map(|(_, p)| p)
        .collect()
}
