//! The results table: criterion's estimates, as ratios to CPython and to the
//! limit, in Markdown.

use std::fmt::Write as _;
use std::path::Path;

/// What a row measures and what it is held to.
struct Row {
    group: &'static str,
    operation: &'static str,
    /// The least CPython-time ÷ reference-time accepted.
    cpython_goal: f64,
    /// The most reference-time ÷ limit-time accepted, if any.
    limit_goal: Option<f64>,
    /// One pass over the whole map (timed in ms, with a throughput), or
    /// one call (timed in ns).
    bulk: bool,
    /// Why the figure can fall short of its goal, and what would close the
    /// gap; printed under the table when it does.
    note: &'static str,
}

const fn row(
    group: &'static str,
    operation: &'static str,
    cpython_goal: f64,
    limit_goal: Option<f64>,
    bulk: bool,
) -> Row {
    Row {
        group,
        operation,
        cpython_goal,
        limit_goal,
        bulk,
        note: "",
    }
}

impl Row {
    const fn note(self, note: &'static str) -> Row {
        Row { note, ..self }
    }
}

const RFIND: &str = "`rfind` goes from the top of the map down, as CPython's does; where \
    pages may lack backing (an anonymous map, or past the end of the file) it must search \
    a page at a time so that a fault happens where CPython's would, and memchr's set-up \
    per page costs about 40%; over a file map that the file covers it searches 1 MiB \
    at a time, at the limit. CPython's reverse search skips ahead over bytes that are not \
    in the needle, which makes it fast where the needle's bytes are rare.";

const READLINE: &str = "each line is returned as a new `Vec` (Python's `bytes`): \
    `malloc` and `free` take a third of the time and memchr's set-up for a 100-byte line \
    a fifth; CPython's small-object allocator serves short `bytes` from arenas, and the \
    limit copies nothing. What would close it: a `readline` that lends a slice of the map \
    to Rust callers, or a small-object allocator in the program that embeds the reference.";

const FULL_SLICE: &str = "all three pay for a fresh 1 GiB allocation, and the page \
    faults of its first touch dominate (the copy is a fifth of the time): the ratios are \
    noise around 1. Nothing in the reference would close it; a caller could reuse a \
    buffer that is already faulted in.";

const BIG_COPY: &str = "the work is one large copy (`memcpy`/`memmove` of 1 MiB or \
    more per call) in all three, bound by memory bandwidth: the ratio to CPython is 1 \
    within the few percent that repeated runs vary by. Nothing would close it; there is \
    no gap to close.";

const ROWS: [Row; 15] = [
    row(
        "find_hit",
        "`find`, hit 1000 bytes before the end",
        2.0,
        Some(1.5),
        true,
    ),
    row("find_miss", "`find`, miss", 2.0, Some(1.5), true),
    row(
        "rfind_hit",
        "`rfind`, hit 1000 bytes after the start",
        2.0,
        None,
        true,
    )
    .note(RFIND),
    row("rfind_miss", "`rfind`, miss", 2.0, Some(1.5), true).note(RFIND),
    row(
        "readline",
        "`readline` over every 100-byte line",
        2.0,
        None,
        true,
    )
    .note(READLINE),
    row(
        "read_4KiB",
        "`read(4096)` over the map",
        1.0,
        Some(1.5),
        true,
    ),
    row(
        "read_1MiB",
        "`read(1 MiB)` over the map",
        1.0,
        Some(1.5),
        true,
    )
    .note(BIG_COPY),
    row(
        "write_4KiB",
        "`write` of 4 KiB over the map",
        1.0,
        Some(1.5),
        true,
    ),
    row(
        "write_1MiB",
        "`write` of 1 MiB over the map",
        1.0,
        Some(1.5),
        true,
    )
    .note(BIG_COPY),
    row("full_slice", "`m[:]`", 1.0, Some(1.5), true).note(FULL_SLICE),
    row("slice_assign", "`m[:] = data`", 1.0, Some(1.5), true).note(BIG_COPY),
    row(
        "overlapping_move",
        "`move(1, 0, len - 1)`",
        1.0,
        Some(1.5),
        true,
    )
    .note(BIG_COPY),
    row("seek", "`seek(0)`", 1.0, None, false),
    row("tell", "`tell()`", 1.0, None, false),
    row("read_byte", "`read_byte()`", 1.0, None, false),
];

