//! Self-tests of the adapter machinery: a crashing, an exiting, a hanging,
//! a memory-hungry, a garbage-writing and a flooding adapter each cost one
//! scenario and the run goes on; protocol violations are reported with what
//! was sent and what came back; a planted bug is caught; results do not
//! depend on the degree of parallelism; adapters are reused across
//! scenarios; a run killed mid-scenario leaves sandboxes that the next run
//! reclaims; an unusable or full temporary directory is one clear error.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
    run_three_with(fault, |ctx| {
        ctx.timeout = timeout;
        ctx.jobs = jobs;
    })
}

fn run_three_with(fault: &str, adjust: impl FnOnce(&mut Context)) -> Vec<CaseResult> {
    let (_dir, layout) = spec_dir_with(THREE);
    let scenarios = scenario::load_dir(&layout).unwrap();
    let mut ctx = Context::new(layout, worker());
    adjust(&mut ctx);
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
fn an_adapter_serves_the_whole_corpus_crashes_included() {
    let layout = Layout::repository();
    let scenarios = scenario::load_dir(&layout).unwrap();
    let mut ctx = Context::new(layout, worker());
    ctx.jobs = 2;
    let engine = Engine::new(ctx);
    let target = engine.reference_target(default_profile());
    let results = engine.run_all(&scenarios, std::slice::from_ref(&target), &|_| {});
    // Scenarios the spec expects to crash run in a forked child of the
    // adapter, which outlives them: one adapter per job serves everything.
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
    assert!(
        crashed >= 8,
        "the corpus has crash scenarios, found {crashed}"
    );
    assert!(
        started <= 2,
        "{started} adapters for {} scenarios with {crashed} crashes",
        scenarios.len()
    );
}

#[test]
fn an_adapter_that_allocates_without_bound_is_stopped_alone() {
    // 256 MiB of data: the fault's 4 GiB of allocations end in MemoryError.
    let results = run_three_with("hog", |ctx| ctx.memory = 256 << 20);
    let summaries: Vec<String> = results.iter().map(summary).collect();
    assert_eq!(
        summaries,
        [
            "pass",
            "spec/case.yaml:9:33: step 2 `m.tell()`: expected -> 0, got !! exit status 1",
            "pass"
        ]
    );
}

#[rstest::rstest]
#[case::garbage("garbage", "sent a line that is not a message")]
#[case::flood("flood", "sent a line longer than 67108864 bytes")]
fn an_adapter_that_writes_garbage_or_floods_its_output_is_an_error_for_one_scenario(
    #[case] fault: &str,
    #[case] message: &str,
) {
    let results = run_three(fault, Duration::from_secs(20), 1);
    assert_eq!(summary(&results[0]), "pass");
    let Verdict::Error(e) = &results[1].verdict else {
        panic!("expected an error, got {:?}", results[1].verdict)
    };
    assert!(e.contains(message), "{e}");
    assert_eq!(summary(&results[2]), "pass");
}

/// The `mmapconf-*` sandboxes under `dir`.
fn sandboxes(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("mmapconf-"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_killed_mid_scenario_leaves_sandboxes_the_next_run_reclaims() {
    let (dir, layout) = spec_dir_with(THREE);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let adapter = faulty("hang");
    let adapter = std::iter::once(adapter.program.display().to_string())
        .chain(
            adapter
                .args
                .iter()
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let mut run = Command::new(worker())
        .args([
            "run",
            "--impl",
            "reference-*",
            "--timeout",
            "60",
            "--jobs",
            "1",
            "--spec",
        ])
        .arg(&layout.spec_dir)
        .args(["--adapter", &adapter])
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the hanging scenario's sandbox, then kill the harness.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sandboxes(&tmp).is_empty() {
        assert!(std::time::Instant::now() < deadline, "no sandbox appeared");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    run.kill().unwrap();
    run.wait().unwrap();
    let left = sandboxes(&tmp);
    assert!(!left.is_empty());
    assert!(
        left[0].starts_with(&format!("mmapconf-{}-", run.id())),
        "{left:?}"
    );
    let status = Command::new(worker())
        .args(["run", "--impl", "reference", "--spec"])
        .arg(&layout.spec_dir)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    assert_eq!(sandboxes(&tmp), Vec::<String>::new());
}

#[test]
fn an_unusable_temporary_directory_is_one_clear_error() {
    let (dir, layout) = spec_dir_with(THREE);
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, b"").unwrap();
    let out = Command::new(worker())
        .args(["run", "--impl", "reference", "--spec"])
        .arg(&layout.spec_dir)
        .env("TMPDIR", &not_a_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "the temporary directory {} cannot hold the scenarios' files: Not a directory",
            not_a_dir.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("(set TMPDIR to a writable directory with free space)"),
        "{err}"
    );
}

#[test]
fn a_full_temporary_directory_is_one_clear_error() {
    // A full disk needs a small filesystem of its own: a tmpfs, which only
    // root can mount.
    let (dir, layout) = spec_dir_with(THREE);
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(&full)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("not run: mounting a small tmpfs needs root");
        return;
    }
    // Fill it.
    let _ = std::fs::write(full.join("filler"), vec![0u8; 64 << 10]);
    let out = Command::new(worker())
        .args(["run", "--impl", "reference", "--spec"])
        .arg(&layout.spec_dir)
        .env("TMPDIR", &full)
        .output()
        .unwrap();
    let _ = Command::new("umount").arg(&full).status();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "the temporary directory {} cannot hold the scenarios' files: No space left on device",
            full.display()
        )),
        "{err}"
    );
}
