//! `leakproof sizes`: the pooled allocator's size-class table for a page size and
//! `maxOrder`, as an aligned text table or a JSON array.

use super::bad_input;
use crate::exit::Exit;
use crate::scenarios::copy_loop_config::{geometry_flag, java_int, BadArgument};
use clap::Args;
use leakproof_model::pool::{ArenaKind, PoolGeometry, SizeTableRow};
use leakproof_model::Profile;
use std::io::Write;

/// Flags of `sizes`.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct SizesArgs {
    /// `io.netty.allocator.pageSize` (default: the profile's, 8192).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub page_size: Option<i64>,
    /// `io.netty.allocator.maxOrder` (default: the profile's).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_order: Option<i64>,
    /// The pinned Netty release.
    #[arg(long, value_name = "P", default_value = "netty-4.1")]
    pub profile: String,
    /// Print a JSON array of `{"index","size","kind","run_pages","elements"}`.
    #[arg(long)]
    pub json: bool,
}

/// The size-class table `args` ask for, validated as `PooledByteBufAllocator` validates
/// its page size and `maxOrder`.
pub fn table(args: &SizesArgs) -> Result<Vec<SizeTableRow>, BadArgument> {
    let profile = Profile::by_name(&args.profile)
        .map_err(|e| BadArgument::new("--profile", e.to_string()))?;
    let page_size = java_int(
        args.page_size
            .unwrap_or(profile.allocator.default_page_size.into()),
        "--page-size",
    )?;
    let max_order = java_int(
        args.max_order
            .unwrap_or(profile.allocator.default_max_order.into()),
        "--max-order",
    )?;
    let geometry = PoolGeometry::validate(page_size, max_order, 0, || Ok(()))
        .map_err(|e| BadArgument::netty(geometry_flag(&e), &e))?;
    Ok(geometry
        .size_classes(profile.allocator.size_classes, ArenaKind::Direct)
        .table())
}

/// Renders rows as a right-aligned text table with a header; `-` for whole-run sizes.
pub fn render_text(rows: &[SizeTableRow]) -> String {
    let header = ["index", "size", "kind", "run_pages", "elements"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.index.to_string(),
                r.size.to_string(),
                r.kind.clone(),
                r.run_pages.to_string(),
                r.elements.map_or("-".to_string(), |e| e.to_string()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut text = String::new();
    let mut push_row = |row: [&str; 5]| {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i == 2 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    };
    push_row(header);
    for row in &cells {
        push_row([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    text
}

/// Runs `sizes`: exit 0, or 2 on a bad flag.
pub fn run(args: &SizesArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let rows = match table(args) {
        Ok(rows) => rows,
        Err(bad) => return bad_input(err, &bad.flag, &bad.message),
    };
    let text = if args.json {
        match serde_json::to_string_pretty(&rows) {
            Ok(json) => json + "\n",
            Err(e) => {
                let _ = writeln!(err, "error: cannot render the table as JSON: {e}");
                return Exit::Done;
            }
        }
    } else {
        render_text(&rows)
    };
    let _ = out.write_all(text.as_bytes());
    Exit::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(page_size: Option<i64>, max_order: Option<i64>) -> SizesArgs {
        SizesArgs {
            page_size,
            max_order,
            profile: "netty-4.1".into(),
            json: false,
        }
    }

    #[test]
    fn default_table_has_68_rows_and_aligned_text() {
        let rows = table(&args(None, None)).unwrap();
        assert_eq!(rows.len(), 68);
        let text = render_text(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 69);
        assert_eq!(lines[0], "index     size  kind    run_pages  elements");
        assert_eq!(lines[1], "    0       16  small           1       512");
        assert_eq!(lines[68], "   67  4194304  normal        512         -");
    }

    #[test]
    fn legacy_profile_shows_tiny_small_and_normal() {
        let mut a = args(None, None);
        a.profile = "netty-4.1.48".into();
        let rows = table(&a).unwrap();
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "tiny").count(), 32);
        assert_eq!(kinds.iter().filter(|k| **k == "small").count(), 4);
        assert_eq!(kinds.iter().filter(|k| **k == "normal").count(), 12);
        let text = render_text(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "    0         0  tiny            1         -");
        assert_eq!(lines[33], "   32       512  small           1        16");
        assert_eq!(lines[48], "   47  16777216  normal       2048         -");
    }

    #[test]
    fn netty_rejections_name_the_flag() {
        let e = table(&args(Some(4095), None)).unwrap_err();
        assert_eq!(e.flag, "--page-size");
        let e = table(&args(None, Some(15))).unwrap_err();
        assert_eq!(e.flag, "--max-order");
        assert_eq!(
            e.message,
            "java.lang.IllegalArgumentException: maxOrder: 15 (expected: 0-14)"
        );
    }
}
