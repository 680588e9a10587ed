//! The catalogue as a text table or JSON rows.

use super::Row;
use std::fmt::Write;

const HEADERS: [&str; 8] = [
    "mutant",
    "issue",
    "invariant violated",
    "caught by",
    "iterations",
    "wall s",
    "trace len",
    "trace",
];

fn cells(row: &Row) -> [String; 8] {
    let caught_by = match (&row.command, row.caught) {
        (Some(_), _) => format!("{} (see below)", row.checker),
        (None, true) => row.checker.clone(),
        (None, false) if row.mutant == "none" => "- (no failure)".to_string(),
        (None, false) => "SURVIVED".to_string(),
    };
    [
        row.mutant.clone(),
        row.issue.clone(),
        if row.invariant.is_empty() {
            "-".to_string()
        } else {
            row.invariant.clone()
        },
        caught_by,
        row.iterations.to_string(),
        format!("{:.2}", row.seconds),
        if row.caught {
            row.trace_len.to_string()
        } else {
            "-".to_string()
        },
        row.trace
            .as_ref()
            .map_or("-".to_string(), |p| p.display().to_string()),
    ]
}

/// An aligned text table, then the command of every feature-only mutant.
pub fn render_table(rows: &[Row]) -> String {
    let body: Vec<[String; 8]> = rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for r in &body {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cols: &[String]| {
        let padded: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(&mut out, &HEADERS.map(String::from));
    for r in &body {
        line(&mut out, r);
    }
    for row in rows {
        if let Some(command) = &row.command {
            let _ = writeln!(
                out,
                "\n{} is reached only by {} interleavings; run from the source tree:\n  {command}",
                row.mutant, row.checker
            );
        }
    }
    out
}

/// Every row as pretty JSON (`caught` and `seconds` included).
pub fn render_json(rows: &[Row]) -> String {
    let mut s = serde_json::to_string_pretty(rows).expect("rows serialize");
    s.push('\n');
    s
}
