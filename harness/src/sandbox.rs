//! A fresh temporary directory per run, holding the scenario's file.
//!
//! Fixtures are copied in, never mapped in place; the directory and everything
//! in it go away when the sandbox is dropped. The implementation opens the
//! file itself (see `fileops`), so that `f.fileno()` is its own descriptor.

use std::io;
use std::path::{Path, PathBuf};

use mmap_reference::Profile;
use tempfile::TempDir;

use crate::consteval::{self, ConstEnv};
use crate::scenario::Scenario;
use crate::transcript::Observed;

/// The scenario's temporary directory and the path of its file, if any.
pub struct Sandbox {
    _dir: TempDir,
    path: Option<PathBuf>,
}

impl Sandbox {
    /// Makes a directory under `base` and, if the scenario has a file, writes
    /// its content (evaluated for `profile`) as `data` there.
    pub fn new(
        base: &Path,
        scenario: &Scenario,
        profile: Profile,
        fixtures_dir: &Path,
    ) -> io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("mmapconf-")
            .tempdir_in(base)?;
        let mut path = None;
        if let Some(setup) = &scenario.file {
            let env = ConstEnv {
                profile,
                bound: &|_| false,
                fixtures_dir: Some(fixtures_dir),
            };
            let content = match consteval::eval(&setup.content, &env) {
                Ok(Observed::Bytes(b)) => b,
                Ok(other) => {
                    return Err(io::Error::other(format!(
                        "file content must be bytes, not {other}"
                    )));
                }
                Err(e) => return Err(io::Error::other(e)),
            };
            let file = dir.path().join("data");
            std::fs::write(&file, content)?;
            path = Some(file);
        }
        Ok(Self { _dir: dir, path })
    }

    /// The scenario's file, if it has one.
    pub fn file(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}
