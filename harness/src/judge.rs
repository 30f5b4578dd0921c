//! Judging: a transcript against the spec's expectations for its profile, and
//! against the reference's transcript for the same profile.

use std::collections::HashSet;
use std::fmt;

use mmap_reference::Profile;
use similar::TextDiff;

use crate::consteval::{self, ConstEnv};
use crate::scenario::ast::{Expect, Raise, Stmt};
use crate::scenario::model::{FlatOp, FlatStep};
use crate::scenario::{Loc, Scenario};
use crate::transcript::{Entry, Outcome, Raised, Transcript};

/// The verdict on one implementation for one scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Matches the spec (and the reference).
    Pass,
    /// A step did not do what the spec expects for this profile.
    DiffersFromSpec(Divergence),
    /// Matches the spec but not the reference's transcript.
    DiffersFromReference(Divergence),
    /// The scenario does not apply to this implementation.
    NotApplicable(String),
    /// The machinery failed; the implementation was not judged.
    Error(String),
}

impl Verdict {
    /// The verdict's name as reports print it.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::DiffersFromSpec(_) => "differs from spec",
            Verdict::DiffersFromReference(_) => "differs from reference",
            Verdict::NotApplicable(_) => "not applicable",
            Verdict::Error(_) => "error",
        }
    }

    /// True for verdicts that make a run fail.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Verdict::DiffersFromSpec(_) | Verdict::DiffersFromReference(_) | Verdict::Error(_)
        )
    }
}

/// Where and how two transcripts part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The first divergent step, 1-based.
    pub step: usize,
    /// `file:line:column: step N `text`: expected X, got Y`
    pub summary: String,
    /// What the step should have done (`-> None`, `!! SIGBUS`).
    pub expected: String,
    /// What it did.
    pub got: String,
    /// A unified diff of the two transcripts.
    pub diff: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary)?;
        write!(f, "{}", self.diff)
    }
}

/// Compares `transcript` with what the spec expects for `profile`; `actual`
/// labels the transcript in the diff (`cpython 3.11.7`).
pub fn against_spec(
    scenario: &Scenario,
    profile: Profile,
    transcript: &Transcript,
    actual: &str,
) -> Option<Divergence> {
    let steps = scenario.flat_steps();
    let mut bound: HashSet<String> = HashSet::new();
    let mut expected_lines = vec![];
    let mut actual_lines = vec![];
    let mut first: Option<(usize, &Loc, String, String, String)> = None;
    for (i, step) in steps.iter().enumerate() {
        let entry = transcript.entries.get(i);
        let (exp_text, ok) = expectation(step, profile, entry.map(|e| &e.outcome), &bound);
        let act_text = entry.map_or_else(|| "(not run)".to_owned(), |e| e.outcome.to_string());
        expected_lines.push(line(i, &step.text, &exp_text));
        actual_lines.push(line(i, &step.text, &act_text));
        if !ok && first.is_none() {
            first = Some((i, step.loc, step.text.clone(), exp_text, act_text));
        }
        bind(step, &mut bound);
    }
    for (i, extra) in transcript.entries.iter().enumerate().skip(steps.len()) {
        actual_lines.push(line(i, &extra.text, &extra.outcome.to_string()));
        if first.is_none() {
            first = Some((
                i,
                &scenario.loc,
                extra.text.clone(),
                "(no such step)".into(),
                extra.outcome.to_string(),
            ));
        }
    }
    let (i, loc, text, exp, act) = first?;
    Some(Divergence {
        step: i + 1,
        summary: format!("{loc}: step {} `{text}`: expected {exp}, got {act}", i + 1),
        expected: exp,
        got: act,
        diff: unified(
            &expected_lines,
            &actual_lines,
            &format!("expected ({})", loc.file.display()),
            &format!("actual ({actual})"),
        ),
    })
}

/// The names a step binds, added to `bound`.
fn bind(step: &FlatStep<'_>, bound: &mut HashSet<String>) {
    match &step.op {
        FlatOp::Stmt(Stmt::Bind(name, _)) => {
            bound.insert(name.clone());
        }
        FlatOp::Enter { name, .. } => {
            bound.insert((*name).to_owned());
        }
        _ => {}
    }
}

/// What the spec expects of each of the scenario's steps (flattened) for
/// `profile`, as reports print it (`-> 9`, `!! ValueError('...')`).
pub fn expected_texts(scenario: &Scenario, profile: Profile) -> Vec<String> {
    let mut bound = HashSet::new();
    scenario
        .flat_steps()
        .iter()
        .map(|step| {
            let (text, _) = expectation(step, profile, None, &bound);
            bind(step, &mut bound);
            text
        })
        .collect()
}

