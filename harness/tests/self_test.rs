//! Self-tests of the harness: broken specs, a wrong expectation, fixtures
//! and temporary files, the schema. Each asserts the exact
//! text a user would see.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use mmap_conformance::judge::Verdict;
use mmap_conformance::runner::{Context, Engine};
use mmap_conformance::scenario::{self, Layout, load_str};
use mmap_conformance::select::default_profile;
use mmap_conformance::target::{Target, python_driver_path};
use rstest::rstest;

/// The `mmapconf` binary, which hosts the workers.
fn worker() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mmapconf"))
}

const HEAD: &str =
    "scenarios:\n  x-y:\n    description: d\n    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]\n";

#[rstest]
#[case::yaml_syntax(
    "scenarios:\n  x-y:\n    description: \"unterminated\n",
    "spec/case.yaml:4:1: invalid spec file: invalid indentation in multiline quoted scalar"
)]
#[case::wrong_shape(
    "scenarios:\n  x-y: [1, 2]\n",
    "spec/case.yaml:2:8: invalid spec file: expected mapping start"
)]
#[case::unknown_key(
    "scenarios:\n  x-y:\n    descripton: typo\n",
    "spec/case.yaml:3:5: invalid spec file: unknown field `descripton`, expected one of description, cite, tags, when, file, open, unconfirmed, confirmed, steps"
)]
#[case::missing_field(
    "scenarios:\n  x-y:\n    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]\n    steps: [\"m = mmap(-1, 4)\"]\n",
    "spec/case.yaml:4:5: invalid spec file: missing field `description`"
)]
#[case::unknown_method(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - m.fnd(b\"x\") -> -1\n"),
    "spec/case.yaml:7:9: unknown mmap method or attribute `fnd`; expected one of close, closed, find, flush, madvise, move, read, read_byte, readline, resize, rfind, seek, seekable, size, tell, write, write_byte, __enter__, __exit__, __len__, __getitem__, __setitem__, __delitem__, __repr__, __sizeof__, __buffer__, __release_buffer__ (or expect an AttributeError)"
)]
#[case::argument_syntax(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - m.find(b\"x\",, 1) -> -1\n"),
    "spec/case.yaml:7:21: expected an expression, found `,`"
)]
#[case::unterminated_outcome(
    &format!("{HEAD}    steps:\n      - \"m = mmap(-1, 4) -> \"\n"),
    "spec/case.yaml:6:29: expected an expression, found the end of the line"
)]
#[case::message_not_quoted(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - m.seek(9) !! ValueError(seek out of range)\n"),
    "spec/case.yaml:7:33: expected the exception's message as a string literal, found `seek`"
)]
#[case::bad_condition(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - m.tell() -> 0 if pyhton >= 3.8\n"),
    "spec/case.yaml:7:26: expected a condition: `python OP X.Y`, `linux`, `macos`, `windows`, `unix` or `not PLATFORM`, found `pyhton`"
)]
#[case::unknown_name(
    &format!("{HEAD}    steps:\n      - m = mmap(g.fileno(), 0)\n"),
    "spec/case.yaml:6:9: unknown name `g`; expected a name bound by an earlier step, `f`, `mmap`, a module constant or a builtin (len, bytes, bytearray, list, repr, memoryview, slice, Index, ClosingIndex, Buffer, audit_events, pickle, copy)"
)]
#[case::duplicate_id(
    &format!("{HEAD}    steps: [\"m = mmap(-1, 4)\"]\n  x-y:\n    description: d\n"),
    "spec/case.yaml:6:3: duplicate key \"x-y\": scenario ids and the keys of a mapping must be unique"
)]
#[case::missing_fixture(
    &format!("{HEAD}    file: fixture(\"nope.bin\")\n    steps: [\"m = mmap(f.fileno(), 0)\"]\n"),
    "spec/case.yaml:5:11: fixture \"nope.bin\" not found (expected a file at FIXTURES/nope.bin)"
)]
#[case::fixture_escapes(
    &format!("{HEAD}    file: fixture(\"../Cargo.toml\")\n    steps: [\"m = mmap(f.fileno(), 0)\"]\n"),
    "spec/case.yaml:5:11: expected a fixture name inside fixtures/ (no `..`, no absolute path), found \"../Cargo.toml\""
)]
#[case::bad_citation(
    "scenarios:\n  x-y:\n    description: d\n    cite: [\"nowhere.txt#find\"]\n    steps: [\"m = mmap(-1, 4)\"]\n",
    "spec/case.yaml:4:12: expected a citation `<document>#<section>` with a document of ../shared/seeds/INDEX.md (000_6c4516bd15d06843.txt, 001_7715153f72b30a8b.txt, 002_127dda643d53162a.txt, 003_06ad5e3d3859ed64.txt, 004_5f09b125d9b38bcd.txt), found \"nowhere.txt#find\""
)]
#[case::bad_open_mode(
    &format!("{HEAD}    file: b\"x\"\n    open: rw\n    steps: [\"m = mmap(f.fileno(), 0)\"]\n"),
    "spec/case.yaml:6:11: invalid spec file: unknown variant `rw`, expected one of O_RDWR, O_RDONLY, O_WRONLY"
)]
#[case::id_not_kebab_case(
    "scenarios:\n  Find_It:\n    description: d\n    cite: [\"004_5f09b125d9b38bcd.txt#find\"]\n    steps: [\"m = mmap(-1, 4)\"]\n",
    "spec/case.yaml:2:3: expected a kebab-case scenario id (a-z, 0-9, single dashes), found \"Find_It\""
)]
#[case::one_of_without_reason(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - step: m.tell()\n        one_of: [\"-> 0\", \"-> 1\"]\n"),
    "spec/case.yaml:7:9: expected a structured step with `step`, `one_of` and `because`, or `with` and `steps`, or `fork`; found the keys one_of, step"
)]
#[case::steps_not_a_list(
    &format!("{HEAD}    steps: m.tell()\n"),
    "spec/case.yaml:5:12: invalid spec file: expected sequence start"
)]
#[case::file_content_in_a_step(
    &format!("{HEAD}    steps:\n      - m = mmap(-1, 4)\n      - m.write(zeros(3))\n"),
    "spec/case.yaml:7:9: `zeros` makes a scenario's file content; expected it only in `file:`"
)]
#[case::crash_not_last(
    &format!("{HEAD}    file: b\"x\"\n    steps:\n      - m = mmap(f.fileno(), 0)\n      - m[0] !! SIGBUS\n      - len(m) -> 1\n"),
    "spec/case.yaml:8:9: expected a step that may crash to be the last of its scenario or `fork` body: the steps after it could not run"
)]
#[case::platform_expectation_unmarked(
    &format!("{HEAD}    when: {{platform: [windows]}}\n    steps: [\"m = mmap(-1, 4)\"]\n"),
    "spec/case.yaml:2:3: expected `unconfirmed: {windows: <trace>}` (the document sentence or source line the windows expectations come from) or `confirmed: {windows: <run>}`: this scenario states what happens on windows"
)]
#[case::trace_without_source(
    &format!("{HEAD}    when: {{platform: [windows]}}\n    unconfirmed: {{windows: \"as on Linux\"}}\n    steps: [\"m = mmap(-1, 4)\"]\n"),
    "spec/case.yaml:6:28: expected a trace naming its source: a document passage (`004_5f09b125d9b38bcd.txt#resize`) or source lines (`cpython@v3.12.0:Modules/mmapmodule.c#L1110-L1118`, `pywin32@<commit>:<path>#L<n>`), found \"as on Linux\""
)]
#[case::linux_marked_unconfirmed(
    &format!("{HEAD}    unconfirmed: {{linux: \"004_5f09b125d9b38bcd.txt#resize\"}}\n    steps: [\"m = mmap(-1, 4)\"]\n"),
    "spec/case.yaml:5:19: expected macos or windows: Linux expectations are observed on this machine"
)]
#[case::marked_platform_excluded(
    &format!("{HEAD}    when: {{platform: [linux]}}\n    unconfirmed: {{macos: \"004_5f09b125d9b38bcd.txt#resize\"}}\n    steps: [\"m = mmap(-1, 4)\"]\n"),
    "spec/case.yaml:6:19: macos is not a platform this scenario applies to"
)]
fn malformed_spec_is_an_error_at_file_line_column(#[case] text: &str, #[case] expected: &str) {
    let layout = Layout::repository();
    let expected = expected.replace("FIXTURES", &layout.fixtures_dir.display().to_string());
    let err = load_str(&layout, Path::new("spec/case.yaml"), text)
        .expect_err("the spec must be rejected");
    assert_eq!(err.to_string(), format!("error: {expected}"));
}

