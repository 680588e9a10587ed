//! Where a scenario's text comes from: a built-in name or a file, `extends` to build a
//! variant on a base, and `--set key=value` overrides on dotted keys.
//!
//! The result is one effective TOML table; its canonical text (sorted keys) is what
//! the content hash covers and what a failure trace embeds, so a replay needs neither
//! the original files nor the overrides.

use super::error::ScenarioError;
use super::scenario::Scenario;
use crate::trace::fnv1a;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The scenarios shipped in `sim/scenarios/`, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("jt809", include_str!("../../scenarios/jt809.toml")),
    (
        "jt809-released",
        include_str!("../../scenarios/jt809-released.toml"),
    ),
    (
        "jt809-paranoid",
        include_str!("../../scenarios/jt809-paranoid.toml"),
    ),
    (
        "jt809-4mib",
        include_str!("../../scenarios/jt809-4mib.toml"),
    ),
    (
        "jt809-unescape-leak",
        include_str!("../../scenarios/jt809-unescape-leak.toml"),
    ),
];

/// The default scenario of `leakproof run`.
pub const DEFAULT_SCENARIO: &str = "jt809";

/// How deep `extends` chains may go (a cycle is an error long before this).
const MAX_EXTENDS: usize = 8;

/// A scenario ready to resolve: the effective table, its canonical text and hash.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedScenario {
    /// The deserialized scenario.
    pub scenario: Scenario,
    /// Canonical TOML of the effective table (what the hash covers).
    pub text: String,
    /// FNV-1a 64 of `text`, as 16 hex digits.
    pub hash: String,
}

/// The text of built-in scenario `name`.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Loads `spec` (a built-in name or a path to a `.toml` file), follows `extends` and
/// applies `sets` (`key=value`, dotted keys) in order.
pub fn load(spec: &str, sets: &[String]) -> Result<LoadedScenario, ScenarioError> {
    let mut table = load_table(spec, None, 0)?;
    for set in sets {
        apply_set(&mut table, set)?;
    }
    from_table(table)
}

/// Parses scenario text (no `extends` lookup beyond the built-ins).
pub fn parse(text: &str) -> Result<LoadedScenario, ScenarioError> {
    let table = parse_table(text, "<text>")?;
    from_table(resolve_extends(table, None, 0)?)
}

/// Deserializes an effective table, naming the key of any unknown, missing or
/// mistyped field.
fn from_table(table: Table) -> Result<LoadedScenario, ScenarioError> {
    let text = toml::to_string(&table).map_err(|e| ScenarioError::Syntax {
        origin: "<effective scenario>".into(),
        message: e.to_string(),
    })?;
    let scenario: Scenario =
        serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
            ScenarioError::Field {
                key: e.path().to_string(),
                message: e.inner().message().trim().to_string(),
            }
        })?;
    let hash = format!("{:016x}", fnv1a(text.as_bytes()));
    Ok(LoadedScenario {
        scenario,
        text,
        hash,
    })
}

fn parse_table(text: &str, source: &str) -> Result<Table, ScenarioError> {
    text.parse::<Table>().map_err(|e| ScenarioError::Syntax {
        origin: source.to_string(),
        message: e.to_string().trim().to_string(),
    })
}

