//! What a logical thread of a refcount scenario does: operations on the shared root
//! object and on the retained derivatives the thread creates itself.
//!
//! Objects are named relative to the thread ([`ObjectRef`]): the root is shared, a
//! derivative belongs to the thread that created it. Threads with the same program are
//! therefore interchangeable (the proofs' symmetry reduction relies on it).

use super::machine::RefOp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An object a thread acts on.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectRef {
    /// The shared root buffer every thread starts with.
    #[default]
    Root,
    /// The thread's own retained derivative in slot `n`.
    Own(usize),
}

impl ObjectRef {
    /// True for the root.
    pub fn is_root(&self) -> bool {
        *self == ObjectRef::Root
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectRef::Root => f.write_str("root"),
            ObjectRef::Own(n) => write!(f, "derived{n}"),
        }
    }
}

/// The derivative lifecycle and reads (`AbstractPooledDerivedByteBuf`, netty.md §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectOp {
    /// `parent.retainedSlice()` into the thread's slot `child`: `parent.retain(1)`, then
    /// the derivative starts with a fresh count of 1 and remembers `parent`.
    Derive {
        /// The object sliced (the root or an own derivative).
        parent: ObjectRef,
        /// The thread's slot for the new derivative.
        child: usize,
    },
    /// `release(1)` of an own derivative; when it deallocates, the derivative releases
    /// its parent (`deallocate()` → `parent.release()`), and so on up the chain.
    ReleaseDerived(usize),
    /// `ensureAccessible()` before a read: a plain read of the count that throws
    /// `IllegalReferenceCountException` when it reads a released count.
    Access(ObjectRef),
}

/// One operation of a thread, in program order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ThreadOp {
    /// `retain(k)` / `release(k)` on the root (the original scenario format).
    Root(RefOp),
    /// A derivative or access operation.
    Object(ObjectOp),
}

impl From<RefOp> for ThreadOp {
    fn from(op: RefOp) -> Self {
        ThreadOp::Root(op)
    }
}

impl From<ObjectOp> for ThreadOp {
    fn from(op: ObjectOp) -> Self {
        ThreadOp::Object(op)
    }
}

impl ThreadOp {
    /// The thread's derivative slots this operation names (to size the thread's state).
    pub fn own_slot(&self) -> Option<usize> {
        match *self {
            ThreadOp::Root(_) => None,
            ThreadOp::Object(ObjectOp::Derive { parent, child }) => match parent {
                ObjectRef::Own(p) => Some(p.max(child)),
                ObjectRef::Root => Some(child),
            },
            ThreadOp::Object(ObjectOp::ReleaseDerived(n)) => Some(n),
            ThreadOp::Object(ObjectOp::Access(ObjectRef::Own(n))) => Some(n),
            ThreadOp::Object(ObjectOp::Access(ObjectRef::Root)) => None,
        }
    }
}

impl fmt::Display for ThreadOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadOp::Root(op) => op.fmt(f),
            ThreadOp::Object(ObjectOp::Derive { parent, child }) => {
                write!(f, "derived{child} = {parent}.retainedSlice()")
            }
            ThreadOp::Object(ObjectOp::ReleaseDerived(n)) => write!(f, "derived{n}.release()"),
            ThreadOp::Object(ObjectOp::Access(o)) => write!(f, "{o}.ensureAccessible()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_ops_keep_the_original_json_and_object_ops_are_tagged() {
        let ops: Vec<ThreadOp> = vec![
            RefOp::Release(1).into(),
            ObjectOp::Derive {
                parent: ObjectRef::Root,
                child: 0,
            }
            .into(),
            ObjectOp::ReleaseDerived(0).into(),
            ObjectOp::Access(ObjectRef::Own(1)).into(),
        ];
        let json = serde_json::to_string(&ops).unwrap();
        assert_eq!(
            json,
            r#"[{"release":1},{"derive":{"parent":"root","child":0}},{"release-derived":0},{"access":{"own":1}}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<ThreadOp>>(&json).unwrap(), ops);
        assert_eq!(ops[1].to_string(), "derived0 = root.retainedSlice()");
        let slots: Vec<_> = ops.iter().map(ThreadOp::own_slot).collect();
        assert_eq!(slots, [None, Some(0), Some(0), Some(1)]);
        let nested = ThreadOp::from(ObjectOp::Derive {
            parent: ObjectRef::Own(2),
            child: 1,
        });
        assert_eq!(nested.own_slot(), Some(2), "the larger of parent and child");
    }
}
