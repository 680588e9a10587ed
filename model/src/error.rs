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
    /// `java.lang.NullPointerException` (JDK 14+ helpful texts): a field Netty cleared
    /// or never set, e.g. the `chunk` of a pooled object a failed allocation claimed.
    NullPointer,
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
            JavaClass::NullPointer => "java.lang.NullPointerException",
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

/// What `IllegalReferenceCountException`'s constructor was given
/// (common/…/IllegalReferenceCountException.java:30–34): the count the call saw and,
/// for `retain`/`release`, the change it attempted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefCntFault {
    /// `(refCnt)`: an access (or a derivation) on a released buffer.
    Access {
        /// The count seen.
        ref_cnt: i64,
    },
    /// `(refCnt, increment)` with `increment >= 0`: a `retain`.
    Increment {
        /// The count seen.
        ref_cnt: i64,
        /// The amount added.
        increment: i64,
    },
    /// `(refCnt, -decrement)`: a `release` of more than the count.
    Decrement {
        /// The count seen.
        ref_cnt: i64,
        /// The amount released.
        decrement: i64,
    },
}

/// `OutOfDirectMemoryError`'s numbers (PlatformDependent `incrementMemoryCounter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DirectShortfall {
    /// The bytes requested.
    pub requested: i64,
    /// The counter before the request.
    pub used: i64,
    /// The limit.
    pub max: i64,
}

/// The `PooledByteBufAllocator` constructor argument an `IllegalArgumentException`
/// rejects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Argument {
    /// `nHeapArena`.
    HeapArenas,
    /// `nDirectArena`.
    DirectArenas,
    /// `maxOrder`.
    MaxOrder,
    /// `pageSize << maxOrder` exceeds the largest chunk.
    PageSizeAndMaxOrder,
    /// `pageSize` (also when it is below the alignment it is checked against).
    PageSize,
    /// `directMemoryCacheAlignment`.
    Alignment,
}

/// What an exception says beyond its class, typed for the exceptions a caller sorts or
/// checks by content, so nobody parses the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Detail {
    /// The message is all there is.
    Text,
    /// An `IllegalReferenceCountException`'s constructor arguments.
    RefCnt(RefCntFault),
    /// An `OutOfDirectMemoryError`'s numbers.
    DirectMemory(DirectShortfall),
    /// The argument an `IllegalArgumentException` rejects.
    Argument(Argument),
}

