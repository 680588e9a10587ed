//! Linearizability of a concurrent history against the shadow model (Wing & Gong's
//! search, with Lowe's memoization of visited configurations).
//!
//! A history is linearizable when some sequential order of its ops (a) keeps each
//! thread's program order, (b) puts `a` before `b` whenever `a` responded before `b`
//! was invoked, and (c) makes the sequential shadow predict exactly what each op
//! returned or raised: refcount results and Netty's exceptions, the bytes reads
//! returned, and which releases deallocated. Placement, metrics and running out of
//! memory are not observables (Netty's counter undo is not linearizable by design);
//! the concurrent scenarios keep the limits out of reach.
//!
//! The search extends an order one op at a time, trying each thread's next op that
//! no pending op's response precedes, and remembers every (per-thread progress, shadow
//! state) it has already seen fail. New handles bind the generation and object the
//! model gave them; an order in which the model would have reused an object whose
//! previous generation is still live is not an explanation.
//!
//! The remembered states leave the expected bytes out of their fingerprint: in a
//! disciplined program only a root's one owner writes it, so at equal per-thread
//! progress every order has written the same bytes, and hashing whole buffers at every
//! step would dominate the search. A search that finds no order is repeated with the
//! bytes in the fingerprint before it is reported, so a violation never rests on that
//! argument.

use super::history::{Event, Observed};
use crate::exec::apply;
use crate::shadow::{AllocEnv, Pred, Prediction, Shadow};
use leakproof_model::check;
use leakproof_model::invariant::HISTORY_LINEARIZABLE;
use leakproof_model::op::Op;
use leakproof_model::Violation;
use std::collections::HashSet;

/// A sequential order explaining a history, and the shadow state after it.
#[derive(Clone, Debug)]
pub struct Linearization {
    /// Event indexes (into the slice given to [`linearize`]) in the order found.
    pub order: Vec<usize>,
    /// The shadow after every event, in that order.
    pub state: Shadow,
}

/// How many configurations one search may visit before it gives up (a bounded
/// history of a few dozen overlapping ops needs far fewer).
pub const DEFAULT_BUDGET: usize = 200_000;

/// Finds a sequential order of `events` (starting from `start`) that explains every
/// observation, or explains why none does (`history_linearizable`). `what` names the
/// history in the message (e.g. the round).
pub fn linearize(
    start: &Shadow,
    env: &AllocEnv,
    events: &[Event],
    budget: usize,
    what: &str,
) -> Result<Linearization, Violation> {
    let mut threads: Vec<Vec<usize>> = Vec::new();
    let mut last = None;
    for (i, e) in events.iter().enumerate() {
        if last != Some(e.thread) {
            threads.push(Vec::new());
            last = Some(e.thread);
        }
        threads.last_mut().expect("pushed").push(i);
    }
    let mut search = Search {
        events,
        env,
        threads,
        bytes: false,
        failed: HashSet::new(),
        visited: 0,
        budget,
        deepest: 0,
        stuck: Vec::new(),
    };
    let mut pos = vec![0; search.threads.len()];
    for bytes in [false, true] {
        search.bytes = bytes;
        search.failed.clear();
        search.visited = 0;
        let mut order = Vec::with_capacity(events.len());
        if let Some(state) = search.dfs(&mut pos, start.clone(), &mut order) {
            return Ok(Linearization { order, state });
        }
    }
    let why = if search.visited > search.budget {
        format!(
            "the search gave up after {} configurations (raise the budget or shorten the rounds)",
            search.budget
        )
    } else {
        format!(
            "no sequential order explains it; the longest explained prefix has {} op(s), after which: {}",
            search.deepest,
            search.stuck.join("; ")
        )
    };
    Err(Violation::new(
        HISTORY_LINEARIZABLE,
        format!(
            "{what}: {} op(s) on {} thread(s): {why}",
            events.len(),
            pos.len()
        ),
    ))
}

