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

/// Sandboxes are named for the process that made them, so that the next
/// run can tell a dead run's from a live one's: `mmapconf-PID-…`.
fn prefix(pid: u32) -> String {
    format!("mmapconf-{pid}-")
}

/// The process that made the sandbox called `name`, if it is one.
fn owner(name: &str) -> Option<u32> {
    name.strip_prefix("mmapconf-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Where sandboxes go unless told otherwise: under `$TMPDIR` when it is set;
/// else under `/dev/shm` where that is a directory the run can write (a
/// tmpfs on Linux: creating and removing a scenario's directory and file
/// there costs about half of what it costs on a disk file system, and a run
/// does it once per scenario and implementation); else under the system's
/// temporary directory.
pub fn default_base() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if std::env::var_os("TMPDIR").is_none() && shm.is_dir() && Sandbox::check_base(shm).is_ok() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

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
            .prefix(&prefix(std::process::id()))
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

    /// Checks that sandboxes can be made under `base`, so that a temporary
    /// directory that is missing, unwritable or full is one clear error
    /// before the run, not one per scenario.
    pub fn check_base(base: &Path) -> Result<(), String> {
        tempfile::Builder::new()
            .prefix(&prefix(std::process::id()))
            .tempdir_in(base)
            .and_then(|dir| {
                std::fs::write(dir.path().join("probe"), b"mmapconf")?;
                dir.close()
            })
            .map_err(|e| {
                format!(
                    "the temporary directory {} cannot hold the scenarios' files: {e} \
                     (set TMPDIR to a writable directory with free space)",
                    base.display()
                )
            })
    }

    /// Removes the sandboxes under `base` that a run which has since died
    /// left behind (killed before it could remove them); returns how many.
    pub fn reclaim(base: &Path) -> usize {
        let Ok(entries) = std::fs::read_dir(base) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = owner(&name) else { continue };
            if pid != std::process::id()
                && !crate::sys::alive(pid)
                && std::fs::remove_dir_all(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
        removed
    }

    /// The scenario's file, if it has one.
    pub fn file(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}
