//! The scenario generators. Each returns a disciplined program and its configuration;
//! sizes stay far from every memory limit (running out of memory is not linearizable
//! in Netty: its counter undo is not, by design).

use super::{Builder, Generated, Script};
use crate::exec::ExecConfig;
use leakproof_model::op::{Amount, Capacity, Op, Pattern, Size, ThreadKindOp};
use leakproof_model::ThreadId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn alloc(size: u32, pooled: bool) -> Op {
    Op::Alloc {
        pooled,
        direct: true,
        size: Size(size),
        max: Capacity::Unbounded,
        second: false,
    }
}

fn write(b: &mut Builder, buf: u32, len: u32) -> Op {
    Op::Write {
        buf,
        len: Size(len),
        pattern: Pattern(b.rng.random()),
    }
}

const ONE: Amount = Amount(1);

/// A random op program for 4–8 threads, one step at a time (see [`mixed_step`]).
pub(super) fn mixed(rng: ChaCha8Rng, mut config: ExecConfig) -> Generated {
    config.check_every = 12;
    let mut b = Builder::for_config(rng, &config);
    let n = b.rng.random_range(4..=8);
    let kinds = [
        ThreadKindOp::EventLoop,
        ThreadKindOp::EventLoop,
        ThreadKindOp::FastThreadLocal,
        ThreadKindOp::Plain,
    ];
    for _ in 0..n {
        let kind = b.pick(&kinds).expect("kinds");
        b.start(kind);
    }
    let total = n * b.rng.random_range(5..=8);
    for _ in 0..total {
        let running: Vec<ThreadId> = b.own().running().collect();
        let t = b.pick(&running).expect("a running thread");
        mixed_step(&mut b, t, &running);
    }
    let running: Vec<ThreadId> = b.own().running().collect();
    for t in running {
        b.release_all(t);
    }
    Generated {
        program: b.finish(),
        config,
    }
}

/// One random step of thread `t`, within the discipline.
fn mixed_step(b: &mut Builder, t: ThreadId, running: &[ThreadId]) {
    let held = b.own().held_by(t);
    let usable: Vec<u32> = held
        .iter()
        .copied()
        .filter(|&h| b.own().owned(t, h) >= 1)
        .collect();
    let others: Vec<ThreadId> = running.iter().copied().filter(|&u| u != t).collect();
    for _ in 0..8 {
        let h = b.pick(&usable);
        let roll = b.rng.random_range(0..100);
        let op = match (roll, h) {
            (0..=17, _) if held.len() < 4 => {
                let size = match b.rng.random_range(0..4) {
                    0 | 1 => b.rng.random_range(1..=256),
                    2 => b.rng.random_range(257..=2048),
                    _ => b.rng.random_range(2049..=12_000),
                };
                let pooled = b.chance(90);
                alloc(size, pooled)
            }
            (18..=29, Some(h)) if b.own().exclusive(h) => {
                let len = b.rng.random_range(1..=48);
                write(b, h, len)
            }
            (30..=39, Some(h)) => Op::Read {
                buf: h,
                len: Size(b.rng.random_range(0..=24)),
            },
            (40..=47, Some(h)) => match b.rng.random_range(0..3) {
                0 => Op::RetainedSlice { buf: h },
                1 => Op::RetainedDuplicate { buf: h },
                _ => Op::ReadRetainedSlice {
                    buf: h,
                    len: Size(b.rng.random_range(0..=8)),
                },
            },
            (48..=52, Some(h)) if held.len() < 6 => match b.rng.random_range(0..2) {
                0 => Op::Slice { buf: h },
                _ => Op::Duplicate { buf: h },
            },
            (53..=56, Some(h)) => Op::Copy { buf: h },
            (57..=62, Some(h)) => {
                // Now and then a zero amount: Netty's IllegalArgumentException.
                let k = if b.chance(8) {
                    0
                } else {
                    b.rng.random_range(1..=2)
                };
                Op::Retain {
                    buf: h,
                    k: Amount(k),
                }
            }
            (63..=75, Some(h)) => {
                let owned = b.own().owned(t, h);
                let k = b.rng.random_range(1..=owned.min(2));
                Op::Release {
                    buf: h,
                    k: Amount(k as u8),
                }
            }
            (76..=89, _) if !others.is_empty() => {
                // Hand off a handle with references of its own, or retain a plain view
                // for the receiver first (Java's `duplicate().retain()` hand-off).
                let Some(d) = b.pick(&held) else { continue };
                if b.own().refs(d) == 0 {
                    if b.own().owned(t, d) == 0 {
                        continue;
                    }
                    b.push(t, Op::Retain { buf: d, k: ONE });
                }
                let to = b.pick(&others).expect("others");
                Op::HandOff { buf: d, to: to.0 }
            }
            (90..=93, _) => {
                let Some(d) = held.iter().copied().find(|&d| b.own().refs(d) == 0) else {
                    continue;
                };
                Op::Drop { buf: d }
            }
            (94..=95, _) => Op::TrimCache,
            (96..=99, _) if running.len() > 3 && usable.is_empty() => {
                let clean = b.chance(80);
                Op::ExitThread { clean }
            }
            _ => continue,
        };
        b.push(t, op);
        return;
    }
}