struct Search<'a> {
    events: &'a [Event],
    env: &'a AllocEnv,
    /// Per thread, its events' indexes in program order.
    threads: Vec<Vec<usize>>,
    /// Fingerprints include the expected bytes.
    bytes: bool,
    failed: HashSet<(Vec<usize>, u64)>,
    visited: usize,
    budget: usize,
    deepest: usize,
    stuck: Vec<String>,
}

impl Search<'_> {
    /// Extends `order` from `state` (owned: the last candidate tried takes it, the
    /// others a copy, so a search without branching copies nothing).
    fn dfs(
        &mut self,
        pos: &mut Vec<usize>,
        state: Shadow,
        order: &mut Vec<usize>,
    ) -> Option<Shadow> {
        let heads: Vec<(usize, usize)> = (0..pos.len())
            .filter_map(|t| self.threads[t].get(pos[t]).map(|&e| (t, e)))
            .collect();
        if heads.is_empty() {
            return Some(state);
        }
        let key = (pos.clone(), state.fingerprint(self.bytes));
        if self.failed.contains(&key) {
            return None;
        }
        self.visited += 1;
        if self.visited > self.budget {
            return None;
        }
        // An op cannot come first while another pending op finished before it began.
        let candidates: Vec<(usize, usize)> = heads
            .iter()
            .copied()
            .filter(|&(t, e)| {
                let invoked = self.events[e].invoked;
                !heads
                    .iter()
                    .any(|&(u, f)| u != t && self.events[f].responded < invoked)
            })
            .collect();
        let mut stuck = Vec::new();
        let mut state = Some(state);
        for (n, &(t, e)) in candidates.iter().enumerate() {
            let ev = &self.events[e];
            let mut next = if n + 1 == candidates.len() {
                state.take().expect("kept for the last candidate")
            } else {
                state.clone().expect("kept for the last candidate")
            };
            match explain(&mut next, self.env, ev) {
                Ok(()) => {
                    pos[t] += 1;
                    order.push(e);
                    if let Some(end) = self.dfs(pos, next, order) {
                        return Some(end);
                    }
                    order.pop();
                    pos[t] -= 1;
                }
                Err(why) => stuck.push(format!(
                    "{} step {} ({}) {why}",
                    ev.thread,
                    ev.index,
                    op_text(ev)
                )),
            }
        }
        if order.len() > self.deepest || (order.len() == self.deepest && self.stuck.is_empty()) {
            self.deepest = order.len();
            self.stuck = stuck;
        }
        self.failed.insert(key);
        None
    }
}

fn op_text(e: &Event) -> String {
    let mut s = e.step.op.name().to_string();
    if let Some(h) = e.step.op.handle() {
        s.push_str(&format!(" of #{h}"));
    }
    s
}

fn observed_text(o: &Result<Observed, leakproof_model::JavaException>) -> String {
    match o {
        Ok(Observed::Unit) => "succeeded".into(),
        Ok(Observed::Released(b)) => format!("returned {b}"),
        Ok(Observed::Bytes(b)) => format!("read {} bytes", b.len()),
        Ok(Observed::New { gen, object }) => format!("created {gen} on {object}"),
        Err(e) => format!("raised {e}"),
    }
}

fn predicted_text(p: &Prediction) -> String {
    match p {
        Ok(Pred::Released(b)) => format!("returns {b}"),
        Ok(Pred::Bytes(b)) => format!("reads {} bytes", b.len()),
        Ok(Pred::New(_)) => "creates a buffer".into(),
        Ok(Pred::Same(g)) => format!("returns {g} again"),
        Ok(Pred::Unit) => "succeeds".into(),
        Err(e) => format!("raises {e}"),
    }
}

