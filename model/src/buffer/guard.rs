//! An optional RAII guard for library users: releases once when dropped.

use super::ByteBuf;
use std::ops::Deref;

/// Holds one reference and releases it when dropped (errors are ignored, like
/// `ReferenceCountUtil.safeRelease`). Plain [`ByteBuf`] handles never release on drop.
#[derive(Debug)]
pub struct ReleaseOnDrop(Option<ByteBuf>);

impl ReleaseOnDrop {
    /// Takes over one reference of `buf`.
    pub fn new(buf: ByteBuf) -> Self {
        ReleaseOnDrop(Some(buf))
    }

    /// Gives the reference back without releasing it.
    pub fn into_inner(mut self) -> ByteBuf {
        self.0.take().expect("guard holds a buffer until consumed")
    }
}

impl Deref for ReleaseOnDrop {
    type Target = ByteBuf;
    fn deref(&self) -> &ByteBuf {
        self.0
            .as_ref()
            .expect("guard holds a buffer until consumed")
    }
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if let Some(buf) = self.0.take() {
            let _ = buf.release();
        }
    }
}
