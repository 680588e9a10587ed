//! `leakproof mutants [--only NAME] [--json] [--traces DIR] [--allowed FILE]`.

use crate::exit::Exit;
use crate::mutants::{self, Row};
use leakproof_model::Mutant;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `mutants`.
#[derive(Clone, Debug, clap::Args)]
pub struct MutantsArgs {
    /// Hunt only this mutant (and the control run).
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
    /// Print the rows as JSON (with `caught` and `seconds`).
    #[arg(long)]
    pub json: bool,
    /// Where minimized traces are written, one `<mutant>.json` each.
    #[arg(long, value_name = "DIR", default_value = "leakproof-out/mutants")]
    pub traces: PathBuf,
    /// Survivors tolerated: one `name reason…` per line (`#` comments); any other
    /// survivor fails the command.
    #[arg(long, value_name = "FILE")]
    pub allowed: Option<PathBuf>,
}

/// Parses an allowlist: mutant name → reason. Unknown names and missing reasons are
/// errors naming the line.
pub fn parse_allowed(text: &str) -> Result<BTreeMap<Mutant, String>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let mutant = Mutant::by_name(name)
            .ok_or_else(|| format!("line {}: unknown mutant `{name}`", i + 1))?;
        if reason.trim().is_empty() {
            return Err(format!("line {}: `{name}` needs a reason", i + 1));
        }
        out.insert(mutant, reason.trim().to_string());
    }
    Ok(out)
}

fn selected(only: Option<&str>) -> Result<Vec<Mutant>, String> {
    match only {
        None => Ok(Mutant::ALL.to_vec()),
        Some(name) => match Mutant::by_name(name) {
            Some(Mutant::None) => Ok(vec![Mutant::None]),
            Some(m) => Ok(vec![Mutant::None, m]),
            None => {
                let known: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
                Err(format!(
                    "unknown mutant `{name}` (known: {})",
                    known.join(", ")
                ))
            }
        },
    }
}

fn read_allowed(path: &Path) -> Result<BTreeMap<Mutant, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_allowed(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs `mutants`: 0 when the control run passes and every mutant is caught (or
/// allowed to survive), 3 otherwise, 2 on bad input.
pub fn run(args: &MutantsArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let mutants = match selected(args.only.as_deref()) {
        Ok(m) => m,
        Err(e) => return crate::cli::bad_input(err, "--only", &e),
    };
    let allowed = match &args.allowed {
        None => BTreeMap::new(),
        Some(p) => match read_allowed(p) {
            Ok(a) => a,
            Err(e) => return crate::cli::bad_input(err, "--allowed", &e),
        },
    };
    let rows: Vec<Row> = mutants
        .iter()
        .map(|&m| mutants::hunt(m, &args.traces))
        .collect();
    let text = if args.json {
        mutants::render_json(&rows)
    } else {
        mutants::render_table(&rows)
    };
    let _ = out.write_all(text.as_bytes());
    let mut failed = false;
    for row in &rows {
        if row.control_failed() {
            let _ = writeln!(err, "the control run (no mutant) failed: {}", row.invariant);
            failed = true;
        }
        let name = Mutant::by_name(&row.mutant).unwrap_or_default();
        if row.survived() && !allowed.contains_key(&name) {
            let _ = writeln!(err, "mutant {} survived every checker", row.mutant);
            failed = true;
        }
    }
    if failed {
        Exit::Violation
    } else {
        Exit::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_lines_need_a_known_name_and_a_reason() {
        let ok =
            parse_allowed("# comment\n\nuncoalesced-free-runs only loom reaches it\n").unwrap();
        assert_eq!(ok.len(), 1);
        assert!(parse_allowed("frobnicate because")
            .unwrap_err()
            .contains("line 1"));
        assert!(parse_allowed("racy-refcount")
            .unwrap_err()
            .contains("needs a reason"));
    }

    fn json_rows(dir: &Path) -> Vec<serde_json::Value> {
        let args = MutantsArgs {
            only: Some("collect-before-close".into()),
            json: true,
            traces: dir.to_path_buf(),
            allowed: None,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args, &mut out, &mut err), Exit::Done);
        let mut rows: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        for r in &mut rows {
            assert!(r["seconds"].as_f64().unwrap() >= 0.0);
            r["seconds"] = serde_json::Value::Null;
        }
        rows
    }

    #[test]
    fn json_rows_are_deterministic_and_the_control_run_is_clean() {
        let dir = std::env::temp_dir().join(format!("leakproof-mutants-{}", std::process::id()));
        let rows = json_rows(&dir);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["mutant"], "none");
        assert_eq!(rows[0]["caught"], false);
        assert_eq!(rows[1]["caught"], true);
        assert_eq!(rows[1]["invariant"], "released_never_reported");
        let trace = std::fs::read_to_string(dir.join("collect-before-close.json")).unwrap();
        assert_eq!(rows, json_rows(&dir), "same rows on a second run");
        let again = std::fs::read_to_string(dir.join("collect-before-close.json")).unwrap();
        assert_eq!(trace, again, "byte-identical trace");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_selects_the_control_run_and_the_mutant() {
        assert_eq!(
            selected(Some("racy-refcount")).unwrap(),
            vec![Mutant::None, Mutant::RacyRefcount]
        );
        assert!(selected(Some("nope")).unwrap_err().contains("known: none"));
    }
}
