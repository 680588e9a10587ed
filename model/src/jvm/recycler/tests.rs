//! The Recycler of both profiles, driven through buffers: which released objects come
//! back, in which order, across threads (Recycler.java of 4.1.48 and 4.1.128).

use crate::alloc::pooled::{PooledAllocator, PooledConfig};
use crate::alloc::ByteBufAllocator;
use crate::buffer::{ByteBuf, ObjectId};
use crate::jvm::{Jvm, JvmConfig};
use crate::profile::Profile;
use crate::sync::Arc;
use crate::thread::{ThreadId, ThreadKind};

const T1: ThreadId = ThreadId(1);
const T2: ThreadId = ThreadId(2);
const T3: ThreadId = ThreadId(3);

struct World {
    jvm: Arc<Jvm>,
    alloc: Arc<PooledAllocator>,
}

impl World {
    fn new(profile: Profile, max_per_thread: u32, cores: u32) -> World {
        let mut config = JvmConfig::for_profile(profile);
        config.profile.allocator.recycler_max_capacity_per_thread = max_per_thread;
        config.cores = cores;
        // Room for 4.1.48's 16 MiB chunks: the arena formula gives pooled arenas.
        config.runtime_max_memory = 1 << 30;
        let jvm = Jvm::new(config);
        for t in [T1, T2, T3] {
            jvm.start_thread(t, ThreadKind::Plain).unwrap();
        }
        let alloc = PooledAllocator::new(&jvm, PooledConfig::netty_default(jvm.config())).unwrap();
        World { jvm, alloc }
    }

    fn legacy() -> World {
        World::new(Profile::netty_4_1_48(), 4096, 2)
    }

    /// `n` direct buffers of 16 bytes allocated on `t`.
    fn bufs(&self, t: ThreadId, n: usize) -> Vec<ByteBuf> {
        (0..n)
            .map(|_| self.alloc.new_buffer_on(t, true, 16, 16).unwrap())
            .collect()
    }

    fn ids(bufs: &[ByteBuf]) -> Vec<ObjectId> {
        bufs.iter().map(ByteBuf::object_id).collect()
    }

    /// Releases every buffer on `t`.
    fn release_all(bufs: &[ByteBuf], t: ThreadId) {
        for b in bufs {
            assert!(b.release_on(t).unwrap());
        }
    }

    /// Which of `ids` the recycler holds.
    fn held(&self, ids: &[ObjectId]) -> Vec<usize> {
        (0..ids.len())
            .filter(|&i| self.jvm.in_recycler_pool(ids[i]))
            .collect()
    }

    /// The object ids of the next `n` allocations on `t`.
    fn next_ids(&self, t: ThreadId, n: usize) -> Vec<ObjectId> {
        World::ids(&self.bufs(t, n))
    }
}

#[test]
fn legacy_keeps_the_first_recycle_and_then_one_in_nine() {
    let w = World::legacy();
    let bufs = w.bufs(ThreadId::MAIN, 20);
    let ids = World::ids(&bufs);
    assert!(
        bufs.iter().all(|b| b.object().is_recyclable()),
        "4.1.48 gives every object a handle"
    );
    World::release_all(&bufs, ThreadId::MAIN);
    assert_eq!(w.held(&ids), vec![0, 9, 18]);
    // LIFO, then new objects.
    let next = w.next_ids(ThreadId::MAIN, 4);
    assert_eq!(&next[..3], &[ids[18], ids[9], ids[0]]);
    assert!(!ids.contains(&next[3]));
}

#[test]
fn modern_gives_one_in_eight_new_objects_a_handle() {
    let w = World::new(Profile::netty_4_1(), 4096, 2);
    let bufs = w.bufs(ThreadId::MAIN, 20);
    let ids = World::ids(&bufs);
    let handles: Vec<usize> = (0..20)
        .filter(|&i| bufs[i].object().is_recyclable())
        .collect();
    assert_eq!(handles, vec![0, 8, 16]);
    World::release_all(&bufs, ThreadId::MAIN);
    assert_eq!(w.held(&ids), vec![0, 8, 16]);
}

