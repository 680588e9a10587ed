//! Reading, writing and moving indexes (`AbstractByteBuf`'s accessors).

use super::{root_of, texts, Body, ByteBuf};
use crate::error::JavaResult;
use crate::leak::AccessKind;
use crate::memory::Memory;
use crate::thread::ThreadId;

impl ByteBuf {
    /// The root's memory and the offset of this buffer's index 0 within it, or `None`
    /// when the root's memory was freed (only reachable with `checkAccessible` off).
    pub(crate) fn memory_view(&self) -> Option<(Memory, usize)> {
        if let Some(wrapped) = self.read_only_target() {
            return wrapped.memory_view();
        }
        let (root, adjustment) = {
            let state = self.object().state();
            match &state.body {
                Body::Root { region, .. } => {
                    return region.memory().map(|(m, off)| (m.clone(), off));
                }
                Body::Derived {
                    unwrap, adjustment, ..
                } => (unwrap.clone(), *adjustment),
                Body::Recycled => return None,
            }
        };
        let root = root_of(&root);
        let state = root.state();
        match &state.body {
            Body::Root { region, .. } => region
                .memory()
                .map(|(m, off)| (m.clone(), off + adjustment)),
            _ => None,
        }
    }

    /// Records `op` on the leak tracker when this buffer wears an advanced wrapper.
    pub(crate) fn record_access(&self, op: AccessKind) {
        self.jvm().leak_record(&self.count_holder(), op, None);
    }

    /// `checkIndex(index, length)`: accessible, and `[index, index+length)` within
    /// `capacity()`.
    pub(crate) fn check_index(&self, index: i64, length: i64) -> JavaResult<()> {
        self.ensure_accessible()?;
        self.check_index0(index, length)
    }

    /// `checkIndex0`: bounds only.
    pub(crate) fn check_index0(&self, index: i64, length: i64) -> JavaResult<()> {
        let capacity = self.capacity();
        if is_out_of_bounds(index, length, capacity) {
            return Err(texts::index_out_of_range(index, length, capacity));
        }
        Ok(())
    }

    /// A derived buffer reaches its root's memory through the root's *checked*
    /// accessors (`unwrap().getBytes(idx(index), …)`), so a view whose root shrank
    /// answers the root's `IndexOutOfBoundsException` instead of reading past it, and a
    /// view with a count of its own (a retained pooled derivative) whose root was
    /// released anyway answers the root's `ensureAccessible()`: `refCnt: 0`.
    fn check_root_range(&self, index: usize, length: usize) -> JavaResult<()> {
        if let Some(wrapped) = self.read_only_target() {
            // `unwrap().getBytes(index, …)`: a root checks its own bounds.
            if !wrapped.class().is_derived() {
                return wrapped.check_index0(index as i64, length as i64);
            }
            return wrapped.check_root_range(index, length);
        }
        let (root, adjustment) = match &self.object().state().body {
            Body::Derived {
                unwrap, adjustment, ..
            } => (root_of(unwrap), *adjustment),
            Body::Recycled => return Err(self.released()),
            Body::Root { .. } => return Ok(()),
        };
        let accessible = root.own_refcnt().is_none_or(|c| c.is_accessible());
        if !accessible && self.jvm().profile().refcount.check_accessible {
            return Err(self.released());
        }
        let capacity = super::root_capacity(&root);
        let start = (adjustment + index) as i64;
        if is_out_of_bounds(start, length as i64, capacity) {
            return Err(texts::index_out_of_range(start, length as i64, capacity));
        }
        Ok(())
    }

    fn read_memory(&self, index: usize, out: &mut [u8]) -> JavaResult<()> {
        self.check_root_range(index, out.len())?;
        if let Some((memory, base)) = self.memory_view() {
            memory.read(base + index, out);
        } else {
            out.fill(0);
        }
        Ok(())
    }

    pub(super) fn write_memory(&self, index: usize, data: &[u8]) -> JavaResult<()> {
        self.check_root_range(index, data.len())?;
        if let Some((memory, base)) = self.memory_view() {
            memory.write(base + index, data);
        }
        Ok(())
    }

    /// `getByte(index)`.
    pub fn get_byte(&self, index: i64) -> JavaResult<u8> {
        Ok(self.get_bytes(index, 1)?[0])
    }

    /// `getBytes(index, dst[length])`: `length` bytes at `index`, indexes unchanged.
    pub fn get_bytes(&self, index: i64, length: usize) -> JavaResult<Vec<u8>> {
        self.record_access(AccessKind::Read);
        self.get_bytes0(index, length)
    }

    /// `getBytes` without a leak record (internal reads).
    pub(crate) fn get_bytes0(&self, index: i64, length: usize) -> JavaResult<Vec<u8>> {
        if let Some(empty) = self.empty_target() {
            empty.empty_range(index, length as i64)?;
            return Ok(Vec::new());
        }
        self.check_index(index, length as i64)?;
        let mut out = vec![0; length];
        self.read_memory(index as usize, &mut out)?;
        Ok(out)
    }

