//! Differential fuzzing: random but valid sequences of operations on one
//! map, run on the reference and on a real implementation; a sequence on
//! which they differ is shrunk to the fewest steps that still differ and
//! written out as a scenario, with the real implementation's outcomes as
//! its expectations, for a person to review and commit.
//!
//! Sequences are written in the spec language and loaded as any spec is,
//! so every one is valid by construction, and a seed reproduces a run.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::runner::Engine;
use crate::scenario::{Layout, Scenario, load_str};
use crate::target::Target;
use crate::transcript::{Observed, Outcome, Transcript};

/// xorshift64*: small, fast, and the same sequence for the same seed (the
/// fuzzers' randomness, so that a seed reproduces a run).
pub struct Rng(u64);

impl Rng {
    /// The sequence of `seed`, made odd (xorshift never leaves 0).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// One generated case: the file's content (none for an anonymous map) and
/// the steps, the first of which makes the map `m`.
#[derive(Clone, Debug)]
pub struct Case {
    file: Option<String>,
    steps: Vec<String>,
}

impl Case {
    /// The case as a spec file holding one scenario called `id`, with
    /// `expectations` (one per step, or none) after the steps.
    fn yaml(&self, id: &str, description: &str, expectations: &[String]) -> String {
        let mut out = format!(
            "scenarios:\n  {id}:\n    description: {description}\n    cite: [\"004_5f09b125d9b38bcd.txt#constructor\"]\n    tags: [fuzz]\n"
        );
        if let Some(file) = &self.file {
            let _ = writeln!(out, "    file: {file}");
        }
        out.push_str("    steps:\n");
        for (i, step) in self.steps.iter().enumerate() {
            let line = match expectations.get(i).filter(|e| !e.is_empty()) {
                Some(e) => format!("{step} {e}"),
                None => step.clone(),
            };
            let _ = writeln!(out, "      - {}", yaml_string(&line));
        }
        out
    }
}

/// A YAML double-quoted string.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Generates a random case.
fn generate(rng: &mut Rng) -> Case {
    let sizes = ["1", "10", "PAGESIZE", "PAGESIZE + 3", "2 * PAGESIZE"];
    let anonymous = rng.below(4) == 0;
    let size = rng.pick(&sizes);
    let (file, ctor) = if anonymous {
        (None, format!("m = mmap(-1, {size})"))
    } else {
        let access = rng.pick(&[
            "",
            ", access=ACCESS_READ",
            ", access=ACCESS_WRITE",
            ", access=ACCESS_COPY",
            ", flags=MAP_PRIVATE",
            ", prot=PROT_READ",
        ]);
        let length = rng.pick(&["0", "1", "4"]);
        (
            Some(format!("b\"0123456789\" * ({size})")),
            format!("m = mmap(f.fileno(), {length}{access})"),
        )
    };
    let mut steps = vec![ctor];
    for _ in 0..1 + rng.below(10) {
        steps.push(operation(rng));
    }
    Case { file, steps }
}

/// One operation on `m`, with arguments drawn near the boundaries.
fn operation(rng: &mut Rng) -> String {
    let ints = [
        "0",
        "1",
        "2",
        "3",
        "-1",
        "-2",
        "4",
        "9",
        "10",
        "11",
        "PAGESIZE",
        "PAGESIZE - 1",
        "PAGESIZE + 1",
        "2 ** 31",
        "-(2 ** 63)",
    ];
    let bytes = [
        "b\"\"",
        "b\"0\"",
        "b\"9\"",
        "b\"34\"",
        "b\"90\"",
        "b\"xy\"",
        "b\"\\x00\"",
    ];
    let mut i = || rng.pick(&ints).to_owned();
    let a = i();
    let b = i();
    let c = i();
    let data = rng.pick(&bytes);
    let byte = rng.pick(&["0", "65", "255", "256", "-1"]);
    let whence = rng.pick(&["0", "1", "2"]);
    match rng.below(24) {
        0 => format!("m.read({a})"),
        1 => "m.read()".into(),
        2 => "m.read_byte()".into(),
        3 => "m.readline()".into(),
        4 => format!("m.write({data})"),
        5 => format!("m.write_byte({byte})"),
        6 => format!("m.seek({a})"),
        7 => format!("m.seek({a}, {whence})"),
        8 => "m.tell()".into(),
        9 => format!("m.find({data})"),
        10 => format!("m.find({data}, {a}, {b})"),
        11 => format!("m.rfind({data}, {a})"),
        12 => format!("m.move({a}, {b}, {c})"),
        13 => format!("m.flush({a}, {b})"),
        // Small sizes only: a huge map read whole is a MemoryError under the
        // adapters' memory limit, which says nothing about mmap.
        14 => format!(
            "m.resize({})",
            rng.pick(&["0", "1", "5", "10", "PAGESIZE", "2 * PAGESIZE + 1", "-1"])
        ),
        15 => "m.size()".into(),
        16 => "len(m)".into(),
        17 => format!("m[{a}]"),
        18 => format!("m[{a}:{b}]"),
        19 => format!("m[{a}:{b}:{c}]"),
        20 => format!("m[{a}] = {byte}"),
        21 => format!("m[{a}:{b}] = {data}"),
        22 => "m.close()".into(),
        _ => format!("{data} in m"),
    }
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Sequences run.
    pub cases: u64,
    /// Shrunk scenarios, as spec files, one per difference found.
    pub scenarios: Vec<String>,
}

/// Runs random cases from `seed` on `target` and on the reference imitating
/// its profile for `budget`, shrinking and writing out each difference.
pub fn run(
    engine: &Engine,
    target: &Target,
    seed: u64,
    budget: Duration,
    layout: &Layout,
) -> Result<Findings, String> {
    let reference = engine.reference_target(target.implementation.profile);
    let mut rng = Rng::new(seed);
    let mut findings = Findings::default();
    let started = Instant::now();
    while started.elapsed() < budget {
        let case = generate(&mut rng);
        findings.cases += 1;
        let Some((mut theirs, _)) = differ(engine, target, &reference, &case, layout)? else {
            continue;
        };
        let case = shrink(engine, target, &reference, case, layout, &mut theirs)?;
        let id = format!("fuzz-{:016x}-{}", seed, findings.scenarios.len() + 1);
        let expectations: Vec<String> = theirs
            .entries
            .iter()
            .map(|e| expectation(&e.outcome))
            .collect();
        let description = format!(
            "found by `mmapconf fuzz --seed {seed}`: the reference differed from {} here (review: name it, cite it, move it to its topic)",
            target.implementation.id
        );
        findings
            .scenarios
            .push(case.yaml(&id, &yaml_string(&description), &expectations));
    }
    Ok(findings)
}

/// Both transcripts of `case` when the implementations differ on it.
fn differ(
    engine: &Engine,
    target: &Target,
    reference: &Target,
    case: &Case,
    layout: &Layout,
) -> Result<Option<(Transcript, Transcript)>, String> {
    let scenario = load(case, layout)?;
    let theirs = engine.transcript(&scenario, target)?;
    let ours = engine.transcript(&scenario, reference)?;
    Ok((theirs != ours).then_some((theirs, ours)))
}

/// Drops steps, last first, while the difference remains.
fn shrink(
    engine: &Engine,
    target: &Target,
    reference: &Target,
    mut case: Case,
    layout: &Layout,
    theirs: &mut Transcript,
) -> Result<Case, String> {
    let mut i = case.steps.len();
    while i > 1 {
        i -= 1;
        let mut smaller = case.clone();
        smaller.steps.remove(i);
        if let Some((t, _)) = differ(engine, target, reference, &smaller, layout)? {
            case = smaller;
            *theirs = t;
            i = i.min(case.steps.len());
        }
    }
    Ok(case)
}

fn load(case: &Case, layout: &Layout) -> Result<Scenario, String> {
    let text = case.yaml("fuzz-case", "\"a generated case\"", &[]);
    let mut all = load_str(layout, Path::new("fuzz.yaml"), &text).map_err(|e| {
        format!("a generated case does not load (a bug of the generator): {e}\n{text}")
    })?;
    all.pop()
        .ok_or_else(|| "a generated case has no scenario".into())
}

/// The spec's spelling of `outcome` as an expectation; empty for a value
/// the spec cannot write (an object), which any value then meets.
fn expectation(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Returned(v) => literal(v).map(|l| format!("-> {l}")).unwrap_or_default(),
        Outcome::Raised(_) | Outcome::Crashed(_) => outcome.to_string(),
        Outcome::TimedOut | Outcome::NotRun => String::new(),
    }
}