#[test]
fn legacy_keeps_a_handle_it_kept_once_on_every_later_recycle() {
    let w = World::legacy();
    let first = w.bufs(ThreadId::MAIN, 1);
    World::release_all(&first, ThreadId::MAIN); // kept; the counter restarts at 0
    let again = w.bufs(ThreadId::MAIN, 1);
    assert_eq!(again[0].object_id(), first[0].object_id());
    World::release_all(&again, ThreadId::MAIN); // the counter would drop a new one
    assert!(w.jvm.in_recycler_pool(first[0].object_id()));
    // The reused object and two new ones: the new ones' first recycles are dropped.
    let fresh = w.bufs(ThreadId::MAIN, 3);
    assert_eq!(fresh[0].object_id(), first[0].object_id());
    World::release_all(&fresh, ThreadId::MAIN);
    assert_eq!(w.held(&World::ids(&fresh)), vec![0]);
}

#[test]
fn legacy_cross_thread_recycle_waits_in_a_queue_until_the_stack_is_empty() {
    let w = World::legacy();
    let bufs = w.bufs(ThreadId::MAIN, 2);
    let ids = World::ids(&bufs);
    bufs[0].release_on(T1).unwrap(); // queued: the queue keeps its first handle
    bufs[1].release_on(ThreadId::MAIN).unwrap(); // kept on the stack (counter → 0)
    assert_eq!(w.held(&ids), vec![0, 1]);
    assert_eq!(
        w.next_ids(ThreadId::MAIN, 1),
        vec![ids[1]],
        "the stack first"
    );
    // The stack is empty: scavenge moves the queued handle, whose first recycle the
    // stack's ratio now drops (its counter was reset by the kept one).
    let next = w.next_ids(ThreadId::MAIN, 1);
    assert_ne!(next[0], ids[0]);
    assert_eq!(w.held(&ids), Vec::<usize>::new());
}

#[test]
fn legacy_scavenge_moves_a_queued_handle_into_an_empty_stack() {
    let w = World::legacy();
    let bufs = w.bufs(ThreadId::MAIN, 1);
    bufs[0].release_on(T1).unwrap();
    assert_eq!(w.next_ids(ThreadId::MAIN, 1), World::ids(&bufs));
    // On the owner's stack now: a same-thread recycle keeps it (hasBeenRecycled).
}

#[test]
fn legacy_queue_keeps_one_in_nine_and_transfers_through_the_stack_ratio() {
    let w = World::legacy();
    let bufs = w.bufs(ThreadId::MAIN, 10);
    let ids = World::ids(&bufs);
    World::release_all(&bufs, T1);
    assert_eq!(w.held(&ids), vec![0, 9], "WeakOrderQueue.add's own ratio");
    // Transfer: the stack's dropHandle keeps the first (counter at 8), drops the second.
    let next = w.next_ids(ThreadId::MAIN, 2);
    assert_eq!(next[0], ids[0]);
    assert!(!ids.contains(&next[1]));
}

#[test]
fn legacy_queues_share_half_the_stack_capacity_a_link_at_a_time() {
    // maxCapacity 32: the queues of a stack share max(32 / 2, 16) = 16 handles, one
    // link; the queue keeps one in nine adds, so 17 kept adds overflow it.
    let w = World::new(Profile::netty_4_1_48(), 32, 2);
    let bufs = w.bufs(ThreadId::MAIN, 9 * 16 + 1);
    let ids = World::ids(&bufs);
    World::release_all(&bufs, T1);
    let kept: Vec<usize> = (0..=16).map(|k| 9 * k).collect();
    assert_eq!(w.held(&ids), kept[..16].to_vec());
    // A second recycling thread gets no queue at all: no link is left.
    let more = w.bufs(ThreadId::MAIN, 1);
    World::release_all(&more, T2);
    assert_eq!(w.held(&World::ids(&more)), Vec::<usize>::new());
}

