//! Errors as values: what Netty (or the JVM) answers with an exception.
//!
//! Each error carries the Java class Netty throws and the exact message text, so a
//! report or trace can print `Exception in thread "main" <class>: <message>` verbatim.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The Java exception or error classes the model can raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum JavaClass {
    /// `io.netty.util.IllegalReferenceCountException` (an `IllegalStateException`).
    IllegalReferenceCount,
    /// `java.lang.IllegalArgumentException`.
    IllegalArgument,
    /// `java.lang.IndexOutOfBoundsException`.
    IndexOutOfBounds,
    /// `java.lang.IllegalStateException`.
    IllegalState,
    /// `io.netty.util.internal.OutOfDirectMemoryError` (an `OutOfMemoryError`).
    OutOfDirectMemory,
    /// `java.lang.OutOfMemoryError` (heap space or the JDK's direct buffer memory).
    OutOfMemory,
    /// `java.lang.AssertionError` (Netty's internal asserts, e.g. PoolSubpage).
    Assertion,
    /// `java.lang.ArrayIndexOutOfBoundsException` (e.g. netty #12564).
    ArrayIndexOutOfBounds,
    /// `java.lang.UnsupportedOperationException`.
    UnsupportedOperation,
    /// `java.nio.ReadOnlyBufferException` (no message): a write through `asReadOnly()`.
    ReadOnlyBuffer,
}

impl JavaClass {
    /// Fully qualified Java class name, as the JVM prints it.
    pub fn java_name(self) -> &'static str {
        match self {
            JavaClass::IllegalReferenceCount => "io.netty.util.IllegalReferenceCountException",
            JavaClass::IllegalArgument => "java.lang.IllegalArgumentException",
            JavaClass::IndexOutOfBounds => "java.lang.IndexOutOfBoundsException",
            JavaClass::IllegalState => "java.lang.IllegalStateException",
            JavaClass::OutOfDirectMemory => "io.netty.util.internal.OutOfDirectMemoryError",
            JavaClass::OutOfMemory => "java.lang.OutOfMemoryError",
            JavaClass::Assertion => "java.lang.AssertionError",
            JavaClass::ArrayIndexOutOfBounds => "java.lang.ArrayIndexOutOfBoundsException",
            JavaClass::UnsupportedOperation => "java.lang.UnsupportedOperationException",
            JavaClass::ReadOnlyBuffer => "java.nio.ReadOnlyBufferException",
        }
    }

    /// True for `java.lang.Error` subclasses (the JVM dies of these when uncaught).
    pub fn is_jvm_error(self) -> bool {
        matches!(
            self,
            JavaClass::OutOfDirectMemory | JavaClass::OutOfMemory | JavaClass::Assertion
        )
    }
}

/// A Java exception as a value: class plus Netty's exact message text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub struct JavaException {
    /// The exception class.
    pub class: JavaClass,
    /// The message text, exactly as Netty or the JDK builds it.
    pub message: String,
}

impl fmt::Display for JavaException {
    /// `Throwable.toString()`: the class name, then `: message` unless there is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            return f.write_str(self.class.java_name());
        }
        write!(f, "{}: {}", self.class.java_name(), self.message)
    }
}

impl JavaException {
    /// An exception of `class` with `message`.
    pub fn new(class: JavaClass, message: impl Into<String>) -> Self {
        JavaException {
            class,
            message: message.into(),
        }
    }

    /// `IllegalReferenceCountException(refCnt)`: access after release.
    pub fn ref_cnt(ref_cnt: i64) -> Self {
        Self::new(
            JavaClass::IllegalReferenceCount,
            format!("refCnt: {ref_cnt}"),
        )
    }

    /// `IllegalReferenceCountException(refCnt, increment)`; a negative `increment` is a
    /// decrement, printed as Netty does (`refCnt: 0, decrement: 1`).
    pub fn ref_cnt_change(ref_cnt: i64, increment: i64) -> Self {
        let message = if increment >= 0 {
            format!("refCnt: {ref_cnt}, increment: {increment}")
        } else {
            format!("refCnt: {ref_cnt}, decrement: {}", -increment)
        };
        Self::new(JavaClass::IllegalReferenceCount, message)
    }

    /// `IndexOutOfBoundsException` with `message`.
    pub fn index_out_of_bounds(message: impl Into<String>) -> Self {
        Self::new(JavaClass::IndexOutOfBounds, message)
    }

    /// `new ReadOnlyBufferException()`.
    pub fn read_only() -> Self {
        Self::new(JavaClass::ReadOnlyBuffer, "")
    }

    /// `IllegalArgumentException` with `message`.
    pub fn illegal_argument(message: impl Into<String>) -> Self {
        Self::new(JavaClass::IllegalArgument, message)
    }

    /// The line the JVM prints when this escapes `main`.
    pub fn uncaught_line(&self) -> String {
        format!("Exception in thread \"main\" {self}")
    }
}

/// Result of a model operation that Netty could answer with an exception.
pub type JavaResult<T> = Result<T, JavaException>;