/// Owners allocate and hand their buffers to releasers, then exit cleanly
/// (`onRemoval`) while the releases reach their caches.
pub(super) fn thread_exit(rng: ChaCha8Rng, mut config: ExecConfig) -> Generated {
    config.check_every = 64;
    config.allocator.use_cache_for_all_threads = false;
    config.allocator.small_cache_size = 8;
    // Direct arenas only and no normal queues: `free()` drains the small direct queues
    // first, so a release racing the owner's exit can meet the drain of its queue.
    config.allocator.heap_arenas = 0;
    config.allocator.normal_cache_size = 0;
    let mut b = Builder::for_config(rng, &config);
    let owners: Vec<ThreadId> = (0..b.rng.random_range(1..=2))
        .map(|i| {
            let kind = [ThreadKindOp::EventLoop, ThreadKindOp::FastThreadLocal][i % 2];
            b.start(kind)
        })
        .collect();
    let releasers: Vec<ThreadId> = (0..b.rng.random_range(2..=3))
        .map(|_| b.start(ThreadKindOp::Plain))
        .collect();
    let mut scripts: Vec<(ThreadId, Script)> = Vec::new();
    let mut releases: Vec<Script> = vec![Vec::new(); releasers.len()];
    for &owner in &owners {
        let mut script = Script::new();
        let size = b.pick(&[16u32, 32]).expect("sizes");
        if b.chance(50) {
            // A buffer of its own first, so the owner's cache holds an entry to drain.
            let own = b.reserve();
            script.push((alloc(size, true), Some(own)));
            script.push((Op::Release { buf: own, k: ONE }, None));
        }
        for _ in 0..b.rng.random_range(2..=4) {
            let buf = b.reserve();
            script.push((alloc(size, true), Some(buf)));
            let r = b.rng.random_range(0..releasers.len());
            script.push((
                Op::HandOff {
                    buf,
                    to: releasers[r].0,
                },
                None,
            ));
            releases[r].push((Op::Release { buf, k: ONE }, None));
        }
        script.push((Op::ExitThread { clean: true }, None));
        scripts.push((owner, script));
    }
    scripts.extend(releasers.into_iter().zip(releases));
    b.merge(scripts);
    Generated {
        program: b.finish(),
        config,
    }
}

/// Plain threads (zero-size caches) allocate buffers of 25–100 % of a 32 KiB chunk,
/// and now and then a huge one, so chunks are created and destroyed concurrently.
pub(super) fn arena_contention(rng: ChaCha8Rng, mut config: ExecConfig) -> Generated {
    config.check_every = 8;
    config.allocator.use_cache_for_all_threads = false;
    let chunk = (config.allocator.page_size as u32) << config.allocator.max_order;
    let mut b = Builder::for_config(rng, &config);
    let threads: Vec<ThreadId> = (0..b.rng.random_range(4..=6))
        .map(|_| b.start(ThreadKindOp::Plain))
        .collect();
    let mut scripts: Vec<(ThreadId, Script)> =
        threads.iter().map(|&t| (t, Script::new())).collect();
    for i in 0..threads.len() {
        for _ in 0..b.rng.random_range(2..=3) {
            let size = if b.chance(10) {
                chunk + chunk / 4
            } else {
                b.rng.random_range(chunk / 4..=chunk)
            };
            let buf = b.reserve();
            let len = b.rng.random_range(1..=16);
            let w = write(&mut b, buf, len);
            scripts[i].1.push((alloc(size, true), Some(buf)));
            scripts[i].1.push((w, None));
            scripts[i].1.push((
                Op::Read {
                    buf,
                    len: Size(len),
                },
                None,
            ));
            if b.chance(30) {
                let j = (i + b.rng.random_range(1..threads.len())) % threads.len();
                scripts[i].1.push((
                    Op::HandOff {
                        buf,
                        to: threads[j].0,
                    },
                    None,
                ));
                scripts[j].1.push((Op::Release { buf, k: ONE }, None));
            } else {
                scripts[i].1.push((Op::Release { buf, k: ONE }, None));
            }
        }
    }
    b.merge(scripts);
    Generated {
        program: b.finish(),
        config,
    }
}

