//! Self-tests of the adapter machinery: a crashing, an exiting and a hanging
//! adapter each cost one scenario and the run goes on; protocol violations
//! are reported with what was sent and what came back; a planted bug is
//! caught; results do not depend on the degree of parallelism; adapters
//! are reused across scenarios.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmap_conformance::judge::Verdict;
use mmap_conformance::protocol::client::Launch;
use mmap_conformance::runner::{CaseResult, Context, Engine};
use mmap_conformance::scenario::{self, Layout};
use mmap_conformance::select::default_profile;
use mmap_conformance::transcript::Outcome;

fn worker() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mmapconf"))
}

/// `faulty.py FAULT` around the reference hosted by `mmapconf serve`.
fn faulty(fault: &str) -> Launch {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adapters/faulty.py");
    Launch {
        program: "python3".into(),
        args: vec![
            script.into(),
            fault.into(),
            worker().into(),
            "serve".into(),
            "reference".into(),
        ],
    }
}

/// Three scenarios; the middle one's id contains "boom".
const THREE: &str = "scenarios:
  a-first:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps: [\"m = mmap(-1, 10)\", \"m.tell() -> 0\", \"m.close()\"]
  boom-second:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps: [\"m = mmap(-1, 10)\", \"m.tell() -> 0\", \"m.close()\"]
  c-third:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps: [\"m = mmap(-1, 10)\", \"m.tell() -> 0\", \"m.close()\"]
";

fn spec_dir_with(text: &str) -> (tempfile::TempDir, Layout) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec");
    std::fs::create_dir(&spec).unwrap();
    std::fs::write(spec.join("case.yaml"), text).unwrap();
    let layout = Layout {
        spec_dir: spec,
        fixtures_dir: Layout::repository().fixtures_dir,
    };
    (dir, layout)
}

fn run_three(fault: &str, timeout: Duration, jobs: usize) -> Vec<CaseResult> {
    let (_dir, layout) = spec_dir_with(THREE);
    let scenarios = scenario::load_dir(&layout).unwrap();
    let mut ctx = Context::new(layout, worker());
    ctx.timeout = timeout;
    ctx.jobs = jobs;
    let engine = Engine::new(ctx);
    let target = engine.probe(faulty(fault), None).unwrap();
    engine.run_all(&scenarios, &[target], &|_| {})
}

fn summary(r: &CaseResult) -> String {
    match &r.verdict {
        Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => d.summary.clone(),
        other => other.label().to_owned(),
    }
}

#[test]
fn a_crashing_adapter_costs_one_scenario() {
    for jobs in [1, 2] {
        let results = run_three("crash", Duration::from_secs(20), jobs);
        let summaries: Vec<String> = results.iter().map(summary).collect();
        assert_eq!(
            summaries,
            [
                "pass",
                "spec/case.yaml:9:33: step 2 `m.tell()`: expected -> 0, got !! SIGSEGV",
                "pass"
            ]
        );
    }
}

#[test]
fn an_adapter_that_exits_mid_scenario_costs_one_scenario() {
    let results = run_three("exit", Duration::from_secs(20), 1);
    assert_eq!(
        summary(&results[1]),
        "spec/case.yaml:9:33: step 2 `m.tell()`: expected -> 0, got !! exit status 3"
    );
    assert_eq!(summary(&results[2]), "pass");
}

#[test]
fn a_hanging_adapter_is_killed_at_the_time_limit() {
    let results = run_three("hang", Duration::from_millis(1500), 1);
    let summaries: Vec<String> = results.iter().map(summary).collect();
    assert_eq!(
        summaries,
        [
            "pass",
            "spec/case.yaml:9:33: step 2 `m.tell()`: expected -> 0, got timed out",
            "pass"
        ]
    );
}

#[test]
fn bad_handshakes_show_what_came_back() {
    let (_dir, layout) = spec_dir_with(THREE);
    let engine = Engine::new(Context::new(layout, worker()));
    let cases = [
        (
            "bad-json",
            "sent a bad handshake: not JSON (expected value at line 1 column 1)\n  got:  hello, I am an adapter",
        ),
        ("no-field", "sent a bad handshake: missing field `python`"),
        (
            "old-protocol",
            "sent a bad handshake: it speaks protocol 0; this harness speaks protocol 2\n  got:  {\"protocol\": 0",
        ),
    ];
    for (fault, want) in cases {
        let err = engine.probe(faulty(fault), None).unwrap_err();
        assert!(err.contains(want), "{fault}: {err}");
    }
}

#[test]
fn an_outcome_out_of_order_is_an_error_showing_the_request_and_the_line() {
    let results = run_three("bad-step", Duration::from_secs(20), 1);
    for r in &results {
        let Verdict::Error(e) = &r.verdict else {
            panic!("{:?}", r.verdict)
        };
        assert!(e.contains("reported step 5 where step 0 was next"), "{e}");
        assert!(e.contains("\n  got:  {\"step\":5,\"returned\":"), "{e}");
        assert!(e.contains("\n  sent: {\"run\":{\"id\":"), "{e}");
    }
}

#[test]
fn an_implementation_whose_tell_is_off_by_one_is_caught() {
    let layout = Layout::repository();
    let scenarios: Vec<_> = scenario::load_dir(&layout)
        .unwrap()
        .into_iter()
        .filter(|s| s.methods().contains("tell"))
        .collect();
    let engine = Engine::new(Context::new(layout, worker()));
    let target = engine.probe(faulty("tell+1"), None).unwrap();
    let caught: Vec<_> = engine
        .run_all(&scenarios, &[target], &|_| {})
        .into_iter()
        .filter(|r| matches!(r.verdict, Verdict::DiffersFromSpec(_)))
        .collect();
    assert!(
        caught.len() >= 5,
        "only {} caught the planted bug",
        caught.len()
    );

    let results = run_three("tell+1", Duration::from_secs(20), 1);
    assert_eq!(
        summary(&results[0]),
        "spec/case.yaml:5:33: step 2 `m.tell()`: expected -> 0, got -> 1"
    );
}

#[test]
fn results_do_not_depend_on_the_degree_of_parallelism() {
    let layout = Layout::repository();
    let scenarios = scenario::load_dir(&layout).unwrap();
    let run = |jobs| {
        let mut ctx = Context::new(layout.clone(), worker());
        ctx.jobs = jobs;
        let engine = Engine::new(ctx);
        let target = engine.reference_target(default_profile());
        engine
            .run_all(&scenarios, &[target], &|_| {})
            .into_iter()
            .map(|r| (r.scenario, r.verdict.label(), r.transcript))
            .collect::<Vec<_>>()
    };
    let one = run(1);
    assert_eq!(one.len(), scenarios.len());
    assert_eq!(one, run(4));
}

#[test]
fn an_adapter_serves_many_scenarios_and_only_a_crash_costs_a_new_one() {
    let layout = Layout::repository();
    let scenarios = scenario::load_dir(&layout).unwrap();
    let mut ctx = Context::new(layout, worker());
    ctx.jobs = 2;
    let engine = Engine::new(ctx);
    let target = engine.reference_target(default_profile());
    let results = engine.run_all(&scenarios, std::slice::from_ref(&target), &|_| {});
    // An adapter dies with the process only when a scenario crashes it at
    // top level (a crashed fork child leaves its parent running).
    let crashed = results
        .iter()
        .filter(|r| {
            r.transcript.as_ref().is_some_and(|t| {
                t.entries
                    .last()
                    .is_some_and(|e| matches!(e.outcome, Outcome::Crashed(_)))
            })
        })
        .count();
    let started = engine.startups(&target.launch).len();
    assert!(crashed >= 2, "the corpus has top-level crash scenarios");
    assert!(
        started <= 2 + crashed,
        "{started} adapters for {} scenarios with {crashed} crashes",
        scenarios.len()
    );
}
