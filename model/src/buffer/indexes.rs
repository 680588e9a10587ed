//! Index bookkeeping beyond `readerIndex`/`writerIndex` (AbstractByteBuf.java 4.1.128):
//! marks, `skipBytes`, `discardReadBytes`/`discardSomeReadBytes`, `isWritable`, and
//! `indexOf`, which reach `ensureAccessible` as Netty's do.

use super::ByteBuf;
use crate::error::JavaResult;
use crate::leak::AccessKind;

impl ByteBuf {
    /// `markReaderIndex()` (java:192–195).
    pub fn mark_reader_index(&self) {
        let mut s = self.object().state();
        s.marks.0 = s.reader;
    }

    /// `markWriterIndex()` (java:204–207).
    pub fn mark_writer_index(&self) {
        let mut s = self.object().state();
        s.marks.1 = s.writer;
    }

    /// `resetReaderIndex()`: `readerIndex(markedReaderIndex)`, bounds checked
    /// (java:198–201).
    pub fn reset_reader_index(&self) -> JavaResult<()> {
        let mark = self.object().state().marks.0;
        self.set_reader_index(mark as i64)
    }

    /// `resetWriterIndex()`: `writerIndex(markedWriterIndex)`, bounds checked
    /// (java:210–213).
    pub fn reset_writer_index(&self) -> JavaResult<()> {
        let mark = self.object().state().marks.1;
        self.set_writer_index(mark as i64)
    }

    /// `isWritable()`: `capacity() > writerIndex` (java:167–169); never for a
    /// read-only view (ReadOnlyByteBuf.java:58–61).
    pub fn is_writable(&self) -> bool {
        !self.is_read_only() && self.capacity() > self.writer_index()
    }

    /// `isWritable(numBytes)`: `capacity() - writerIndex >= numBytes` (java:172–174);
    /// never for a read-only view (ReadOnlyByteBuf.java:63–66).
    pub fn is_writable_bytes(&self, num_bytes: i32) -> bool {
        // EmptyByteBuf.isWritable(size): false, even for 0 (java:1001–1003).
        !self.is_read_only()
            && !self.is_empty_buffer()
            && self.capacity() as i64 - self.writer_index() as i64 >= i64::from(num_bytes)
    }

    /// `skipBytes(length)`: `checkReadableBytes(length)` (a negative length is an
    /// `IllegalArgumentException`), then the reader index advances (java:970–974).
    pub fn skip_bytes(&self, length: i32) -> JavaResult<()> {
        self.record_access(AccessKind::Read);
        if self.is_empty_buffer() {
            return self.empty_length(i64::from(length));
        }
        if length < 0 {
            let profile = self.jvm().profile();
            return Err(profile
                .refcount
                .negative_amount("minimumReadableBytes", i64::from(length)));
        }
        self.check_readable(length as usize)?;
        self.object().state().reader += length as usize;
        Ok(())
    }

    /// `discardReadBytes()` (java:216–234): moves the readable bytes to index 0 and
    /// shifts the indexes and marks; with nothing read it only checks the buffer is
    /// accessible. A read-only view refuses it (ReadOnlyByteBuf.java:125–127).
    pub fn discard_read_bytes(&self) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        self.refuse_if_read_only()?;
        let (reader, writer) = (self.reader_index(), self.writer_index());
        if reader == 0 {
            return self.ensure_accessible();
        }
        if reader != writer {
            self.move_readable_to_front(reader, writer)?;
        } else {
            self.ensure_accessible()?;
            self.discard_front(reader, 0);
        }
        Ok(())
    }

    /// `discardSomeReadBytes()` (java:236–255): as `discardReadBytes` once everything
    /// was read or at least half the capacity was, else only the accessibility check.
    pub fn discard_some_read_bytes(&self) -> JavaResult<()> {
        self.record_access(AccessKind::Write);
        let (reader, writer) = (self.reader_index(), self.writer_index());
        if reader > 0 {
            if reader == writer {
                self.ensure_accessible()?;
                self.discard_front(reader, 0);
                return Ok(());
            }
            if reader >= self.capacity() >> 1 {
                return self.move_readable_to_front(reader, writer);
            }
        }
        self.ensure_accessible()
    }

    /// `setBytes(0, this, readerIndex, readable)`, then the indexes and marks shift.
    fn move_readable_to_front(&self, reader: usize, writer: usize) -> JavaResult<()> {
        // ReadOnlyByteBuf.setBytes throws before any access check (java:130–132).
        self.refuse_if_read_only()?;
        let data = self.get_bytes0(reader as i64, writer - reader)?;
        self.set_bytes0(0, &data)?;
        self.discard_front(reader, writer - reader);
        Ok(())
    }

    /// The indexes after `reader` bytes were discarded (`writer` the new writer index),
    /// with `adjustMarkers(reader)` (java:257–269).
    fn discard_front(&self, decrement: usize, writer: usize) {
        let mut s = self.object().state();
        s.reader = 0;
        s.writer = writer;
        let (r, w) = s.marks;
        s.marks = if r <= decrement {
            (0, w.saturating_sub(decrement))
        } else {
            (r - decrement, w - decrement)
        };
    }

    /// `indexOf(fromIndex, toIndex, value)` (java:1250–1255): the first index of
    /// `value` in `[fromIndex, toIndex)` searching forward, or the last in
    /// `[toIndex, fromIndex)` when `fromIndex > toIndex`; -1 when absent. The range is
    /// `checkIndex`ed, so a released buffer throws (ByteBufUtil.java:573–579, 724–732),
    /// unless it is empty; a backward search from 0 checks it per
    /// [`ByteBufProfile`](crate::profile::ByteBufProfile).
    pub fn index_of(&self, from_index: i32, to_index: i32, value: u8) -> JavaResult<i32> {
        self.record_access(AccessKind::Read);
        if self.is_empty_buffer() {
            // EmptyByteBuf.indexOf: checkIndex(fromIndex), checkIndex(toIndex) (java:813–817).
            self.empty_index(i64::from(from_index))?;
            self.empty_index(i64::from(to_index))?;
            return Ok(-1);
        }
        let capacity = self.capacity() as i32;
        let (start, length) = if from_index <= to_index {
            let from = from_index.max(0);
            if from >= to_index || capacity == 0 {
                return Ok(-1);
            }
            (from, to_index.wrapping_sub(from))
        } else {
            let from = from_index.min(capacity);
            // 4.1.128 stops at an exclusive bound of 0; 4.1.48 only at a negative one
            // (or no capacity) and checks `[toIndex, 0)` (ByteBufUtil.java:467–475).
            let stops_at_zero = self.jvm().profile().bytebuf.backward_search_stops_at_zero;
            if from < 0 || capacity == 0 || (from == 0 && stops_at_zero) {
                return Ok(-1);
            }
            (to_index, from.wrapping_sub(to_index))
        };
        // A length Java's int arithmetic overflowed fails `checkIndex` too.
        self.check_index(i64::from(start), i64::from(length))?;
        let bytes = self.get_bytes0(i64::from(start), length as usize)?;
        let found = if from_index <= to_index {
            bytes.iter().position(|&b| b == value)
        } else {
            bytes.iter().rposition(|&b| b == value)
        };
        Ok(found.map_or(-1, |i| start + i as i32))
    }
}
