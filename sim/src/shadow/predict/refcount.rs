//! Predictions for `retain(k)` and `release(k)` (netty.md §6): counts live on the
//! holder (a root or a retained derivative), and a derivative's last release releases
//! its parent once (§6.3).

use super::*;

impl Shadow {
    /// `retain(k)` through `e`.
    pub fn retain(&mut self, e: AllocId, k: i32) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::Retain) {
            return p;
        }
        self.positive(k, "increment")?;
        let h = self.holder(e);
        let c = self.g(h).count.unwrap_or(0);
        if c == 0 {
            return Err(Expected::exact(texts::ref_cnt_change(0, k as i64)));
        }
        self.gm(h).count = Some(c + k);
        Ok(Pred::Unit)
    }

    /// `release(k)` through `e`.
    pub fn release(&mut self, e: AllocId, k: i32) -> Prediction {
        if let Some(p) = self.on_empty(e, Call::Release) {
            return p;
        }
        self.positive(k, "decrement")?;
        let h = self.holder(e);
        self.release_holder(h, k).map(Pred::Released)
    }

    /// `checkPositive(k, "increment" / "decrement")`, in the profile's wording.
    fn positive(&self, k: i32, what: &str) -> R<()> {
        if k <= 0 {
            return Err(Expected::exact(texts::non_positive(
                self.refcount.argument_error_style,
                what,
                k,
            )));
        }
        Ok(())
    }

    fn release_holder(&mut self, h: AllocId, k: i32) -> R<bool> {
        let c = self.g(h).count.unwrap_or(0);
        if c == 0 {
            return Err(Expected::exact(texts::ref_cnt_change(0, -(k as i64))));
        }
        if k > c {
            return Err(Expected::exact(texts::ref_cnt_change(
                c as i64,
                -(k as i64),
            )));
        }
        self.gm(h).count = Some(c - k);
        if c > k {
            return Ok(false);
        }
        self.deallocated.push(h);
        let parent = match &mut self.gm(h).body {
            Body::Root(r) => {
                r.life = Life::Released;
                // UnpooledHeapByteBuf.deallocate: `array = EMPTY_BYTES`, and
                // `capacity()` is `array.length` (4.1.48 and 4.1.128).
                if !r.pooled_root && !r.direct {
                    r.capacity = 0;
                }
                None
            }
            Body::View(v) => v.parent,
        };
        if let Some(p) = parent {
            let p = self.cur(p);
            self.release_holder(p, 1)?;
        }
        Ok(true)
    }
}
