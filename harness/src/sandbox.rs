//! A fresh temporary directory per run, holding the scenario's file.
//!
//! Fixtures are copied in, never mapped in place; the directory and everything
//! in it go away when the sandbox is dropped.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use mmap_reference::Profile;
use tempfile::TempDir;

use crate::consteval::{self, ConstEnv};
use crate::scenario::{OpenMode, Scenario};
use crate::transcript::{Observed, Raised};

/// The scenario's temporary directory and its open file `f`.
pub struct Sandbox {
    dir: TempDir,
    path: Option<PathBuf>,
    file: Option<File>,
}

impl Sandbox {
    /// Makes a directory under `base` and, if the scenario has a file, writes
    /// its content (evaluated for `profile`) and opens it as the spec says.
    pub fn new(
        base: &Path,
        scenario: &Scenario,
        profile: Profile,
        fixtures_dir: &Path,
    ) -> io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("mmapconf-")
            .tempdir_in(base)?;
        let mut sandbox = Self {
            dir,
            path: None,
            file: None,
        };
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
            let path = sandbox.dir.path().join("data");
            std::fs::write(&path, content)?;
            let mut opts = OpenOptions::new();
            match setup.open {
                OpenMode::ReadWrite => opts.read(true).write(true),
                OpenMode::ReadOnly => opts.read(true),
                OpenMode::WriteOnly => opts.write(true),
            };
            sandbox.file = Some(opts.open(&path)?);
            sandbox.path = Some(path);
        }
        Ok(sandbox)
    }

    /// `f.method(*args)`: the harness's own operations on the scenario's file.
    pub fn file_op(&mut self, method: &str, args: &[Observed]) -> Result<Observed, Raised> {
        let int = |i: usize| match args.get(i) {
            Some(Observed::Int(n)) => u64::try_from(*n)
                .map_err(|_| harness_error(format!("f.{method}: expected a size >= 0"))),
            _ => Err(harness_error(format!(
                "f.{method}: argument {} must be an int",
                i + 1
            ))),
        };
        if method == "close" {
            self.file = None;
            return Ok(Observed::None);
        }
        let path = self
            .path
            .clone()
            .ok_or_else(|| harness_error("the scenario has no file".into()))?;
        let file = self.file.as_mut().ok_or_else(|| Raised {
            type_name: "ValueError".into(),
            message: "I/O operation on closed file".into(),
            errno: None,
        })?;
        let to_int = |n: u64| Observed::Int(i128::from(n));
        let r: io::Result<Observed> = match method {
            "fileno" => Ok(Observed::Int(i128::from(file.as_raw_fd()))),
            "size" => file.metadata().map(|m| to_int(m.len())),
            "read" => std::fs::read(&path).map(Observed::Bytes),
            "pwrite" => match args.first() {
                Some(Observed::Bytes(data)) => {
                    file.write_at(data, int(1)?).map(|n| to_int(n as u64))
                }
                _ => return Err(harness_error("f.pwrite: argument 1 must be bytes".into())),
            },
            "truncate" => file.set_len(int(0)?).map(|()| Observed::None),
            "tell" => file.stream_position().map(to_int),
            "seek" => file.seek(SeekFrom::Start(int(0)?)).map(to_int),
            _ => return Err(harness_error(format!("unknown file method f.{method}"))),
        };
        r.map_err(|e| Raised {
            type_name: "OSError".into(),
            message: e.to_string(),
            errno: e.raw_os_error(),
        })
    }
}

fn harness_error(message: String) -> Raised {
    Raised {
        type_name: "HarnessError".into(),
        message,
        errno: None,
    }
}
