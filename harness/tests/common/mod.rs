//! What the scenario tests share: a verdict as a test's result.

use libtest_mimic::Failed;
use mmap_conformance::judge::Verdict;

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
