//! The real count a raw refcount cell stands for.

/// `ReferenceCountUpdater.realRefCnt` (common/…/ReferenceCountUpdater.java:71–72) for
/// the even/odd encoding (4.1.32+): odd ⇒ 0, even ⇒ `raw >>> 1`. Before 4.1.32 the cell
/// held the real count itself (`even_odd` false).
#[inline]
pub fn real_ref_cnt(raw: i32, even_odd: bool) -> i32 {
    if !even_odd {
        return raw;
    }
    if raw & 1 != 0 {
        0
    } else {
        ((raw as u32) >> 1) as i32
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn odd_is_released_even_is_half() {
        assert_eq!(super::real_ref_cnt(2, true), 1);
        assert_eq!(super::real_ref_cnt(1, true), 0);
        assert_eq!(super::real_ref_cnt(7, true), 0);
        assert_eq!(super::real_ref_cnt(8, true), 4);
        assert_eq!(super::real_ref_cnt(3, false), 3);
    }
}
