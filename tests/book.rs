//! The book stays whole: every chapter in `docs/` is in `docs/SUMMARY.md` (mdBook's
//! table of contents), every link there resolves, and every invariant of the table is
//! described in `docs/invariants.md`.

use leakproof_model::check::REGISTRY;
use std::path::Path;

fn docs() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn summary_links() -> Vec<String> {
    let summary = std::fs::read_to_string(docs().join("SUMMARY.md")).expect("docs/SUMMARY.md");
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_chapter_is_in_the_summary_and_every_link_resolves() {
    let links = summary_links();
    for link in &links {
        assert!(
            docs().join(link).is_file(),
            "SUMMARY.md links to missing {link}"
        );
    }
    for entry in std::fs::read_dir(docs()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && name != "SUMMARY.md" {
            assert!(
                links.contains(&name),
                "docs/{name} is not in docs/SUMMARY.md"
            );
        }
    }
}

#[test]
fn every_named_invariant_is_described() {
    let text = std::fs::read_to_string(docs().join("invariants.md")).unwrap();
    for inv in REGISTRY {
        assert!(
            text.contains(&format!("`{}`", inv.name)),
            "docs/invariants.md does not describe `{}`",
            inv.name
        );
    }
}

#[test]
fn the_invariant_table_is_the_registry() {
    let text = std::fs::read_to_string(docs().join("invariants.md")).unwrap();
    let start = text
        .find("## Named invariants")
        .expect("docs/invariants.md has a Named invariants section");
    let section = &text[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let rows: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect();
    let registry: Vec<(String, String)> = REGISTRY
        .iter()
        .map(|i| (i.name.to_string(), i.source.to_string()))
        .collect();
    assert_eq!(
        rows, registry,
        "docs/invariants.md's table lists check::REGISTRY's names and sources, in order"
    );
}
