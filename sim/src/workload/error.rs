//! Why a scenario could not be loaded or resolved: every variant names the key, file
//! or override at fault, in one line.

/// A bad scenario (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// Neither a built-in name nor a readable file.
    #[error(
        "scenario `{spec}` is neither a built-in scenario ({known}) nor a readable file: {message}"
    )]
    NotFound {
        /// What was asked for.
        spec: String,
        /// The I/O error.
        message: String,
        /// The built-in names.
        known: String,
    },
    /// Not TOML.
    #[error("{origin}: {message}")]
    Syntax {
        /// The file (or built-in name).
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// An unknown, missing or mistyped key.
    #[error("scenario key `{key}`: {message}")]
    Field {
        /// The full dotted path (`stages[2].release`), or `.` for the top level.
        key: String,
        /// What serde rejected.
        message: String,
    },
    /// A value no JVM, Netty or traffic can have.
    #[error("scenario key `{key}`: {message}")]
    Invalid {
        /// The full dotted path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A `--set` that cannot be applied.
    #[error("--set {set}: {message}")]
    Set {
        /// The override as given.
        set: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// An impossible value of `key`.
    pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}
