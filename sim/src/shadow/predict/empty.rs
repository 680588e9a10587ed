//! Predictions for Netty's `EmptyByteBuf`, restated from EmptyByteBuf.java (the same
//! in 4.1.48 and 4.1.128): `directBuffer(0, 0)`/`heapBuffer(0, 0)` return the
//! allocator's one `emptyBuf` before validation, caches, arenas, counters and leak
//! detection (AbstractByteBufAllocator.java:164–165, 183–184 of 4.1.48; :165–166,
//! 184–185 of 4.1.128). It has no memory and no count: `refCnt()` is 1 for good
//! (java:1006–1008), `retain`/`release` change nothing and accept any amount (release
//! answers false, java:1011–1038); an index or length other than 0 throws an
//! `IndexOutOfBoundsException` without a message (`checkLength`, java:1055–1061);
//! `capacity(n)` throws `ReadOnlyBufferException` (java:79–81); copies, slices,
//! duplicates and their retained and `read…` forms are the buffer itself (java:617–629,
//! 859–896); `asReadOnly()` is `new ReadOnlyByteBuf(this)` (java:99–101), whose count
//! and copies are the empty buffer's (`unwrap()`) and whose slices are read-only views
//! of it again (ReadOnlyByteBuf.java:287–299).

use super::*;
use crate::shadow::Wraps;

/// A call through a handle, as far as the empty buffer's rules tell them apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Call {
    /// `writeBytes` of this many bytes.
    Write(usize),
    /// `readBytes` of this many bytes.
    Read(usize),
    /// `capacity(n)`.
    SetCapacity,
    /// `retain(k)`.
    Retain,
    /// `release(k)`.
    Release,
    /// `copy()`.
    Copy,
    /// `slice()`, `duplicate()`, `retainedSlice()`, `retainedDuplicate()`.
    View,
    /// `readSlice(n)`, `readRetainedSlice(n)`.
    ReadView(usize),
    /// `asReadOnly()`.
    AsReadOnly,
}

impl Shadow {
    /// `directBuffer`/`heapBuffer(0, 0)` of allocator `pooled` (`None`: the unpooled
    /// one): its `emptyBuf`, made once. Handed out again, it is reachable again
    /// (a collection that found it unreachable left it to its allocator).
    pub(super) fn empty_alloc(&mut self, pooled: Option<u8>) -> Pred {
        if let Some(&g) = self.empty.get(&pooled) {
            let object = self.g(g).object;
            self.current.insert(object, g);
            return Pred::Same(g);
        }
        Pred::New(Box::new(NewGen {
            gen: Gen {
                object: ObjectId(0),
                step: 0,
                handle: 0,
                reader: 0,
                writer: 0,
                max: 0,
                count: Some(1),
                body: Body::Root(RootState {
                    pooled_allocator: pooled,
                    pooled_root: false,
                    // EmptyByteBuf.isDirect() (java:109–111), whichever call made it.
                    direct: true,
                    huge: false,
                    mem: MemKind::Empty,
                    capacity: 0,
                    norm: 0,
                    bytes: ExpectedBytes::filled(0, Some(0)),
                    life: Life::Live,
                }),
            },
        }))
    }

    /// True when generation `g` is an `EmptyByteBuf`.
    pub(super) fn is_empty_gen(&self, g: AllocId) -> bool {
        matches!(&self.g(g).body, Body::Root(r) if r.mem == MemKind::Empty)
    }

    /// The `EmptyByteBuf` that `e` is or that `e`, a read-only view, wraps.
    fn empty_under(&self, e: AllocId) -> Option<AllocId> {
        let r = self.root(e)?;
        self.is_empty_gen(r).then_some(r)
    }

    /// The prediction for `call` through `e` when `e` is an `EmptyByteBuf` or a
    /// read-only view of one and the empty buffer's rule decides; `None` when the
    /// general rules apply (a read-only view's own reads, writes and resizes).
    pub(super) fn on_empty(&self, e: AllocId, call: Call) -> Option<Prediction> {
        let r = self.empty_under(e)?;
        if r != e {
            return self.through_read_only_view(e, r, call);
        }
        Some(match call {
            Call::Write(n) => empty_length(n).map(|()| Pred::Unit),
            Call::Read(n) => {
                empty_length(n).map(|()| Pred::Bytes(ExpectedBytes::filled(0, Some(0))))
            }
            Call::SetCapacity => Err(Expected::exact(JavaException::new(
                JavaClass::ReadOnlyBuffer,
                "",
            ))),
            Call::Retain => Ok(Pred::Unit),
            Call::Release => Ok(Pred::Released(false)),
            Call::Copy | Call::View => Ok(Pred::Same(e)),
            Call::ReadView(n) => empty_length(n).map(|()| Pred::Same(e)),
            Call::AsReadOnly => Ok(self.read_only_of_empty(e)),
        })
    }

    /// `call` through a `ReadOnlyByteBuf` `e` of empty buffer `r`: the count is
    /// `unwrap()`'s (AbstractDerivedByteBuf), `copy(i, l)` is `unwrap().copy(i, l)`
    /// (ReadOnlyByteBuf.java:292–294), a slice wraps `unwrap().slice(i, l)` (java:297–299)
    /// and a duplicate is `new ReadOnlyByteBuf(this)` (java:287–289), all of `r`.
    fn through_read_only_view(&self, e: AllocId, r: AllocId, call: Call) -> Option<Prediction> {
        Some(match call {
            Call::Retain => Ok(Pred::Unit),
            Call::Release => Ok(Pred::Released(false)),
            Call::Copy => Ok(Pred::Same(r)),
            Call::View => Ok(self.read_only_of_empty(r)),
            // AbstractByteBuf.readSlice: checkReadableBytes(n), then slice(readerIndex, n).
            Call::ReadView(n) => self
                .check_readable(e, n)
                .map(|()| self.read_only_of_empty(r)),
            Call::Write(_) | Call::Read(_) | Call::SetCapacity | Call::AsReadOnly => return None,
        })
    }

    /// `new ReadOnlyByteBuf(emptyBuf)`: indexes 0, `maxCapacity` 0 (java:42–51).
    fn read_only_of_empty(&self, r: AllocId) -> Pred {
        let view = ViewState {
            read_only: Some(Wraps::Root),
            ..ViewState::duplicate(r, r)
        };
        self.new_view(view, (0, 0, 0))
    }
}

/// `checkLength(length)` of a non-negative length: only 0 passes, anything else is
/// `new IndexOutOfBoundsException()`.
fn empty_length(n: usize) -> R<()> {
    if n != 0 {
        return Err(Expected::exact(JavaException::new(
            JavaClass::IndexOutOfBounds,
            "",
        )));
    }
    Ok(())
}