#[test]
fn duplicate_ids_across_files_name_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec");
    std::fs::create_dir(&spec).unwrap();
    let body = "scenarios:\n  same-id:\n    description: d\n    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]\n    steps: [\"m = mmap(-1, 4)\"]\n";
    std::fs::write(spec.join("a.yaml"), body).unwrap();
    std::fs::write(spec.join("b.yaml"), body).unwrap();
    let layout = Layout {
        spec_dir: spec,
        fixtures_dir: dir.path().join("fixtures"),
    };
    let err = scenario::load_dir(&layout).unwrap_err();
    assert_eq!(
        err.to_string(),
        "error: spec/b.yaml:2:3: duplicate scenario id \"same-id\"; first defined at spec/a.yaml:2:3"
    );
}

#[test]
fn no_truncation_of_any_spec_file_makes_the_loader_panic() {
    let layout = Layout::repository();
    let mut files = vec![];
    for entry in std::fs::read_dir(layout.spec_dir.join("mmap")).unwrap() {
        files.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut inputs = 0;
    for text in &files {
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(53).collect();
        for cut in cuts {
            // Errors are fine; a panic fails the test.
            let _ = load_str(&layout, Path::new("spec/cut.yaml"), &text[..cut]);
            inputs += 1;
        }
    }
    assert!(inputs > 1000, "only {inputs} inputs tried");
}

/// A spec directory holding one file with one scenario.
fn spec_dir_with(text: &str) -> (tempfile::TempDir, Layout) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec");
    std::fs::create_dir(&spec).unwrap();
    std::fs::write(spec.join("wrong.yaml"), text).unwrap();
    let layout = Layout {
        spec_dir: spec,
        fixtures_dir: Layout::repository().fixtures_dir,
    };
    (dir, layout)
}

