//! Reports of a run: the terminal's text and the JSON document.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use mmap_reference::Platform;
use serde::Serialize;

use crate::judge::Verdict;
use crate::known::{Known, KnownList};
use crate::runner::{CaseResult, Engine};
use crate::scenario::Scenario;
use crate::target::{Implementation, Target};
use crate::transcript::Entry;

/// The version of the JSON report's format.
pub const JSON_VERSION: u32 = 3;

/// Whether to colour terminal output: a terminal, and `NO_COLOR` unset or empty.
pub fn use_colour() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes the details of every failure no known difference accepts; with
/// several implementations, the matrix of topics by implementation and the
/// differences grouped by signature; the known differences that no longer
/// occur; then one summary line per implementation.
pub fn write_text(
    out: &mut dyn Write,
    results: &[CaseResult],
    known: &KnownList,
    stale: &[&Known],
    colour: bool,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    for r in results.iter().filter(|r| r.fails()) {
        writeln!(
            out,
            "{} {}::{}: {}",
            paint("1;31", "FAIL"),
            r.implementation.id,
            r.scenario,
            r.verdict.label()
        )?;
        match &r.verdict {
            Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => writeln!(out, "{d}")?,
            Verdict::Error(e) => writeln!(out, "{e}\n")?,
            _ => {}
        }
    }
    let imps = implementations(results);
    if imps.len() > 1 {
        write_matrix(out, results, &imps)?;
        write_signatures(out, results, known)?;
    }
    for k in stale {
        writeln!(
            out,
            "{} {}: the known difference for {} in {} (got {}) no longer occurs ({})",
            paint("1;31", "STALE"),
            k.at,
            k.implementation,
            k.scenarios.join(", "),
            k.got.join(" | "),
            k.reason
        )?;
    }
    for imp in imps {
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for r in results.iter().filter(|r| r.implementation.id == imp.id) {
            let label = if r.known.is_some() {
                "known difference"
            } else {
                r.verdict.label()
            };
            *counts.entry(label).or_default() += 1;
        }
        let parts: Vec<String> = counts
            .iter()
            .map(|(label, n)| format!("{n} {label}"))
            .collect();
        writeln!(out, "{imp}: {}", parts.join(", "))?;
    }
    Ok(())
}

/// The scenarios a real CPython passed on a platform whose expectations
/// they mark `unconfirmed`: evidence to move the mark to `confirmed`. One
/// line per (implementation, platform).
pub fn confirmations(scenarios: &[Scenario], results: &[CaseResult]) -> Vec<String> {
    let unconfirmed: BTreeMap<&str, Vec<Platform>> = scenarios
        .iter()
        .filter(|s| !s.unconfirmed.is_empty())
        .map(|s| {
            (
                s.id.as_str(),
                s.unconfirmed.iter().map(|n| n.platform).collect(),
            )
        })
        .collect();
    let mut found: BTreeMap<(String, Platform), Vec<&str>> = BTreeMap::new();
    for r in results {
        let imp = &r.implementation;
        if imp.name != "cpython" || !matches!(r.verdict, Verdict::Pass) {
            continue;
        }
        let platform = imp.profile.platform;
        if unconfirmed
            .get(r.scenario.as_str())
            .is_some_and(|platforms| platforms.contains(&platform))
        {
            found
                .entry((format!("{imp}"), platform))
                .or_default()
                .push(&r.scenario);
        }
    }
    found
        .into_iter()
        .map(|((imp, platform), ids)| {
            format!(
                "{imp} passed {} scenario(s) whose {platform} expectations are marked unconfirmed; \
                 move the mark to `confirmed`, naming this run: {}",
                ids.len(),
                ids.join(", ")
            )
        })
        .collect()
}

/// The implementations of a run, in the order they first appear.
fn implementations(results: &[CaseResult]) -> Vec<&Implementation> {
    let mut imps: Vec<&Implementation> = vec![];
    for r in results {
        if !imps.iter().any(|i| i.id == r.implementation.id) {
            imps.push(&r.implementation);
        }
    }
    imps
}

