//! `asReadOnly()` (`Unpooled.unmodifiableBuffer`): a `ReadOnlyByteBuf` view of a buffer
//! with its own indexes, the wrapped buffer's count and memory, and every write or
//! resize refused with `ReadOnlyBufferException` (ReadOnlyByteBuf.java 4.1.128).

use super::derive::DerivedSpec;
use super::{texts, Body, BufClass, ByteBuf};
use crate::error::{JavaException, JavaResult};

impl ByteBuf {
    /// `isReadOnly()`: true for read-only views (a derived buffer asks its `unwrap()`,
    /// which for every other derived class is a root).
    pub fn is_read_only(&self) -> bool {
        self.class() == BufClass::ReadOnly
    }

    /// `asReadOnly()`: `this` when already read-only, else a new `ReadOnlyByteBuf`
    /// (`AbstractByteBuf.asReadOnly`); an unreleasable buffer wraps the read-only view
    /// of what it wraps (`UnreleasableByteBuf.asReadOnly`). Fails as the
    /// `ReadOnlyByteBuf` constructor does (see [`ByteBuf::unmodifiable`]).
    pub fn as_read_only(&self) -> JavaResult<ByteBuf> {
        if self.is_read_only() {
            return Ok(self.clone());
        }
        self.unmodifiable()
    }

    /// `Unpooled.unmodifiableBuffer(this)`: always a new `ReadOnlyByteBuf`, even of a
    /// read-only buffer, wrapping `unwrap()` of a read-only or duplicated one
    /// (Unpooled.java:694–701, ReadOnlyByteBuf.java:42–51). Of an unreleasable buffer
    /// the view keeps retain/release doing nothing (they reach the wrapper).
    ///
    /// The constructor ends with `setIndex(buffer.readerIndex(), buffer.writerIndex())`
    /// (ReadOnlyByteBuf.java:50, 4.1.48 and 4.1.128), checked against the new view's
    /// `capacity()`, i.e. the wrapped buffer's (java:417–419 / 424–426): indexes a
    /// resize of the root (or an unpooled heap release, capacity 0) left beyond it
    /// throw `IndexOutOfBoundsException` and no view is made.
    pub fn unmodifiable(&self) -> JavaResult<ByteBuf> {
        let view = self.read_only0()?;
        if self.is_unreleasable() {
            return Ok(view.unreleasable());
        }
        Ok(view)
    }

    /// `new ReadOnlyByteBuf(this)`: wraps `unwrap()` of a read-only or duplicated
    /// buffer, else this one; takes its indexes (checked against the wrapped
    /// buffer's capacity) and `maxCapacity`.
    pub(super) fn read_only0(&self) -> JavaResult<ByteBuf> {
        let through = matches!(
            self.class(),
            BufClass::ReadOnly
                | BufClass::UnpooledDuplicated
                | BufClass::PooledNonRetainedDuplicated
        );
        let wrapped = match (through, self.wrapped_buf()) {
            (true, Ok(inner)) => inner,
            _ => self.clone(),
        };
        let (reader, writer) = (self.reader_index(), self.writer_index());
        let capacity = wrapped.capacity();
        if reader > writer || writer > capacity {
            return Err(texts::bad_indexes(reader as i64, writer as i64, capacity));
        }
        // Its window is asked of the wrapped buffer (`read_only_target`).
        Ok(self.new_derived(DerivedSpec {
            wrapped: Some(wrapped.object().clone()),
            ..DerivedSpec::duplicate(
                BufClass::ReadOnly,
                self.owner_thread(),
                Some(wrapped.count_holder()),
                (reader, writer),
                self.max_capacity(),
            )
        }))
    }

    /// For a read-only view, the buffer it wraps: a `ReadOnlyByteBuf` holds that object
    /// (`private final ByteBuf buffer`, java:40) and asks it for its capacity, bounds,
    /// bytes and copies (java:252–298, 424–426), so once the Recycler gives a wrapped
    /// derivative's object a new generation the view acts on that one.
    pub(super) fn read_only_target(&self) -> Option<ByteBuf> {
        match &self.object().state().body {
            Body::Derived {
                wrapped: Some(w), ..
            } => Some(ByteBuf::from_object(w.clone())),
            _ => None,
        }
    }

    /// `unwrap()` as the class defines it: a read-only view's wrapped buffer, a
    /// duplicate's root.
    pub(super) fn wrapped_buf(&self) -> JavaResult<ByteBuf> {
        let wrapped = match &self.object().state().body {
            Body::Derived {
                wrapped: Some(w), ..
            } => Some(w.clone()),
            _ => None,
        };
        match wrapped {
            Some(w) => Ok(ByteBuf::from_object(w)),
            None => self.root_buf(),
        }
    }

    /// Refuses a write or resize through a read-only view.
    pub(super) fn refuse_if_read_only(&self) -> JavaResult<()> {
        if self.is_read_only() {
            return Err(JavaException::read_only());
        }
        Ok(())
    }
}
