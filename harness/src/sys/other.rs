//! A host without Unix process control (Windows): adapters run without a
//! memory limit or process groups, and `fork` steps, descriptors and the
//! in-process adapters are refused with an error that says why.

use std::convert::Infallible;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::Command;

use super::ExitStatus;

fn unsupported(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{what} needs a Unix host"),
    )
}

/// The channel a forked child would report on; none exists here.
#[derive(Debug)]
pub struct Channel(Infallible);

// Closing an end is what tells the other side a child is done; the type
// says so even here, where no end exists.
impl Drop for Channel {
    fn drop(&mut self) {
        match self.0 {}
    }
}

impl Read for Channel {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0 {}
    }
}

impl Write for Channel {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        match self.0 {}
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.0 {}
    }
}

/// Refused: `fork` steps need a Unix host.
pub fn channel() -> io::Result<(Channel, Channel)> {
    Err(unsupported("a `fork` step"))
}

/// Refused: `fork` steps need a Unix host.
pub fn fork() -> io::Result<u32> {
    Err(unsupported("a `fork` step"))
}

/// Never reached: no child is ever forked here.
pub fn exit_immediately() -> ! {
    std::process::exit(0)
}

/// No limit: the data segment limit is a Unix `rlimit`.
pub fn limit_memory(_cmd: &mut Command, _bytes: u64) {}

/// Whether a process exists is not asked here: every process counts as
/// alive, so no other run's temporary directory is ever removed.
pub fn alive(_pid: u32) -> bool {
    true
}

/// Never reached: no child is ever forked here.
pub fn wait(_pid: u32) -> ExitStatus {
    ExitStatus {
        code: None,
        signal: None,
    }
}

/// Signals do not end processes here; a number is all there is to show.
pub fn signal_name(sig: i32) -> String {
    format!("signal {sig}")
}

/// Refused: the in-process adapters need a Unix host.
pub fn take_stdout() -> io::Result<File> {
    Err(unsupported("hosting the reference or the embedded CPython"))
}

/// Nothing to do: adapters run in no group of their own here, and the
/// caller kills the adapter itself.
pub fn kill_group(_pgid: u32) {}

/// Nothing to do: process groups are a Unix notion.
pub fn own_process_group(_cmd: &mut Command) {}

/// No signal ends a process here.
pub fn exit_signal(_status: std::process::ExitStatus) -> Option<i32> {
    None
}

/// No descriptor numbers here.
pub fn fileno(_file: &File) -> Option<i128> {
    None
}

/// Writes at `offset` (this moves the file's position, unlike `pwrite`).
pub fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_write(file, data, offset)
}

/// True for a file with an executable's extension.
pub fn is_executable(p: &Path) -> bool {
    p.is_file()
        && p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("exe") || e.eq_ignore_ascii_case("bat"))
}