/// Where the figures were taken.
pub struct Machine {
    cpu: String,
    cores: usize,
    kernel: String,
    rustc: String,
    python: String,
    size: usize,
}

impl Machine {
    pub fn describe(python: &str, size: usize) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or("unknown", |(_, v)| v.trim())
            .to_string();
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |s| s.trim().to_string());
        let rustc = std::process::Command::new("rustc")
            .arg("-V")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map_or_else(|| "unknown".into(), |s| s.trim().to_string());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            kernel,
            rustc,
            python: python.split_whitespace().next().unwrap_or("?").to_string(),
            size,
        }
    }
}

/// Criterion's median time per run, in ns, for one function of one group.
fn median_ns(results: &Path, group: &str, function: &str) -> Option<f64> {
    let path = results
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn duration(ns: f64, bulk: bool) -> String {
    if bulk {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{ns:.1} ns")
    }
}

/// The table for every group criterion ran, with the machine and the command.
pub fn render(results: &Path, machine: &Machine) -> String {
    let gib = machine.size as f64 / (1u64 << 30) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Operation | Reference | CPython {py} | Limit | CPython ÷ reference | Reference ÷ limit | Goal |",
        py = machine.python
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    // Each note once, after every operation it explains.
    let mut notes: Vec<(Vec<&str>, &str)> = vec![];
    for r in &ROWS {
        let Some(reference) = median_ns(results, r.group, "reference") else {
            continue;
        };
        let cpython = median_ns(results, r.group, "cpython");
        let limit = median_ns(results, r.group, "limit");
        let speedup = cpython.map(|c| c / reference);
        let of_limit = limit.map(|l| reference / l);
        let throughput = |ns: f64| format!(" ({:.2} GiB/s)", gib / (ns / 1e9));
        let cell = |ns: Option<f64>| {
            ns.map_or_else(
                || "—".to_string(),
                |ns| {
                    let t = duration(ns, r.bulk);
                    if r.bulk { t + &throughput(ns) } else { t }
                },
            )
        };
        let met = speedup.is_some_and(|s| s >= r.cpython_goal)
            && match (r.limit_goal, of_limit) {
                (Some(goal), Some(x)) => x <= goal,
                (Some(_), None) => false,
                (None, _) => true,
            };
        let goal = match r.limit_goal {
            Some(l) => format!("≥ {}× CPython, ≤ {l}× limit", r.cpython_goal),
            None => format!("≥ {}× CPython", r.cpython_goal),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {goal}: {} |",
            r.operation,
            cell(Some(reference)),
            cell(cpython),
            cell(limit),
            speedup.map_or("—".into(), |s| format!("{s:.2}×")),
            of_limit.map_or("—".into(), |x| format!("{x:.2}×")),
            if met { "met" } else { "**short**" },
        );
        if !met {
            match notes.iter_mut().find(|(_, n)| *n == r.note) {
                Some((operations, _)) => operations.push(r.operation),
                None => notes.push((vec![r.operation], r.note)),
            }
        }
    }
    if !notes.is_empty() {
        out.push_str("\nWhere a figure falls short:\n\n");
        for (operations, note) in notes {
            let note = if note.is_empty() {
                "no explanation recorded."
            } else {
                note
            };
            let _ = writeln!(out, "- {}: {note}", operations.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "\nMedians of criterion's samples; bulk rows are one pass over a {:.0} MiB file map \
         (page cache warm), per-call rows one call. Machine: {}, {} cores, Linux {}; {}; \
         CPython {} embedded. Reproduce: `MMAPCONF_BENCH_TABLE=docs/benchmarks.md \
         cargo bench -p mmap-conformance --bench bulk` (about 8 minutes).",
        machine.size as f64 / (1u64 << 20) as f64,
        machine.cpu,
        machine.cores,
        machine.kernel,
        machine.rustc,
        machine.python,
    );
    out
}
