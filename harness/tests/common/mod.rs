//! What the scenario tests share: the repository's scenarios and an engine
//! whose worker is this build's `mmapconf`, one test per (target, scenario),
//! and a verdict as a test's result.

use std::path::PathBuf;
use std::sync::Arc;

use libtest_mimic::{Completion, Failed, Trial};
use mmap_conformance::judge::Verdict;
use mmap_conformance::runner::{self, Context, Engine};
use mmap_conformance::scenario::{self, Layout, Scenario};
use mmap_conformance::target::Target;

/// The repository's scenarios and an engine to run them, or why the spec
/// cannot be loaded.
pub fn setup() -> Result<(Arc<Engine>, Vec<Scenario>), String> {
    let layout = Layout::repository();
    let scenarios = scenario::load_dir(&layout).map_err(|e| e.to_string())?;
    let worker = PathBuf::from(env!("CARGO_BIN_EXE_mmapconf"));
    Ok((
        Arc::new(Engine::new(Context::new(layout, worker))),
        scenarios,
    ))
}

/// The test `name` that runs `s` on `target`, or an ignored one saying why
/// the scenario does not apply to it.
pub fn trial(name: String, engine: &Arc<Engine>, target: &Target, s: &Scenario) -> Trial {
    if let Some(why) = runner::applicability(s, &target.implementation) {
        return Trial::ignorable_test(name, move || Ok(Completion::ignored_with(why)))
            .with_ignored_flag(true);
    }
    let (engine, target, s) = (engine.clone(), target.clone(), s.clone());
    Trial::test(name.clone(), move || {
        outcome(&name, engine.check(&s, &target).verdict)
    })
}

/// Passes on `Pass`; fails with the verdict's name and diff otherwise.
///
/// With `MMAPCONF_FAIL_FAST` set, the first failure ends the test process
/// (exit status 101, as a failed test run): mutation testing only asks
/// whether any scenario fails, and most mutants fail many.
pub fn outcome(name: &str, verdict: Verdict) -> Result<(), Failed> {
    let label = verdict.label();
    let failure = match verdict {
        Verdict::Pass => return Ok(()),
        Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => format!("{label}\n{d}"),
        Verdict::NotApplicable(why) => format!("unexpectedly not applicable: {why}"),
        Verdict::Error(e) => e,
    };
    if std::env::var_os("MMAPCONF_FAIL_FAST").is_some() {
        eprintln!("{name} failed (MMAPCONF_FAIL_FAST):\n{failure}");
        std::process::exit(101);
    }
    Err(Failed::from(failure))
}
