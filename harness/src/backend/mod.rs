//! Implementations that live inside `mmapconf` itself: the reference and the
//! embedded CPython. The harness never runs them in its own process;
//! `mmapconf serve NAME` hosts one as a protocol adapter in a worker process,
//! so a crash or a hang in a scenario costs one worker, never the run.
//!
//! The reference runs on the shared step evaluator (`exec`); the embedded
//! CPython runs the Python driver, as every other Python does. A new
//! in-process implementation is one file here implementing `exec::Runtime`,
//! plus one arm in [`serve`].

use std::io;

use mmap_reference::Profile;

use crate::protocol::serve::serve_stdio;

#[cfg(feature = "cpython")]
pub mod cpython;
pub mod reference;

/// The implementations `mmapconf serve` can host in this build.
pub fn hosted() -> &'static [&'static str] {
    if cfg!(feature = "cpython") {
        &["reference", "cpython"]
    } else {
        &["reference"]
    }
}

/// Serves `name` on standard input and output until end of input; the
/// reference imitates `profile`.
pub fn serve(name: &str, profile: Profile) -> io::Result<()> {
    match name {
        "reference" => serve_stdio(&reference::hello(profile), &mut |request, emit| {
            reference::run(profile, request, emit)
        }),
        #[cfg(feature = "cpython")]
        "cpython" => cpython::serve(),
        other => Err(io::Error::other(format!(
            "this build hosts {}, not {other:?}",
            hosted().join(" and ")
        ))),
    }
}