/// Compares `transcript` with the reference's for the same profile.
pub fn against_reference(
    scenario: &Scenario,
    transcript: &Transcript,
    reference: &Transcript,
    reference_label: &str,
    actual: &str,
) -> Option<Divergence> {
    let steps = scenario.flat_steps();
    let render = |t: &Transcript| -> Vec<String> {
        t.entries
            .iter()
            .enumerate()
            .map(|(i, e)| line(i, &e.text, &e.outcome.to_string()))
            .collect()
    };
    let (ref_lines, act_lines) = (render(reference), render(transcript));
    let n = reference.entries.len().max(transcript.entries.len());
    let i = (0..n).find(|&i| reference.entries.get(i) != transcript.entries.get(i))?;
    let show =
        |e: Option<&Entry>| e.map_or_else(|| "(not run)".to_owned(), |e| e.outcome.to_string());
    let (text, loc) = match steps.get(i) {
        Some(s) => (s.text.clone(), s.loc),
        None => (String::new(), &scenario.loc),
    };
    Some(Divergence {
        step: i + 1,
        summary: format!(
            "{loc}: step {} `{text}`: the reference gives {}, got {}",
            i + 1,
            show(reference.entries.get(i)),
            show(transcript.entries.get(i))
        ),
        expected: show(reference.entries.get(i)),
        got: show(transcript.entries.get(i)),
        diff: unified(
            &ref_lines,
            &act_lines,
            &format!("expected ({reference_label})"),
            &format!("actual ({actual})"),
        ),
    })
}

fn line(i: usize, text: &str, outcome: &str) -> String {
    format!("{:>3} {text} {outcome}\n", i + 1)
}

fn unified(expected: &[String], actual: &[String], a: &str, b: &str) -> String {
    let (expected, actual) = (expected.concat(), actual.concat());
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header(a, b)
        .to_string()
}

/// The expectation's text for this step and profile, and whether `outcome`
/// meets it.
fn expectation(
    step: &FlatStep<'_>,
    profile: Profile,
    outcome: Option<&Outcome>,
    bound: &HashSet<String>,
) -> (String, bool) {
    let Some(expect) = step.expectation(profile) else {
        return (format!("(no expectation for {profile})"), false);
    };
    meets(expect, profile, outcome, bound)
}

fn meets(
    expect: &Expect,
    profile: Profile,
    outcome: Option<&Outcome>,
    bound: &HashSet<String>,
) -> (String, bool) {
    match expect {
        Expect::Returns => match outcome {
            Some(o @ Outcome::Returned(_)) => (o.to_string(), true),
            _ => ("-> (any value)".into(), false),
        },
        Expect::Value(e) => {
            let env = ConstEnv {
                profile,
                bound: &|n| bound.contains(n),
                fixtures_dir: None,
            };
            match consteval::eval(e, &env) {
                Ok(v) => {
                    let ok = matches!(outcome, Some(Outcome::Returned(got)) if *got == v);
                    (Outcome::Returned(v).to_string(), ok)
                }
                Err(why) => (
                    format!("(cannot evaluate the expected value: {why})"),
                    false,
                ),
            }
        }
        Expect::Raises(r) => {
            let ok = matches!(outcome, Some(Outcome::Raised(got)) if raise_matches(r, got));
            (render_raise(r), ok)
        }
        Expect::Crash(sig) => (
            format!("!! {sig}"),
            matches!(outcome, Some(Outcome::Crashed(s)) if s == sig),
        ),
        Expect::OneOf(all, _) => {
            let results: Vec<_> = all
                .iter()
                .map(|e| meets(e, profile, outcome, bound))
                .collect();
            if results.iter().any(|(_, ok)| *ok) {
                (outcome.map(ToString::to_string).unwrap_or_default(), true)
            } else {
                let texts: Vec<_> = results.into_iter().map(|(t, _)| t).collect();
                (format!("one of: {}", texts.join(" | ")), false)
            }
        }
    }
}

fn raise_matches(want: &Raise, got: &Raised) -> bool {
    want.type_name == got.type_name
        && want.message.as_ref().is_none_or(|m| *m == got.message)
        && want.errno.is_none_or(|n| Some(n) == got.errno)
}

fn render_raise(r: &Raise) -> String {
    match &r.message {
        Some(message) => Outcome::Raised(Raised {
            type_name: r.type_name.clone(),
            message: message.clone(),
            errno: r.errno,
        })
        .to_string(),
        None => format!("!! {}", r.type_name),
    }
}