const WRONG_TELL: &str = "scenarios:
  tell-after-read:
    description: read(3) moves the position to 3, but this spec says 4
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps:
      - m = mmap(-1, 10)
      - m.read(3) -> b\"\\x00\\x00\\x00\"
      - m.tell() -> 4
      - m.close()
";

#[test]
fn a_wrong_expectation_fails_with_the_step_both_outcomes_and_a_diff() {
    let (_dir, layout) = spec_dir_with(WRONG_TELL);
    let scenarios = scenario::load_dir(&layout).unwrap();
    let engine = Engine::new(Context::new(layout, worker()));
    let reference = engine.reference_target(default_profile());
    let result = engine.check(&scenarios[0], &reference);
    let Verdict::DiffersFromSpec(d) = result.verdict else {
        panic!("expected a spec difference, got {:?}", result.verdict)
    };
    assert_eq!(d.step, 3);
    assert_eq!(
        d.summary,
        "spec/wrong.yaml:8:9: step 3 `m.tell()`: expected -> 4, got -> 3"
    );
    assert_eq!(
        d.diff,
        "--- expected (spec/wrong.yaml)
+++ actual (reference 0.1.0)
@@ -1,4 +1,4 @@
   1 m = mmap(-1, 10) -> <mmap.mmap object>
   2 m.read(3) -> b'\\x00\\x00\\x00'
-  3 m.tell() -> 4
+  3 m.tell() -> 3
   4 m.close() -> None
"
    );
}

