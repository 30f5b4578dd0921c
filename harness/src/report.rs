//! Reports of a run: the terminal's text and the JSON document.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use crate::judge::Verdict;
use crate::runner::CaseResult;
use crate::target::Implementation;
use crate::transcript::Entry;

/// The version of the JSON report's format.
pub const JSON_VERSION: u32 = 1;

/// Whether to colour terminal output: a terminal, and `NO_COLOR` unset or empty.
pub fn use_colour() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes the details of every failing case, then one summary line per implementation.
pub fn write_text(out: &mut dyn Write, results: &[CaseResult], colour: bool) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    for r in results.iter().filter(|r| r.verdict.is_failure()) {
        writeln!(
            out,
            "{} {}::{}: {}",
            paint("1;31", "FAIL"),
            r.implementation.name,
            r.scenario,
            r.verdict.label()
        )?;
        match &r.verdict {
            Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => writeln!(out, "{d}")?,
            Verdict::Error(e) => writeln!(out, "{e}\n")?,
            _ => {}
        }
    }
    let mut per: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for r in results {
        *per.entry(r.implementation.to_string())
            .or_default()
            .entry(r.verdict.label())
            .or_default() += 1;
    }
    for (imp, counts) in per {
        let parts: Vec<String> = counts
            .iter()
            .map(|(label, n)| format!("{n} {label}"))
            .collect();
        writeln!(out, "{imp}: {}", parts.join(", "))?;
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
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript: Option<&'a [Entry]>,
}

/// The run as a JSON document (format `mmapconf-run`, version [`JSON_VERSION`]).
pub fn to_json(results: &[CaseResult]) -> serde_json::Value {
    let mut imps: Vec<&Implementation> = vec![];
    for r in results {
        if !imps.contains(&&r.implementation) {
            imps.push(&r.implementation);
        }
    }
    let report = JsonReport {
        format: "mmapconf-run",
        version: JSON_VERSION,
        implementations: imps
            .iter()
            .map(|i| JsonImplementation {
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
                    implementation: &r.implementation.name,
                    verdict: r.verdict.label(),
                    reason,
                    step: divergence.map(|d| d.step),
                    summary: divergence.map(|d| d.summary.as_str()),
                    diff: divergence.map(|d| d.diff.as_str()),
                    transcript: r.transcript.as_ref().map(|t| t.entries.as_slice()),
                }
            })
            .collect(),
    };
    serde_json::to_value(report).unwrap_or_default()
}
