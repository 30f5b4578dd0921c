//! Accepted differences (`known-differences.yaml`): each says which
//! implementations and scenarios it covers, why the difference is accepted,
//! and where the evidence is. A listed difference that no longer occurs is
//! reported, so that the list stays true.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::judge::Verdict;
use crate::runner::CaseResult;

/// The file's shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownDoc {
    differences: Vec<Spanned<EntryDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDoc {
    implementation: String,
    scenarios: Vec<String>,
    got: OneOrMany,
    reason: String,
    link: String,
}

/// `got:` as one outcome or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// One accepted difference.
#[derive(Debug, Clone)]
pub struct Known {
    /// `file:line` of the entry.
    pub at: String,
    /// The implementation id glob (`pypy-*`).
    pub implementation: String,
    /// Scenario id globs.
    pub scenarios: Vec<String>,
    /// The implementation's outcome at the first divergent step, exactly as
    /// reports print it after "got" (`!! ValueError('map closed or invalid')`),
    /// or several when one cause shows differently in different scenarios:
    /// a failure of another kind in the same scenario is not accepted.
    pub got: Vec<String>,
    /// Why it is accepted.
    pub reason: String,
    /// The evidence: an issue, a commit, a document.
    pub link: String,
    imp: GlobMatcher,
    ids: Vec<GlobMatcher>,
}

impl Known {
    /// True when the entry covers `scenario` on the implementation `imp`.
    pub fn covers(&self, imp: &str, scenario: &str) -> bool {
        self.imp.is_match(imp) && self.ids.iter().any(|g| g.is_match(scenario))
    }

    /// True when the entry accepts `verdict`: a difference whose first
    /// divergent step got what the entry says.
    pub fn accepts(&self, verdict: &Verdict) -> bool {
        matches!(verdict, Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d)
            if self.got.contains(&d.got))
    }
}

/// The list, in file order.
#[derive(Debug, Clone, Default)]
pub struct KnownList(pub Vec<Known>);

/// The repository's list, `known-differences.yaml` at its root.
pub fn repository_path() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("known-differences.yaml")
}

impl KnownList {
    /// True when an entry accepts that `scenario` kills the implementation
    /// `imp` (a signal or an exit where the spec expects an outcome): the
    /// runner then runs it in a forked child, as it does the scenarios the
    /// spec expects to crash, so that the adapter survives.
    pub fn expects_crash(&self, imp: &str, scenario: &str) -> bool {
        self.0.iter().any(|k| {
            k.covers(imp, scenario)
                && k.got
                    .iter()
                    .any(|g| g.starts_with("!! SIG") || g.starts_with("!! exit status"))
        })
    }

    /// Reads the list at `path`; errors name the file, line and column.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Self::parse(path, &text)
    }

    /// Parses the text of a list read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let doc: KnownDoc = serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            let msg = e.to_string();
            let msg = msg.lines().next().unwrap_or_default();
            let msg = msg.trim_start_matches("error: ");
            let msg = match msg.split_once(": ") {
                Some((p, rest)) if p.starts_with("line ") => rest,
                _ => msg,
            };
            format!("{}:{line}:{column}: {msg}", path.display())
        })?;
        let mut out = vec![];
        for entry in doc.differences {
            let at = format!("{}:{}", path.display(), entry.referenced.line());
            let e = entry.value;
            let glob = |g: &str| {
                Glob::new(g)
                    .map(|g| g.compile_matcher())
                    .map_err(|err| format!("{at}: bad glob {g:?}: {err}"))
            };
            let got = match e.got {
                OneOrMany::One(g) => vec![g],
                OneOrMany::Many(gs) => gs,
            };
            for (field, value) in got
                .iter()
                .map(|g| ("got", g))
                .chain([("reason", &e.reason), ("link", &e.link)])
            {
                if value.trim().is_empty() {
                    return Err(format!("{at}: {field} must not be empty"));
                }
            }
            if e.scenarios.is_empty() {
                return Err(format!("{at}: scenarios must list at least one id or glob"));
            }
            out.push(Known {
                imp: glob(&e.implementation)?,
                ids: e
                    .scenarios
                    .iter()
                    .map(|s| glob(s))
                    .collect::<Result<_, _>>()?,
                at,
                implementation: e.implementation,
                scenarios: e.scenarios,
                got,
                reason: e.reason,
                link: e.link,
            });
        }
        Ok(Self(out))
    }

    /// Marks each failing result an entry covers with that entry's index,
    /// and returns the entries that applied to this run (an implementation
    /// and a scenario of the run match them) but covered no failure.
    pub fn apply(&self, results: &mut [CaseResult]) -> Vec<&Known> {
        let mut used = vec![false; self.0.len()];
        let mut in_scope = vec![false; self.0.len()];
        for r in results.iter_mut() {
            for (i, k) in self.0.iter().enumerate() {
                if k.covers(&r.implementation.id, &r.scenario) {
                    in_scope[i] = true;
                    if r.known.is_none() && k.accepts(&r.verdict) {
                        r.known = Some(i);
                        used[i] = true;
                    }
                }
            }
        }
        self.0
            .iter()
            .enumerate()
            .filter(|(i, _)| in_scope[*i] && !used[*i])
            .map(|(_, k)| k)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crashes_are_expected_only_where_an_entry_accepts_one() {
        let p = Path::new("known.yaml");
        let text = "differences:\n  - implementation: rustpython-*\n    scenarios: [close-*]\n    got: [\"!! exit status 101\", \"-> 0\"]\n    reason: r\n    link: https://example.org\n  - implementation: pypy-*\n    scenarios: [move-*]\n    got: \"!! ValueError('x')\"\n    reason: r\n    link: https://example.org\n";
        let list = KnownList::parse(p, text).unwrap();
        assert!(list.expects_crash("rustpython-3.14", "close-then-bytes"));
        assert!(!list.expects_crash("rustpython-3.14", "move-huge"));
        assert!(!list.expects_crash("pypy-3.9", "move-huge"));
        assert!(!list.expects_crash("pypy-3.9", "close-then-bytes"));
    }

    #[test]
    fn entries_need_a_reason_and_a_link_and_errors_have_a_line() {
        let p = Path::new("known.yaml");
        let ok = "differences:\n  - implementation: pypy-*\n    scenarios: [flush-*]\n    got: \"-> 0\"\n    reason: r\n    link: https://example.org\n";
        let list = KnownList::parse(p, ok).unwrap();
        assert!(list.0[0].covers("pypy-3.9", "flush-returns-none"));
        let many = ok.replace("got: \"-> 0\"", "got: [\"-> 0\", \"-> 1\"]");
        assert_eq!(
            KnownList::parse(p, &many).unwrap().0[0].got,
            ["-> 0", "-> 1"]
        );
        assert!(!list.0[0].covers("cpython-3.9", "flush-returns-none"));
        let no_link = ok.replace("    link: https://example.org\n", "");
        assert_eq!(
            KnownList::parse(p, &no_link).unwrap_err(),
            "known.yaml:5:5: missing field `link`"
        );
        let empty_reason = ok.replace("reason: r", "reason: \"\"");
        assert_eq!(
            KnownList::parse(p, &empty_reason).unwrap_err(),
            "known.yaml:2: reason must not be empty"
        );
    }
}