/// `v` as a Python literal the spec language reads, if it is one.
fn literal(v: &Observed) -> Option<String> {
    Some(match v {
        Observed::None
        | Observed::Bool(_)
        | Observed::Int(_)
        | Observed::Float(_)
        | Observed::Str(_) => v.to_string(),
        Observed::Bytes(b) => {
            let mut s = String::new();
            mmap_reference::value::write_bytes_repr(&mut s, b).ok()?;
            s
        }
        Observed::List(items) | Observed::Tuple(items) => {
            let parts: Option<Vec<String>> = items.iter().map(literal).collect();
            let parts = parts?;
            if matches!(v, Observed::List(_)) {
                format!("[{}]", parts.join(", "))
            } else if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Observed::Ref(name) => name.clone(),
        Observed::Object(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_case_loads() {
        let layout = Layout::repository();
        let mut rng = Rng::new(7);
        for _ in 0..300 {
            let case = generate(&mut rng);
            load(&case, &layout).unwrap();
        }
    }

    #[test]
    fn outcomes_become_expectations_the_spec_reads() {
        assert_eq!(
            expectation(&Outcome::Returned(Observed::Bytes(b"a'".to_vec()))),
            "-> b\"a'\""
        );
        assert_eq!(
            expectation(&Outcome::Returned(Observed::Object("mmap.mmap".into()))),
            ""
        );
        let raised = Outcome::Raised(crate::transcript::Raised {
            type_name: "ValueError".into(),
            message: "mmap closed or invalid".into(),
            errno: None,
        });
        assert_eq!(
            expectation(&raised),
            "!! ValueError('mmap closed or invalid')"
        );
    }
}
