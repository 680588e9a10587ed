//! 4.1.48's `WeakOrderQueue`s: what other threads recycled into one owner's `Stack`
//! (Recycler.java 4.1.48, `WeakOrderQueue`, `Stack.scavenge`).
//!
//! Each (stack, recycling thread) pair has one queue, a chain of links of
//! `linkCapacity` handles; the stack's queues share `max(maxCapacity / factor,
//! linkCapacity)` handles of space, reserved a link at a time. A queue keeps one in
//! `ratio + 1` of the handles added to it (its own `handleRecycleCount`, whether or not
//! the handle was recycled before). The owner moves handles into its stack only when
//! the stack is empty on `pop`: from the queue at its cursor, at most one link's worth
//! per transfer, each handle passing `Stack.dropHandle` again. A queue whose recycling
//! thread is gone is drained and then unlinked (unless it is the head queue) and its
//! space reclaimed.
//!
//! Netty notices a dead recycling thread when its `Thread` is collected (the queue is a
//! `WeakReference<Thread>`); the model when the thread exits (docs/fidelity.md).

use crate::buffer::{BufObject, ObjectId};
use crate::profile::CrossThreadRecycle;
use crate::sync::Arc;
use crate::thread::ThreadId;
use std::collections::VecDeque;

/// A queue's identity within its stack.
pub(super) type QueueId = u32;

/// What a recycling thread's `DELAYED_RECYCLED` map holds for one stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Delayed {
    /// The queue it feeds.
    Queue(QueueId),
    /// `WeakOrderQueue.DUMMY`: the thread fed `maxDelayedQueuesPerThread` stacks
    /// already; its recycles into this one are dropped.
    Dummy,
}

/// The queues of one stack, head (newest) first, and its scavenge cursor.
#[derive(Debug)]
pub(super) struct Queues {
    list: Vec<Queue>,
    /// `linkCapacity`; 0 when the profile recycles across threads without queues.
    link_capacity: usize,
    /// `Stack.availableSharedCapacity`, in handles.
    available_shared: usize,
    /// `Stack.cursor` and `Stack.prev`: where the next scavenge resumes.
    cursor: Option<QueueId>,
    prev: Option<QueueId>,
    next_id: QueueId,
}

#[derive(Debug)]
struct Queue {
    id: QueueId,
    /// The recycling thread; `dead` once it exited.
    thread: ThreadId,
    dead: bool,
    /// Head link first; empty once unlinked.
    links: VecDeque<Link>,
    /// `WeakOrderQueue.handleRecycleCount`, starting at the ratio.
    ratio_counter: u32,
}

/// One link: handles written so far (taken ones are `None`) and the read index.
#[derive(Debug, Default)]
struct Link {
    elements: Vec<Option<Arc<BufObject>>>,
    read: usize,
}

impl Queues {
    /// No queues yet; the stack of a pool of `max_per_thread` objects.
    pub(super) fn new(cross: CrossThreadRecycle, max_per_thread: u32) -> Self {
        let (link_capacity, available_shared) = match cross {
            CrossThreadRecycle::WeakOrderQueue {
                link_capacity,
                max_shared_capacity_factor,
                ..
            } => {
                let shared = max_per_thread / max_shared_capacity_factor.max(1);
                (link_capacity as usize, shared.max(link_capacity) as usize)
            }
            CrossThreadRecycle::OwnerPool => (0, 0),
        };
        Queues {
            list: Vec::new(),
            link_capacity,
            available_shared,
            cursor: None,
            prev: None,
            next_id: 0,
        }
    }

    /// `Head.reserveSpaceForLink`.
    fn reserve_link(&mut self) -> bool {
        if self.link_capacity == 0 || self.available_shared < self.link_capacity {
            return false;
        }
        self.available_shared -= self.link_capacity;
        true
    }