    /// `setBytes(index, src)`: writes at `index`, indexes unchanged.
    pub fn set_bytes(&self, index: i64, data: &[u8]) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        self.set_bytes0(index, data)
    }

    /// `setBytes` without a leak record (internal writes).
    pub(crate) fn set_bytes0(&self, index: i64, data: &[u8]) -> JavaResult<()> {
        self.refuse_if_read_only()?;
        if self.is_empty_buffer() {
            return self.empty_range(index, data.len() as i64);
        }
        self.check_index(index, data.len() as i64)?;
        self.write_memory(index as usize, data)?;
        Ok(())
    }

    /// `setByte(index, value)`.
    pub fn set_byte(&self, index: i64, value: u8) -> JavaResult<()> {
        self.set_bytes(index, &[value])
    }

    /// `checkReadableBytes(length)`: accessible and `length` readable bytes.
    pub(crate) fn check_readable(&self, length: usize) -> JavaResult<()> {
        self.ensure_accessible()?;
        let (reader, writer) = (self.reader_index(), self.writer_index());
        if reader as i64 > writer as i64 - length as i64 {
            return Err(texts::not_readable(
                reader,
                length,
                writer,
                &self.thrower_string(),
            ));
        }
        Ok(())
    }

    /// `readBytes(dst[length])`: reads and advances the reader index.
    pub fn read_bytes(&self, length: usize) -> JavaResult<Vec<u8>> {
        self.record_access(AccessKind::Read);
        if self.is_empty_buffer() {
            self.empty_length(length as i64)?;
            return Ok(Vec::new());
        }
        self.check_readable(length)?;
        let reader = self.reader_index();
        let mut out = vec![0; length];
        self.read_memory(reader, &mut out)?;
        self.object().state().reader = reader + length;
        Ok(out)
    }

    /// `readByte()`.
    pub fn read_byte(&self) -> JavaResult<u8> {
        Ok(self.read_bytes(1)?[0])
    }

    /// `writeBytes(src)` on thread `t`: grows the buffer if needed (which may
    /// reallocate, using `t`'s thread cache) and advances the writer index.
    pub fn write_bytes(&self, t: ThreadId, data: &[u8]) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        if self.is_empty_buffer() {
            return self.empty_length(data.len() as i64);
        }
        self.ensure_writable0(t, data.len())?;
        let writer = self.writer_index();
        self.write_memory(writer, data)?;
        self.object().state().writer = writer + data.len();
        Ok(())
    }

    /// `writeByte(value)` on thread `t`.
    pub fn write_byte(&self, t: ThreadId, value: u8) -> JavaResult<()> {
        self.write_bytes(t, &[value])
    }

    /// `writeBytes` of `length` copies of `value` (a pattern fill) on thread `t`.
    pub fn write_fill(&self, t: ThreadId, length: usize, value: u8) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        if self.is_empty_buffer() {
            return self.empty_length(length as i64);
        }
        self.ensure_writable0(t, length)?;
        let writer = self.writer_index();
        self.check_root_range(writer, length)?;
        if let Some((memory, base)) = self.memory_view() {
            memory.fill(base + writer, length, value);
        }
        self.object().state().writer = writer + length;
        Ok(())
    }

    /// `readerIndex(index)`.
    pub fn set_reader_index(&self, index: i64) -> JavaResult<()> {
        if self.is_empty_buffer() {
            return self.empty_index(index);
        }
        let writer = self.writer_index() as i64;
        self.set_indexes(index, writer)
    }

    /// `writerIndex(index)`.
    pub fn set_writer_index(&self, index: i64) -> JavaResult<()> {
        if self.is_empty_buffer() {
            return self.empty_index(index);
        }
        let reader = self.reader_index() as i64;
        self.set_indexes(reader, index)
    }

    /// `setIndex(readerIndex, writerIndex)` (`checkIndexBounds`).
    pub fn set_indexes(&self, reader: i64, writer: i64) -> JavaResult<()> {
        if self.is_empty_buffer() {
            self.empty_index(reader)?;
            return self.empty_index(writer);
        }
        let capacity = self.capacity();
        if reader < 0 || reader > writer || writer > capacity as i64 {
            return Err(texts::bad_indexes(reader, writer, capacity));
        }
        let mut state = self.object().state();
        state.reader = reader as usize;
        state.writer = writer as usize;
        Ok(())
    }

    /// `clear()`: both indexes to 0.
    pub fn clear(&self) {
        let mut state = self.object().state();
        state.reader = 0;
        state.writer = 0;
    }
}

/// `MathUtil.isOutOfBounds(index, length, capacity)`.
pub(crate) fn is_out_of_bounds(index: i64, length: i64, capacity: usize) -> bool {
    index < 0 || length < 0 || index + length > capacity as i64
}