/// The spec wrongly expects a forked child to survive a read past the
/// truncated file's end; the harness must show the child's crash, the
/// child's steps it never reached, and the steps after the fork.
const CHILD_DIES: &str = "scenarios:
  child-dies:
    description: a forked child dies of SIGBUS mid-body; the parent goes on
    cite: [\"004_5f09b125d9b38bcd.txt#constructor\"]
    file: b\"a\" * (2 * PAGESIZE)
    steps:
      - m = mmap(f.fileno(), 0)
      - fork:
          - f.truncate(0)
          - m[PAGESIZE] -> 97
          - m.size() -> 0
      - len(m) -> 2 * PAGESIZE
      - m.size() -> 0
";

/// The same, one fork deeper: the child goes on after its own child died.
const GRANDCHILD_DIES: &str = "scenarios:
  grandchild-dies:
    description: a grandchild dies mid-body; the child and the parent go on
    cite: [\"004_5f09b125d9b38bcd.txt#constructor\"]
    file: b\"a\" * (2 * PAGESIZE)
    steps:
      - m = mmap(f.fileno(), 0)
      - fork:
          - fork:
              - f.truncate(0)
              - m[PAGESIZE] -> 97
              - len(m) -> 1
          - m.size() -> 0
      - len(m) -> 2 * PAGESIZE
";

#[rstest]
#[case::child(
    CHILD_DIES,
    "spec/wrong.yaml:10:13: step 4 `m[PAGESIZE]`: expected -> 97, got !! SIGBUS",
    "@@ -1,7 +1,7 @@
   1 m = mmap(f.fileno(), 0) -> <mmap.mmap object>
   2 fork: -> None
   3 f.truncate(0) -> None
-  4 m[PAGESIZE] -> 97
-  5 m.size() -> 0
+  4 m[PAGESIZE] !! SIGBUS
+  5 m.size() (not run)
   6 len(m) -> 8192
   7 m.size() -> 0
"
)]
#[case::grandchild(
    GRANDCHILD_DIES,
    "spec/wrong.yaml:11:17: step 5 `m[PAGESIZE]`: expected -> 97, got !! SIGBUS",
    "@@ -2,7 +2,7 @@
   2 fork: -> None
   3 fork: -> None
   4 f.truncate(0) -> None
-  5 m[PAGESIZE] -> 97
-  6 len(m) -> 1
+  5 m[PAGESIZE] !! SIGBUS
+  6 len(m) (not run)
   7 m.size() -> 0
   8 len(m) -> 8192
"
)]
fn a_forked_child_that_dies_mid_body_costs_only_its_own_steps(
    #[case] spec: &str,
    #[case] summary: &str,
    #[case] diff: &str,
    #[values("reference", "python3")] implementation: &str,
) {
    let (_dir, layout) = spec_dir_with(spec);
    let scenarios = scenario::load_dir(&layout).unwrap();
    let engine = Engine::new(Context::new(layout, worker()));
    let target = match implementation {
        "reference" => engine.reference_target(default_profile()),
        _ => engine
            .probe(
                Target::python_driver(Path::new(implementation), &python_driver_path()),
                None,
            )
            .unwrap(),
    };
    let result = engine.check(&scenarios[0], &target);
    let Verdict::DiffersFromSpec(d) = result.verdict else {
        panic!("expected a spec difference, got {:?}", result.verdict)
    };
    assert_eq!(d.summary, summary);
    // The header names the implementation's version; the hunk is the point.
    let hunk = d.diff.split_inclusive('\n').skip(2).collect::<String>();
    assert_eq!(hunk, diff);
}

#[test]
fn the_cli_exits_non_zero_and_prints_the_difference() {
    let (_dir, layout) = spec_dir_with(WRONG_TELL);
    let out = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["run", "--impl", "reference", "--spec"])
        .arg(&layout.spec_dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("FAIL reference::tell-after-read: differs from spec\nspec/wrong.yaml:8:9: step 3 `m.tell()`: expected -> 4, got -> 3\n"), "{stdout}");
    assert!(stdout.ends_with(": 1 differs from spec\n"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "colour under NO_COLOR: {stdout}");
}