/// One or two roots, each written once and shared as derived buffers: receivers
/// read, derive further, retain and release concurrently.
pub(super) fn shared_derived(rng: ChaCha8Rng, mut config: ExecConfig) -> Generated {
    config.check_every = 16;
    let mut b = Builder::for_config(rng, &config);
    let creators: Vec<ThreadId> = (0..b.rng.random_range(1..=2))
        .map(|_| b.start(ThreadKindOp::EventLoop))
        .collect();
    let receivers: Vec<ThreadId> = (0..b.rng.random_range(3..=5))
        .map(|i| {
            let kinds = [
                ThreadKindOp::EventLoop,
                ThreadKindOp::Plain,
                ThreadKindOp::FastThreadLocal,
            ];
            b.start(kinds[i % 3])
        })
        .collect();
    let mut scripts: Vec<(ThreadId, Script)> = Vec::new();
    let mut received: Vec<Script> = vec![Vec::new(); receivers.len()];
    for &c in &creators {
        let mut script = Script::new();
        let root = b.reserve();
        let pooled = b.chance(75);
        script.push((alloc(b.rng.random_range(64..=512), pooled), Some(root)));
        let len = b.rng.random_range(24..=64);
        script.push((write(&mut b, root, len), None));
        for (r, ops) in received.iter_mut().enumerate() {
            if !b.chance(70) {
                continue;
            }
            let d = b.reserve();
            match b.rng.random_range(0..4) {
                0 => script.push((Op::RetainedSlice { buf: root }, Some(d))),
                1 => script.push((Op::RetainedDuplicate { buf: root }, Some(d))),
                2 => script.push((
                    Op::ReadRetainedSlice {
                        buf: root,
                        len: Size(8),
                    },
                    Some(d),
                )),
                _ => {
                    script.push((Op::Duplicate { buf: root }, Some(d)));
                    script.push((Op::Retain { buf: d, k: ONE }, None));
                }
            }
            script.push((
                Op::HandOff {
                    buf: d,
                    to: receivers[r].0,
                },
                None,
            ));
            receiver_script(&mut b, ops, d);
        }
        script.push((
            Op::Read {
                buf: root,
                len: Size(4),
            },
            None,
        ));
        script.push((Op::Release { buf: root, k: ONE }, None));
        scripts.push((c, script));
    }
    scripts.extend(receivers.into_iter().zip(received));
    b.merge(scripts);
    Generated {
        program: b.finish(),
        config,
    }
}

/// What a receiver does with derived buffer `d`: reads, a derivative of its own,
/// extra retain/release pairs, then its final release.
fn receiver_script(b: &mut Builder, ops: &mut Script, d: u32) {
    for _ in 0..b.rng.random_range(1..=3) {
        match b.rng.random_range(0..4) {
            0 => ops.push((
                Op::Read {
                    buf: d,
                    len: Size(b.rng.random_range(0..=12)),
                },
                None,
            )),
            1 => {
                let sub = b.reserve();
                ops.push((Op::RetainedSlice { buf: d }, Some(sub)));
                ops.push((
                    Op::Read {
                        buf: sub,
                        len: Size(2),
                    },
                    None,
                ));
                ops.push((Op::Release { buf: sub, k: ONE }, None));
            }
            2 => {
                ops.push((
                    Op::Retain {
                        buf: d,
                        k: Amount(2),
                    },
                    None,
                ));
                ops.push((
                    Op::Release {
                        buf: d,
                        k: Amount(2),
                    },
                    None,
                ));
            }
            _ => {
                let view = b.reserve();
                ops.push((Op::Duplicate { buf: d }, Some(view)));
                ops.push((
                    Op::Read {
                        buf: view,
                        len: Size(4),
                    },
                    None,
                ));
            }
        }
    }
    ops.push((Op::Release { buf: d, k: ONE }, None));
}

/// #8563: a holder releases its buffer while other threads, holding plain duplicates
/// of it (no references of their own), retain and release it.
pub(super) fn released_handles(rng: ChaCha8Rng, mut config: ExecConfig) -> Generated {
    config.check_every = 64;
    let mut b = Builder::for_config(rng, &config);
    let holder = b.start(ThreadKindOp::EventLoop);
    let others: Vec<ThreadId> = (0..b.rng.random_range(2..=3))
        .map(|_| b.start(ThreadKindOp::Plain))
        .collect();
    let root = b.reserve();
    let pooled = b.chance(75);
    let mut script: Script = vec![(alloc(b.rng.random_range(16..=256), pooled), Some(root))];
    let dups: Vec<u32> = others.iter().map(|_| b.reserve()).collect();
    // Every duplicate before the first hand-off: the holder creates nothing once part of
    // this racy family is shared (only its allocations could reuse the object).
    for &d in &dups {
        script.push((Op::Duplicate { buf: root }, Some(d)));
    }
    let mut scripts = Vec::new();
    for (&t, &d) in others.iter().zip(&dups) {
        script.push((Op::HandOff { buf: d, to: t.0 }, None));
        let mut ops = Script::new();
        for _ in 0..b.rng.random_range(1..=2) {
            if b.chance(60) {
                ops.push((Op::Retain { buf: d, k: ONE }, None));
            }
            ops.push((Op::Release { buf: d, k: ONE }, None));
        }
        scripts.push((t, ops));
    }
    script.push((Op::Release { buf: root, k: ONE }, None));
    scripts.push((holder, script));
    b.merge(scripts);
    Generated {
        program: b.finish(),
        config,
    }
}
