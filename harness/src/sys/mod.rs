//! What the harness asks of its host: process control for adapters and
//! `fork` steps, the worker's standard output, file positions. Unix hosts
//! have all of it (the harness's only `unsafe` code). Elsewhere the
//! harness runs real implementations through their adapters, without a
//! memory limit, and what needs `fork` or descriptors fails with a clear
//! error: the reference and the embedded CPython need a Unix host.

#[cfg(unix)]
#[allow(unsafe_code)]
#[path = "unix.rs"]
mod host;
#[cfg(not(unix))]
#[path = "other.rs"]
mod host;
pub use host::*;

/// How a child process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitStatus {
    /// The exit code, if it exited.
    pub code: Option<i32>,
    /// The signal's name (`SIGBUS`), if a signal killed it.
    pub signal: Option<String>,
}