/// A known difference accepts exactly the outcome it names; naming another
/// leaves the failure standing and reports the entry as stale.
#[rstest]
#[case::accepted(
    "-> 3",
    0,
    "reference (reference 0.1.0, python 3.11 on linux): 1 known difference\n"
)]
#[case::another_outcome(
    "-> 5",
    1,
    "STALE KNOWN:2: the known difference for reference in tell-* (got -> 5) no longer occurs (r)\n\
     reference (reference 0.1.0, python 3.11 on linux): 1 differs from spec\n"
)]
fn a_known_difference_accepts_only_the_outcome_it_names(
    #[case] got: &str,
    #[case] code: i32,
    #[case] tail: &str,
) {
    let (dir, layout) = spec_dir_with(WRONG_TELL);
    let known = dir.path().join("known.yaml");
    std::fs::write(
        &known,
        format!(
            "differences:\n  - implementation: reference\n    scenarios: [tell-*]\n    \
             got: \"{got}\"\n    reason: r\n    link: https://example.org\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["run", "--impl", "reference", "--python", "3.11", "--spec"])
        .arg(&layout.spec_dir)
        .arg("--known")
        .arg(&known)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(code), "{stdout}");
    let tail = tail.replace("KNOWN", &known.display().to_string());
    assert!(stdout.ends_with(&tail), "{stdout}");
}

/// One scenario of each kind of result: a pass, a difference, a crash the
/// spec does not expect, one that does not apply.
const FOUR_KINDS: &str = "scenarios:
  a-pass:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps: [\"m = mmap(-1, 10)\", \"m.tell() -> 0\"]
  b-difference:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    steps: [\"m = mmap(-1, 10)\", \"m.tell() -> 4\"]
  c-crash:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#constructor\"]
    file: b\"a\" * (2 * PAGESIZE)
    steps: [\"m = mmap(f.fileno(), 0)\", \"f.truncate(0)\", \"m[PAGESIZE] -> 97\"]
  d-not-applicable:
    description: d
    cite: [\"004_5f09b125d9b38bcd.txt#tell\"]
    when: {python: \"<3.0\"}
    steps: [\"m = mmap(-1, 10)\"]
";

#[test]
fn the_junit_report_is_read_by_a_junit_parser() {
    use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
    let (dir, layout) = spec_dir_with(FOUR_KINDS);
    let path = dir.path().join("junit.xml");
    let status = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["--impl", "reference", "--python", "3.11", "--spec"])
        .arg(&layout.spec_dir)
        .arg("--junit")
        .arg(&path)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    let report = Report::deserialize_from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report.test_suites.len(), 1);
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "reference");
    let cases: Vec<(String, String, String)> = suite
        .test_cases
        .iter()
        .map(|c| {
            let (kind, message) = match &c.status {
                TestCaseStatus::Success { .. } => ("success", None),
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    message,
                    ..
                } => ("failure", message.as_ref()),
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Error,
                    message,
                    ..
                } => ("error", message.as_ref()),
                TestCaseStatus::Skipped { message, .. } => ("skipped", message.as_ref()),
            };
            let classname = c.classname.as_ref().map_or("", |s| s.as_str()).to_owned();
            let message = message.map_or("", |m| m.as_str()).to_owned();
            (format!("{} {kind}", c.name.as_str()), classname, message)
        })
        .collect();
    let wrong = |s: &str| (s.to_owned(), "reference.wrong".to_owned());
    assert_eq!(
        cases
            .iter()
            .map(|(a, b, _)| (a.clone(), b.clone()))
            .collect::<Vec<_>>(),
        [
            wrong("a-pass success"),
            wrong("b-difference failure"),
            wrong("c-crash error"),
            wrong("d-not-applicable skipped"),
        ]
    );
    assert_eq!(
        cases[1].2,
        "spec/wrong.yaml:9:33: step 2 `m.tell()`: expected -> 4, got -> 0"
    );
    assert_eq!(
        cases[2].2,
        "spec/wrong.yaml:14:57: step 3 `m[PAGESIZE]`: expected -> 97, got !! SIGBUS"
    );
    assert_eq!(
        cases[3].2,
        "not applicable: needs python < 3.0; this is 3.11"
    );
}

#[test]
fn the_cli_writes_a_json_report() {
    let (dir, layout) = spec_dir_with(WRONG_TELL);
    let json_path = dir.path().join("report.json");
    let status = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["--impl", "reference", "--spec"])
        .arg(&layout.spec_dir)
        .arg("--json")
        .arg(&json_path)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(report["format"], "mmapconf-run");
    assert_eq!(report["version"], 3);
    let result = &report["results"][0];
    assert_eq!(result["scenario"], "tell-after-read");
    assert_eq!(result["verdict"], "differs from spec");
    assert_eq!(result["step"], 3);
    assert_eq!(result["expected"], "-> 4");
    assert_eq!(result["got"], "-> 3");
    assert_eq!(
        result["transcript"][2]["outcome"],
        serde_json::json!({"returned": {"type": "int", "value": "3"}})
    );
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn a_full_run_leaves_fixtures_unchanged_and_no_temporary_files() {
    let layout = Layout::repository();
    let before = snapshot(&layout.fixtures_dir);
    let scenarios = scenario::load_dir(&layout).unwrap();
    assert!(scenarios.iter().any(|s| {
        s.file
            .as_ref()
            .is_some_and(|f| format!("{:?}", f.content).contains("fixture"))
    }));
    let tmp = tempfile::tempdir().unwrap();
    let mut ctx = Context::new(layout.clone(), worker());
    ctx.tmp_base = tmp.path().to_path_buf();
    let engine = Engine::new(ctx);
    let mut targets = vec![engine.reference_target(default_profile())];
    if mmap_conformance::backend::hosted().contains(&"cpython") {
        targets.push(
            engine
                .probe(Target::embedded_cpython(&worker()), Some("cpython".into()))
                .unwrap(),
        );
    }
    let results = engine.run_all(&scenarios, &targets, &|_| {});
    assert_eq!(results.len(), scenarios.len() * targets.len());
    assert!(
        results
            .iter()
            .all(|r| !matches!(r.verdict, Verdict::Error(_)))
    );
    assert_eq!(snapshot(&layout.fixtures_dir), before, "a fixture changed");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

#[test]
fn the_committed_schema_is_current() {
    let committed =
        std::fs::read_to_string(Layout::repository().spec_dir.join("schema.json")).unwrap();
    assert_eq!(
        committed,
        mmap_conformance::scenario::doc::schema_json() + "\n",
        "spec/schema.json is stale: run `cargo run -- schema > spec/schema.json`"
    );
}

/// Runs `script` under `interpreter`; for each step, (number, expected, got).
fn run_repro(interpreter: &str, script: &Path) -> Vec<(usize, String, String)> {
    let out = Command::new(interpreter).arg(script).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut steps: Vec<(usize, String, String)> = vec![];
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("      expected: ") {
            steps.last_mut().unwrap().1 = e.to_owned();
        } else if let Some(g) = line.strip_prefix("      got:      ") {
            steps.last_mut().unwrap().2 = g.to_owned();
        } else if let Some((n, _)) = line.trim_start().split_once(' ') {
            if let Ok(n) = n.parse() {
                steps.push((n, String::new(), String::new()));
            }
        }
    }
    steps
}

/// Three differences of other implementations: the scenario, the step, and
/// the implementation that differs there with what it prints.
const REPRODUCED: [(&str, usize, &str, &str); 3] = [
    ("find-empty-subsequence-returns-start", 5, "pypy3", "-> -1"),
    ("write-byte-value-out-of-range", 2, "pypy3", "-> None"),
    (
        "anonymous-map-shared-with-forked-child",
        7,
        "rustpython",
        "-> b'Hello'",
    ),
];

#[test]
fn a_reproduction_script_shows_the_behaviour_under_any_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    for (id, step, other, differs) in REPRODUCED {
        let script = dir.path().join(format!("{id}.py"));
        let out = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
            .args(["repro", id])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&script, out.stdout).unwrap();
        // CPython does what the spec expects, step by step.
        let cpython = run_repro("python3", &script);
        assert!(cpython.len() >= step, "{id}: {cpython:?}");
        for (n, expected, got) in &cpython {
            if expected != "-> (any value)" {
                assert_eq!(expected, got, "{id} step {n} under python3");
            }
        }
        // The other implementation prints its difference, when installed.
        let Ok(found) = which(other) else {
            eprintln!("{id}: not run under {other}: it is not on PATH");
            continue;
        };
        let theirs = run_repro(&found, &script);
        let (_, expected, got) = &theirs[step - 1];
        assert_eq!(got, differs, "{id} step {step} under {other}");
        assert_ne!(expected, got);
    }
}

