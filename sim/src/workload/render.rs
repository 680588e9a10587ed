//! The forecast as text: what `leakproof run` prints.

use super::report::{Forecast, When};
use std::fmt::Write;

/// `7.96 GiB`, `37.2 MiB`, `512 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.2} {}", UNITS[unit])
    }
}

/// `18,466,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The whole text report.
pub fn render(f: &Forecast) -> String {
    let mut o = String::new();
    let s = &f.setup;
    let _ = writeln!(
        o,
        "leakproof run {} (scenario {}, seed {})",
        f.scenario, f.scenario_hash, f.seed
    );
    let gc = s
        .gc_interval_seconds
        .map_or("no garbage collection".to_string(), |g| {
            format!("a GC every {g} s")
        });
    let _ = writeln!(
        o,
        "  {} ({}), {} chunks, {} direct arenas, {} event loops, direct limit {}, leak detection {} (1 in {}), {gc}",
        s.profile,
        s.netty_version,
        bytes(s.chunk_size as u64),
        s.direct_arenas,
        s.event_loops,
        if s.direct_limit < 0 { "none".to_string() } else { bytes(s.direct_limit as u64) },
        s.leak_level,
        s.sampling_interval,
    );
    let _ = writeln!(
        o,
        "  {} messages a day of {:.0} B on average, over at most {} days",
        count(s.messages_per_day),
        s.mean_message_bytes,
        s.horizon_days
    );
    let _ = writeln!(o);
    match (&f.oom_exception, f.oom_seconds, f.oom_day) {
        (Some(e), Some(seconds), Some(day)) => {
            let at = When { seconds, day }.long();
            let _ = writeln!(
                o,
                "OutOfMemory after {at}, at message {}:\n  {e}",
                count(f.messages)
            );
        }
        _ => {
            let _ = writeln!(
                o,
                "No out-of-memory error within {} days ({} messages); direct memory peaked at {}.",
                s.horizon_days,
                count(f.messages),
                bytes(f.peak.direct_used.max(0) as u64)
            );
        }
    }
    let _ = writeln!(o);
    match &f.first_leak {
        Some(l) => {
            let _ = writeln!(o, "First LEAK: after {} (stage {}):", l.at.long(), l.stage);
            for line in l.text.lines() {
                let _ = writeln!(o, "  {line}");
            }
            let later: Vec<String> = f
                .leak_times
                .iter()
                .skip(1)
                .map(|(w, stage)| format!("{} ({stage})", w.human()))
                .collect();
            let _ = writeln!(
                o,
                "  {} LEAK: message(s) in all{}{}",
                f.leak_messages,
                if later.is_empty() {
                    ""
                } else {
                    "; the others after "
                },
                later.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                o,
                "No LEAK: would appear ({} leak trackers, {} garbage collections).",
                count(f.trackers),
                count(f.gc_runs)
            );
        }
    }
    let _ = writeln!(o);
    peak(&mut o, f);
    let _ = writeln!(o);
    stages(&mut o, f);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Simulated {} messages: {} allocations, {} releases, {} GCs, {} leak trackers; {} structural checks {}.",
        count(f.messages),
        count(f.allocations),
        count(f.releases),
        count(f.gc_runs),
        count(f.trackers),
        count(f.checks_run),
        if f.failure.is_some() { "run, one failed" } else { "passed" }
    );
    if let Some(fail) = &f.failure {
        let _ = writeln!(
            o,
            "FAILED at step {}: invariant {} violated: {}",
            fail.step, fail.invariant, fail.message
        );
    }
    o
}

fn peak(o: &mut String, f: &Forecast) {
    let p = &f.peak;
    let b = &p.by_source;
    let _ = writeln!(
        o,
        "Peak direct memory {} (after {}); at {} d {:02} h by source:",
        bytes(p.direct_used.max(0) as u64),
        p.at.human(),
        b.time_s / 86_400,
        (b.time_s % 86_400) / 3600
    );
    let by_stage: Vec<String> = f
        .stages
        .iter()
        .zip(&b.leaked_by_stage)
        .filter(|(_, &v)| v > 0)
        .map(|(t, &v)| format!("{} {}", t.stage, bytes(v)))
        .collect();
    let rows = [
        (
            "Netty's direct counter",
            b.direct_used.max(0) as u64,
            String::new(),
        ),
        (
            "  pooled chunks",
            b.chunk_bytes,
            format!("{} chunks", count(b.chunks)),
        ),
        ("    leaked buffers", b.leaked_bytes, by_stage.join(", ")),
        ("    thread caches", b.cached_bytes, String::new()),
        ("    free in chunks", b.free_in_chunks, String::new()),
        ("  huge allocations", b.huge_bytes, String::new()),
        (
            "JDK direct (Cleaner)",
            b.jdk_direct_reserved.max(0) as u64,
            String::new(),
        ),
        (
            "heap (buffer arrays)",
            b.heap_used.max(0) as u64,
            String::new(),
        ),
    ];
    for (name, v, note) in rows {
        let _ = writeln!(o, "  {name:<24} {:>12}  {note}", bytes(v));
    }
}

fn stages(o: &mut String, f: &Forecast) {
    let _ = writeln!(
        o,
        "  {:<16} {:>12} {:>12} {:>12} {:>12} {:>10} {:>9} {:>9}",
        "stage", "created", "released", "leaked", "leaked bytes", "in pool", "tracked", "reported"
    );
    for t in f.stages.iter().filter(|t| t.created > 0) {
        let _ = writeln!(
            o,
            "  {:<16} {:>12} {:>12} {:>12} {:>12} {:>10} {:>9} {:>9}",
            t.stage,
            count(t.created),
            count(t.released),
            count(t.leaked),
            bytes(t.leaked_requested_bytes),
            bytes(t.leaked_pool_bytes),
            count(t.leaked_tracked),
            count(t.reported),
        );
    }
}
