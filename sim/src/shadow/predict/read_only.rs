//! Predictions for read-only views (ReadOnlyByteBuf.java, 4.1.128): `asReadOnly()`,
//! and the views a read-only view derives, which are read-only again.

use super::derive::{check_indexes, Kind};
use super::*;
use crate::shadow::Wraps;

impl Shadow {
    /// `ReadOnlyBufferException` for a write or `capacity(n)` through a read-only view
    /// (java:74–76, 145–147, 429–431), before any other check.
    pub(super) fn refuse_if_read_only(&self, e: AllocId) -> R<()> {
        if matches!(self.view(e), Some(v) if v.read_only.is_some()) {
            return Err(Expected::exact(JavaException::new(
                JavaClass::ReadOnlyBuffer,
                "",
            )));
        }
        Ok(())
    }

    /// `asReadOnly()` through `e` (AbstractByteBuf.java:89–94): `this` when read-only,
    /// else `new ReadOnlyByteBuf(this)`, which wraps `unwrap()` of a duplicate (the
    /// root, whose count it then shares) and `this` otherwise, with `this`'s indexes
    /// and `maxCapacity` (java:42–51). The constructor's last line is
    /// `setIndex(buffer.readerIndex(), buffer.writerIndex())` (java:50, 4.1.48 and
    /// 4.1.128), checked against the view's `capacity()`, which is the wrapped
    /// buffer's (java:424–426): a duplicate's root and every other view share `e`'s
    /// capacity, so indexes beyond `capacity(e)` throw and nothing is created.
    pub fn as_read_only(&self, e: AllocId) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::AsReadOnly) {
            return p;
        }
        let kind = self.kind(e);
        if let Kind::ReadOnly(_) = kind {
            return Ok(Pred::Same(e));
        }
        let g = self.g(e);
        let (reader, writer, max) = (g.reader, g.writer, g.max);
        check_indexes(reader, writer, self.capacity(e))?;
        let view = match kind {
            Kind::Root { .. } | Kind::Duplicated | Kind::NonRetainedDuplicated => {
                let root = self.root(e).ok_or_else(released)?;
                ViewState {
                    read_only: Some(Wraps::Root),
                    ..ViewState::duplicate(root, root)
                }
            }
            _ => {
                let Some(v) = self.view(e) else {
                    unreachable!("only roots are not views")
                };
                let wraps = wraps(kind, e);
                ViewState {
                    // A pooled derivative answers for itself, through its object.
                    holder: match wraps.recyclable() {
                        Some(w) => w,
                        None => self.holder(e),
                    },
                    parent: None,
                    recycled: false,
                    read_only: Some(wraps),
                    ..v.clone()
                }
            }
        };
        Ok(self.new_view(view, (reader, writer, max)))
    }

    /// `new ReadOnlyByteBuf(this)` of read-only view `e`: what it wraps, with its
    /// indexes (ReadOnlyByteBuf.java:287–289).
    pub(super) fn read_only_view(&self, e: AllocId) -> Pred {
        let g = self.g(e);
        let view = match &g.body {
            // It wraps the same object, which carries `through(e)` now.
            Body::View(v) => ViewState {
                holder: self.holder(e),
                read_only: v.read_only.map(|w| w.at(self.through(e))),
                ..v.clone()
            },
            Body::Root(_) => unreachable!("read-only views are views"),
        };
        self.new_view(view, (g.reader, g.writer, g.max))
    }

    /// `new ReadOnlyByteBuf(slice)` of a slice the shadow just predicted.
    pub(super) fn read_only_of_new(&self, mut p: Pred) -> Pred {
        if let Pred::New(n) = &mut p {
            let owner = n.gen.count.is_some();
            if let Body::View(v) = &mut n.gen.body {
                let pooled = self.is_pooled_derivative(v.holder);
                v.read_only = Some(if pooled || owner {
                    Wraps::NonRetainedSliced
                } else {
                    Wraps::Sliced
                });
            }
        }
        p
    }
}

/// The class a read-only view of generation `e`, of class `kind`, wraps.
fn wraps(kind: Kind, e: AllocId) -> Wraps {
    match kind {
        Kind::Sliced => Wraps::Sliced,
        Kind::PooledSliced => Wraps::PooledSliced(e),
        Kind::PooledDuplicated => Wraps::PooledDuplicated(e),
        Kind::NonRetainedSliced => Wraps::NonRetainedSliced,
        _ => Wraps::Root,
    }
}