/// The path of `name` on `PATH` (or under `~/.cargo/bin`, where `cargo
/// install` puts RustPython).
fn which(name: &str) -> Result<String, ()> {
    let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin"));
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .chain(home)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
        .ok_or(())
}

#[test]
fn the_coverage_table_counts_scenarios_and_needs_a_reason_for_each_empty_cell() {
    let (dir, layout) = spec_dir_with(WRONG_TELL);
    let gaps = dir.path().join("gaps.yaml");
    let run = |check: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mmapconf"));
        cmd.args(["coverage", "--spec"])
            .arg(&layout.spec_dir)
            .arg("--gaps")
            .arg(&gaps);
        if check {
            cmd.arg("--check");
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, table) = run(true);
    assert_eq!(code, Some(1), "{table}");
    let row = |table: &str, op: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(op))
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row(&table, "read"),
        ["1", "MISSING", "MISSING", "MISSING", "MISSING"]
    );
    assert_eq!(
        row(&table, "tell"),
        ["1", "MISSING", "MISSING", "MISSING", "MISSING"]
    );
    std::fs::write(
        &gaps,
        "gaps:\n  - operation: read\n    kinds: [ACCESS_READ]\n    reason: r\n",
    )
    .unwrap();
    let (code, table) = run(false);
    assert_eq!(code, Some(0));
    assert_eq!(
        row(&table, "read"),
        ["1", "MISSING", "-", "MISSING", "MISSING"]
    );
    assert!(table.contains("\n  read on ACCESS_READ: r\n"), "{table}");
    std::fs::write(
        &gaps,
        "gaps:\n  - operation: raed\n    kinds: [ACCESS_READ]\n    reason: r\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["coverage", "--spec"])
        .arg(&layout.spec_dir)
        .arg("--gaps")
        .arg(&gaps)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("gaps.yaml:2: unknown operation \"raed\""),
        "{err}"
    );
}

