//! The files a run writes into `--out DIR`: the memory samples as CSV and a
//! memory-over-time plot as SVG (plotters), both named after the scenario.

use super::render::bytes;
use super::report::Forecast;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const GIB: f64 = (1u64 << 30) as f64;

/// Writes `<scenario>.csv` and `<scenario>.svg` into `dir` (created if needed).
pub fn write_files(f: &Forecast, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let csv_path = dir.join(format!("{}.csv", f.scenario));
    std::fs::write(&csv_path, csv(f))?;
    let svg_path = dir.join(format!("{}.svg", f.scenario));
    std::fs::write(&svg_path, svg(f).map_err(std::io::Error::other)?)?;
    Ok(vec![svg_path, csv_path])
}

/// One row per sample: time, every memory source, leaked bytes per stage.
pub fn csv(f: &Forecast) -> String {
    let mut o = String::from(
        "time_s,day,direct_used,jdk_direct_reserved,heap_used,chunks,chunk_bytes,huge_bytes,\
         leaked_bytes,cached_bytes,free_in_chunks",
    );
    for t in &f.stages {
        let _ = write!(o, ",leaked_{}", t.stage);
    }
    o.push('\n');
    for s in &f.samples {
        let _ = write!(
            o,
            "{},{:.6},{},{},{},{},{},{},{},{},{}",
            s.time_s,
            s.time_s as f64 / 86_400.0,
            s.direct_used,
            s.jdk_direct_reserved,
            s.heap_used,
            s.chunks,
            s.chunk_bytes,
            s.huge_bytes,
            s.leaked_bytes,
            s.cached_bytes,
            s.free_in_chunks
        );
        for v in &s.leaked_by_stage {
            let _ = write!(o, ",{v}");
        }
        o.push('\n');
    }
    o
}

/// Direct memory, leaked bytes and the limit over days, with the first `LEAK:` and
/// the OOM marked.
pub fn svg(f: &Forecast) -> Result<String, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (960, 540)).into_drawing_area();
        draw(&root, f).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    f: &Forecast,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let end_day = f
        .samples
        .last()
        .map_or(1.0, |s| s.time_s as f64 / 86_400.0)
        .max(f.setup.horizon_days.min(f.oom_day.unwrap_or(f64::MAX)))
        .max(1e-3);
    let limit = f.setup.direct_limit.max(0) as f64 / GIB;
    let top = f
        .samples
        .iter()
        .map(|s| s.direct_used.max(0) as f64 / GIB)
        .fold(limit, f64::max)
        .max(0.001)
        * 1.08;
    let title = match (f.oom_day, &f.first_leak) {
        (Some(d), _) => format!("{}: OutOfDirectMemoryError after {d:.2} days", f.scenario),
        (None, _) => format!(
            "{}: no OOM within {} days",
            f.scenario, f.setup.horizon_days
        ),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..end_day, 0.0..top)?;
    chart.configure_mesh().x_desc("days").y_desc("GiB").draw()?;
    let series = |get: fn(&super::memory::MemorySample) -> f64| {
        f.samples
            .iter()
            .map(move |s| (s.time_s as f64 / 86_400.0, get(s)))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(
            series(|s| s.direct_used.max(0) as f64 / GIB),
            &BLUE,
        ))?
        .label("Netty direct memory (usedDirectMemory)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(LineSeries::new(
            series(|s| s.leaked_bytes as f64 / GIB),
            &RED,
        ))?
        .label("leaked buffers")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    if limit > 0.0 {
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, limit), (end_day, limit)],
                BLACK.stroke_width(1),
            ))?
            .label(format!("limit {}", bytes(f.setup.direct_limit as u64)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    }
    if let Some(l) = &f.first_leak {
        let x = l.at.day;
        chart
            .draw_series(LineSeries::new(
                vec![(x, 0.0), (x, top)],
                GREEN.stroke_width(2),
            ))?
            .label(format!("first LEAK: ({:.2} days)", x))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREEN));
    }
    if let Some(d) = f.oom_day {
        chart
            .draw_series(LineSeries::new(
                vec![(d, 0.0), (d, top)],
                MAGENTA.stroke_width(2),
            ))?
            .label(format!("OOM ({d:.2} days)"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], MAGENTA));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
