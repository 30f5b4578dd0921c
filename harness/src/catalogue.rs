//! The behaviour catalogue: every scenario as a person looks it up, in
//! Markdown, generated from the specs and from the outcomes a run recorded
//! (`docs/observed.json`), with the version-change and platform-difference
//! tables derived from the scenarios' conditions rather than written by hand.
//!
//! The output depends only on its two inputs, so CI can regenerate it and
//! fail when the committed copy is stale.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use mmap_reference::{Platform, Profile, PyVersion};
use serde::{Deserialize, Serialize};

use crate::judge::{self, Verdict};
use crate::runner::CaseResult;
use crate::scenario::Scenario;
use crate::scenario::names::VERSIONS;
use crate::scenario::source_ref::{self, SourceRef};

/// What one implementation did on one scenario, as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The verdict's label (`pass`, `differs from spec`, `not applicable` …).
    pub verdict: String,
    /// The outcome at the first divergent step, for a difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
    /// True when the known-differences list accepts the difference.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known: bool,
}

/// An implementation of a recorded run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedImplementation {
    /// Its id (`cpython-3.8`).
    pub id: String,
    /// Its name and version (`cpython 3.8.18`).
    pub version: String,
    /// The Python version and platform it claims (`3.8 on linux`).
    pub profile: String,
}

/// The outcomes of a run, compact and in a stable order: the catalogue's
/// second input (`mmapconf run --record docs/observed.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// `mmapconf-observations`.
    pub format: String,
    /// The implementations, in the run's order.
    pub implementations: Vec<RecordedImplementation>,
    /// By scenario id, then implementation id.
    pub results: BTreeMap<String, BTreeMap<String, Observation>>,
}

impl Observations {
    /// The record of `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut obs = Observations {
            format: "mmapconf-observations".into(),
            ..Self::default()
        };
        for r in results {
            let imp = &r.implementation;
            if !obs.implementations.iter().any(|i| i.id == imp.id) {
                obs.implementations.push(RecordedImplementation {
                    id: imp.id.clone(),
                    version: format!("{} {}", imp.name, imp.version),
                    profile: imp.profile.to_string(),
                });
            }
            let got = match &r.verdict {
                Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => {
                    Some(d.got.clone())
                }
                Verdict::Error(e) => Some(e.lines().next().unwrap_or_default().to_owned()),
                _ => None,
            };
            obs.results.entry(r.scenario.clone()).or_default().insert(
                imp.id.clone(),
                Observation {
                    verdict: r.verdict.label().into(),
                    got,
                    known: r.known.is_some(),
                },
            );
        }
        obs
    }

    /// The repository's record, `docs/observed.json`.
    pub fn repository_path() -> PathBuf {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest
            .parent()
            .unwrap_or(manifest)
            .join("docs/observed.json")
    }

    /// Reads a record; none when the file does not exist.
    pub fn load(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
        }
    }
}

/// The expectations of every step for each profile: `None` where the
/// scenario does not apply.
fn expectations_for(
    s: &Scenario,
    profiles: impl Iterator<Item = Profile>,
) -> Vec<Option<Vec<String>>> {
    profiles
        .map(|profile| {
            s.when
                .excludes(profile)
                .is_none()
                .then(|| judge::expected_texts(s, profile))
        })
        .collect()
}

/// `platform`'s expectations of every step, by version.
fn expectations(s: &Scenario, platform: Platform) -> Vec<Option<Vec<String>>> {
    expectations_for(s, VERSIONS.iter().map(|&v| Profile::new(v, platform)))
}

