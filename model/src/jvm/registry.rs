//! What lives on the simulated heap: buffer objects and logical threads.

use super::Jvm;
use crate::buffer::{BufObject, ObjectId};
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::sync::Arc;
use crate::thread::{ThreadId, ThreadKind};
use std::collections::BTreeMap;

/// Every buffer object the JVM has not collected yet.
#[derive(Debug, Default)]
pub struct ObjectRegistry {
    next_id: u64,
    objects: BTreeMap<ObjectId, Arc<BufObject>>,
}

impl ObjectRegistry {
    /// A fresh object identity.
    pub fn next_id(&mut self) -> ObjectId {
        self.next_id += 1;
        ObjectId(self.next_id)
    }

    /// Puts a new object on the heap.
    pub fn insert(&mut self, object: Arc<BufObject>) {
        self.objects.insert(object.id(), object);
    }

    /// The object with `id`, if it has not been collected.
    #[inline]
    pub fn get(&self, id: ObjectId) -> Option<Arc<BufObject>> {
        self.objects.get(&id).cloned()
    }

    /// Removes a collected object.
    pub fn remove(&mut self, id: ObjectId) -> Option<Arc<BufObject>> {
        self.objects.remove(&id)
    }

    /// All objects in id order.
    #[inline]
    pub fn all(&self) -> Vec<Arc<BufObject>> {
        self.objects.values().cloned().collect()
    }

    /// Number of objects on the heap.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when no buffer object is on the heap.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// A logical thread's registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// How Netty classifies the thread.
    pub kind: ThreadKind,
    /// False once the thread exited.
    pub alive: bool,
}

/// The logical threads of one JVM.
#[derive(Debug, Default)]
pub struct ThreadRegistry {
    threads: BTreeMap<ThreadId, ThreadInfo>,
}

impl ThreadRegistry {
    /// A registry with only `main` (a plain thread) running.
    pub fn with_main() -> Self {
        let mut threads = BTreeMap::new();
        threads.insert(
            ThreadId::MAIN,
            ThreadInfo {
                kind: ThreadKind::Plain,
                alive: true,
            },
        );
        ThreadRegistry { threads }
    }

    /// Starts thread `id`; ids are never reused.
    pub fn start(&mut self, id: ThreadId, kind: ThreadKind) -> JavaResult<()> {
        if self.threads.contains_key(&id) {
            return Err(JavaException::new(
                JavaClass::IllegalState,
                format!("thread {id} was already started"),
            ));
        }
        self.threads.insert(id, ThreadInfo { kind, alive: true });
        Ok(())
    }

    /// The kind of running thread `id`.
    pub fn kind_of(&self, id: ThreadId) -> JavaResult<ThreadKind> {
        match self.threads.get(&id) {
            Some(info) if info.alive => Ok(info.kind),
            _ => Err(Jvm::no_such_thread(id)),
        }
    }

    /// True when `id` is running.
    pub fn is_alive(&self, id: ThreadId) -> bool {
        self.threads.get(&id).is_some_and(|i| i.alive)
    }

    /// Marks `id` exited and returns its registration.
    pub fn exit(&mut self, id: ThreadId) -> JavaResult<ThreadInfo> {
        match self.threads.get_mut(&id) {
            Some(info) if info.alive => {
                info.alive = false;
                Ok(*info)
            }
            _ => Err(Jvm::no_such_thread(id)),
        }
    }

    /// Every thread ever started, in id order.
    pub fn all(&self) -> impl Iterator<Item = (ThreadId, ThreadInfo)> + '_ {
        self.threads.iter().map(|(k, v)| (*k, *v))
    }
}