#[test]
fn the_traceability_table_accounts_for_every_sentence() {
    let (dir, layout) = spec_dir_with(WRONG_TELL);
    let sources = dir.path().join("sources");
    std::fs::create_dir(&sources).unwrap();
    std::fs::write(
        sources.join("doc.txt"),
        "<p>Preamble.</p> <p>Alpha <tt>moves</tt> the position. Beta is a hint.</p>",
    )
    .unwrap();
    let list = dir.path().join("trace.yaml");
    let run = |entries: &str| {
        std::fs::write(
            &list,
            format!(
                "documents:\n  - document: doc.txt\n    begins: Alpha\n    ends: hint.\n    sentences:\n{entries}"
            ),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
            .args(["trace", "--check", "--spec"])
            .arg(&layout.spec_dir)
            .arg("--file")
            .arg(&list)
            .arg("--sources")
            .arg(&sources)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, table, _) =
        run("      - text: Alpha moves the position.\n        scenarios: [tell-after-read]\n");
    assert_eq!(code, Some(1), "{table}");
    assert!(
        table.contains("    1 Alpha moves the position.\n      -> tell-after-read ["),
        "{table}"
    );
    assert!(
        table.contains("    2 Beta is a hint.\n      GAP: no scenario and no reason\n"),
        "{table}"
    );
    let (code, table, _) = run(
        "      - text: Alpha moves the position.\n        scenarios: [tell-after-read]\n      - text: Beta is a hint.\n        untestable: advice to the reader\n",
    );
    assert_eq!(code, Some(0), "{table}");
    assert!(
        table.contains("2 sentences: 1 checked, 1 untestable, 0 gaps"),
        "{table}"
    );
    let (code, _, err) =
        run("      - text: Alpha moves the position.\n        scenarios: [no-such-id]\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("trace.yaml:6: no scenario has the id \"no-such-id\""),
        "{err}"
    );
}

/// Debian's headless Chromium, if installed. `.ci/run` installs it and sets
/// `MMAPCONF_REQUIRE_BROWSER`, which makes its absence a failure.
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|name| which(name).ok());
    if found.is_none() && std::env::var_os("MMAPCONF_REQUIRE_BROWSER").is_some() {
        panic!("no chromium on PATH (apt-get install -y chromium)");
    }
    found
}

#[test]
fn the_html_report_renders_the_matrix_and_a_cell_opens_its_diff_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!("not run: no chromium on PATH (apt-get install -y chromium)");
        return;
    };
    let (dir, layout) = spec_dir_with(FOUR_KINDS);
    let page = dir.path().join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_mmapconf"))
        .args(["--impl", "reference", "--python", "3.11", "--spec"])
        .arg(&layout.spec_dir)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    // Opening `#open=b-difference/reference` clicks that cell.
    let url = format!("file://{}#open=b-difference/reference", page.display());
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let cells: Vec<&str> = dom
        .match_indices("class=\"cell ")
        .map(|(i, _)| dom[i + 12..].split('"').next().unwrap())
        .collect();
    assert_eq!(cells, ["pass", "differs", "differs", "na"], "{dom}");
    let detail = dom
        .split("<div id=\"detail\" class=\"open\">")
        .nth(1)
        .expect("the cell opened");
    assert!(detail.contains("<h2>b-difference</h2>"), "{detail}");
    assert!(
        detail.contains("-  2 m.tell() -&gt; 4\n+  2 m.tell() -&gt; 0"),
        "{detail}"
    );
}