/// Topics (spec files) by implementation: passes out of the scenarios that
/// apply, with failures and accepted differences counted apart.
fn write_matrix(
    out: &mut dyn Write,
    results: &[CaseResult],
    imps: &[&Implementation],
) -> io::Result<()> {
    let mut topics: Vec<&str> = results.iter().map(|r| r.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    let cell = |topic: Option<&str>, imp: &str| {
        let (mut pass, mut applicable, mut known) = (0, 0, 0);
        for r in results
            .iter()
            .filter(|r| r.implementation.id == imp && topic.is_none_or(|t| r.topic == t))
        {
            match (&r.verdict, r.known) {
                (Verdict::NotApplicable(_), _) => continue,
                (Verdict::Pass, _) => pass += 1,
                (_, Some(_)) => known += 1,
                _ => {}
            }
            applicable += 1;
        }
        match (applicable, known) {
            (0, _) => "-".to_owned(),
            (_, 0) => format!("{pass}/{applicable}"),
            _ => format!("{pass}/{applicable} +{known}k"),
        }
    };
    let width = topics.iter().map(|t| t.len()).max().unwrap_or(0).max(5);
    let widths: Vec<usize> = imps
        .iter()
        .map(|i| i.id.len().max(cell(None, &i.id).len()))
        .collect();
    writeln!(
        out,
        "\npasses / scenarios that apply (+Nk: accepted known differences)"
    )?;
    write!(out, "{:width$}", "topic")?;
    for (i, w) in imps.iter().zip(&widths) {
        write!(out, "  {:>w$}", i.id)?;
    }
    writeln!(out)?;
    for topic in topics.iter().map(|t| Some(*t)).chain([None]) {
        write!(out, "{:width$}", topic.unwrap_or("all"))?;
        for (i, w) in imps.iter().zip(&widths) {
            write!(out, "  {:>w$}", cell(topic, &i.id))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// One line per distinct difference: what was expected and what came back,
/// with the implementations and scenarios that show it, so that one root
/// cause reads as one line.
fn write_signatures(
    out: &mut dyn Write,
    results: &[CaseResult],
    known: &KnownList,
) -> io::Result<()> {
    // signature -> (implementation ids, scenario ids, a known entry covering it)
    type Group<'a> = (Vec<&'a str>, Vec<&'a str>, Option<usize>);
    let mut groups: BTreeMap<String, Group<'_>> = BTreeMap::new();
    for r in results.iter().filter(|r| r.verdict.is_failure()) {
        let signature = match &r.verdict {
            Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => {
                format!("expected {}, got {}", d.expected, d.got)
            }
            Verdict::Error(e) => format!("error: {}", e.lines().next().unwrap_or_default()),
            _ => continue,
        };
        let g = groups.entry(signature).or_default();
        if !g.0.contains(&r.implementation.id.as_str()) {
            g.0.push(&r.implementation.id);
        }
        g.1.push(&r.scenario);
        g.2 = g.2.or(r.known);
    }
    if groups.is_empty() {
        return Ok(());
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.1.len().cmp(&a.1.1.len()).then(a.0.cmp(&b.0)));
    writeln!(
        out,
        "\ndifferences by signature ({} distinct)",
        groups.len()
    )?;
    for (signature, (imps, scenarios, k)) in groups {
        let mut ids = scenarios.clone();
        ids.sort_unstable();
        ids.dedup();
        let more = if ids.len() > 3 {
            format!(" and {} more", ids.len() - 3)
        } else {
            String::new()
        };
        let accepted = k
            .and_then(|i| known.0.get(i))
            .map(|k| format!(" [known: {}]", k.at))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:>3}x {}: {signature}{accepted}\n        e.g. {}{more}",
            scenarios.len(),
            imps.join(", "),
            ids.iter().take(3).copied().collect::<Vec<_>>().join(", ")
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    implementations: Vec<JsonImplementation<'a>>,
    results: Vec<JsonResult<'a>>,
}

#[derive(Serialize)]
struct JsonImplementation<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    python: String,
    platform: &'static str,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    scenario: &'a str,
    implementation: &'a str,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    got: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript: Option<&'a [Entry]>,
}

/// The run as a JSON document (format `mmapconf-run`, version [`JSON_VERSION`]).
pub fn to_json(results: &[CaseResult], known: &KnownList) -> serde_json::Value {
    let imps = implementations(results);
    let report = JsonReport {
        format: "mmapconf-run",
        version: JSON_VERSION,
        implementations: imps
            .iter()
            .map(|i| JsonImplementation {
                id: &i.id,
                name: &i.name,
                version: &i.version,
                python: i.profile.python.to_string(),
                platform: i.profile.platform.name(),
            })
            .collect(),
        results: results
            .iter()
            .map(|r| {
                let (reason, divergence) = match &r.verdict {
                    Verdict::NotApplicable(why) | Verdict::Error(why) => (Some(why.as_str()), None),
                    Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => {
                        (None, Some(d))
                    }
                    Verdict::Pass => (None, None),
                };
                JsonResult {
                    scenario: &r.scenario,
                    implementation: &r.implementation.id,
                    verdict: r.verdict.label(),
                    known: r.known.and_then(|i| known.0.get(i)).map(|k| k.at.as_str()),
                    reason,
                    step: divergence.map(|d| d.step),
                    summary: divergence.map(|d| d.summary.as_str()),
                    expected: divergence.map(|d| d.expected.as_str()),
                    got: divergence.map(|d| d.got.as_str()),
                    diff: divergence.map(|d| d.diff.as_str()),
                    transcript: r.transcript.as_ref().map(|t| t.entries.as_slice()),
                }
            })
            .collect(),
    };
    serde_json::to_value(report).unwrap_or_default()
}

/// Writes where a run's time went: the wall time, and for each
/// implementation how many adapters started and how long they took, so the
/// cost of interpreter start-up shows beside the cost of the scenarios.
/// Timings vary from run to run, so they go to standard error, apart from
/// the results.
pub fn write_timing(
    out: &mut impl Write,
    engine: &Engine,
    targets: &[Target],
    wall: Duration,
) -> io::Result<()> {
    writeln!(
        out,
        "ran in {:.2} s; adapter start-ups:",
        wall.as_secs_f64()
    )?;
    for t in targets {
        let times = engine.startups(&t.launch);
        let total: Duration = times.iter().sum();
        let mean = total.checked_div(times.len().try_into().unwrap_or(u32::MAX));
        writeln!(
            out,
            "  {}: {} × {:.0} ms",
            t.implementation.id,
            times.len(),
            mean.unwrap_or_default().as_secs_f64() * 1000.0
        )?;
    }
    Ok(())
}
