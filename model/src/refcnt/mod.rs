//! Temporary minimal reference count (EvenOdd only) so the buffer layer compiles while
//! the step-machine implementation lands on its own branch. Replaced wholesale by it.

use crate::error::{JavaException, JavaResult};
use crate::profile::{RefCountAlgorithm, RefCountProfile};
use crate::sync::atomic::{AtomicI32, Ordering};

/// A raw even/odd reference count.
#[derive(Debug)]
pub struct RefCnt {
    raw: AtomicI32,
    #[allow(dead_code)]
    algorithm: RefCountAlgorithm,
}

impl RefCnt {
    /// A count of 1.
    pub fn new(algorithm: RefCountAlgorithm) -> Self {
        RefCnt {
            raw: AtomicI32::new(2),
            algorithm,
        }
    }
    /// Real count.
    pub fn ref_cnt(&self) -> i32 {
        let raw = self.raw.load(Ordering::SeqCst);
        if raw & 1 == 1 {
            0
        } else {
            raw >> 1
        }
    }
    /// Raw value.
    pub fn raw(&self) -> i32 {
        self.raw.load(Ordering::SeqCst)
    }
    /// resetRefCnt.
    pub fn reset(&self) {
        self.raw.store(2, Ordering::SeqCst)
    }
    /// Best-effort accessibility.
    pub fn is_accessible(&self) -> bool {
        self.raw.load(Ordering::Relaxed) & 1 == 0
    }
    /// retain(k).
    pub fn retain(&self, k: i32, p: &RefCountProfile) -> JavaResult<()> {
        if k <= 0 {
            return Err(p.non_positive_amount("increment", k));
        }
        let old = self.raw.fetch_add(2 * k, Ordering::SeqCst);
        if old & 1 == 1 {
            return Err(JavaException::ref_cnt_change(0, k as i64));
        }
        Ok(())
    }
    /// release(k).
    pub fn release(&self, k: i32, p: &RefCountProfile) -> JavaResult<bool> {
        if k <= 0 {
            return Err(p.non_positive_amount("decrement", k));
        }
        loop {
            let raw = self.raw.load(Ordering::SeqCst);
            if raw & 1 == 1 {
                return Err(JavaException::ref_cnt_change(0, -(k as i64)));
            }
            let real = raw >> 1;
            if k > real {
                return Err(JavaException::ref_cnt_change(real as i64, -(k as i64)));
            }
            let new = if k == real { 1 } else { raw - 2 * k };
            if self
                .raw
                .compare_exchange(raw, new, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Ok(k == real);
            }
        }
    }
}
