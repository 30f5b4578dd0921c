//! JUnit XML: one test suite per implementation, one test case per
//! scenario, for CI systems that read test reports.
//!
//! A difference is a `failure`; a crash or a time-out where the spec expects
//! neither, and a failure of the machinery, are `error`s; a scenario that
//! does not apply, and an accepted known difference, are `skipped` with the
//! reason.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::judge::Verdict;
use crate::known::KnownList;
use crate::runner::CaseResult;
use crate::transcript::Outcome;

/// The report of a run, in the order of `results`.
pub fn report(results: &[CaseResult], known: &KnownList) -> Report {
    let mut report = Report::new("mmapconf");
    let mut suites: Vec<TestSuite> = vec![];
    for r in results {
        let id = &r.implementation.id;
        let suite = match suites.iter().position(|s| s.name.as_str() == id) {
            Some(i) => &mut suites[i],
            None => {
                let mut s = TestSuite::new(id.as_str());
                s.add_property(("implementation", r.implementation.to_string().as_str()));
                suites.push(s);
                suites.last_mut().expect("just pushed")
            }
        };
        let mut case = TestCase::new(r.scenario.as_str(), status(r, known));
        case.set_classname(format!("{id}.{}", r.topic));
        suite.add_test_case(case);
    }
    report.add_test_suites(suites);
    report
}

fn status(r: &CaseResult, known: &KnownList) -> TestCaseStatus {
    if let Some(k) = r.known.and_then(|i| known.0.get(i)) {
        let mut s = TestCaseStatus::skipped();
        s.set_message(format!("known difference ({}): {}", k.at, k.reason));
        return s;
    }
    match &r.verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::NotApplicable(why) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("not applicable: {why}"));
            s
        }
        Verdict::Error(why) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type("error").set_message(why.as_str());
            s
        }
        Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => {
            let stopped = r
                .transcript
                .as_ref()
                .and_then(|t| t.entries.get(d.step - 1))
                .is_some_and(|e| matches!(e.outcome, Outcome::Crashed(_) | Outcome::TimedOut));
            let kind = if stopped {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_type(r.verdict.label())
                .set_message(d.summary.as_str())
                .set_description(d.diff.as_str());
            s
        }
    }
}