#[test]
fn legacy_thread_feeding_too_many_stacks_gets_the_dummy_queue() {
    // One core: a recycling thread feeds at most 2 stacks; the third gets DUMMY.
    let w = World::new(Profile::netty_4_1_48(), 4096, 1);
    let owners = [ThreadId::MAIN, T2, T3];
    let bufs: Vec<ByteBuf> = owners.iter().map(|&o| w.bufs(o, 1).remove(0)).collect();
    World::release_all(&bufs, T1);
    assert_eq!(w.held(&World::ids(&bufs)), vec![0, 1]);
    // DUMMY stays: a later recycle into T3's stack is dropped too.
    let later = w.bufs(T3, 1);
    World::release_all(&later, T1);
    assert!(!w.jvm.in_recycler_pool(later[0].object_id()));
}

#[test]
fn legacy_queued_objects_die_with_their_owner() {
    let w = World::legacy();
    let bufs = w.bufs(T2, 1);
    bufs[0].release_on(T1).unwrap();
    assert!(w.jvm.in_recycler_pool(bufs[0].object_id()));
    w.jvm.exit_thread(T2, true).unwrap();
    assert!(!w.jvm.in_recycler_pool(bufs[0].object_id()));
    // A recycle after the owner exited is left to the GC.
    let orphan = w.bufs(T3, 1);
    w.jvm.exit_thread(T3, true).unwrap();
    orphan[0].release_on(T1).unwrap();
    assert!(!w.jvm.in_recycler_pool(orphan[0].object_id()));
}

#[test]
fn legacy_dead_recycling_threads_queue_is_still_drained() {
    let w = World::legacy();
    let bufs = w.bufs(ThreadId::MAIN, 1);
    bufs[0].release_on(T1).unwrap();
    w.jvm.exit_thread(T1, true).unwrap();
    assert_eq!(w.next_ids(ThreadId::MAIN, 1), World::ids(&bufs));
}

#[test]
fn modern_cross_thread_recycle_goes_straight_to_the_owner() {
    let w = World::new(Profile::netty_4_1(), 4096, 2);
    let bufs = w.bufs(ThreadId::MAIN, 1);
    let other = w.bufs(ThreadId::MAIN, 7); // no handles (one in eight)
    bufs[0].release_on(T1).unwrap();
    World::release_all(&other, ThreadId::MAIN);
    assert_eq!(w.next_ids(ThreadId::MAIN, 1), World::ids(&bufs));
}

#[test]
fn plain_release_recycles_on_the_owner_thread() {
    let w = World::legacy();
    let bufs = w.bufs(T2, 1);
    assert!(bufs[0].release().unwrap());
    // Same-thread: straight onto T2's stack (no queue), so T2 gets it back at once.
    assert_eq!(w.next_ids(T2, 1), World::ids(&bufs));
}

#[test]
fn a_retained_derivative_of_a_released_one_loses_the_object_it_claimed() {
    // PooledSlicedByteBuf.retainedSlice → newInstance0(unwrap(), this, …):
    // `RECYCLER.get()`, then `init` retains the wrapped buffer, which throws for a
    // released one; the claimed object is lost (4.1.48). In 4.1.128 the recycled
    // derivative cleared its parents (#14250), so `unwrap()` throws first and the
    // object stays pooled.
    for (profile, lost) in [
        (Profile::netty_4_1_48(), true),
        (Profile::netty_4_1(), false),
    ] {
        let w = World::new(profile, 4096, 2);
        let main = ThreadId::MAIN;
        let root = w.bufs(main, 1).remove(0);
        let slice = root.retained_slice(main).unwrap();
        assert!(slice.release_on(main).unwrap());
        assert!(w.jvm.in_recycler_pool(slice.object_id()));
        assert!(slice.retained_slice(main).is_err());
        assert_eq!(!w.jvm.in_recycler_pool(slice.object_id()), lost);
        let next = root.retained_slice(main).unwrap();
        assert_eq!(next.object_id() != slice.object_id(), lost);
    }
}
