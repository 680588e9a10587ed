//! One op through a handle, predicted: the dispatch from the op language to the
//! shadow's rule for it (the model's side is `exec::apply`).

use super::{AllocEnv, Prediction, Shadow};
use leakproof_model::buffer::AllocId;
use leakproof_model::op::Op;

impl Shadow {
    /// Predicts `op` acting through generation `e`; `None` for ops that are not a
    /// call on a buffer (allocation, drop, hand-off, thread and cache ops).
    pub fn predict_on_handle(&mut self, env: &AllocEnv, op: &Op, e: AllocId) -> Option<Prediction> {
        Some(match *op {
            Op::Write { len, pattern, .. } => self.write(env, e, &pattern.bytes(len.0 as usize)),
            Op::Read { len, .. } => self.read(e, len.0 as usize),
            Op::SetCapacity { capacity, .. } => self.set_capacity(env, e, i64::from(capacity.0)),
            Op::Retain { k, .. } => self.retain(e, i32::from(k.0)),
            Op::Release { k, .. } => self.release(e, i32::from(k.0)),
            Op::Copy { .. } => self.copy(env, e),
            Op::Slice { .. } => self.slice(e),
            Op::Duplicate { .. } => self.duplicate(e),
            Op::ReadSlice { len, .. } => self.read_slice(e, len.0 as usize),
            Op::RetainedSlice { .. } => self.retained_slice(e),
            Op::RetainedDuplicate { .. } => self.retained_duplicate(e),
            Op::ReadRetainedSlice { len, .. } => self.read_retained_slice(e, len.0 as usize),
            _ => return None,
        })
    }
}