fn load_table(spec: &str, dir: Option<&Path>, depth: usize) -> Result<Table, ScenarioError> {
    if depth > MAX_EXTENDS {
        return Err(ScenarioError::invalid(
            "extends",
            format!("more than {MAX_EXTENDS} levels (a cycle?) at `{spec}`"),
        ));
    }
    if let Some(text) = builtin(spec) {
        let table = parse_table(text, spec)?;
        return resolve_extends(table, None, depth);
    }
    let path = match dir {
        Some(d) if Path::new(spec).is_relative() => d.join(spec),
        _ => PathBuf::from(spec),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ScenarioError::NotFound {
        spec: spec.to_string(),
        message: e.to_string(),
        known: BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let table = parse_table(&text, &path.display().to_string())?;
    resolve_extends(table, path.parent(), depth)
}

/// Replaces `extends = "base"` by the base table with this one merged onto it.
fn resolve_extends(
    mut table: Table,
    dir: Option<&Path>,
    depth: usize,
) -> Result<Table, ScenarioError> {
    let Some(base) = table.remove("extends") else {
        return Ok(table);
    };
    let Value::String(base) = base else {
        return Err(ScenarioError::invalid(
            "extends",
            "expected the name or path of a base scenario",
        ));
    };
    let mut merged = load_table(&base, dir, depth + 1)?;
    merge(&mut merged, table);
    Ok(merged)
}

/// Merges `over` onto `base`: tables key by key, arrays of named tables element by
/// `name` (new names are appended), anything else replaced.
fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (Some(Value::Array(b)), Value::Array(o)) if all_named(b) && all_named(&o) => {
                for item in o {
                    let Value::Table(item) = item else { continue };
                    let name = item.get("name").cloned();
                    match b.iter_mut().find(|e| e.get("name") == name.as_ref()) {
                        Some(Value::Table(existing)) => merge(existing, item),
                        _ => b.push(Value::Table(item)),
                    }
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn all_named(items: &[Value]) -> bool {
    items
        .iter()
        .all(|v| matches!(v.get("name"), Some(Value::String(_))))
}

/// Applies one `key=value` override. `value` is read as a TOML value (`5`, `0.5`,
/// `true`, `"text"`, `[1, 2]`) and otherwise taken as a string (`level=PARANOID`).
/// Array elements are addressed by index or, for named tables, by name
/// (`stages.unescape.probability=0.2`); missing tables on the way are created.
pub fn apply_set(table: &mut Table, set: &str) -> Result<(), ScenarioError> {
    let Some((key, raw)) = set.split_once('=') else {
        return Err(ScenarioError::Set {
            set: set.to_string(),
            message: "expected key=value".into(),
        });
    };
    let key = key.trim();
    let value = parse_value(raw.trim());
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ScenarioError::Set {
            set: set.to_string(),
            message: format!("`{key}` is not a dotted key"),
        });
    }
    let mut current = table;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if last {
            current.insert(part.to_string(), value);
            return Ok(());
        }
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        current = match entry {
            Value::Table(t) => t,
            Value::Array(items) => {
                let next = parts[i + 1];
                let found = match next.parse::<usize>() {
                    Ok(n) => items.get_mut(n),
                    Err(_) => items
                        .iter_mut()
                        .find(|v| v.get("name").and_then(Value::as_str) == Some(next)),
                };
                let Some(Value::Table(t)) = found else {
                    return Err(ScenarioError::Set {
                        set: set.to_string(),
                        message: format!("`{part}` has no element `{next}`"),
                    });
                };
                // The element's index or name was consumed here.
                return apply_rest(t, &parts[i + 2..], value, set);
            }
            _ => {
                return Err(ScenarioError::Set {
                    set: set.to_string(),
                    message: format!("`{}` is not a table", parts[..=i].join(".")),
                })
            }
        };
    }
    Ok(())
}

fn apply_rest(
    table: &mut Table,
    rest: &[&str],
    value: Value,
    set: &str,
) -> Result<(), ScenarioError> {
    if rest.is_empty() {
        return Err(ScenarioError::Set {
            set: set.to_string(),
            message: "names an array element, not a key inside it".into(),
        });
    }
    let rest_key = rest.join(".");
    let rendered = format!("{rest_key}={}", render_value(&value));
    apply_set(table, &rendered)
}

fn parse_value(raw: &str) -> Value {
    match format!("v = {raw}").parse::<Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| Value::String(raw.into())),
        Err(_) => Value::String(raw.to_string()),
    }
}

fn render_value(value: &Value) -> String {
    value.to_string()
}
