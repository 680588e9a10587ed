//! Per-stage counters: what each stage created, released and leaked. A leaked buffer
//! exists nowhere else in the simulation: its memory is only a bit in a subpage bitmap
//! (or a run) of the model's chunks, and its trace here is one increment.

use serde::Serialize;

/// The counters of one stage (or of Netty's inbound read buffers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StageTally {
    /// The stage's name (`inbound` for Netty's read buffers).
    pub stage: String,
    /// Buffers (or retained slices) made.
    pub created: u64,
    /// Of them, released.
    pub released: u64,
    /// Of them, never released (unreachable once their message was done).
    pub leaked: u64,
    /// Bytes asked for by the leaked buffers.
    pub leaked_requested_bytes: u64,
    /// Bytes the leaked buffers hold in the pool (their size classes; for a leaked
    /// retained slice, the inbound buffer it keeps alive).
    pub leaked_pool_bytes: u64,
    /// Leaked buffers the leak detector tracked.
    pub leaked_tracked: u64,
    /// Of those, reported in a `LEAK:` message (the first of each distinct record).
    pub reported: u64,
    /// Of those, not printed again because an identical record already was.
    pub reported_as_duplicate: u64,
}

/// All stages' counters, stage order, then `inbound` when modelled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    tallies: Vec<StageTally>,
    /// `[heap, direct]` size-class bytes of leaked small and normal pooled buffers.
    pub(crate) leaked_small_normal: [u64; 2],
    /// `[heap, direct]` bytes of leaked unpooled buffers (an allocator without arenas
    /// of the kind hands those out).
    pub(crate) leaked_unpooled: [u64; 2],
    /// `[heap, direct]` size-class bytes of small and normal pooled buffers held by the
    /// message in flight (none between messages; the dying one's after an OOM).
    pub(crate) in_flight_small_normal: [u64; 2],
    /// `[heap, direct]` bytes of unpooled buffers in flight.
    pub(crate) in_flight_unpooled: [u64; 2],
}

impl Ledger {
    /// Counters for `stages` plus one for the inbound buffers.
    pub fn new<'a>(stages: impl Iterator<Item = &'a str>) -> Self {
        let mut tallies: Vec<StageTally> = stages
            .map(|s| StageTally {
                stage: s.to_string(),
                ..StageTally::default()
            })
            .collect();
        tallies.push(StageTally {
            stage: INBOUND.to_string(),
            ..StageTally::default()
        });
        Ledger {
            tallies,
            ..Ledger::default()
        }
    }

    /// The index of the inbound tally.
    pub fn inbound(&self) -> usize {
        self.tallies.len() - 1
    }

    /// One stage's counters.
    pub fn tally_mut(&mut self, stage: usize) -> &mut StageTally {
        &mut self.tallies[stage]
    }

    /// Every tally (the inbound one last).
    pub fn tallies(&self) -> &[StageTally] {
        &self.tallies
    }

    /// Leaked pool bytes over every stage.
    pub fn leaked_pool_bytes(&self) -> u64 {
        self.tallies.iter().map(|t| t.leaked_pool_bytes).sum()
    }

    /// A buffer of `bytes` at `place` is now held by the message in flight.
    pub fn hold(&mut self, place: Place, direct: bool, bytes: usize) {
        let k = usize::from(direct);
        match place {
            Place::SmallOrNormal => self.in_flight_small_normal[k] += bytes as u64,
            Place::Unpooled => self.in_flight_unpooled[k] += bytes as u64,
            Place::Huge => {}
        }
    }

    /// A held buffer was released or leaked.
    pub fn unhold(&mut self, place: Place, direct: bool, bytes: usize) {
        let k = usize::from(direct);
        match place {
            Place::SmallOrNormal => self.in_flight_small_normal[k] -= bytes as u64,
            Place::Unpooled => self.in_flight_unpooled[k] -= bytes as u64,
            Place::Huge => {}
        }
    }

    /// Records a leaked buffer of `stage`.
    pub fn leak(&mut self, stage: usize, leak: Leaked) {
        let t = &mut self.tallies[stage];
        t.leaked += 1;
        t.leaked_requested_bytes += leak.requested as u64;
        t.leaked_pool_bytes += leak.pool_bytes as u64;
        t.leaked_tracked += u64::from(leak.tracked);
        let kind = usize::from(leak.direct);
        match leak.place {
            Place::SmallOrNormal => self.leaked_small_normal[kind] += leak.pool_bytes as u64,
            Place::Unpooled => self.leaked_unpooled[kind] += leak.pool_bytes as u64,
            Place::Huge => {}
        }
    }
}

/// The name of the inbound tally.
pub const INBOUND: &str = "inbound";

/// One leaked buffer's contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leaked {
    /// Bytes asked for.
    pub requested: usize,
    /// Bytes held (size class, or the whole huge/unpooled allocation).
    pub pool_bytes: usize,
    /// Where its memory is.
    pub place: Place,
    /// Direct (else heap).
    pub direct: bool,
    /// It had a leak tracker.
    pub tracked: bool,
}

impl Leaked {
    /// A leak that holds no memory of its own (a second leaked slice of one buffer).
    pub fn counted_only(direct: bool, tracked: bool) -> Self {
        Leaked {
            requested: 0,
            pool_bytes: 0,
            place: Place::SmallOrNormal,
            direct,
            tracked,
        }
    }
}

/// Where a buffer's memory lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A subpage element or a run of a pooled chunk.
    SmallOrNormal,
    /// A huge allocation: an unpooled chunk of its own in the arena.
    Huge,
    /// An unpooled buffer (the allocator has no arena of the kind).
    Unpooled,
}
