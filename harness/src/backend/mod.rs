//! Implementations under test. Backends report transcripts; the harness judges.
//!
//! A new backend is one file here plus one line in [`available`].

use std::fmt;

use mmap_reference::Profile;

use crate::sandbox::Sandbox;
use crate::scenario::{Api, Scenario};
use crate::transcript::Transcript;

#[cfg(feature = "cpython")]
pub mod cpython;
pub mod reference;

/// Who an implementation is, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Implementation {
    /// Short name used in test names and `--impl`: `reference`, `cpython`.
    pub name: String,
    /// The implementation's own version text (`3.11.7`).
    pub version: String,
    /// The Python version and platform whose behaviour it claims.
    pub profile: Profile,
    /// The API it provides.
    pub api: Api,
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.name, self.version, self.profile)
    }
}

/// The machinery failed (not the implementation: a Python exception is a result).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError(pub String);

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackendError {}

/// Something that runs scenarios and reports what happened.
pub trait Backend: Send + Sync {
    /// Who this is.
    fn describe(&self) -> &Implementation;
    /// Runs one scenario in a prepared sandbox.
    fn run(&self, scenario: &Scenario, sandbox: &mut Sandbox) -> Result<Transcript, BackendError>;
}

/// The in-process backends this build has, besides the reference: the
/// embedded CPython when built with the `cpython` feature.
pub fn available() -> Vec<Box<dyn Backend>> {
    vec![
        #[cfg(feature = "cpython")]
        Box::new(cpython::CPythonBackend::new()),
    ]
}
