//! The reference under every profile it models, judged against that
//! profile's expectations in `spec/`: one test per (profile, scenario),
//! named `reference-3.8-linux::find-hit`. The `scenarios` test holds the
//! reference to the linked CPython's version; this one holds it to every
//! version the suite knows on Linux, macOS and Windows, which is also what
//! mutation testing runs (`cargo mutants` in the README): a mutant of the
//! reference survives only if every profile still passes every scenario.
//! The macOS and Windows profiles run here emulated, against expectations
//! traced to CPython's source (`unconfirmed` in the spec) or shared with
//! Linux.

mod common;

use std::process::ExitCode;

use libtest_mimic::Arguments;
use mmap_conformance::scenario::names::VERSIONS;
use mmap_reference::{Platform, Profile};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let (engine, scenarios) = match common::setup() {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut trials = vec![];
    let platforms = Platform::ALL;
    for (platform, python) in platforms.into_iter().flat_map(|p| VERSIONS.map(|v| (p, v))) {
        let profile = Profile::new(python, platform);
        let target = engine.reference_target(profile);
        for s in &scenarios {
            let name = format!("reference-{python}-{}::{}", profile.platform, s.id);
            trials.push(common::trial(name, &engine, &target, s));
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}
