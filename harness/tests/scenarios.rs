//! One test per (implementation, scenario), found at run time from `spec/`:
//! `cargo test -p mmap-conformance --test scenarios -- find-` runs the find
//! scenarios on every implementation; pairs that do not apply are ignored,
//! with the reason. The implementations are the reference, the embedded
//! CPython and the Python driver under `python3`; they run in adapter
//! processes, as in a real run, so a scenario that crashes one fails one
//! test.

mod common;

use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::Arguments;
use mmap_conformance::backend;
use mmap_conformance::select;
use mmap_conformance::target::{self, Target};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let (engine, scenarios) = match common::setup() {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let worker = engine.context().worker.clone();
    let mut targets = vec![];
    if backend::hosted().contains(&"cpython") {
        match engine.probe(Target::embedded_cpython(&worker), Some("cpython".into())) {
            Ok(t) => targets.push(t),
            Err(e) => {
                eprintln!("the embedded CPython cannot start: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    // The Python driver under the default `python3`, so that the driver
    // every other interpreter runs is itself held to the spec.
    let driver = Target::python_driver(Path::new("python3"), &target::python_driver_path());
    let python3 = match engine.probe(driver, None) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("the Python driver cannot start under python3: {e}");
            return ExitCode::FAILURE;
        }
    };
    let profile = targets
        .first()
        .map_or_else(select::default_profile, |t| t.implementation.profile);
    targets.insert(0, engine.reference_target(profile));
    targets.push(python3);

    let mut trials = vec![];
    for target in &targets {
        for s in &scenarios {
            let name = format!("{}::{}", target.implementation.id, s.id);
            trials.push(common::trial(name, &engine, target, s));
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}
