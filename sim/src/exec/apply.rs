//! One op on the model, as Netty's API call (allocations through the program's
//! allocators, every op acting through a handle), and the same op predicted by the
//! shadow. The sequential executor and the concurrent runner (and its linearizability
//! check) call the model and the shadow only through here, so the two cannot drift.
//! The op language's input data (a write's pattern bytes) is computed here, outside
//! the shadow, which only ever sees the bytes.

use crate::shadow::{AllocEnv, Pred, Prediction, Shadow};
use leakproof_model::alloc::pooled::PooledAllocator;
use leakproof_model::alloc::UnpooledAllocator;
use leakproof_model::buffer::{AllocId, ByteBuf};
use leakproof_model::error::JavaResult;
use leakproof_model::op::{Op, Size};
use leakproof_model::sync::Arc;
use leakproof_model::ThreadId;

/// What a successful op through a handle returned.
#[derive(Debug)]
pub enum Applied {
    /// Nothing to compare (`write`, `capacity(n)`, `retain`).
    Unit,
    /// `release()`'s answer: true when this call deallocated.
    Released(bool),
    /// The bytes a read returned.
    Bytes(Vec<u8>),
    /// A new handle (copy or derivative).
    New(ByteBuf),
}

/// `directBuffer`/`heapBuffer(size, max)` on thread `t`, from the pooled or the
/// unpooled allocator.
pub fn alloc(
    pooled_alloc: &Arc<PooledAllocator>,
    unpooled: &Arc<UnpooledAllocator>,
    t: ThreadId,
    op: (bool, bool, Size, i64),
) -> JavaResult<ByteBuf> {
    let (pooled, direct, size, max) = op;
    if pooled {
        pooled_alloc.new_buffer(t, direct, i64::from(size.0), max)
    } else {
        unpooled.new_buffer(t, direct, i64::from(size.0), max)
    }
}

/// Runs `op` through `buf` on thread `t`; `None` for ops that are not a call on a
/// buffer (allocation, drop, hand-off, thread and cache ops).
pub fn on_handle(op: &Op, buf: &ByteBuf, t: ThreadId) -> Option<JavaResult<Applied>> {
    let unit = |r: JavaResult<()>| r.map(|()| Applied::Unit);
    let new = |r: JavaResult<ByteBuf>| r.map(Applied::New);
    Some(match *op {
        Op::Write { len, pattern, .. } => unit(buf.write_bytes(t, &pattern.bytes(len.0 as usize))),
        Op::Read { len, .. } => buf.read_bytes(len.0 as usize).map(Applied::Bytes),
        Op::SetCapacity { capacity, .. } => unit(buf.set_capacity(t, i64::from(capacity.0))),
        Op::Retain { k, .. } => unit(buf.retain_n(i32::from(k.0))),
        Op::Release { k, .. } => buf.release_n_on(t, i32::from(k.0)).map(Applied::Released),
        Op::Copy { .. } => new(buf.copy(t)),
        Op::Slice { .. } => new(buf.slice()),
        Op::Duplicate { .. } => new(buf.duplicate()),
        Op::ReadSlice { len, .. } => new(buf.read_slice(len.0 as usize)),
        Op::RetainedSlice { .. } => new(buf.retained_slice(t)),
        Op::RetainedDuplicate { .. } => new(buf.retained_duplicate(t)),
        Op::ReadRetainedSlice { len, .. } => new(buf.read_retained_slice(t, len.0 as usize)),
        Op::AsReadOnly { .. } => new(buf.as_read_only()),
        Op::Unreleasable { .. } => new(Ok(buf.unreleasable())),
        _ => return None,
    })
}

/// True when the handle `op` creates through a handle (`through_unreleasable` when
/// that handle is an `UnreleasableByteBuf`) is one: `unreleasableBuffer` itself, and
/// every derivative of an unreleasable buffer but its copy (UnreleasableByteBuf.java
/// 4.1.128, lines 53–103).
pub fn creates_unreleasable(op: &Op, through_unreleasable: bool) -> bool {
    match op {
        Op::Unreleasable { .. } => true,
        Op::Copy { .. } | Op::Alloc { .. } => false,
        _ => through_unreleasable,
    }
}

/// Predicts `op` acting through generation `e`, through an `UnreleasableByteBuf`
/// when `unreleasable`; `None` for ops that are not a call on a buffer (allocation,
/// drop, hand-off, thread and cache ops).
pub fn predict(
    shadow: &mut Shadow,
    env: &AllocEnv,
    op: &Op,
    e: AllocId,
    unreleasable: bool,
) -> Option<Prediction> {
    if unreleasable {
        // UnreleasableByteBuf.java:105–128 (retain returns this, release false, neither
        // checks its argument) and 73–103 (retained derivatives are the plain ones).
        match *op {
            Op::Retain { .. } => return Some(Ok(Pred::Unit)),
            Op::Release { .. } => return Some(Ok(Pred::Released(false))),
            Op::RetainedSlice { .. } => return Some(shadow.slice(e)),
            Op::RetainedDuplicate { .. } => return Some(shadow.duplicate(e)),
            Op::ReadRetainedSlice { len, .. } => {
                return Some(shadow.read_slice(e, len.0 as usize));
            }
            _ => {}
        }
    }
    Some(match *op {
        Op::Write { len, pattern, .. } => shadow.write(env, e, &pattern.bytes(len.0 as usize)),
        Op::Read { len, .. } => shadow.read(e, len.0 as usize),
        Op::SetCapacity { capacity, .. } => shadow.set_capacity(env, e, i64::from(capacity.0)),
        Op::Retain { k, .. } => shadow.retain(e, i32::from(k.0)),
        Op::Release { k, .. } => shadow.release(e, i32::from(k.0)),
        Op::Copy { .. } => shadow.copy(env, e),
        Op::Slice { .. } => shadow.slice(e),
        Op::Duplicate { .. } => shadow.duplicate(e),
        Op::ReadSlice { len, .. } => shadow.read_slice(e, len.0 as usize),
        Op::RetainedSlice { .. } => shadow.retained_slice(e),
        Op::RetainedDuplicate { .. } => shadow.retained_duplicate(e),
        Op::ReadRetainedSlice { len, .. } => shadow.read_retained_slice(e, len.0 as usize),
        Op::AsReadOnly { .. } => shadow.as_read_only(e),
        Op::Unreleasable { .. } => Ok(Pred::Same(e)),
        _ => return None,
    })
}