    /// `WeakOrderQueue.newQueue`: a queue fed by `thread`, with its first link, made
    /// the head; `None` when the shared capacity has no link left.
    pub(super) fn new_queue(&mut self, thread: ThreadId, ratio: u32) -> Option<QueueId> {
        if !self.reserve_link() {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        let queue = Queue {
            id,
            thread,
            dead: false,
            links: VecDeque::from([Link::default()]),
            ratio_counter: ratio,
        };
        self.list.insert(0, queue);
        Some(id)
    }

    fn index_of(&self, id: QueueId) -> Option<usize> {
        self.list.iter().position(|q| q.id == id)
    }

    /// `WeakOrderQueue.add`: true when the queue keeps `obj` (the ratio admits it and
    /// its tail link, or a newly reserved one, has room).
    pub(super) fn add(&mut self, id: QueueId, obj: &Arc<BufObject>, ratio: u32) -> bool {
        let Some(i) = self.index_of(id) else {
            return false;
        };
        let queue = &mut self.list[i];
        if queue.ratio_counter < ratio {
            queue.ratio_counter += 1;
            return false;
        }
        queue.ratio_counter = 0;
        let tail_full = queue
            .links
            .back()
            .is_none_or(|l| l.elements.len() == self.link_capacity);
        if tail_full {
            if !self.reserve_link() {
                return false;
            }
            self.list[i].links.push_back(Link::default());
        }
        let tail = self.list[i].links.back_mut().expect("a tail link");
        tail.elements.push(Some(obj.clone()));
        true
    }

    /// The recycling thread `thread` exited: its queues are dead.
    pub(super) fn thread_exited(&mut self, thread: ThreadId) {
        for q in self.list.iter_mut().filter(|q| q.thread == thread) {
            q.dead = true;
        }
    }

    /// Every queued object id, head queue first.
    pub(super) fn object_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.list.iter().flat_map(|q| {
            q.links
                .iter()
                .flat_map(|l| l.elements.iter().flatten().map(|o| o.id()))
        })
    }

    /// `Stack.scavenge` into an empty stack of at most `max` objects: `keep` offers
    /// each transferred object to the stack (`dropHandle`, then the push) and says
    /// whether it took it. True when the stack got at least one.
    pub(super) fn scavenge(
        &mut self,
        max: usize,
        keep: &mut dyn FnMut(Arc<BufObject>) -> bool,
    ) -> bool {
        if self.scavenge_some(max, keep) {
            return true;
        }
        self.prev = None;
        self.cursor = self.list.first().map(|q| q.id);
        false
    }

    /// `Stack.scavengeSome`.
    fn scavenge_some(&mut self, max: usize, keep: &mut dyn FnMut(Arc<BufObject>) -> bool) -> bool {
        let (mut prev, mut cursor) = match self.cursor {
            None => match self.list.first() {
                None => return false,
                Some(head) => (None, Some(head.id)),
            },
            Some(c) => (self.prev, Some(c)),
        };
        let mut success = false;
        while let Some(id) = cursor {
            let Some(i) = self.index_of(id) else { break };
            if self.transfer(i, max, keep) {
                success = true;
                break;
            }
            let next = self.list.get(i + 1).map(|q| q.id);
            if self.list[i].dead {
                if self.has_final_data(i) {
                    while self.transfer(i, max, keep) {
                        success = true;
                    }
                }
                if prev.is_some() {
                    // `reclaimAllSpaceAndUnlink`, `prev.setNext(next)`.
                    let gone = self.list.remove(i);
                    self.available_shared += gone.links.len() * self.link_capacity;
                }
            } else {
                prev = Some(id);
            }
            cursor = next;
            if success {
                break;
            }
        }
        self.prev = prev;
        self.cursor = cursor;
        success
    }

    /// `WeakOrderQueue.hasFinalData`: the tail link holds unread handles.
    fn has_final_data(&self, i: usize) -> bool {
        self.list[i]
            .links
            .back()
            .is_some_and(|l| l.read != l.elements.len())
    }

    /// `WeakOrderQueue.transfer` of queue `i` into a stack of at most `max` (empty when
    /// scavenging): the unread handles of its head link, moving past a link read to its
    /// end (reclaiming its space) when another follows. True when the stack got any.
    fn transfer(
        &mut self,
        i: usize,
        max: usize,
        keep: &mut dyn FnMut(Arc<BufObject>) -> bool,
    ) -> bool {
        let cap = self.link_capacity;
        let links = &mut self.list[i].links;
        let Some(head) = links.front() else {
            return false;
        };
        if head.read == cap {
            if links.len() == 1 {
                return false;
            }
            links.pop_front();
            self.available_shared += cap;
        }
        let links = &mut self.list[i].links;
        let head = links.front_mut().expect("a head link");
        let start = head.read;
        // An empty stack's array grows to at most `max` (`Stack.increaseCapacity`).
        let end = head.elements.len().min(start + max);
        if start == end {
            return false;
        }
        let mut got = false;
        for slot in &mut head.elements[start..end] {
            let obj = slot.take().expect("an unread handle");
            got |= keep(obj);
        }
        head.read = end;
        if end == cap && links.len() > 1 {
            links.pop_front();
            self.available_shared += cap;
        }
        got
    }
}
