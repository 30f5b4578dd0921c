//! The HTML report of a run: one self-contained file (styles, script and
//! data inline, nothing fetched) with the matrix of scenarios by
//! implementation, coloured by verdict and filterable; a cell opens the
//! scenario's transcript on that implementation and its diff.

use std::io::{self, Write};

use serde::Serialize;

use crate::judge::Verdict;
use crate::known::KnownList;
use crate::runner::CaseResult;

#[derive(Serialize)]
struct Data<'a> {
    implementations: Vec<(&'a str, String)>,
    scenarios: Vec<(&'a str, &'a str)>,
    cells: Vec<Cell<'a>>,
}

#[derive(Serialize)]
struct Cell<'a> {
    scenario: &'a str,
    implementation: &'a str,
    /// `pass`, `known`, `differs`, `na` or `error`: the cell's class.
    class: &'static str,
    verdict: &'static str,
    detail: String,
    diff: &'a str,
    transcript: Vec<String>,
}

/// Writes the report of `results`.
pub fn write(out: &mut impl Write, results: &[CaseResult], known: &KnownList) -> io::Result<()> {
    let mut data = Data {
        implementations: vec![],
        scenarios: vec![],
        cells: vec![],
    };
    for r in results {
        let imp = &r.implementation;
        if !data.implementations.iter().any(|(id, _)| *id == imp.id) {
            data.implementations.push((&imp.id, imp.to_string()));
        }
        if !data.scenarios.iter().any(|(id, _)| *id == r.scenario) {
            data.scenarios.push((&r.scenario, &r.topic));
        }
        let accepted = r.known.and_then(|i| known.0.get(i));
        let (class, detail, diff) = match (&r.verdict, accepted) {
            (Verdict::Pass, _) => ("pass", String::new(), ""),
            (Verdict::NotApplicable(why), _) => ("na", why.clone(), ""),
            (Verdict::Error(e), _) => ("error", e.clone(), ""),
            (Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d), Some(k)) => (
                "known",
                format!("{}\nknown difference ({}): {}", d.summary, k.at, k.reason),
                d.diff.as_str(),
            ),
            (Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d), None) => {
                ("differs", d.summary.clone(), d.diff.as_str())
            }
        };
        data.cells.push(Cell {
            scenario: &r.scenario,
            implementation: &imp.id,
            class,
            verdict: r.verdict.label(),
            detail,
            diff,
            transcript: r.transcript.as_ref().map_or_else(Vec::new, |t| {
                t.entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{:>3} {} {}", i + 1, e.text, e.outcome))
                    .collect()
            }),
        });
    }
    // `</` would end the script element early; JSON allows `<\/`.
    let json = serde_json::to_string(&data)
        .map_err(io::Error::other)?
        .replace("</", "<\\/");
    write!(out, "{HEAD}{json}{TAIL}")
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mmapconf report</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; }
th.topic { text-align: left; background: #eee; }
td.cell { cursor: pointer; text-align: center; min-width: 4em; }
td.pass { background: #c8e6c9; } td.known { background: #fff3b0; }
td.differs { background: #ffab91; } td.error { background: #ce93d8; }
td.na { background: #f0f0f0; color: #888; }
#detail { position: fixed; right: 0; top: 0; bottom: 0; width: 45%; overflow: auto;
  background: #fff; border-left: 2px solid #888; padding: 1em; display: none; }
#detail.open { display: block; }
pre { white-space: pre-wrap; background: #f7f7f7; padding: .5em; }
</style>
</head>
<body>
<h1>mmapconf report</h1>
<p><label>Scenario filter <input id="filter" placeholder="find-"></label>
<label><input type="checkbox" id="failures"> only rows with a failure</label>
<span id="counts"></span></p>
<table id="matrix"></table>
<div id="detail"></div>
<script id="data" type="application/json">"#;

const TAIL: &str = r#"</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const cells = new Map(data.cells.map(c => [c.scenario + "\u0000" + c.implementation, c]));
const matrix = document.getElementById("matrix");
const detail = document.getElementById("detail");

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function open(scenario, implementation) {
  const c = cells.get(scenario + "\u0000" + implementation);
  detail.replaceChildren(
    el("h2", {}, scenario),
    el("p", {}, implementation + ": " + c.verdict),
    el("pre", { class: "summary" }, c.detail),
    el("h3", {}, "diff"),
    el("pre", { class: "diff" }, c.diff || "(none)"),
    el("h3", {}, "transcript"),
    el("pre", { class: "transcript" }, c.transcript.join("\n") || "(not run)"));
  detail.className = "open";
}

function render() {
  const filter = document.getElementById("filter").value;
  const failures = document.getElementById("failures").checked;
  const head = el("tr");
  head.append(el("th", {}, "scenario"));
  for (const [id, label] of data.implementations) head.append(el("th", { title: label }, id));
  matrix.replaceChildren(head);
  let topic = null, shown = 0;
  for (const [scenario, t] of data.scenarios) {
    if (filter && !scenario.includes(filter)) continue;
    const row = data.implementations.map(([id]) => cells.get(scenario + "\u0000" + id));
    if (failures && !row.some(c => c && (c.class === "differs" || c.class === "error"))) continue;
    if (t !== topic) {
      topic = t;
      const tr = el("tr");
      tr.append(el("th", { class: "topic", colspan: String(data.implementations.length + 1) }, t));
      matrix.append(tr);
    }
    const tr = el("tr");
    tr.append(el("td", {}, scenario));
    data.implementations.forEach(([id], i) => {
      const c = row[i];
      const td = el("td", c ? { class: "cell " + c.class, "data-scenario": scenario,
        "data-implementation": id, title: c.verdict } : {}, c ? c.class : "");
      if (c) td.addEventListener("click", () => open(scenario, id));
      tr.append(td);
    });
    matrix.append(tr);
    shown++;
  }
  document.getElementById("counts").textContent = shown + " of " + data.scenarios.length + " scenarios";
}

document.getElementById("filter").addEventListener("input", render);
document.getElementById("failures").addEventListener("change", render);
render();
// `#open=SCENARIO/IMPLEMENTATION` clicks that cell, for links and tests.
const wanted = decodeURIComponent(location.hash).match(/^#open=([^/]+)\/(.+)$/);
if (wanted) {
  const td = matrix.querySelector(`td[data-scenario="${wanted[1]}"][data-implementation="${wanted[2]}"]`);
  if (td) td.click();
}
</script>
</body>
</html>
"#;
