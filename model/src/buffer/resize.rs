//! `capacity(newCapacity)` and `ensureWritable`.

use super::{root_of, texts, Accounting, Body, ByteBuf, Region};
use crate::alloc::calculate_new_capacity;
use crate::error::{JavaClass, JavaException, JavaResult};
use crate::leak::AccessKind;
use crate::thread::ThreadId;

impl ByteBuf {
    /// `ensureWritable(minWritableBytes)` on thread `t` (growth may reallocate).
    pub fn ensure_writable(&self, t: ThreadId, min_writable: usize) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        if self.is_empty_buffer() {
            return self.empty_ensure_writable(min_writable);
        }
        self.ensure_writable0(t, min_writable)
    }

    /// `ensureWritable` without a leak record (internal growth).
    pub(crate) fn ensure_writable0(&self, t: ThreadId, min_writable: usize) -> JavaResult<()> {
        self.refuse_if_read_only()?;
        let writer = self.writer_index();
        let target = writer + min_writable;
        let capacity = self.capacity();
        // AbstractByteBuf.ensureWritable0 (4.1.48 java:286–306, 4.1.128 java:284–305)
        // checks accessibility only when there is room or the growth is refused; a
        // growth goes to capacity(n), which a derivative forwards to its root, so a
        // released derivative of a live root grows it.
        if target <= capacity {
            return self.ensure_accessible();
        }
        let max = self.max_capacity();
        if target > max {
            self.ensure_accessible()?;
            return Err(texts::not_writable(
                writer,
                min_writable,
                max,
                &self.thrower_string(),
            ));
        }
        let fast_writable = self.max_fast_writable_bytes();
        let new_capacity = if fast_writable >= min_writable as i64 {
            (writer as i64 + fast_writable) as usize
        } else {
            calculate_new_capacity(target, max)?
        };
        self.set_capacity0(t, new_capacity as i64)
    }

    /// `ensureWritable(minWritableBytes, force)` on thread `t`: 0 when there is room,
    /// 1 when the buffer cannot grow enough and is unchanged (always for a read-only
    /// view), 3 when `force` grew it to `maxCapacity`, 2 when it grew enough
    /// (AbstractByteBuf.java 4.1.128, lines 309–335).
    pub fn ensure_writable_force(
        &self,
        t: ThreadId,
        min_writable: i32,
        force: bool,
    ) -> JavaResult<i32> {
        self.record_access(AccessKind::Write);
        if self.is_read_only() {
            return Ok(1);
        }
        if self.is_empty_buffer() {
            return self.empty_ensure_writable_force(min_writable);
        }
        self.ensure_accessible()?;
        if min_writable < 0 {
            let refcount = &self.jvm().profile().refcount;
            return Err(refcount.negative_amount("minWritableBytes", min_writable as i64));
        }
        let min_writable = min_writable as usize;
        if min_writable <= self.writable_bytes() {
            return Ok(0);
        }
        let (max, writer) = (self.max_capacity(), self.writer_index());
        if min_writable as i64 > max as i64 - writer as i64 {
            if !force || self.capacity() == max {
                return Ok(1);
            }
            self.set_capacity0(t, max as i64)?;
            return Ok(3);
        }
        let fast_writable = self.max_fast_writable_bytes();
        let new_capacity = if fast_writable >= min_writable as i64 {
            (writer as i64 + fast_writable) as usize
        } else {
            calculate_new_capacity(writer + min_writable, max)?
        };
        self.set_capacity0(t, new_capacity as i64)?;
        Ok(2)
    }

    /// `maxFastWritableBytes()`: bytes writable without reallocating, as Java's signed
    /// `int` (negative when a view's root shrank below its writer index). Pooled roots
    /// override it with `min(maxLength, maxCapacity()) − writerIndex` (`PooledByteBuf`),
    /// so growth within the size class stays in place.
    pub fn max_fast_writable_bytes(&self) -> i64 {
        let writer = self.writer_index() as i64;
        let max = self.max_capacity();
        let pooled_max_length = match &self.object().state().body {
            Body::Root {
                region: Region::Pooled(r),
                ..
            } => Some(r.region.allocation.max_length),
            _ => None,
        };
        match pooled_max_length {
            Some(max_length) => max_length.min(max) as i64 - writer,
            None => self.capacity() as i64 - writer,
        }
    }

    /// `capacity(newCapacity)` on thread `t`. Slices refuse (`sliced buffer`);
    /// duplicates resize their root.
    pub fn set_capacity(&self, t: ThreadId, new_capacity: i64) -> JavaResult<()> {
        self.record_access(AccessKind::CapacityChange);
        self.set_capacity0(t, new_capacity)
    }

    /// `capacity(newCapacity)` without a leak record.
    pub(crate) fn set_capacity0(&self, t: ThreadId, new_capacity: i64) -> JavaResult<()> {
        // EmptyByteBuf.capacity(int) throws too (java:79–81).
        if self.is_empty_buffer() {
            return Err(JavaException::read_only());
        }
        self.refuse_if_read_only()?;
        if self.class().is_slice() {
            return Err(JavaException::new(
                JavaClass::UnsupportedOperation,
                "sliced buffer",
            ));
        }
        if self.class().is_derived() {
            let root = root_of(self.object());
            if crate::sync::Arc::ptr_eq(&root, self.object()) {
                // A recycled derivative (its fields cleared, #14250) views nothing.
                return Err(self.released());
            }
            let root = ByteBuf::from_object(root);
            return root.set_capacity0(t, new_capacity);
        }
        if new_capacity == self.capacity() as i64 {
            return self.ensure_accessible();
        }
        self.ensure_accessible()?;
        let max = self.max_capacity();
        if new_capacity < 0 || new_capacity > max as i64 {
            return Err(texts::bad_new_capacity(new_capacity, max));
        }
        let new_capacity = new_capacity as usize;
        if self.is_unallocated() {
            // `PooledByteBuf.capacity` reads `chunk.unpooled` next (java:101 of 4.1.48,
            // :106 of 4.1.128), and a claimed object's `chunk` was never set.
            return Err(JavaException::new(
                JavaClass::NullPointer,
                "Cannot read field \"unpooled\" because \"this.chunk\" is null",
            ));
        }
        let pooled = matches!(
            &self.object().state().body,
            Body::Root {
                region: Region::Pooled(_),
                ..
            }
        );
        if pooled {
            let allocator = self
                .alloc()
                .as_pooled()
                .cloned()
                .expect("pooled regions come from pooled allocators");
            return crate::alloc::pooled::resize_pooled(&allocator, self, t, new_capacity);
        }
        let old_capacity = self.capacity();
        let kept = old_capacity.min(new_capacity);
        let data = self.get_bytes0(0, kept)?;
        // The accounting is read first: allocating may collect garbage, which reads
        // every object's state (so no object lock may be held across it).
        let accounting = match &self.object().state().body {
            Body::Root {
                region: Region::Unpooled(old),
                ..
            } => old.accounting,
            _ => return Err(self.released()),
        };
        let no_cleaner = accounting == Accounting::NettyCounter;
        if no_cleaner {
            // UnpooledUnsafeNoCleanerDirectByteBuf.capacity trims before reallocating.
            self.trim_indices_to_capacity(new_capacity);
        }
        let new_region = if no_cleaner {
            self.alloc()
                .reallocate_no_cleaner(old_capacity, new_capacity)?
        } else {
            self.alloc().reallocate_unpooled(accounting, new_capacity)?
        };
        let old_region = {
            let mut state = self.object().state();
            let Body::Root { region, capacity } = &mut state.body else {
                unreachable!("checked above: a root")
            };
            *capacity = new_capacity;
            std::mem::replace(region, Region::Unpooled(new_region))
        };
        self.set_bytes0(0, &data)?;
        match old_region {
            // Its counter and metric moved with the reallocation.
            Region::Unpooled(_) if no_cleaner => {}
            Region::Unpooled(old) => self.alloc().free_unpooled(old),
            _ => {}
        }
        self.trim_indices_to_capacity(new_capacity);
        Ok(())
    }

    /// `trimIndicesToCapacity`: indexes beyond a shrunk capacity move back.
    pub(crate) fn trim_indices_to_capacity(&self, new_capacity: usize) {
        let mut state = self.object().state();
        if state.writer > new_capacity {
            state.reader = state.reader.min(new_capacity);
            state.writer = new_capacity;
        }
    }
}
