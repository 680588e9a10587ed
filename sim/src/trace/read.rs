//! Reading traces: malformed, truncated or newer-version input is an error naming the
//! field, never a panic.

use super::{Attachments, ExpectedFailure, Trace, FORMAT_VERSION};
use crate::exec::ExecConfig;
use leakproof_model::op::Step;
use leakproof_model::{Mutant, Profile};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;

/// Why a trace could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The JSON path of the offending field (`$` for the document).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trace field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for TraceError {}

fn err(field: impl Into<String>, message: impl Into<String>) -> TraceError {
    TraceError {
        field: field.into(),
        message: message.into(),
    }
}

fn field<T: DeserializeOwned>(
    doc: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, TraceError> {
    let v = doc.get(name).ok_or_else(|| err(name, "missing"))?;
    serde_json::from_value(v.clone()).map_err(|e| err(name, e.to_string()))
}

/// The top-level copy `name` of a `config` field must equal it: a disagreement is an
/// error naming the top-level field, never silently resolved one way.
fn agrees<T: PartialEq + fmt::Display + ?Sized>(
    name: &str,
    top: &T,
    source: &str,
    derived: &T,
) -> Result<(), TraceError> {
    if top == derived {
        Ok(())
    } else {
        Err(err(name, format!("`{top}` but `{source}` is `{derived}`")))
    }
}

/// Parses a trace from JSON text.
pub fn parse(text: &str) -> Result<Trace, TraceError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| err("$", e.to_string()))?;
    let Value::Object(doc) = doc else {
        return Err(err("$", "expected a JSON object"));
    };
    for key in doc.keys() {
        if !matches!(
            key.as_str(),
            "format_version"
                | "profile"
                | "mutant"
                | "seed"
                | "config"
                | "ops"
                | "attachments"
                | "expected"
        ) {
            return Err(err(key.as_str(), "unknown field"));
        }
    }
    let format_version: u32 = field(&doc, "format_version")?;
    if format_version > FORMAT_VERSION || format_version == 0 {
        return Err(err(
            "format_version",
            format!("version {format_version} is not supported (this build reads 1 to {FORMAT_VERSION})"),
        ));
    }
    let config: ExecConfig = field(&doc, "config")?;
    let profile: String = field(&doc, "profile")?;
    Profile::by_name(&profile).map_err(|e| err("profile", e.to_string()))?;
    agrees(
        "profile",
        &profile,
        "config.jvm.profile.name",
        &config.jvm.profile.name,
    )?;
    let mutant: Mutant = field(&doc, "mutant")?;
    agrees("mutant", &mutant, "config.jvm.mutant", &config.jvm.mutant)?;
    let seed: u64 = field(&doc, "seed")?;
    agrees("seed", &seed, "config.jvm.seed", &config.jvm.seed)?;
    let Some(Value::Array(raw_ops)) = doc.get("ops") else {
        return Err(err("ops", "missing or not an array"));
    };
    let mut ops = Vec::with_capacity(raw_ops.len());
    for (i, v) in raw_ops.iter().enumerate() {
        let step: Step = serde_json::from_value(v.clone())
            .map_err(|e| err(format!("ops[{i}]"), e.to_string()))?;
        ops.push(step);
    }
    let attachments: Attachments = match doc.get("attachments") {
        None => Attachments::default(),
        Some(v) => {
            serde_json::from_value(v.clone()).map_err(|e| err("attachments", e.to_string()))?
        }
    };
    let expected: Option<ExpectedFailure> = match doc.get("expected") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(serde_json::from_value(v.clone()).map_err(|e| err("expected", e.to_string()))?)
        }
    };
    Ok(Trace {
        format_version,
        config,
        ops,
        attachments,
        expected,
    })
}