/// `2.7: a; 3.6–3.14: b`, or just `a` when every version agrees.
fn by_version(texts: &[(PyVersion, String)]) -> String {
    let mut groups: Vec<(PyVersion, PyVersion, &str)> = vec![];
    for (v, t) in texts {
        match groups.last_mut() {
            Some((_, last, text)) if *text == t.as_str() => *last = *v,
            _ => groups.push((*v, *v, t)),
        }
    }
    if groups.len() == 1 {
        return code(groups[0].2);
    }
    groups
        .iter()
        .map(|(first, last, text)| {
            let range = if first == last {
                first.to_string()
            } else {
                format!("{first}–{last}")
            };
            format!("{range}: {}", code(text))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Inline code that survives any backtick or pipe in the text.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A trace with each source-line reference made a link to GitHub.
fn linked_trace(trace: &str) -> String {
    let mut out = trace.to_owned();
    for r in source_ref::parse(trace).unwrap_or_default() {
        if let SourceRef::Lines { text, url } = r {
            out = out.replacen(text, &format!("[`{text}`]({url})"), 1);
        }
    }
    out
}

/// A scenario's heading anchor, as GitHub's Markdown makes it.
fn anchor(id: &str) -> String {
    id.to_owned()
}

/// Writes the catalogue of `scenarios` with the outcomes of `obs`.
pub fn write(out: &mut impl Write, scenarios: &[Scenario], obs: &Observations) -> io::Result<()> {
    let platform = Platform::Linux;
    let mut topics: BTreeMap<String, Vec<&Scenario>> = BTreeMap::new();
    for s in scenarios {
        let topic = s
            .loc
            .file
            .file_stem()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        topics.entry(topic).or_default().push(s);
    }
    writeln!(out, "# The mmap behaviour catalogue\n")?;
    writeln!(
        out,
        "Every behaviour the suite pins down, by topic: what the spec expects of each \
         Python version and what each implementation did. Generated by `mmapconf catalogue` \
         from the scenarios in `spec/` and the outcomes recorded in `docs/observed.json`; \
         do not edit by hand. Expectations are Linux's, except for scenarios of other \
         platforms only; a platform's expectations not yet seen on that platform say \
         `Unconfirmed` and what they are traced to. {} scenarios.\n",
        scenarios.len()
    )?;
    if !obs.implementations.is_empty() {
        writeln!(out, "| implementation | version | claims |\n|---|---|---|")?;
        for i in &obs.implementations {
            writeln!(out, "| `{}` | {} | {} |", i.id, i.version, i.profile)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "## Contents\n")?;
    writeln!(
        out,
        "- [Behaviours that change between versions](#behaviours-that-change-between-versions)"
    )?;
    writeln!(
        out,
        "- [Behaviours that differ between platforms](#behaviours-that-differ-between-platforms)"
    )?;
    for (topic, list) in &topics {
        writeln!(out, "- [{topic}](#{topic}) ({})", list.len())?;
    }
    writeln!(out, "\n## Behaviours that change between versions\n")?;
    writeln!(
        out,
        "| scenario | step | outcome by version |\n|---|---|---|"
    )?;
    for s in scenarios {
        let exp = expectations(s, platform);
        for (i, step) in s.flat_steps().iter().enumerate() {
            let texts: Vec<(PyVersion, String)> = VERSIONS
                .iter()
                .zip(&exp)
                .filter_map(|(v, e)| e.as_ref().map(|e| (*v, e[i].clone())))
                .collect();
            if texts.windows(2).any(|w| w[0].1 != w[1].1) {
                writeln!(
                    out,
                    "| [{}](#{}) | {} | {} |",
                    s.id,
                    anchor(&s.id),
                    code(&step.text),
                    by_version(&texts)
                )?;
            }
        }
    }
    writeln!(out, "\n## Behaviours that differ between platforms\n")?;
    writeln!(
        out,
        "Expectations of the newest version on each platform; Windows and macOS \
         expectations are traced to the documents and CPython's source.\n"
    )?;
    writeln!(
        out,
        "| scenario | step | linux | macos | windows |\n|---|---|---|---|---|"
    )?;
    let newest = *VERSIONS.last().expect("versions are listed");
    for s in scenarios {
        let per = expectations_for(s, Platform::ALL.iter().map(|&p| Profile::new(newest, p)));
        for (i, step) in s.flat_steps().iter().enumerate() {
            // A long value's hex rows are left to the scenario's own table.
            let cells: Vec<String> = per
                .iter()
                .map(|e| {
                    e.as_ref().map_or_else(
                        || "n/a".to_owned(),
                        |e| code(e[i].lines().next().unwrap_or_default()),
                    )
                })
                .collect();
            if cells.windows(2).any(|w| w[0] != w[1]) {
                writeln!(
                    out,
                    "| [{}](#{}) | {} | {} |",
                    s.id,
                    anchor(&s.id),
                    code(&step.text),
                    cells.join(" | ")
                )?;
            }
        }
    }
    for (topic, list) in &topics {
        writeln!(out, "\n## {topic}")?;
        for s in list {
            write_scenario(out, s, platform, obs)?;
        }
    }
    Ok(())
}

fn write_scenario(
    out: &mut impl Write,
    s: &Scenario,
    platform: Platform,
    obs: &Observations,
) -> io::Result<()> {
    writeln!(out, "\n### {}\n", s.id)?;
    writeln!(out, "{}.\n", s.description)?;
    let cites: Vec<String> = s.cite.iter().map(|c| format!("`{c}`")).collect();
    writeln!(
        out,
        "Cites {}; written at `{}:{}`.",
        cites.join(", "),
        s.loc.file.display(),
        s.loc.line
    )?;
    // A scenario for other platforms only shows the first of them.
    let platform = match s.when.platforms.first() {
        Some(first) if !s.when.platforms.contains(&platform) => *first,
        _ => platform,
    };
    let exp = expectations(s, platform);
    let applies: Vec<String> = VERSIONS
        .iter()
        .zip(&exp)
        .filter(|(_, e)| e.is_none())
        .map(|(v, _)| v.to_string())
        .collect();
    if !applies.is_empty() {
        writeln!(out, "Does not apply to Python {}.", applies.join(", "))?;
    }
    if !s.when.platforms.is_empty() {
        let names: Vec<_> = s.when.platforms.iter().map(|p| p.name()).collect();
        writeln!(out, "Platforms: {}.", names.join(", "))?;
    }
    for note in &s.unconfirmed {
        writeln!(
            out,
            "Unconfirmed on {}: traced to {}.",
            note.platform,
            linked_trace(&note.note)
        )?;
    }
    for note in &s.confirmed {
        writeln!(out, "Confirmed on {} by {}.", note.platform, note.note)?;
    }
    if platform != Platform::Linux {
        writeln!(out, "\n| step | expected on {platform} |\n|---|---|")?;
    } else {
        writeln!(out, "\n| step | expected |\n|---|---|")?;
    }
    for (i, step) in s.flat_steps().iter().enumerate() {
        let texts: Vec<(PyVersion, String)> = VERSIONS
            .iter()
            .zip(&exp)
            .filter_map(|(v, e)| e.as_ref().map(|e| (*v, e[i].clone())))
            .collect();
        writeln!(out, "| {} | {} |", code(&step.text), by_version(&texts))?;
    }
    let Some(results) = obs.results.get(&s.id) else {
        writeln!(out, "\nNot in the recorded run.")?;
        return Ok(());
    };
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for imp in &obs.implementations {
        if let Some(o) = results.get(&imp.id) {
            let label = match (&o.got, o.known) {
                (Some(got), true) => format!("known difference, got {}", code(got)),
                (Some(got), false) => format!("{}, got {}", o.verdict, code(got)),
                (None, _) => o.verdict.clone(),
            };
            groups.entry(label).or_default().push(&imp.id);
        }
    }
    writeln!(out)?;
    for (label, ids) in groups {
        writeln!(out, "- {label}: {}", ids.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_group_by_version_ranges() {
        let v = PyVersion::new;
        let texts = vec![
            (v(2, 7), "-> b'a'".to_owned()),
            (v(3, 6), "-> 97".to_owned()),
            (v(3, 7), "-> 97".to_owned()),
        ];
        assert_eq!(by_version(&texts), "2.7: `-> b'a'`; 3.6–3.7: `-> 97`");
        assert_eq!(by_version(&texts[1..]), "`-> 97`");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
