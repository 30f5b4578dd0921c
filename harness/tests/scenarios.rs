//! One test per (implementation, scenario), found at run time from `spec/`:
//! `cargo test -p mmap-conformance --test scenarios -- find-` runs the find
//! scenarios on every implementation; pairs that do not apply are ignored,
//! with the reason.

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use mmap_conformance::backend::reference::ReferenceBackend;
use mmap_conformance::backend::{self, Backend};
use mmap_conformance::judge::Verdict;
use mmap_conformance::runner::{self, Context};
use mmap_conformance::scenario::{self, Layout};
use mmap_conformance::select;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let layout = Layout::repository();
    let scenarios = match scenario::load_dir(&layout) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let others = backend::available();
    let profile = others
        .first()
        .map_or_else(select::default_profile, |b| b.describe().profile);
    let mut backends: Vec<Arc<dyn Backend>> = vec![Arc::new(ReferenceBackend::new(profile))];
    backends.extend(others.into_iter().map(Arc::from));
    let ctx = Arc::new(Context::new(layout));

    let mut trials = vec![];
    for backend in &backends {
        for s in &scenarios {
            let imp = backend.describe();
            let name = format!("{}::{}", imp.name, s.id);
            if let Some(why) = runner::applicability(s, imp) {
                trials.push(
                    Trial::ignorable_test(name, move || Ok(Completion::ignored_with(why)))
                        .with_ignored_flag(true),
                );
                continue;
            }
            let (backend, ctx, s) = (backend.clone(), ctx.clone(), s.clone());
            trials.push(Trial::test(name, move || {
                let verdict = runner::check(&ctx, &s, backend.as_ref()).verdict;
                let label = verdict.label();
                match verdict {
                    Verdict::Pass => Ok(()),
                    Verdict::DiffersFromSpec(d) | Verdict::DiffersFromReference(d) => {
                        Err(Failed::from(format!("{label}\n{d}")))
                    }
                    Verdict::NotApplicable(why) => {
                        Err(Failed::from(format!("unexpectedly not applicable: {why}")))
                    }
                    Verdict::Error(e) => Err(Failed::from(e)),
                }
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}