/// Applies event `e` to `shadow` when the shadow predicts exactly what `e` observed.
fn explain(shadow: &mut Shadow, env: &AllocEnv, e: &Event) -> Result<(), String> {
    shadow.deallocated.clear();
    shadow.threads.acting = e.thread;
    let pred = match &e.step.op {
        // The concurrent runner allocates from the first pooled allocator only.
        Op::Alloc {
            pooled,
            direct,
            size,
            max,
            ..
        } => shadow.alloc(
            env,
            pooled.then_some(0),
            *direct,
            i64::from(size.0),
            max.value(),
        ),
        op => {
            let gen = e.gen.ok_or("acts through no handle")?;
            let target = shadow.cur(gen);
            apply::predict(shadow, env, op, target, false).ok_or("is not an op on a buffer")?
        }
    };
    match (pred, &e.outcome) {
        (Ok(Pred::New(new)), Ok(Observed::New { gen, object })) => {
            if shadow.gen(*gen).is_some() {
                return Err(format!("created {gen}, a generation that already exists"));
            }
            if let Some(old) = shadow.current_of(*object) {
                if shadow.ref_cnt(old) != 0 {
                    return Err(format!(
                        "reused {object} while its generation {old} is still live in this order"
                    ));
                }
            }
            shadow.bind(*new, *gen, *object, e.index, e.step.creates.unwrap_or(0));
            Ok(())
        }
        (Ok(Pred::Same(g)), Ok(Observed::New { gen, .. })) if g == *gen => Ok(()),
        (Ok(Pred::Released(p)), Ok(Observed::Released(m))) if p == *m => Ok(()),
        (Ok(Pred::Bytes(expected)), Ok(Observed::Bytes(actual))) => {
            check::bytes_as_written(&"the bytes read", &expected, actual).map_err(|v| v.message)
        }
        (Ok(Pred::Unit), Ok(Observed::Unit)) => Ok(()),
        (Err(x), Err(m)) if x.matches(m) => Ok(()),
        (p, m) => Err(format!(
            "{}, the shadow {}",
            observed_text(m),
            predicted_text(&p)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakproof_model::buffer::{AllocId, ObjectId};
    use leakproof_model::op::{Amount, Capacity, Size, Step};
    use leakproof_model::{JavaException, Profile, ThreadId};

    const ENV: AllocEnv = AllocEnv {
        heap: None,
        direct: None,
        no_cleaner: true,
        has_unsafe: true,
        direct_limit: None,
        virtual_memory: false,
        cache_refusal: None,
        cache_all_threads: false,
    };

    fn event(
        t: u32,
        index: usize,
        op: Op,
        span: (u64, u64),
        outcome: Result<Observed, JavaException>,
    ) -> Event {
        Event {
            thread: ThreadId(t),
            index,
            gen: op.handle().map(|_| AllocId(1)),
            step: Step::new(t, op),
            invoked: span.0,
            responded: span.1,
            outcome,
        }
    }

    /// A shadow holding one unpooled buffer `#1` (generation g1 on object @1), count 1.
    fn one_buffer() -> Shadow {
        let profile = Profile::default();
        let start = Shadow::new(profile.refcount, profile.derived);
        let alloc = Op::Alloc {
            pooled: false,
            direct: true,
            size: Size(8),
            max: Capacity::Unbounded,
            second: false,
        };
        let new = Ok(Observed::New {
            gen: AllocId(1),
            object: ObjectId(1),
        });
        let e = event(1, 0, alloc, (0, 1), new);
        linearize(&start, &ENV, &[e], DEFAULT_BUDGET, "setup")
            .expect("an allocation")
            .state
    }

    fn retain(t: u32, span: (u64, u64), outcome: Result<Observed, JavaException>) -> Event {
        event(
            t,
            10 + t as usize,
            Op::Retain {
                buf: 1,
                k: Amount(1),
            },
            span,
            outcome,
        )
    }

    fn release(t: u32, span: (u64, u64), released: bool) -> Event {
        let op = Op::Release {
            buf: 1,
            k: Amount(1),
        };
        event(
            t,
            20 + t as usize,
            op,
            span,
            Ok(Observed::Released(released)),
        )
    }

    fn sorted(mut events: Vec<Event>) -> Vec<Event> {
        events.sort_by_key(|e| (e.thread, e.index));
        events
    }

    #[test]
    fn overlapping_ops_may_take_either_order() {
        // A retain overlapping the final release: it went first (both succeed, the
        // release answers false) or second (it raises, the release answers true).
        let start = one_buffer();
        let ok = sorted(vec![
            release(1, (2, 5), false),
            retain(2, (3, 4), Ok(Observed::Unit)),
        ]);
        assert!(linearize(&start, &ENV, &ok, DEFAULT_BUDGET, "r").is_ok());
        let late = Err(JavaException::ref_cnt_change(0, 1));
        let ok = sorted(vec![release(1, (2, 5), true), retain(2, (3, 4), late)]);
        let found = linearize(&start, &ENV, &ok, DEFAULT_BUDGET, "r").expect("linearizable");
        assert_eq!(found.state.ref_cnt(AllocId(1)), 0);
    }

    #[test]
    fn real_time_order_is_kept() {
        // The release finished (deallocating) before the retain began: the retain
        // cannot have succeeded.
        let start = one_buffer();
        let events = sorted(vec![
            release(1, (2, 3), true),
            retain(2, (4, 5), Ok(Observed::Unit)),
        ]);
        let v = linearize(&start, &ENV, &events, DEFAULT_BUDGET, "round 7").unwrap_err();
        assert_eq!(v.invariant, HISTORY_LINEARIZABLE);
        assert!(
            v.message.starts_with("round 7: 2 op(s) on 2 thread(s)"),
            "{}",
            v.message
        );
        assert!(
            v.message.contains("refCnt: 0, increment: 1"),
            "{}",
            v.message
        );
    }

    #[test]
    fn two_deallocations_of_one_buffer_are_not_linearizable() {
        // #8563's outcome: both releases of a count-1 buffer answer true.
        let start = one_buffer();
        let events = sorted(vec![release(1, (2, 5), true), release(2, (3, 4), true)]);
        let v = linearize(&start, &ENV, &events, DEFAULT_BUDGET, "r").unwrap_err();
        assert!(v.message.contains("returned true"), "{}", v.message);
    }

    #[test]
    fn a_reused_object_must_be_free_in_the_order() {
        // A second buffer on object @1 while g1 is live in every order: not explained.
        let start = one_buffer();
        let alloc = Op::Alloc {
            pooled: false,
            direct: true,
            size: Size(8),
            max: Capacity::Unbounded,
            second: false,
        };
        let reuse = Ok(Observed::New {
            gen: AllocId(2),
            object: ObjectId(1),
        });
        let events = vec![event(2, 30, alloc, (2, 3), reuse)];
        let v = linearize(&start, &ENV, &events, DEFAULT_BUDGET, "r").unwrap_err();
        assert!(v.message.contains("still live"), "{}", v.message);
    }

    #[test]
    fn a_refused_thread_cache_is_predicted_for_the_acting_thread() {
        // cacheTrimInterval 0 with queues: an event loop's pooled allocation throws,
        // main's (a plain thread) does not.
        let env = AllocEnv {
            cache_refusal: Some(0),
            ..ENV
        };
        let mut start = one_buffer();
        start
            .threads
            .started(ThreadId(2), leakproof_model::ThreadKind::EventLoop);
        let alloc = Op::Alloc {
            pooled: true,
            direct: true,
            size: Size(8),
            max: Capacity::Unbounded,
            second: false,
        };
        let refused = Err(JavaException::new(
            leakproof_model::error::JavaClass::IllegalArgument,
            "freeSweepAllocationThreshold: 0 (expected: > 0)",
        ));
        let events = vec![event(2, 30, alloc.clone(), (2, 3), refused.clone())];
        assert!(linearize(&start, &env, &events, DEFAULT_BUDGET, "r").is_ok());
        let events = vec![event(1, 30, alloc, (2, 3), refused)];
        let v = linearize(&start, &env, &events, DEFAULT_BUDGET, "r").unwrap_err();
        assert!(
            v.message.contains("freeSweepAllocationThreshold"),
            "{}",
            v.message
        );
    }

    #[test]
    fn a_search_over_its_budget_says_so() {
        let start = one_buffer();
        let events = sorted(vec![
            release(1, (2, 3), true),
            retain(2, (4, 5), Ok(Observed::Unit)),
        ]);
        let v = linearize(&start, &ENV, &events, 1, "r").unwrap_err();
        assert!(
            v.message.contains("gave up after 1 configurations"),
            "{}",
            v.message
        );
    }
}
