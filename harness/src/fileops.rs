//! The scenario's file `f` as an adapter holds it: the file steps of the
//! protocol (`harness/PROTOCOL.md`, section 5) on the adapter's own descriptor.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::path::PathBuf;

use mmap_reference::{Platform, Profile, PyVersion};

use crate::protocol::wire::FileSpec;
use crate::transcript::{Observed, Raised};

/// The scenario's file, open as the request says.
pub struct FileHandle {
    path: PathBuf,
    file: Option<File>,
}

impl FileHandle {
    /// Opens the file the harness prepared, without creating or truncating it.
    pub fn open(spec: &FileSpec) -> Result<Self, String> {
        let mut opts = OpenOptions::new();
        match spec.mode.as_str() {
            "r+b" => opts.read(true).write(true),
            "rb" => opts.read(true),
            "wb" => opts.write(true),
            other => {
                return Err(format!(
                    "unknown file mode {other:?}; expected rb, r+b or wb"
                ));
            }
        };
        let file = opts
            .open(&spec.path)
            .map_err(|e| format!("cannot open {}: {e}", spec.path))?;
        Ok(Self {
            path: PathBuf::from(&spec.path),
            file: Some(file),
        })
    }

    /// `f.method(*args)`.
    pub fn call(&mut self, method: &str, args: &[Observed]) -> Result<Observed, Raised> {
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
        if method == "path" {
            return Ok(Observed::Str(self.path.to_string_lossy().into_owned()));
        }
        let file = self.file.as_mut().ok_or_else(|| Raised {
            type_name: "ValueError".into(),
            message: "I/O operation on closed file".into(),
            errno: None,
        })?;
        let to_int = |n: u64| Observed::Int(i128::from(n));
        let r: io::Result<Observed> = match method {
            "fileno" => match crate::sys::fileno(file) {
                Some(fd) => Ok(Observed::Int(fd)),
                None => return Err(harness_error("f.fileno() needs a Unix host".into())),
            },
            "size" => file.metadata().map(|m| to_int(m.len())),
            "read" => std::fs::read(&self.path).map(Observed::Bytes),
            "pwrite" => match args.first() {
                Some(Observed::Bytes(data)) => {
                    crate::sys::write_at(file, data, int(1)?).map(|n| to_int(n as u64))
                }
                _ => return Err(harness_error("f.pwrite: argument 1 must be bytes".into())),
            },
            "truncate" => file.set_len(int(0)?).map(|()| Observed::None),
            "tell" => file.stream_position().map(to_int),
            "seek" => file.seek(SeekFrom::Start(int(0)?)).map(to_int),
            _ => return Err(harness_error(format!("unknown file method f.{method}"))),
        };
        r.map_err(|e| os_error(&e))
    }
}

/// A failed system call as Python 3's `os` module reports it: the `OSError`
/// subclass of PEP 3151 and `[Errno N] strerror`.
pub fn os_error(e: &io::Error) -> Raised {
    match e.raw_os_error() {
        Some(errno) => {
            let python3 = Profile::new(PyVersion::new(3, 0), Platform::host());
            let err = mmap_reference::Error::from_errno(errno, python3);
            Raised {
                type_name: err.type_name.into(),
                message: err.message,
                errno: Some(errno),
            }
        }
        None => Raised {
            type_name: "OSError".into(),
            message: e.to_string(),
            errno: None,
        },
    }
}

fn harness_error(message: String) -> Raised {
    Raised {
        type_name: "HarnessError".into(),
        message,
        errno: None,
    }
}