/// A Java exception as a value: class plus Netty's exact message text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub struct JavaException {
    /// The exception class.
    pub class: JavaClass,
    /// The message text, exactly as Netty or the JDK builds it.
    pub message: String,
    /// The typed content behind `message` (only the constructors below set it).
    detail: Detail,
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
            detail: Detail::Text,
        }
    }

    /// The typed content behind the message.
    pub fn detail(&self) -> Detail {
        self.detail
    }

    /// The refcount call behind an `IllegalReferenceCountException`, if this is one
    /// built by [`JavaException::ref_cnt`] or [`JavaException::ref_cnt_change`].
    pub fn ref_cnt_fault(&self) -> Option<RefCntFault> {
        match self.detail {
            Detail::RefCnt(f) => Some(f),
            _ => None,
        }
    }

    /// The numbers of an `OutOfDirectMemoryError` built by
    /// [`JavaException::out_of_direct_memory`].
    pub fn direct_shortfall(&self) -> Option<DirectShortfall> {
        match self.detail {
            Detail::DirectMemory(d) => Some(d),
            _ => None,
        }
    }

    /// The constructor argument an `IllegalArgumentException` built by
    /// [`JavaException::bad_argument`] rejects.
    pub fn argument(&self) -> Option<Argument> {
        match self.detail {
            Detail::Argument(a) => Some(a),
            _ => None,
        }
    }

    /// `IllegalReferenceCountException(refCnt)`: access after release.
    pub fn ref_cnt(ref_cnt: i64) -> Self {
        Self::ref_cnt_fault_of(RefCntFault::Access { ref_cnt })
    }

    /// `IllegalReferenceCountException(refCnt, increment)`; a negative `increment` is a
    /// decrement, printed as Netty does (`refCnt: 0, decrement: 1`).
    pub fn ref_cnt_change(ref_cnt: i64, increment: i64) -> Self {
        Self::ref_cnt_fault_of(if increment >= 0 {
            RefCntFault::Increment { ref_cnt, increment }
        } else {
            RefCntFault::Decrement {
                ref_cnt,
                decrement: -increment,
            }
        })
    }

    /// The exception Netty builds from `fault`, with its text.
    fn ref_cnt_fault_of(fault: RefCntFault) -> Self {
        let message = match fault {
            RefCntFault::Access { ref_cnt } => format!("refCnt: {ref_cnt}"),
            RefCntFault::Increment { ref_cnt, increment } => {
                format!("refCnt: {ref_cnt}, increment: {increment}")
            }
            RefCntFault::Decrement { ref_cnt, decrement } => {
                format!("refCnt: {ref_cnt}, decrement: {decrement}")
            }
        };
        JavaException {
            class: JavaClass::IllegalReferenceCount,
            message,
            detail: Detail::RefCnt(fault),
        }
    }

    /// `OutOfDirectMemoryError` from `incrementMemoryCounter` (PlatformDependent.java):
    /// `failed to allocate N byte(s) of direct memory (used: U, max: M)`.
    pub fn out_of_direct_memory(shortfall: DirectShortfall) -> Self {
        let DirectShortfall {
            requested,
            used,
            max,
        } = shortfall;
        JavaException {
            class: JavaClass::OutOfDirectMemory,
            message: format!(
                "failed to allocate {requested} byte(s) of direct memory (used: {used}, max: {max})"
            ),
            detail: Detail::DirectMemory(shortfall),
        }
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

    /// `IllegalArgumentException` with `message`, rejecting `argument`.
    pub fn bad_argument(argument: Argument, message: impl Into<String>) -> Self {
        JavaException {
            detail: Detail::Argument(argument),
            ..Self::illegal_argument(message)
        }
    }

    /// The line the JVM prints when this escapes `main`.
    pub fn uncaught_line(&self) -> String {
        format!("Exception in thread \"main\" {self}")
    }
}

/// Result of a model operation that Netty could answer with an exception.
pub type JavaResult<T> = Result<T, JavaException>;

/// A [`JavaResult`] with the exception boxed, for the cache hit's inner layers: a
/// `JavaException` inline makes every result that carries an allocation record (or a
/// refcount machine) wide and niche-packed, and moving those stalled on store
/// forwarding. `?` converts either way.
pub type BoxedResult<T> = Result<T, Box<JavaException>>;

impl From<Box<JavaException>> for JavaException {
    fn from(boxed: Box<JavaException>) -> Self {
        *boxed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refcount_exceptions_carry_the_call_and_netty_text() {
        let cases = [
            (JavaException::ref_cnt(0), "refCnt: 0"),
            (
                JavaException::ref_cnt_change(0, 1),
                "refCnt: 0, increment: 1",
            ),
            (
                JavaException::ref_cnt_change(1, -2),
                "refCnt: 1, decrement: 2",
            ),
        ];
        for (e, text) in &cases {
            assert_eq!(e.class, JavaClass::IllegalReferenceCount);
            assert_eq!(e.message, *text);
        }
        assert_eq!(
            cases[2].0.ref_cnt_fault(),
            Some(RefCntFault::Decrement {
                ref_cnt: 1,
                decrement: 2
            })
        );
        assert_eq!(
            cases[1].0.ref_cnt_fault(),
            Some(RefCntFault::Increment {
                ref_cnt: 0,
                increment: 1
            })
        );
        assert_eq!(JavaException::illegal_argument("x").detail(), Detail::Text);
    }

    #[test]
    fn out_of_direct_memory_carries_its_numbers() {
        let d = DirectShortfall {
            requested: 16,
            used: 8,
            max: 20,
        };
        let e = JavaException::out_of_direct_memory(d);
        assert_eq!(
            e.to_string(),
            "io.netty.util.internal.OutOfDirectMemoryError: failed to allocate 16 byte(s) of direct memory (used: 8, max: 20)"
        );
        assert_eq!(e.direct_shortfall(), Some(d));
        assert_eq!(e.ref_cnt_fault(), None);
    }
}
